#!/usr/bin/env bash
# Replaces tools/adr/ruleset.yaml with Logius's published NL GOV API Design Rules ruleset and
# records its checksum in tools/adr/SOURCE.md. Needs the web (CI does not have it).
# Usage: scripts/update-adr-ruleset.sh [URL]
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-https://static.developer.overheid.nl/adr/ruleset.yaml}
target=tools/adr/ruleset.yaml
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
curl -fsSL "$url" -o "$fresh"
grep -q '^rules:' "$fresh" || { echo "$url is not a Spectral ruleset" >&2; exit 1; }
mv "$fresh" "$target"
sha=$(sha256sum "$target" | cut -d' ' -f1)
sed -i -E "s/^\| SHA-256 \| \`[0-9a-f]+\` \|$/| SHA-256 | \`$sha\` |/" tools/adr/SOURCE.md
sed -i -E "s#^\| Source \| .*#| Source | $url, taken $(date -u +%Y-%m-%d) |#" tools/adr/SOURCE.md
echo "updated $target ($sha); run scripts/test.sh, then commit it with tools/adr/SOURCE.md"
