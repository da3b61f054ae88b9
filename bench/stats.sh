#!/usr/bin/env bash
# bench/stats.sh [-s SCALE] [-n RUNS] [-b DIR]
#
# GraphQL questionStats with time buckets against one hand-written GROUP BY.
# Builds stift-reports from this repository (and with -b also from DIR, say a
# worktree of an earlier commit, timed as "before"), seeds `seed --scale
# SCALE` (default 0.1) into a fresh PostgreSQL database bench_stats_s<scale>
# and a fresh SQLite file, and times, on each database: DAY buckets in UTC
# over 1, 30, 365, 1095 and 3650 days up to the last question (the seed covers
# about a year: the longer periods only extend the range), WEEK and MONTH in
# UTC over the 3650 days, and DAY in the schools' own zones over the 3650
# days (fewer when the zones' buckets would pass the server's 5000). Ours
# is one GraphQL request (curl's time_total) to a server on loopback
# (ports from $STATS_PORT, default 18480), the second of two that curl
# sends on one connection, as a client that keeps its connection does (and
# as the baseline is timed on a session already open); its answer must be
# free of errors and hold as many buckets as the baseline has rows. The baseline is
# the same figures from one GROUP BY, timed by psql (\timing) or by sqlite3
# (.timer) on the SQLite file on its second run in one session; sqlite3 has
# no percentile_cont, so its baseline leaves out p50 and p90, and no time
# zones, so its schools' days are at each zone's present UTC offset. On
# SQLite the same GROUP BY with p50 and p90 is also run through the server's
# driver (benchtool sqlitefloor). Each
# case starts fresh servers, then runs a warm-up of each, unrecorded, and RUNS
# (default 3) runs alternating ours (and before) and the baseline.
# Medians. Replaces the section "## Stats vs one GROUP BY (scale SCALE)"
# of bench/RESULTS.md. Work files go to $BENCH_WORK/stats-s<scale>
# (default /tmp/stift-bench). Exit status 1 when an answer is wrong or
# anything breaks. Needs root (apt-get, su postgres).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
SCALE=0.1
RUNS=3
BEFORE_DIR=""
while getopts "s:n:b:h" opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    b) BEFORE_DIR=$(cd "$OPTARG" && pwd) ;;
    *) sed -n '2,29p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH/lib.sh"
OUT="$WORK/stats-s$SCALE"
rm -rf "$OUT"
mkdir -p "$OUT"
PORT=${STATS_PORT:-18480}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- setup
step "packages"
need sqlite3=sqlite3 curl=curl

step "build"
BIN="$OUT/stift-reports"
TOOL="$OUT/benchtool"
(cd "$ROOT" && go build -o "$BIN" . && go build -o "$TOOL" ./bench/cmd/benchtool)
rev() { (cd "$1" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' with changes')"); }
REV=$(rev "$ROOT")
BEFORE=""
if [ -n "$BEFORE_DIR" ]; then
  BEFORE="$OUT/stift-reports-before"
  (cd "$BEFORE_DIR" && go build -o "$BEFORE" .)
  BEFORE_REV=$(rev "$BEFORE_DIR")
fi

step "seed --scale $SCALE (PostgreSQL, then SQLite)"
DBNAME="bench_stats_s${SCALE//./_}"
pg_db "$DBNAME"
seed_pg "$BIN" "$SCALE"
SQLITE="$OUT/$DBNAME.db"
"$BIN" seed --scale "$SCALE" --db "$SQLITE" 2>&1 | tail -n 1
TOK_PG=$(new_token "$BIN" "$PGURL" stats-bench)
TOK_SQLITE=$(new_token "$BIN" "$SQLITE" stats-bench)

# ---------------------------------------------------------------- servers
PIDS=()
stop_servers() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
}
trap stop_servers EXIT
start_server() { # BIN DB PORT
  DEMO_DATA=off LOG_LEVEL=warn RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 GRAPHQL_TIMEOUT=0 \
    "$1" --addr "127.0.0.1:$3" --db "$2" >>"$OUT/server-$3.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && return
    sleep 0.1
  done
  echo "server on :$3 did not become ready" >&2
  exit 1
}

# ---------------------------------------------------------------- cases
# The periods end at the last question, to the millisecond (GraphQL's Time).
q1() { psql -X -A -t "$PGURL" -c "$1"; }
LAST=$(q1 "SELECT to_char(max(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM questions")
FIRST=$(q1 "SELECT to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM questions")
ZONES=$(q1 "SELECT string_agg(DISTINCT timezone, ', ') FROM schools")
echo "questions from $FIRST to $LAST (UTC); schools' zones: $ZONES"
iso_minus() { # ISO DAYS -> ISO, DAYS days before
  q1 "SELECT to_char((timestamptz '$1' - interval '$2 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
}
# SQLite compares the stored text: the bounds as the server's driver writes them.
sqlite_ts() { q1 "SELECT regexp_replace(to_char(timestamptz '$1' AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), '\.?0+$', '') || '+00:00'"; }
# The schools' present UTC offsets, for SQLite's baseline: to each zone's
# wall clock (SHIFT) and back to UTC (UNSHIFT).
SQLITE_SHIFT="CASE s.timezone" SQLITE_UNSHIFT="CASE s.timezone"
while IFS='|' read -r zone secs; do
  SQLITE_SHIFT+=" WHEN '$zone' THEN '$secs seconds'"
  SQLITE_UNSHIFT+=" WHEN '$zone' THEN '$((-secs)) seconds'"
done < <(q1 "SELECT DISTINCT s.timezone, extract(epoch FROM n.utc_offset)::int FROM schools s JOIN pg_timezone_names n ON n.name = s.timezone")
SQLITE_SHIFT+=" END" SQLITE_UNSHIFT+=" END"

AGG="count(*), count(q.answered_at), avg(q.response_minutes), P50, P90,
  avg(q.adjusted_response_minutes), avg(CAST(q.answer_rating AS DOUBLE PRECISION)),
  CAST(avg(CASE WHEN q.answer_understood THEN 1.0 WHEN NOT q.answer_understood THEN 0.0 END) AS DOUBLE PRECISION)"
FIELDS="bucketStart count answeredCount avgResponseMinutes p50ResponseMinutes p90ResponseMinutes avgAdjustedResponseMinutes avgRating understoodShare"

# base_sql DIALECT BUCKET ZONE FROM TO -> the baseline's query (ZONE "" for
# the schools'); DIALECT pg, sqlite (no percentiles) or driver (SQLite with
# the percentile_cont the server's driver registers).
base_sql() {
  local d=$1 b=$2 z=$3 from=$4 to=$5 key agg=$AGG join=""
  [ -n "$z" ] || join="JOIN groups g ON g.id = q.group_id JOIN schools s ON s.id = g.school_id"
  if [ "$d" = pg ]; then
    local field
    field=$(echo "$b" | tr '[:upper:]' '[:lower:]')
    if [ -n "$z" ]; then
      key="date_trunc('$field', q.created_at AT TIME ZONE '$z')"
    else # the start instant, so that the zones' buckets merge as ours do
      key="date_trunc('$field', q.created_at AT TIME ZONE s.timezone) AT TIME ZONE s.timezone"
    fi
    agg=${agg/P50/percentile_cont(0.5) WITHIN GROUP (ORDER BY q.response_minutes)}
    agg=${agg/P90/percentile_cont(0.9) WITHIN GROUP (ORDER BY q.response_minutes)}
  else
    local t="q.created_at"
    [ -n "$z" ] || t="q.created_at, $SQLITE_SHIFT"
    case $b in
      DAY) key="date($t)" ;;
      WEEK) key="date($t, '-6 days', 'weekday 1')" ;;
      MONTH) key="date($t, 'start of month')" ;;
    esac
    # the start instant, so that the zones' buckets merge as ours do
    [ -n "$z" ] || key="datetime($key, $SQLITE_UNSHIFT)"
    if [ "$d" = driver ]; then
      agg=${agg/P50/percentile_cont(q.response_minutes, 0.5)}
      agg=${agg/P90/percentile_cont(q.response_minutes, 0.9)}
    else
      agg=${agg/P50, P90,/}
    fi
    from=$(sqlite_ts "$from") to=$(sqlite_ts "$to")
  fi
  echo "SELECT $key AS bucket, $agg FROM questions q $join"
  echo "WHERE q.created_at >= '$from' AND q.created_at <= '$to' GROUP BY 1 ORDER BY 1;"
}

# gql_body BUCKET ZONE FROM TO -> the GraphQL request
gql_body() {
  local tz=""
  [ -z "$2" ] || tz=", timezone: \\\"$2\\\""
  printf '{"query":"{ questionStats(filter: {from: \\"%s\\", to: \\"%s\\"}, groupBy: [], timeBucket: %s%s) { %s } }"}' \
    "$3" "$4" "$1" "$tz" "$FIELDS"
}

med() { sort -n | awk '{a[NR]=$1} END{if (NR == 0) print "–"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (a ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a/b; else print "–"}'; }

# ours PORT TOKEN BODYFILE ANSWERFILE -> seconds, of the second of two
# requests on one connection; fails on an error answer
ours() {
  local t url="http://127.0.0.1:$1/graphql"
  t=$(curl -sS -o /dev/null -o "$4" -w '%{time_total}\n' -H 'Content-Type: application/json' -H "Authorization: Bearer $2" \
    --data-binary "@$3" "$url" "$url" | tail -n 1)
  if grep -q '"errors"' "$4" || ! grep -q '"questionStats"' "$4"; then
    echo "error answer on :$1: $(head -c 300 "$4")" >&2
    return 1
  fi
  echo "$t"
}
# base DIALECT SQLFILE OUTFILE -> seconds: the query's, as the client times
# it (psql's \timing, sqlite3's .timer) the second time it runs in one
# session, as the server's connections are warm (a new PostgreSQL backend
# is slower at its first query), without the client's start and connection
# (about 0.2 s for psql here); OUTFILE gets the rows. benchtool's wall time
# is of the query's only run on a new connection.
base() {
  case $1 in
    pg)
      psql -X -q -A -t -v ON_ERROR_STOP=1 "$PGURL" -c '\timing on' -c '\o /dev/null' -f "$2" -c '\o' -f "$2" >"$3.out"
      grep -v '^Time: ' "$3.out" >"$3"
      grep '^Time: ' "$3.out" | tail -n 1 | awk '{printf "%.4f\n", $2 / 1000}'
      ;;
    sqlite)
      sqlite3 -bail "$SQLITE" '.timer on' '.output /dev/null' ".read $2" '.output stdout' ".read $2" >"$3.out"
      grep -v '^Run Time: ' "$3.out" >"$3"
      grep '^Run Time: ' "$3.out" | tail -n 1 | awk '{print $4}'
      ;;
    driver)
      "$TOOL" sqlitefloor -db "$SQLITE" -sql "$2" | cut -f1
      ;;
  esac
}
# record ID WHO SECONDS
record() {
  [ -n "$3" ] || { echo "$1: no time for $2" >&2; exit 1; }
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW"
}

RAW="$OUT/raw.tsv"
ROWS_MD="$OUT/rows.md"
: >"$RAW"
: >"$ROWS_MD"
FAILED=0
# run_case ID DIALECT BUCKET ZONE DAYS TARGET
run_case() {
  local id=$1 d=$2 b=$3 z=$4 days=$5 target=$6 from db tok nrows zname=$4 dbname=PostgreSQL
  [ -n "$z" ] || zname="schools' zones"
  from=$(iso_minus "$LAST" "$days")
  db=$PGURL tok=$TOK_PG
  [ "$d" = pg ] || { db=$SQLITE tok=$TOK_SQLITE dbname=SQLite; }
  gql_body "$b" "$z" "$from" "$LAST" >"$OUT/$id.json"
  base_sql "$d" "$b" "$z" "$from" "$LAST" >"$OUT/$id.sql"
  [ "$d" = pg ] || base_sql driver "$b" "$z" "$from" "$LAST" >"$OUT/$id.driver.sql"
  nrows=$(q1 "SELECT count(*) FROM questions WHERE created_at >= '$from' AND created_at <= '$LAST'")
  echo "-- $id: $b in $zname over $days days, $nrows questions"
  start_server "$BIN" "$db" $PORT
  [ -z "$BEFORE" ] || start_server "$BEFORE" "$db" $((PORT + 1))
  # A warm-up of each, unrecorded; the answers are checked.
  ours $PORT "$tok" "$OUT/$id.json" "$OUT/$id.ours" >/dev/null
  [ -z "$BEFORE" ] || ours $((PORT + 1)) "$tok" "$OUT/$id.json" "$OUT/$id.before" >/dev/null
  base "$d" "$OUT/$id.sql" "$OUT/$id.base" >/dev/null
  [ "$d" = pg ] || base driver "$OUT/$id.driver.sql" "" >/dev/null
  local got want
  got=$(grep -o '"bucketStart"' "$OUT/$id.ours" | wc -l)
  want=$(wc -l <"$OUT/$id.base")
  if [ "$got" != "$want" ]; then
    echo "   $id: $got buckets, the baseline $want" >&2
    FAILED=1
  fi
  for _ in $(seq 1 "$RUNS"); do
    record "$id" ours "$(ours $PORT "$tok" "$OUT/$id.json" "$OUT/$id.ours")"
    [ -z "$BEFORE" ] || record "$id" before "$(ours $((PORT + 1)) "$tok" "$OUT/$id.json" "$OUT/$id.before")"
    record "$id" base "$(base "$d" "$OUT/$id.sql" "$OUT/$id.base")"
    [ "$d" = pg ] || record "$id" driver "$(base driver "$OUT/$id.driver.sql" "")"
  done
  stop_servers
  local mo mb mbase mdrv verdict="stated"
  times() { awk -F'\t' -v id="$id" -v who="$1" '$1 == id && $2 == who {print $3}' "$RAW" | med; }
  mo=$(times ours) mb=$(times before) mbase=$(times base) mdrv=$(times driver)
  if [ "$target" != "-" ]; then
    verdict=$(awk -v r="$(ratio "$mo" "$mbase")" -v t="$target" 'BEGIN{print (r <= t) ? "≤ " t "× met" : "≤ " t "× **missed**"}')
  fi
  printf '| %s | %s | %s, %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$dbname" "$days" "$b" "$zname" "$nrows" "$got" "$mb" "$mo" "$mbase" "$(ratio "$mo" "$mbase")" \
    "$mdrv" "$(ratio "$mo" "$mdrv")" "$(ratio "$mb" "$mo")" "$verdict" >>"$ROWS_MD"
  echo "   before $mb s, ours $mo s, baseline $mbase s (driver $mdrv s): $(ratio "$mo" "$mbase")× ($verdict)"
}

# The server counts buckets once per zone (report.MaxBuckets, 5000): with
# many zones the schools' days cover fewer than 3650 days.
NZONES=$(q1 "SELECT count(DISTINCT timezone) FROM schools")
ZONE_DAYS=$((5000 / NZONES - 2)) # a period off midnight touches days + 1
((ZONE_DAYS <= 3650)) || ZONE_DAYS=3650

step "timed cases, $RUNS runs each"
for d in pg sqlite; do
  target=1.2
  [ "$d" = pg ] || target=-
  for days in 1 30 365 1095 3650; do
    run_case "${d}_day_$days" $d DAY UTC $days $target
  done
  run_case "${d}_week_3650" $d WEEK UTC 3650 $target
  run_case "${d}_month_3650" $d MONTH UTC 3650 $target
  run_case "${d}_day_zones_$ZONE_DAYS" $d DAY "" $ZONE_DAYS $target
done

# ---------------------------------------------------------------- results
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
MD="$OUT/section.md"
{
  echo "## Stats vs one GROUP BY (scale $SCALE)"
  echo
  echo "\`bench/stats.sh -s $SCALE -n $RUNS${BEFORE_DIR:+ -b DIR}\`, $(date -u +%Y-%m-%d); ours at $REV${BEFORE:+, before at $BEFORE_REV}."
  echo "Ours: one GraphQL request \`questionStats(filter: {from, to}, groupBy: [], timeBucket, timezone)\` for"
  echo "count, answered count, mean, p50 and p90 response minutes, mean adjusted minutes, mean rating and"
  echo "understood share, its wall time by curl (time_total) as the second of two requests on one connection,"
  echo "on a fresh server per case. Baseline: one"
  echo "GROUP BY of the same figures over \`questions\`, timed by its client on its second run in one"
  echo "session (warm, as the server's connections are): \`psql\` (\\timing; PostgreSQL's date_trunc in the"
  echo "zone) or \`sqlite3\` (.timer; SQLite's date(); without p50 and p90, which sqlite3 lacks; the schools'"
  echo "days at each zone's present UTC offset). \"Driver\": the same SQLite GROUP BY with p50 and p90, run"
  echo "through the server's driver, modernc.org/sqlite (SQLite translated to Go, with db's percentile_cont),"
  echo "by benchtool sqlitefloor (its only run, on a new connection)."
  echo "Periods end at the last question ($LAST); the questions start at $FIRST UTC, so periods"
  echo "longer than a year hold the same rows and only add buckets. Schools' zones: $ZONES."
  echo "Medians of $RUNS runs after a warm-up, ours${BEFORE:+, before} and the baselines alternating. The"
  echo "machine (2 cores) was shared with other benchmarks (load average $LOAD_START at the start, $LOAD_END"
  echo "at the end): single runs vary by tens of percent, so read ratios near a target as noise-bound."
  echo
  echo "| database | days | buckets | questions | buckets answered | before (s) | ours (s) | baseline (s) | ours / baseline | driver (s) | ours / driver | before / ours | target |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  cat "$ROWS_MD"
} >"$MD"
section "Stats vs one GROUP BY (scale $SCALE)" "$MD"
cat "$MD"
exit $FAILED
