#!/usr/bin/env bash
# Takes a version of the NL Design System's HTML stylesheet (@utrecht/component-library-css)
# from npm into the workbench and records it in tools/nlds/SOURCE.md.
# Usage: scripts/update-design-system.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: $0 VERSION}
npm install --save-dev --save-exact --no-audit --no-fund "@utrecht/component-library-css@$version"
target=app/static/workbench/nlds/utrecht-html.css
cp node_modules/@utrecht/component-library-css/dist/html.css "$target"
sha=$(sha256sum "$target" | cut -d' ' -f1)
sed -i -E "s/^\| SHA-256 \| \`[0-9a-f]+\` \|$/| SHA-256 | \`$sha\` |/" tools/nlds/SOURCE.md
sed -i -E "s/version \`[0-9.]+\` \(npm/version \`$version\` (npm/" tools/nlds/SOURCE.md
echo "took @utrecht/component-library-css $version ($sha); run scripts/test.sh and commit"
