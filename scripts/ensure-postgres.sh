#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the test suite. On this project's machines the
# Debian cluster is installed; if it is down we start it (as root, via pg_ctlcluster, since
# initdb/pg_ctl refuse to run as root). Set TEST_POSTGRES_ADMIN_URL to use another server.
set -euo pipefail
host=${PGHOST_FOR_TESTS:-127.0.0.1}
port=${PGPORT_FOR_TESTS:-5432}
if [ -n "${TEST_POSTGRES_ADMIN_URL:-}" ]; then
  exit 0  # the caller brings its own server; conftest reports if it does not answer
fi
if pg_isready -q -h "$host" -p "$port" 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "PostgreSQL is down; starting cluster $version/main" >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h "$host" -p "$port" && exit 0
    sleep 1
  done
fi
echo "PostgreSQL does not answer on $host:$port and could not be started." >&2
echo "Install it (apt-get install postgresql) or set TEST_POSTGRES_ADMIN_URL." >&2
exit 1
