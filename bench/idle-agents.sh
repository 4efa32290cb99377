#!/usr/bin/env bash
# What idle agents cost a server: N agents long-polling for work (none is queued), measured as database
# transactions per second (pg_stat_database.xact_commit over a window) and the latency of GET /api/v1/runs.
#
#   bench/idle-agents.sh [N ...]            e.g. bench/idle-agents.sh 10 100
#
# Environment: JAR (default target/gapwatch.jar: build it first, or point it at another revision's jar to
# compare), PORT (server, default 18310), PGPORT (default 18311), WINDOW_S (default 30).
# It starts its own PostgreSQL 15 (/usr/lib/postgresql/15/bin) and server in a scratch directory and
# stops both at the end. Agents are curl loops with their own secrets: the protocol, not the Java agent.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
if [ "$(id -u)" = 0 ] && [ -z "${GAPWATCH_UNSHARED:-}" ]; then
  export GAPWATCH_UNSHARED=1 HOME
  exec unshare -U "$0" "$@"   # initdb refuses root; see bin/gapwatch
fi
JAR=${JAR:-$ROOT/target/gapwatch.jar}
PORT=${PORT:-18310}
PGPORT=${PGPORT:-18311}
WINDOW_S=${WINDOW_S:-30}
PGBIN=/usr/lib/postgresql/15/bin
ADMIN=gw_a_bench-admin-token
B=http://127.0.0.1:$PORT
[ $# -gt 0 ] || set -- 10 100

SCRATCH=$(mktemp -d /tmp/gapwatch-idle-agents.XXXXXX)
SERVER_PID=
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  "$PGBIN/pg_ctl" -D "$SCRATCH/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

"$PGBIN/initdb" -D "$SCRATCH/pg" -U postgres --auth=trust >/dev/null
"$PGBIN/pg_ctl" -D "$SCRATCH/pg" -l "$SCRATCH/pg.log" -w \
  -o "-p $PGPORT -k $SCRATCH -c listen_addresses=127.0.0.1" start >/dev/null
psql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -Atq -c "$1"; }

GAPWATCH_HOME=$SCRATCH/home GAPWATCH_ADMIN_TOKEN=$ADMIN GAPWATCH_PORT=$PORT \
GAPWATCH_DB_URL=jdbc:postgresql://127.0.0.1:$PGPORT/postgres GAPWATCH_DB_USER=postgres GAPWATCH_DB_PASSWORD= \
  java -Xmx512m -jar "$JAR" server --port "$PORT" >"$SCRATCH/server.log" 2>&1 &
SERVER_PID=$!
until curl -sf "$B/actuator/health" >/dev/null; do
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SCRATCH/server.log"; exit 1; }
  sleep 0.5
done
git_rev=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')
echo "jar $JAR (checkout at $git_rev), window ${WINDOW_S} s"
ENROLL=$(curl -sf -X POST "$B/api/v1/tokens" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"role":"enrollment","name":"bench"}' | sed -E 's/.*"token" *: *"([^"]+)".*/\1/')

agents=0
latency() {  # GET /api/v1/runs 20 times: median and max in ms
  for _ in $(seq 20); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $ADMIN" "$B/api/v1/runs?size=20"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.0f ms median, %.0f ms max", t[int((NR + 1) / 2)], t[NR] }'
}
for n in "$@"; do
  while [ "$agents" -lt "$n" ]; do
    reg=$(curl -sf -X POST "$B/api/v1/agents" -H "Authorization: Bearer $ENROLL" -H 'Content-Type: application/json' \
      -d "{\"name\":\"idle-$agents\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"sim:6.12-model\"}]}")
    id=$(echo "$reg" | sed -E 's/.*"id" *: *([0-9]+).*/\1/')
    secret=$(echo "$reg" | sed -E 's/.*"secret" *: *"([^"]+)".*/\1/')
    ( while :; do
        curl -s -o /dev/null -m 60 -X POST -H "Authorization: Bearer $secret" "$B/api/v1/agents/$id/lease?waitSeconds=20" \
          || sleep 1
      done ) &
    agents=$((agents + 1))
  done
  sleep 10 # let every agent settle into its long poll
  before=$(psql "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")
  t0=$(date +%s.%N)
  sleep "$WINDOW_S"
  after=$(psql "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")
  t1=$(date +%s.%N)
  tps=$(awk -v a="$after" -v b="$before" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", (a - b) / (t1 - t0) }')
  echo "agents $n: $tps transactions/s; GET /api/v1/runs $(latency)"
done
