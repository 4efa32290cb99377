#!/usr/bin/env bash
# The README's first command, as a new user runs it: the demo reaches its ready line, a POSTed run
# completes PASS, Ctrl-C stops the agent, the server and PostgreSQL in order (one line each, no errors), and
# a restart keeps every run. Prints what it checked; exits non-zero on any miss.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# a port no one listens on, unless one is given: two CI runs on one machine must not meet
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
export GAPWATCH_HOME=$(mktemp -d)
LOG="$GAPWATCH_HOME/demo.log"
B="http://127.0.0.1:$PORT"
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -INT "$PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$PID" 2>/dev/null || break; sleep 1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$GAPWATCH_HOME"
}
trap cleanup EXIT

start_demo() {
  # A script's background job starts with SIGINT ignored (and `set -m` does not help without a terminal), and a
  # JVM that starts with SIGINT ignored never runs its shutdown hook on it: Ctrl-C could not be simulated.
  env --default-signal=INT "$ROOT/bin/gapwatch" demo --port "$PORT" >"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 180); do
    if grep -q "^gapwatch ready at $B\$" "$LOG"; then
      # a start is quiet too: it speaks to the user, not in a framework's warnings (the demo's sweep finding its
      # planted regression may come early on a fast machine: news of the series)
      if sed "/^gapwatch ready at /q" "$LOG" | grep -v ' WARN  i\.g\.s\.r\.RegressionService - regression [0-9]* ' \
          | grep -E ' (WARN|ERROR) |Exception|password'; then
        echo "demo-smoke: the start printed the warnings or errors above"; exit 1
      fi
      return 0
    fi
    kill -0 $PID 2>/dev/null || { cat "$LOG"; echo "demo-smoke: the demo exited before its ready line"; exit 1; }
    sleep 1
  done
  cat "$LOG"; echo "demo-smoke: no ready line within 180 s"; exit 1
}

stop_demo() {
  # what the demo prints from Ctrl-C on; before it, the demo's own sweep may log what it finds
  from=$(( $(wc -l < "$LOG") + 1 ))
  kill -INT $PID   # what Ctrl-C sends
  for _ in $(seq 1 30); do kill -0 $PID 2>/dev/null || break; sleep 1; done
  if kill -0 $PID 2>/dev/null; then
    echo "demo-smoke: the demo did not stop on SIGINT within 30 s; what it printed since:"; tail -n +"$from" "$LOG"
    jstack "$PID" 2>&1 | grep -A12 '^"demo-stop"' || echo "(no demo-stop thread: the shutdown hook never ran)"
    exit 1
  fi
  wait $PID 2>/dev/null || true
  # a stop is quiet and in order: one line each for the agent, the server and PostgreSQL
  # (the demo's sweep finding its planted regression is news of the series, not of the stop)
  stop=$(tail -n +"$from" "$LOG" | grep -v ' WARN  i\.g\.s\.r\.RegressionService - regression [0-9]* ' || true)
  if echo "$stop" | grep -q 'ERROR\|Exception'; then echo "$stop"; echo "demo-smoke: the stop printed errors"; exit 1; fi
  [ "$(echo "$stop" | sed 's/^gapwatch demo: //; s/ (.*//' | paste -sd'|')" = "agent demo-local stopped|server stopped|PostgreSQL stopped" ] \
    || { echo "$stop"; echo "demo-smoke: the stop must say agent, server, PostgreSQL stopped, in that order, and nothing else"; exit 1; }
  echo "demo-smoke: Ctrl-C stopped the agent, the server and PostgreSQL, in order, one line each"
}

start_demo
[ "$(grep -c '^gapwatch ready at ' "$LOG")" = 1 ] || { echo "demo-smoke: the ready line must appear exactly once"; exit 1; }
sed -n '/^First batch/,/^gapwatch ready/p' "$LOG"
AUTH="Authorization: Bearer $(cat "$GAPWATCH_HOME/demo.token")"
for secret in demo.token db.password; do
  [ "$(stat -c %a "$GAPWATCH_HOME/$secret")" = 600 ] || { echo "demo-smoke: $secret must be mode 0600"; exit 1; }
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$B/api/v1/runs")" = 401 ] || { echo "demo-smoke: /api without a token must be 401"; exit 1; }

id=$(curl -sf -X POST "$B/api/v1/runs" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"variant":"clock-realtime","gapMs":10,"iterations":3,"target":{"backend":"sim"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# it queues behind the demo's own first batch and sweep: on a loaded machine that can take minutes
for _ in $(seq 1 180); do
  run=$(curl -sf -H "$AUTH" "$B/api/v1/runs/$id")
  state=$(echo "$run" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  case "$state" in COMPLETED|CANCELLED) break;; esac
  sleep 1
done
case "$state" in COMPLETED|CANCELLED) ;; *) echo "demo-smoke: run $id still $state after 180 s"; exit 1;; esac
echo "$run" | python3 -c '
import json, sys
r = json.load(sys.stdin)
ms = r["measurements"]
assert r["state"] == "COMPLETED" and r["verdict"] == "PASS", r
assert len(ms) == 3 and all(m["withinBracket"] for m in ms), ms
print("demo-smoke: run %d COMPLETED/PASS, steal %s ms, all within bracket" % (r["id"], [round(m["stealDeltaNs"]/1e6, 3) for m in ms]))'

run_ids() {
  curl -sf -H "$AUTH" "$B/api/v1/runs?size=500" | python3 -c 'import json,sys; print(" ".join(str(r["id"]) for r in json.load(sys.stdin)["items"]))'
}
before_ids=$(run_ids)
stop_demo
start_demo
after_ids=$(run_ids)
for i in $before_ids; do
  case " $after_ids " in *" $i "*) ;; *) echo "demo-smoke: run $i is gone after the restart"; exit 1;; esac
done
echo "demo-smoke: restart kept all $(echo $before_ids | wc -w) runs (now $(echo $after_ids | wc -w) with the new first batch)"
echo "demo-smoke: 1 passed, 0 failed"
