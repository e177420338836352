#!/usr/bin/env bash
# Installs from Debian what the test suite drives as a user's or operator's tool would:
# Chromium for the browser tests (Playwright drives it by its path; its own browser download
# does not work on these machines), Pango for the report's server-made PDF (WeasyPrint),
# poppler's pdftotext to read that PDF back, sqlite3 and the PostgreSQL client for the
# documented backup and restore, promtool (package prometheus) to check the alert rules,
# and nginx, the proxy in front of the cluster tests' replicas.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing from Debian: ${missing[*]}" >&2
apt-get update -qq
# prometheus's package would start a server: where nothing forbids that yet, forbid it
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
fi
apt-get install -y -qq "${missing[@]}" >/dev/null
