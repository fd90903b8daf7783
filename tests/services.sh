#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis of this machine answer, starting them when they do not:
# the second run of `make test` (PORTAL_TEST_BACKEND=production) uses them. Fails clearly,
# naming the service, when one cannot be started. Used by `make test` and by .ci/run.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 0.5; done; return 1; }

if ! command -v pg_isready >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "tests/services.sh: PostgreSQL and Redis are needed for the production test run." \
       "Install them: apt-get install -y postgresql redis-server" >&2
  exit 1
fi
if ! pg_up; then
  echo "Starting PostgreSQL…" >&2
  service postgresql start >/dev/null 2>&1 || pg_ctlcluster 15 main start >/dev/null 2>&1 || true
  wait_for pg_up || { echo "tests/services.sh: PostgreSQL does not answer on 127.0.0.1:5432" \
                           "and could not be started (try: service postgresql start)" >&2; exit 1; }
fi
if ! redis_up; then
  echo "Starting Redis…" >&2
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null 2>&1 || true
  wait_for redis_up || { echo "tests/services.sh: Redis does not answer on 127.0.0.1:6379" \
                              "and could not be started (try: redis-server --daemonize yes)" >&2
                         exit 1; }
fi
