#!/usr/bin/env bash
# Makes sure Redis answers on 127.0.0.1:6379 for the test suite (the shared rate-limit
# storage is tested against it): start it if it is installed and down, install it from
# Debian if it is missing. Set TEST_REDIS_URL to use another server.
set -euo pipefail
[ -n "${TEST_REDIS_URL:-}" ] && exit 0
ping() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
ping && exit 0
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis is missing; installing redis-server from Debian" >&2
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
echo "Redis is down; starting redis-server" >&2
redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
for _ in $(seq 1 30); do ping && exit 0; sleep 0.5; done
echo "Redis does not answer on 127.0.0.1:6379" >&2
exit 1
