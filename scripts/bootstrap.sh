#!/usr/bin/env bash
# Creates (once) the project's virtualenv and installs the project into it.
# Usage: scripts/bootstrap.sh [extras]   e.g. scripts/bootstrap.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
python=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
fi
spec="."
[ -n "${1:-}" ] && spec=".[$1]"
"$venv/bin/python" -m pip install -q -e "$spec"
