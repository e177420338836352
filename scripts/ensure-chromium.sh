#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (Playwright drives it by
# its path; Playwright's own browser download does not work on these machines), and Pango,
# which the report's server-made PDF (WeasyPrint) needs (Chromium brings it along), and
# poppler's pdftotext, with which the browser tests read that PDF as a reader's tool would.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing from Debian: ${missing[*]}" >&2
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
