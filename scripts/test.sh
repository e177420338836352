#!/usr/bin/env bash
# Installs everything and runs the whole suite: lint, types, the API linter and the tests
# (every database test on SQLite and on PostgreSQL). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
scripts/bootstrap.sh dev
scripts/ensure-postgres.sh
scripts/ensure-redis.sh
scripts/ensure-debian-tools.sh

echo "== ruff"; "$venv/bin/ruff" check . && "$venv/bin/ruff" format --check .
echo "== mypy"; "$venv/bin/mypy"
echo "== layers (import-linter)"; "$venv/bin/lint-imports"

echo "== NL GOV API Design Rules (Logius spectral ruleset)"
mkdir -p build
"$venv/bin/wijkteam-kpi" openapi build/openapi.json
ruleset=${ADR_RULESET:-tools/adr/ruleset.yaml}  # Logius, CC-BY-4.0: tools/adr/SOURCE.md
if [ ! -f "$ruleset" ]; then
  echo "the Logius ruleset is missing at $ruleset (set ADR_RULESET)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
npx --no-install spectral lint --fail-severity error -r "$ruleset" build/openapi.json

echo "== OWASP API Security Top 10 (Spectral; rules switched off: tools/owasp/README.md)"
"$venv/bin/python" -m scripts.owasp_overrides build/openapi.json build/owasp-ruleset.yaml
npx --no-install spectral lint --fail-severity error -r build/owasp-ruleset.yaml build/openapi.json

echo "== alert rules (promtool)"
promtool check rules deploy/prometheus/alerts.yml

echo "== documentation site (MkDocs, strict: a broken link or anchor fails)"
NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true "$venv/bin/mkdocs" build --strict --quiet

echo "== pytest"
exec "$venv/bin/pytest" -p no:cacheprovider -n 2 "$@"
