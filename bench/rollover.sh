#!/usr/bin/env bash
# bench/rollover.sh [-s SCALE] [-n RUNS]
#
# The XLSX export past one sheet: seeds `seed --scale SCALE` (default 1.1,
# more questions in the year than the 1,048,576 rows a sheet holds) into a
# fresh PostgreSQL database, starts a server, and times the whole year's
# questions as XLSX against excelize's StreamWriter writing the same rows
# from memory (benchtool xlsxbase over psql's CSV, rolling over the same
# way), RUNS times (default 3) alternating after a warm-up. Checks the
# sheets of ours (names, rows in each, header first) by reading the
# archive with unzip, samples the server's peak RSS, and replaces the
# "## XLSX rollover" section of bench/RESULTS.md. Needs root (apt-get,
# su postgres); work files go to $BENCH_WORK (default /tmp/stift-bench).
set -euo pipefail
SCALE=1.1
RUNS=3
while getopts "s:n:h" opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    n) RUNS=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
BENCH=$(cd "$(dirname "$0")" && pwd)
. "$BENCH/lib.sh"
PORT=${ROLLOVER_PORT:-18185}

step "packages"
need curl=curl unzip=unzip

year_server rollover "$PORT"
Q_PG=$(sed -e '/^--/d' -e "s/:'from'/to_timestamp($FROM_MS \/ 1000.0)/g" -e "s/:'to'/to_timestamp($TO_MS \/ 1000.0)/g" "$BENCH/sql/questions_pg.sql" | tr '\n' ' ' | sed -e 's/;[[:space:]]*$//')

step "the baseline's rows: psql \\copy"
psql -X -q "$PGURL" -c "\\copy ($Q_PG) TO STDOUT WITH CSV HEADER" >"$WORK/rollover-base.csv"

step "timing, $RUNS runs each after a warm-up"
RAW="$WORK/rollover-raw.tsv"
: >"$RAW"
for i in warm $(seq 1 "$RUNS"); do
  line=$("$TOOL" http -pid "$PID" -url "http://127.0.0.1:$PORT/v1/reports/questions" -accept "$XLSX" -body "$BODY" -token "$TOKEN" -out "$WORK/rollover-ours.xlsx")
  printf 'ours\t%s\t%s\n' "$i" "$line" | tee -a "$RAW"
  line=$("$TOOL" xlsxbase -csv "$WORK/rollover-base.csv")
  printf 'base\t%s\t%s\n' "$i" "$line" | tee -a "$RAW"
done
median() { grep -P "^$1\t[0-9]" "$RAW" | cut -f3 | sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
OURS=$(median ours); BASE=$(median base)
RATIO=$(awk -v a="$OURS" -v b="$BASE" 'BEGIN{printf "%.2f", a/b}')
PEAK=$(grep -P "^ours\t[0-9]" "$RAW" | awk -F'\t' 'BEGIN{m=0} $5>m{m=$5} END{printf "%.1f", m/1024}')

step "the sheets of ours"
SHEETS="$WORK/rollover-sheets.tsv"
: >"$SHEETS"
names=$(unzip -p "$WORK/rollover-ours.xlsx" xl/workbook.xml | grep -oE '<sheet [^>]*name="[^"]*"' | sed -E 's/.*name="([^"]*)"/\1/')
n=0
total=0
while IFS= read -r name; do
  n=$((n + 1))
  rows=$(unzip -p "$WORK/rollover-ours.xlsx" "xl/worksheets/sheet$n.xml" | grep -o '<row ' | wc -l)
  first=$(unzip -p "$WORK/rollover-ours.xlsx" "xl/worksheets/sheet$n.xml" | head -c 20000 | grep -o '<row r="1"[^>]*>.\{0,200\}' | grep -c question_id || true)
  printf '%s\t%s\t%s\n' "$name" "$rows" "$first" >>"$SHEETS"
  total=$((total + rows - 1))
done <<<"$names"
cat "$SHEETS"
OK=pass
[ "$total" = "$NQ" ] || OK=FAIL
[ "$(wc -l <"$SHEETS")" -ge 2 ] || OK=FAIL
awk -F'\t' '$2 > 1048576 || $3 != 1 { exit 1 }' "$SHEETS" || OK=FAIL

step "bench/RESULTS.md: XLSX rollover section"
MD="$WORK/rollover-section.md"
{
  echo "## XLSX rollover"
  echo
  echo "Written by \`bench/rollover.sh -s $SCALE -n $RUNS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(cd "$ROOT" && git rev-parse --short HEAD); PostgreSQL $(psql -X -A -t "$PGURL" -c 'SHOW server_version'); $NQ questions in the year."
  echo
  echo "| check | measured | target | result |"
  echo "| --- | --- | --- | --- |"
  echo "| questions XLSX, whole year: ours vs excelize StreamWriter from memory (medians of $RUNS) | $OURS s vs $BASE s = ${RATIO}× | ≤ 1.5× | **$(awk -v r="$RATIO" 'BEGIN{print (r<=1.5) ? "pass" : "FAIL"}')** |"
  echo "| server peak RSS during the export | $PEAK MiB | ≤ 256 MiB | **$(awk -v a="$PEAK" 'BEGIN{print (a<=256) ? "pass" : "FAIL"}')** |"
  echo "| sheets (name: rows, header included; each begins with the header) | $(awk -F'\t' '{printf "%s%s: %s", (NR>1?"; ":""), $1, $2}' "$SHEETS") | every row once, ≤ 1,048,576 per sheet, ≥ 2 sheets | **$OK** |"
  echo
  echo "Runs (seconds, bytes, peak RSS KiB):"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$MD"
section "XLSX rollover" "$MD"
cat "$MD"
