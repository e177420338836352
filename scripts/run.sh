#!/usr/bin/env bash
# Installs the service and runs it on the embedded SQLite default (migrations applied).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The links printed at start-up (token box, OpenAPI servers) name where this serves.
export PUBLIC_URL=${PUBLIC_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}
exec "${VENV:-.venv}/bin/wijkteam-kpi" serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
