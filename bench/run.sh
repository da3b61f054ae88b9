#!/usr/bin/env bash
# bench/run.sh [-s SCALE] [-n RUNS] [-l LOAD_SECONDS]
#
# Builds stift-reports once, seeds `seed --scale SCALE` into a fresh SQLite
# file and a fresh PostgreSQL database, starts one server on each (loopback
# only), and times every case against its baseline (the same rows produced
# by psql \copy / sqlite3 -csv from bench/sql/*.sql), alternating ours and
# the baseline RUNS times; samples the server's VmRSS every 50 ms during each
# request; runs wrk with 50 connections on a 100-row JSON report; saves
# EXPLAIN (ANALYZE, BUFFERS) of every statement the server runs for each
# report (auto_explain) to bench/plans/; writes bench/RESULTS.md and
# bench/results.png. Work files (databases, binaries) go to $BENCH_WORK
# (default /tmp/stift-bench). Needs root (apt-get, su postgres).
set -euo pipefail
SCALE=0.1
RUNS=3
LOAD_SECS=30
while getopts "s:n:l:h" opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    l) LOAD_SECS=$OPTARG ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib.sh"
mkdir -p "$BENCH/plans"

# ---------------------------------------------------------------- setup
step "packages"
need sqlite3=sqlite3 wrk=wrk gnuplot=gnuplot-nox curl=curl

step "PostgreSQL"
DBNAME="bench_s${SCALE//./_}"
pg_db "$DBNAME"
SQLITE="$WORK/$DBNAME.db"
rm -f "$SQLITE" "$SQLITE-wal" "$SQLITE-shm"

step "build"
(cd "$ROOT" && go build -o "$WORK/stift-reports" . && go build -o "$WORK/benchtool" ./bench/cmd/benchtool)
(cd "$BENCH/sqlitedrivers" && go build -o "$WORK/sqlitedrivers" .)
BIN="$WORK/stift-reports"
TOOL="$WORK/benchtool"

step "seed --scale $SCALE (SQLite, then PostgreSQL)"
t0=$(date +%s.%N)
"$BIN" seed --scale "$SCALE" --db "$SQLITE" 2>&1 | tail -n 1
t1=$(date +%s.%N)
"$BIN" seed --scale "$SCALE" --db "$PGURL" 2>&1 | tail -n 1
t2=$(date +%s.%N)
SEED_SQLITE=$(awk -v a="$t0" -v b="$t1" "BEGIN{printf \"%.1f\", b-a}")
SEED_PG=$(awk -v a="$t1" -v b="$t2" "BEGIN{printf \"%.1f\", b-a}")
# What autovacuum would do soon anyway; the plans depend on the statistics.
psql -X -q "$PGURL" -c "VACUUM ANALYZE"

TOK_SQLITE=$(new_token "$BIN" "$SQLITE" bench)
TOK_PG=$(new_token "$BIN" "$PGURL" bench)
[ -n "$TOK_SQLITE" ] && [ -n "$TOK_PG" ] || { echo "could not parse the token secrets" >&2; exit 1; }

# ---------------------------------------------------------------- servers
PORT_SQLITE=18180
PORT_PG=18181
PID_SQLITE=""
PID_PG=""
cleanup() {
  for p in $PID_SQLITE $PID_PG; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  su postgres -c "psql -X -q -c 'ALTER DATABASE $DBNAME RESET ALL'" >/dev/null 2>&1 || true
}
trap cleanup EXIT
start_server() { # db port -> prints pid
  # The per-token rate limit and export cap are off: one token drives every
  # request here, and the engine is what is measured, not the throttle.
  DEMO_DATA=off LOG_LEVEL=warn LOG_FORMAT=json RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 "$BIN" --addr "127.0.0.1:$2" --db "$1" >>"$WORK/server-$2.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && { echo "$pid"; return; }
    sleep 0.1
  done
  echo "server on :$2 did not become ready" >&2; exit 1
}
step "servers"
PID_SQLITE=$(start_server "$SQLITE" $PORT_SQLITE)
PID_PG=$(start_server "$PGURL" $PORT_PG)
echo "sqlite server pid $PID_SQLITE, postgres server pid $PID_PG"

# ---------------------------------------------------------------- inputs
# The demo year: seed.Now is 2026-06-15 15:00 UTC, the data covers the year
# before it (and bookings up to four weeks after).
FROM_MS=1749945600000   # 2025-06-15 00:00:00 UTC
TO_MS=1781550000000     # 2026-06-15 19:00:00 UTC
BTO_MS=1784142000000    # 2026-07-15 19:00:00 UTC (bookings: the booked-ahead weeks too)
pgts() { psql -X -A -t "$PGURL" -c "SELECT to_char(to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') || '+00'"; }
litets() { local t; t=$(pgts "$1"); echo "${t%+00}"; }
iso() { psql -X -A -t "$PGURL" -c "SELECT to_char(to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"; }
count_q() { psql -X -A -t "$PGURL" -c "SELECT count(*) FROM questions WHERE created_at >= '$(pgts "$1")' AND created_at <= '$(pgts "$2")'"; }

# render SQLFILE FROM_MS TO_MS [dialect] -> the query with the bounds inlined
render() {
  local f t
  if [ "${4:-pg}" = sqlite ]; then
    f="$(litets "$2")+00:00"; t="$(litets "$3")+00:00"
    f=${f/.000+/+}; t=${t/.000+/+} # SQLite's stored form drops a zero fraction
  else
    f=$(pgts "$2"); t=$(pgts "$3")
  fi
  sed -e '/^--/d' -e "s/:'from'/'$f'/g" -e "s/:'to'/'$t'/g" -e "s/:'gids'/'${GIDS:-{\}}'/g" "$BENCH/sql/$1"
}
oneline() { tr '\n' ' ' | sed -e 's/;[[:space:]]*$//'; }

RAW="$WORK/raw.tsv"; CASES="$WORK/cases.tsv"; EXTRA="$WORK/extra.tsv"; NOTES="$WORK/notes.md"
: >"$RAW"; : >"$CASES"; : >"$EXTRA"; : >"$NOTES"

# ours ID PID PORT PATH ACCEPT BODY TOKEN [OUTFILE]
ours() {
  local line
  line=$("$TOOL" http -pid "$2" -url "http://127.0.0.1:$3$4" -accept "$5" -body "$6" -token "$7" ${8:+-out "$8"})
  printf '%s\tours\t%s\t%s\n' "$1" "${ITER:-0}" "$line" >>"$RAW"
}
# base ID [OUTFILE] -- cmd...
base() {
  local id=$1 out=$2 line; shift 3
  if [ "$1" = "$TOOL" ] && [ "$2" = xlsxbase ]; then
    line=$("$@") # times the encoding itself, not the loading of the CSV
  else
    line=$("$TOOL" cmd ${out:+-out "$out"} -- "$@")
  fi
  printf '%s\tbase\t%s\t%s\n' "$id" "${ITER:-0}" "$line" >>"$RAW"
}
psql_copy() { psql -X -q "$PGURL" -c "\\copy ($1) TO STDOUT WITH CSV HEADER"; }

# run_case ID TARGET ROWS WHAT BASEWHAT -- with OURS_ARGS (array) and BASE_ARGS (array)
run_case() {
  local id=$1
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$CASES"
  echo "-- $id: $4 ($3 rows)"
  # a warm-up of each, not recorded
  ITER=warm ours "$id-warm" "${OURS_ARGS[@]}" >/dev/null
  if ((${#BASE_ARGS[@]})); then ITER=warm base "$id-warm" "" -- "${BASE_ARGS[@]}"; fi
  for i in $(seq 1 "$RUNS"); do
    ITER=$i ours "$id" "${OURS_ARGS[@]}"
    if ((${#BASE_ARGS[@]})); then ITER=$i base "$id" "" -- "${BASE_ARGS[@]}"; fi
  done
  grep -P "^$id\t" "$RAW" | awk -F'\t' '{printf "   %s #%s: %ss, %s bytes, rss %s KiB\n", $2, $3, $4, $5, $6}'
}

QBODY="{\"start_date\": $FROM_MS, \"end_date\": $TO_MS}"
BBODY="{\"start_date\": $FROM_MS, \"end_date\": $BTO_MS}"
XLSX=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
NQ=$(count_q $FROM_MS $TO_MS)
NB=$(psql -X -A -t "$PGURL" -c "SELECT count(*) FROM bookings b WHERE (b.scheduled_for >= '$(pgts $FROM_MS)' AND b.scheduled_for <= '$(pgts $BTO_MS)') OR (b.scheduled_for IS NULL AND b.created_at >= '$(pgts $FROM_MS)' AND b.created_at <= '$(pgts $BTO_MS)')")
Q_PG=$(render questions_pg.sql $FROM_MS $TO_MS | oneline)
Q_SQLITE_FILE="$WORK/questions_sqlite.run.sql"; render questions_sqlite.sql $FROM_MS $TO_MS sqlite >"$Q_SQLITE_FILE"
B_PG=$(render bookings_pg.sql $FROM_MS $BTO_MS | oneline)
S_PG=$(render question_stats_pg.sql $FROM_MS $TO_MS | oneline)

# ---------------------------------------------------------------- same rows?
step "checking the baselines give the same records (benchtool csvcmp)"
check() { # name ours.csv base.csv
  local r; r=$("$TOOL" csvcmp "$2" "$3")
  echo "   $1: $r"
  printf -- '- %s: ours vs baseline, `%s`\n' "$1" "$r" >>"$NOTES"
}
ITER=check ours check-q-pg $PID_PG $PORT_PG /v1/reports/questions text/csv "$QBODY" "$TOK_PG" "$WORK/q_ours_pg.csv"
psql_copy "$Q_PG" >"$WORK/q_base_pg.csv"
check "questions CSV, PostgreSQL" "$WORK/q_ours_pg.csv" "$WORK/q_base_pg.csv"
ITER=check ours check-q-sqlite $PID_SQLITE $PORT_SQLITE /v1/reports/questions text/csv "$QBODY" "$TOK_SQLITE" "$WORK/q_ours_sqlite.csv"
sqlite3 -csv -header "$SQLITE" ".read $Q_SQLITE_FILE" >"$WORK/q_base_sqlite.csv"
check "questions CSV, SQLite" "$WORK/q_ours_sqlite.csv" "$WORK/q_base_sqlite.csv"
ITER=check ours check-b-pg $PID_PG $PORT_PG /v1/reports/bookings text/csv "$BBODY" "$TOK_PG" "$WORK/b_ours_pg.csv"
psql_copy "$B_PG" >"$WORK/b_base_pg.csv"
check "bookings CSV, PostgreSQL (headers differ by design)" "$WORK/b_ours_pg.csv" "$WORK/b_base_pg.csv"

# ---------------------------------------------------------------- timed cases
step "timed cases, $RUNS runs each, ours and baseline alternating"
OURS_ARGS=($PID_PG $PORT_PG /v1/reports/questions text/csv "$QBODY" "$TOK_PG")
BASE_ARGS=(psql -X -q "$PGURL" -c "\\copy ($Q_PG) TO STDOUT WITH CSV HEADER")
run_case q_csv_pg 1.2 "$NQ" "questions CSV, whole year, all groups, PostgreSQL" "psql \\copy … CSV HEADER"

OURS_ARGS=($PID_SQLITE $PORT_SQLITE /v1/reports/questions text/csv "$QBODY" "$TOK_SQLITE")
BASE_ARGS=(sqlite3 -csv -header "$SQLITE" ".read $Q_SQLITE_FILE")
run_case q_csv_sqlite 1.2 "$NQ" "questions CSV, whole year, all groups, SQLite" "sqlite3 -csv -header"
# The floor of any SQLite report: the server's driver running the
# baseline's own SQL, rows discarded (no typed scan, encoding or HTTP).
med() { sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
floor=$(for i in $(seq 1 "$RUNS"); do "$TOOL" sqlitefloor -db "$SQLITE" -sql "$Q_SQLITE_FILE" | cut -f1; done | med)
cli=$(grep -P "^q_csv_sqlite\tbase\t[0-9]" "$RAW" | cut -f4 | med)
printf 'floor: modernc.org/sqlite, opened as the server opens it (file memory-mapped), running the sqlite3 baseline'"'"'s SQL, rows discarded (median of %s)\t%s s vs sqlite3 %s s = %s×\tinformation: the least a SQLite report can take\tn/a\n' \
  "$RUNS" "$floor" "$cli" "$(awk -v a="$floor" -v b="$cli" 'BEGIN{printf "%.2f", a/b}')" >>"$EXTRA"
# The same floor with another CGO-free driver, below database/sql.
floor2=$(for i in $(seq 1 "$RUNS"); do "$WORK/sqlitedrivers" -db "$SQLITE" -sql "$Q_SQLITE_FILE" | cut -f1; done | med)
printf 'floor: github.com/ncruces/go-sqlite3 (its own statement API) running the same SQL, rows discarded (median of %s)\t%s s vs sqlite3 %s s = %s×\tinformation: what another driver would allow\tn/a\n' \
  "$RUNS" "$floor2" "$cli" "$(awk -v a="$floor2" -v b="$cli" 'BEGIN{printf "%.2f", a/b}')" >>"$EXTRA"
# The server reads its SQLite file through a memory map (db's
# sqliteMmapSize) and sqlite3 by default does not: the same baseline given
# the same PRAGMA, beside ours, says what of the ratio is that setting.
climm=$(for i in $(seq 1 "$RUNS"); do "$TOOL" cmd -- sqlite3 -csv -header -cmd "PRAGMA mmap_size=2147483648" "$SQLITE" ".read $Q_SQLITE_FILE" | cut -f1; done | med)
oursq=$(grep -P "^q_csv_sqlite\tours\t[0-9]" "$RAW" | cut -f4 | med)
printf 'questions CSV, whole year, SQLite, against sqlite3 with the server'"'"'s mmap_size (median of %s)\t%s s vs %s s = %s×\tinformation: the baseline with the same memory map\tn/a\n' \
  "$RUNS" "$oursq" "$climm" "$(awk -v a="$oursq" -v b="$climm" 'BEGIN{printf "%.2f", a/b}')" >>"$EXTRA"

OURS_ARGS=($PID_PG $PORT_PG /v1/reports/questions application/json "$QBODY" "$TOK_PG")
BASE_ARGS=(psql -X -q "$PGURL" -c "\\copy ($Q_PG) TO STDOUT WITH CSV HEADER")
run_case q_json_pg 2 "$NQ" "questions JSON, whole year, PostgreSQL" "psql \\copy … CSV HEADER"

OURS_ARGS=($PID_PG $PORT_PG /v1/reports/questions "$XLSX" "$QBODY" "$TOK_PG")
BASE_ARGS=("$TOOL" xlsxbase -csv "$WORK/q_base_pg.csv")
run_case q_xlsx_pg 1.5 "$NQ" "questions XLSX, whole year, PostgreSQL" "excelize StreamWriter, same rows from memory (strings)"

OURS_ARGS=($PID_PG $PORT_PG /v1/reports/bookings text/csv "$BBODY" "$TOK_PG")
BASE_ARGS=(psql -X -q "$PGURL" -c "\\copy ($B_PG) TO STDOUT WITH CSV HEADER")
run_case b_csv_pg 1.5 "$NB" "bookings CSV, year + 4 weeks booked ahead, PostgreSQL" "psql \\copy … CSV HEADER"

GIDS_LIST=$(psql -X -A -t "$PGURL" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM groups ORDER BY id LIMIT 200) g")
NG=$(echo "$GIDS_LIST" | tr ',' '\n' | grep -c .)
GIDS="{$GIDS_LIST}"
render groups_usage_pg.sql $FROM_MS $TO_MS >"$WORK/groups_usage.run.sql"
GU_JSON_IDS=$(echo "$GIDS_LIST" | sed -e 's/[^,]*/"&"/g')
GUBODY="{\"start_date\": $FROM_MS, \"end_date\": $TO_MS, \"group_ids\": [$GU_JSON_IDS], \"show_teachers\": true, \"show_disciplines\": true}"
OURS_ARGS=($PID_PG $PORT_PG /v1/reports/groups-usage application/json "$GUBODY" "$TOK_PG")
BASE_ARGS=(psql -X -q -A -t "$PGURL" -f "$WORK/groups_usage.run.sql")
run_case gu_json_pg 2 "$NQ" "groups-usage JSON, $NG groups, teachers + disciplines, PostgreSQL (rows: questions covered)" "its statements run by psql -f"

STATSQ="{ questionStats(filter: {from: \\\"$(iso $FROM_MS)\\\", to: \\\"$(iso $TO_MS)\\\"}, groupBy: [DISCIPLINE], timeBucket: MONTH, timezone: \\\"America/Sao_Paulo\\\") { discipline { id } bucketStart count answeredCount avgResponseMinutes p50ResponseMinutes p90ResponseMinutes avgAdjustedResponseMinutes avgRating understoodShare } }"
STATSBODY="{\"query\": \"$STATSQ\"}"
OURS_ARGS=($PID_PG $PORT_PG /graphql application/json "$STATSBODY" "$TOK_PG")
BASE_ARGS=(psql -X -q "$PGURL" -c "\\copy ($S_PG) TO STDOUT WITH CSV HEADER")
run_case stats_pg 1.3 "$NQ" "GraphQL questionStats by discipline × month (rows: questions aggregated)" "the GROUP BY run by psql"

# time and memory against rows: the questions CSV over shorter ranges
for pct in 10 25 50; do
  f=$((TO_MS - (TO_MS - FROM_MS) * pct / 100))
  n=$(count_q $f $TO_MS)
  q=$(render questions_pg.sql $f $TO_MS | oneline)
  OURS_ARGS=($PID_PG $PORT_PG /v1/reports/questions text/csv "{\"start_date\": $f, \"end_date\": $TO_MS}" "$TOK_PG")
  BASE_ARGS=(psql -X -q "$PGURL" -c "\\copy ($q) TO STDOUT WITH CSV HEADER")
  run_case "scan_$pct" 1.2 "$n" "questions CSV, last $pct% of the year, PostgreSQL" "psql \\copy … CSV HEADER"
  render questions_sqlite.sql $f $TO_MS sqlite >"$WORK/questions_sqlite_$pct.run.sql"
  OURS_ARGS=($PID_SQLITE $PORT_SQLITE /v1/reports/questions text/csv "{\"start_date\": $f, \"end_date\": $TO_MS}" "$TOK_SQLITE")
  BASE_ARGS=(sqlite3 -csv -header "$SQLITE" ".read $WORK/questions_sqlite_$pct.run.sql")
  run_case "scan_sqlite_$pct" 1.2 "$n" "questions CSV, last $pct% of the year, SQLite" "sqlite3 -csv -header"
done

# ---------------------------------------------------------------- memory
peak() { grep -P "^$1\tours\t[0-9]" "$RAW" | awk -F'\t' 'BEGIN{m=0} $6>m{m=$6} END{printf "%.1f", m/1024}'; }
csv_mib=$(peak q_csv_pg); xlsx_mib=$(peak q_xlsx_pg); small_mib=$(peak scan_10)
pass() { awk -v a="$1" -v b="$2" 'BEGIN{print (a<=b) ? "**pass**" : "**FAIL**"}'; }
printf 'server peak RSS, questions CSV, %s rows\t%s MiB\t≤ 64 MiB\t%s\n' "$NQ" "$csv_mib" "$(pass "$csv_mib" 64)" >>"$EXTRA"
printf 'server peak RSS, questions XLSX, %s rows\t%s MiB\t≤ 256 MiB\t%s\n' "$NQ" "$xlsx_mib" "$(pass "$xlsx_mib" 256)" >>"$EXTRA"
growth=$(awk -v a="$small_mib" -v b="$csv_mib" 'BEGIN{printf "%.0f", (b/a-1)*100}')
printf 'peak RSS growth, CSV %s rows (scan_10) → %s rows\t%s → %s MiB (%s%%)\t≤ 20%%\t%s\n' \
  "$(grep -P '^scan_10\t' "$CASES" | cut -f3)" "$NQ" "$small_mib" "$csv_mib" "$growth" "$(pass "${growth#-}" 20)" >>"$EXTRA"

# ---------------------------------------------------------------- load
step "load: wrk, 50 connections, ${LOAD_SECS}s, 100-row questions JSON"
read -r SMALL_FROM SMALL_TO < <(psql -X -A -t -F ' ' "$PGURL" -c "
  WITH o AS (SELECT created_at FROM questions ORDER BY created_at, id OFFSET (SELECT count(*) / 2 FROM questions) LIMIT 100)
  SELECT (extract(epoch FROM min(created_at)) * 1000)::bigint, (extract(epoch FROM max(created_at)) * 1000)::bigint FROM o")
SMALLBODY="{\"start_date\": $SMALL_FROM, \"end_date\": $SMALL_TO}"
NSMALL=$(count_q "$SMALL_FROM" "$SMALL_TO")
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$SMALLBODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOK_PG"
LUA
wrk -t2 -c50 -d"${LOAD_SECS}s" --latency -s "$WORK/post.lua" "http://127.0.0.1:$PORT_PG/v1/reports/questions" | tee "$WORK/wrk.txt"
rps=$(awk '/^Requests\/sec:/{print $2}' "$WORK/wrk.txt")
p99=$(awk '$1=="99%"{print $2}' "$WORK/wrk.txt")
non2xx=$(awk -F': *' '/Non-2xx/{print $2}' "$WORK/wrk.txt"); non2xx=${non2xx:-0}
sockerr=$(grep -o 'Socket errors:.*' "$WORK/wrk.txt" || true)
errres="**pass**"; { [ "$non2xx" != 0 ] || [ -n "$sockerr" ]; } && errres="**FAIL**"
printf 'wrk -t2 -c50 -d%ss, questions JSON, %s rows per response, PostgreSQL\t%s req/s, p99 %s, non-2xx %s %s\treport req/s and p99; 0 errors\t%s\n' \
  "$LOAD_SECS" "$NSMALL" "$rps" "$p99" "$non2xx" "${sockerr:-, no socket errors}" "$errres" >>"$EXTRA"

# ---------------------------------------------------------------- plans
step "plans: auto_explain (ANALYZE, BUFFERS) of every statement, per report"
su postgres -c "psql -X -q -v ON_ERROR_STOP=1" <<SQL
ALTER DATABASE $DBNAME SET session_preload_libraries = 'auto_explain';
ALTER DATABASE $DBNAME SET auto_explain.log_min_duration = 0;
ALTER DATABASE $DBNAME SET auto_explain.log_analyze = on;
ALTER DATABASE $DBNAME SET auto_explain.log_buffers = on;
ALTER DATABASE $DBNAME SET auto_explain.log_timing = on;
SQL
kill "$PID_PG"; wait "$PID_PG" 2>/dev/null || true
PID_PG=$(start_server "$PGURL" $PORT_PG)
rm -f "$BENCH"/plans/*.txt
# plan_entries DB: the entries of PostgreSQL's log on stdin about database DB
# ("@name "), less those of River's statements (its tables are river_*),
# which the server's job queue runs meanwhile, whatever the report.
plan_entries() {
  awk -v db="$1" '
    function flush() { if (keep && buf !~ /river_/) printf "%s", buf; buf = "" }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { flush(); keep = index($0, db) > 0 }
    { buf = buf $0 "\n" }
    END { flush() }'
}
plan() { # name what expect(index|whole) path accept body
  local off; off=$(stat -c %s "$PGLOG")
  "$TOOL" http -url "http://127.0.0.1:$PORT_PG$4" -accept "$5" -body "$6" -token "$TOK_PG" >/dev/null
  sleep 1
  tail -c +$((off + 1)) "$PGLOG" | plan_entries "@$DBNAME " >"$BENCH/plans/$1.txt"
  local scans res target
  scans=$(grep -oE '(Parallel )?(Seq Scan|Index Scan|Index Only Scan|Bitmap Index Scan|Bitmap Heap Scan)( Backward)?( using [a-z_]+)? on (questions|bookings)' "$BENCH/plans/$1.txt" | sort | uniq -c | sed 's/^ *//' | paste -sd';' - || true)
  if [ "$3" = whole ]; then
    # Every row of the table is in the report: reading the table is the plan.
    target="none (every row is read)"; res="n/a"
  else
    target="index for the date/scope filter"; res="**pass**"
    if grep -qE 'Seq Scan on (questions|bookings)' "$BENCH/plans/$1.txt"; then res="**FAIL** (seq scan)"; fi
  fi
  [ -z "$scans" ] && res="no scan of questions/bookings found"
  printf 'EXPLAIN %s: %s (bench/plans/%s.txt): scans of questions/bookings\t%s\t%s\t%s\n' "$1" "$2" "$1" "${scans:-none}" "$target" "$res" >>"$EXTRA"
}
# Narrow reports, where an index should find the rows: the last week of the
# year, and three groups (or their schools) over the whole year.
WEEK_MS=$((TO_MS - 7 * 86400000))
G3_LIST=$(psql -X -A -t "$PGURL" -c "SELECT string_agg('\"' || id::text || '\"', ',' ORDER BY id) FROM (SELECT id FROM groups ORDER BY id LIMIT 3) g")
S1_LIST=$(psql -X -A -t "$PGURL" -c "SELECT '\"' || school_id::text || '\"' FROM groups ORDER BY id LIMIT 1")
WEEKQ="{ questionStats(filter: {from: \\\"$(iso $WEEK_MS)\\\", to: \\\"$(iso $TO_MS)\\\"}, groupBy: [DISCIPLINE], timeBucket: DAY, timezone: \\\"America/Sao_Paulo\\\") { discipline { id } bucketStart count avgResponseMinutes p90ResponseMinutes } }"
WEEKBQ="{ bookingStats(filter: {from: \\\"$(iso $WEEK_MS)\\\", to: \\\"$(iso $TO_MS)\\\"}, groupBy: [STATUS], timeBucket: DAY) { status bucketStart count attendanceRate } }"
PAGEQ="{ questionsReport(input: {from: \\\"$(iso $WEEK_MS)\\\", to: \\\"$(iso $TO_MS)\\\"}, first: 100) { totalCount edges { node { question { id } status } } } }"
plan questions_week "questions CSV, last week, all groups" index /v1/reports/questions text/csv "{\"start_date\": $WEEK_MS, \"end_date\": $TO_MS}"
plan questions_groups "questions JSON, whole year, 3 groups" index /v1/reports/questions application/json "{\"start_date\": $FROM_MS, \"end_date\": $TO_MS, \"group_ids\": [$G3_LIST]}"
plan questions_small "questions JSON, the wrk load's 100 rows" index /v1/reports/questions application/json "$SMALLBODY"
plan questions_page "GraphQL questionsReport, first 100 of a week, with totalCount" index /graphql application/json "{\"query\": \"$PAGEQ\"}"
plan bookings_week "bookings CSV, last week, all schools" index /v1/reports/bookings text/csv "{\"start_date\": $WEEK_MS, \"end_date\": $TO_MS}"
plan bookings_school "bookings JSON, whole year, 1 school" index /v1/reports/bookings application/json "{\"start_date\": $FROM_MS, \"end_date\": $BTO_MS, \"school_ids\": [$S1_LIST]}"
plan groups_usage_3 "groups-usage JSON, last week, 3 groups, teachers + disciplines" index /v1/reports/groups-usage application/json "{\"start_date\": $WEEK_MS, \"end_date\": $TO_MS, \"group_ids\": [$G3_LIST], \"show_teachers\": true, \"show_disciplines\": true}"
plan question_stats_week "GraphQL questionStats, last week, by discipline × day" index /graphql application/json "{\"query\": \"$WEEKQ\"}"
plan booking_stats_week "GraphQL bookingStats, last week, by status × day" index /graphql application/json "{\"query\": \"$WEEKBQ\"}"
# The timed whole-year cases, for reference.
plan questions_year "questions CSV, whole year, all groups" whole /v1/reports/questions text/csv "$QBODY"
plan bookings_year "bookings CSV, whole year, all schools" whole /v1/reports/bookings text/csv "$BBODY"
plan question_stats_year "GraphQL questionStats, whole year" whole /graphql application/json "$STATSBODY"
su postgres -c "psql -X -q -c 'ALTER DATABASE $DBNAME RESET ALL'"

# ---------------------------------------------------------------- results
step "RESULTS.md and results.png"
cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
cat >"$WORK/meta.md" <<EOF
# Benchmark results

Written by \`bench/run.sh -s $SCALE -n $RUNS -l $LOAD_SECS\` on $(date -u '+%Y-%m-%d %H:%M UTC').

- machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr)
- PostgreSQL $(psql -X -A -t "$PGURL" -c 'SHOW server_version'), local, default configuration; SQLite $(sqlite3 --version | cut -d' ' -f1) (baseline CLI; the server embeds modernc.org/sqlite)
- scale $SCALE: $NQ questions in the year, $NB bookings in the range; seeding took ${SEED_SQLITE}s (SQLite) and ${SEED_PG}s (PostgreSQL)
- commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && [ -n "$(git status --porcelain -- . ':!bench')" ] && echo ' + uncommitted changes' || true)

Each case ran once unrecorded (warm-up), then $RUNS times with ours and the
baseline alternating. Ours is the wall time of one HTTP request on loopback
(request sent → last body byte read, body discarded) by \`bench/cmd/benchtool\`,
which samples the server's VmRSS every 50 ms meanwhile; the baseline is the
wall time of the database's own CLI writing the same rows to /dev/null from
\`bench/sql/\`. Ratio = ours median / baseline median. Both servers and the
database run on the same machine as the client.
EOF
{
  echo "## Same rows?"
  echo
  echo "Compared once before timing, record by record (\`benchtool csvcmp\`): counts of records (header included) in ours and the baseline, how many are equal at the same position, and the first difference."
  echo
  cat "$NOTES"
  echo
  echo "## Chart"
  echo
  echo "![time and peak RSS against rows](results.png)"
  echo
  echo "Questions CSV on PostgreSQL over the last 10%, 25%, 50% and 100% of the year: median wall time (ours and psql) and the server's peak RSS."
  if [ -f "$BENCH/NOTES.md" ]; then echo; cat "$BENCH/NOTES.md"; fi
} >"$WORK/tail.md"
keep_sections "Time: ours vs baseline (medians)" "Memory, load and plans" "Same rows?" "Chart" \
  "Reading these numbers (hand-written, bench/NOTES.md)" # the others are soak.sh's and rollover.sh's
"$TOOL" summarize -raw "$RAW" -cases "$CASES" -extra "$EXTRA" -meta "$WORK/meta.md" -tail "$WORK/tail.md" \
  -out "$BENCH/RESULTS.md" -plot "$WORK/plot.dat"
restore_sections
gnuplot <<EOF
set terminal pngcairo size 1000,450 font ",10" noenhanced
set output "$BENCH/results.png"
set multiplot layout 1,2 title "stift-reports questions CSV (PostgreSQL), scale $SCALE"
set xlabel "rows"
set ylabel "seconds (median)"
set key left top
set grid
plot "$WORK/plot.dat" using 1:2 with linespoints title "ours", "$WORK/plot.dat" using 1:4 with linespoints title "psql \\\\copy"
set ylabel "server peak RSS (MiB)"
set yrange [0:*]
plot "$WORK/plot.dat" using 1:3 with linespoints title "ours peak RSS", 64 with lines dt 2 title "64 MiB target"
unset multiplot
EOF
cp "$RAW" "$BENCH/raw-s$SCALE.tsv"
cp "$BENCH/RESULTS.md" "$BENCH/results-s$SCALE.md"
step "done: bench/RESULTS.md, bench/results.png, bench/plans/"
cat "$BENCH/RESULTS.md"
