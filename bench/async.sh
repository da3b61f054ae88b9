#!/usr/bin/env bash
# bench/async.sh [-s SCALE] [-n RUNS]
#
# The whole year's questions as XLSX, asked for synchronously and
# asynchronously (Prefer: respond-async, docs/exports.md): seeds `seed
# --scale SCALE` (default 1: a million questions in the year) into a fresh
# PostgreSQL database, starts a server, and times, RUNS times (default 3)
# alternating after a warm-up, the synchronous download against the
# asynchronous export from its ask to the last byte of its file (polled
# every 200 ms, downloaded in 16 MiB pieces with Range), sampling the
# server's RSS meanwhile (the job runs in the server, so it is the same
# process). Checks the two files are identical, and replaces the
# "## Asynchronous XLSX export" section of bench/RESULTS.md. Needs root
# (apt-get, su postgres); work files go to $BENCH_WORK (default
# /tmp/stift-bench).
set -euo pipefail
SCALE=1
RUNS=3
while getopts "s:n:h" opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib.sh"
PORT=${ASYNC_PORT:-18186}

step "packages"
need curl=curl

year_server async "$PORT"
URL="http://127.0.0.1:$PORT/v1/reports/questions"

step "timing, $RUNS runs each after a warm-up"
RAW="$WORK/async-raw.tsv"
: >"$RAW"
for i in warm $(seq 1 "$RUNS"); do
  line=$("$TOOL" http -pid "$PID" -url "$URL" -accept "$XLSX" -body "$BODY" -token "$TOKEN" -out "$WORK/async-sync.xlsx")
  printf 'sync\t%s\t%s\n' "$i" "$line" | tee -a "$RAW"
  line=$("$TOOL" async -pid "$PID" -url "$URL" -accept "$XLSX" -body "$BODY" -token "$TOKEN" -piece $((16 << 20)) -out "$WORK/async-async.xlsx")
  printf 'async\t%s\t%s\n' "$i" "$line" | tee -a "$RAW"
done
col() { grep -P "^$1\t[0-9]" "$RAW" | cut -f"$2" | sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
peak() { grep -P "^$1\t[0-9]" "$RAW" | awk -F'\t' 'BEGIN{m=0} $5>m{m=$5} END{printf "%.1f", m/1024}'; }
SYNC=$(col sync 3); ASYNC=$(col async 3); DONE=$(col async 7)
SYNC_PEAK=$(peak sync); ASYNC_PEAK=$(peak async)
SAME=identical
cmp -s "$WORK/async-sync.xlsx" "$WORK/async-async.xlsx" || SAME=DIFFERENT
SIZE=$(stat -c %s "$WORK/async-async.xlsx")

step "bench/RESULTS.md: Asynchronous XLSX export section"
MD="$WORK/async-section.md"
{
  echo "## Asynchronous XLSX export"
  echo
  echo "Written by \`bench/async.sh -s $SCALE -n $RUNS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(cd "$ROOT" && git rev-parse --short HEAD); PostgreSQL $(psql -X -A -t "$PGURL" -c 'SHOW server_version'); $NQ questions in the year, $SIZE bytes of XLSX; the last two files $SAME byte for byte."
  echo
  echo "| questions XLSX, whole year | seconds (median of $RUNS) | server peak RSS MiB (highest run) |"
  echo "| --- | ---: | ---: |"
  echo "| synchronous download | $SYNC | $SYNC_PEAK |"
  echo "| asynchronous: ask → done (job ran, file stored in chunks) | $DONE | |"
  echo "| asynchronous: ask → last byte downloaded (16 MiB ranges) | $ASYNC | $ASYNC_PEAK |"
  echo
  echo "Runs (seconds, bytes, peak RSS KiB, status; async also seconds until done):"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$MD"
section "Asynchronous XLSX export" "$MD"
cat "$MD"
