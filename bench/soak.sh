#!/usr/bin/env bash
# bench/soak.sh [-d DURATION] [-c CLIENTS] [-s SCALE] [-t TITLE]
#
# Soak test, loopback only: seeds `seed --scale SCALE` (default 0.1) into a
# fresh PostgreSQL database bench_soak_s<scale>, starts one server
# (RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 SHUTDOWN_GRACE=60s LOG_LEVEL=warn) and
# runs bench/cmd/soak: CLIENTS (default 100) concurrent clients for DURATION
# (default 5m) mixing the four REST reports in JSON/CSV/XLSX and GraphQL
# questionStats/bookingStats/questionsReport. Requires zero 5xx, server RSS
# at the end within 10% of RSS after a 30 s warm-up, and go_goroutines 10 s
# after the load back at the idle baseline (±5). Replaces the "## TITLE"
# section (default "## Soak") of bench/RESULTS.md; the rest is kept. Stops the server on exit.
# Exit status: that of the load generator (1 when a requirement fails).
# Work files go to $BENCH_WORK (default /tmp/stift-bench). Needs root
# (apt-get, su postgres).
set -euo pipefail
DURATION=5m
CLIENTS=100
SCALE=0.1
TITLE=Soak
while getopts "d:c:s:t:h" opt; do
  case $opt in
    d) DURATION=$OPTARG ;;
    c) CLIENTS=$OPTARG ;;
    s) SCALE=$OPTARG ;;
    t) TITLE=$OPTARG ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
PORT=${SOAK_PORT:-18190}
. "$BENCH/lib.sh"

# ---------------------------------------------------------------- setup
step "packages"
need curl=curl

step "PostgreSQL"
DBNAME="bench_soak_s${SCALE//./_}"
pg_db "$DBNAME"

step "build"
(cd "$ROOT" && go build -o "$WORK/stift-reports-soak" . && go build -o "$WORK/soak" ./bench/cmd/soak)
BIN="$WORK/stift-reports-soak"

step "seed --scale $SCALE (PostgreSQL)"
seed_pg "$BIN" "$SCALE"
TOKEN=$(new_token "$BIN" "$PGURL" soak)
GROUPS_LIST=$(psql -X -A -t "$PGURL" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM groups")
SCHOOLS_LIST=$(psql -X -A -t "$PGURL" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM schools")
counts=$(psql -X -A -t -F ' ' "$PGURL" -c "SELECT (SELECT count(*) FROM schools), (SELECT count(*) FROM groups), (SELECT count(*) FROM questions), (SELECT count(*) FROM bookings)")
read -r NSCHOOLS NGROUPS NQ NB <<<"$counts"

# ---------------------------------------------------------------- server
LOG="$WORK/soak-server.log"
: >"$LOG"
PID=""
SOAK_PID=""
stop_server() {
  [ -n "$PID" ] || return 0
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 700); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then
    echo "server $PID still running 70 s after SIGTERM; killing it" >&2
    kill -KILL "$PID" 2>/dev/null || true
  fi
  wait "$PID" 2>/dev/null || true
  PID=""
}
cleanup() {
  if [ -n "$SOAK_PID" ]; then kill -TERM "$SOAK_PID" 2>/dev/null || true; wait "$SOAK_PID" 2>/dev/null || true; fi
  stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "server on 127.0.0.1:$PORT"
DEMO_DATA=off LOG_LEVEL=warn LOG_FORMAT=json RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 SHUTDOWN_GRACE=60s \
  "$BIN" --addr "127.0.0.1:$PORT" --db "$PGURL" >>"$LOG" 2>&1 &
PID=$!
ready=""
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && { ready=1; break; }
  sleep 0.1
done
[ -n "$ready" ] || { echo "server did not become ready; log:" >&2; tail -n 20 "$LOG" >&2; exit 1; }
echo "server pid $PID; log $LOG"
# let the start-up settle before the idle goroutine baseline
sleep 3

# ---------------------------------------------------------------- load
step "soak: $CLIENTS clients, $DURATION"
MD="$WORK/soak-section.md"
rc=0
OUT="$WORK/soak-output.txt"
rm -f "$MD"
"$WORK/soak" -url "http://127.0.0.1:$PORT" -token "$TOKEN" -d "$DURATION" -c "$CLIENTS" \
  -groups "$GROUPS_LIST" -schools "$SCHOOLS_LIST" -md "$MD" >"$OUT" 2>&1 &
SOAK_PID=$!
tail -n +1 -f --pid="$SOAK_PID" "$OUT" &
TAIL_PID=$!
wait "$SOAK_PID" || rc=$?
SOAK_PID=""
wait "$TAIL_PID" 2>/dev/null || true

step "stopping the server"
stop_t0=$(date +%s.%N)
stop_server
STOP_SECS=$(awk -v a="$stop_t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
left=$(pgrep -f -- "--addr 127.0.0.1:$PORT" || true)
[ -z "$left" ] || echo "warning: processes still listening on :$PORT: $left" >&2

# ---------------------------------------------------------------- results
step "bench/RESULTS.md: Soak section"
[ -s "$MD" ] || { echo "the load generator wrote no results" >&2; exit 1; }
nlog=$(wc -l <"$LOG")
loglines=$(grep -oE '"(level|msg)":"[^"]*"' "$LOG" | paste -d' ' - - | sort | uniq -c | sort -rn | head -n 8 | sed 's/^ */    /' || true)
cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
SECTION="$WORK/soak-full.md"
{
  echo "## $TITLE"
  echo
  echo "Written by \`bench/soak.sh -d $DURATION -c $CLIENTS -s $SCALE\` on $(date -u '+%Y-%m-%d %H:%M UTC'); result: **$([ "$rc" = 0 ] && echo pass || echo FAIL)**."
  echo
  echo "- machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr); client, server and PostgreSQL on the same machine, over loopback"
  echo "- PostgreSQL $(psql -X -A -t "$PGURL" -c 'SHOW server_version'), database \`$DBNAME\`, scale $SCALE: schools $NSCHOOLS, groups $NGROUPS, questions $NQ, bookings $NB (seeded in ${SEED_SECS}s)"
  echo "- server: \`RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 SHUTDOWN_GRACE=60s LOG_LEVEL=warn\`, commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && [ -n "$(git status --porcelain -- . ':!bench')" ] && echo ' + uncommitted changes' || true); stopped by SIGTERM at the end in ${STOP_SECS}s"
  echo "- mix: the four REST reports (\`/v1/reports/questions\`, \`bookings\`, \`bookings-workload\`, \`groups-usage\`) each in JSON, CSV and XLSX over a random week to a month (1–3 groups or 1–2 schools half the time), 1% whole-year questions CSV, GraphQL \`questionStats\` and \`bookingStats\` (by day or week) and a 100-row \`questionsReport\` page; bodies read to the end"
  echo "- server log (warn and above): $nlog lines$([ "$nlog" -gt 0 ] && printf ', most frequent:\n\n```\n%s\n```' "$loglines")"
  echo
  cat "$MD"
} >"$SECTION"
section "$TITLE" "$SECTION"
step "done (exit $rc): bench/RESULTS.md"
exit "$rc"
