# bench/lib.sh: the set-up the bench scripts share. Source it after setting
# BENCH (this directory); it sets ROOT, WORK, PATH, step, need and pg_db.
ROOT=$(dirname "$BENCH")
WORK=${BENCH_WORK:-/tmp/stift-bench}
export PATH="/usr/local/go/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$WORK"
step() { printf '\n== %s  (%s)\n' "$*" "$(date +%T)"; }

# need CMD=PACKAGE... installs the Debian packages whose commands are
# missing, and PostgreSQL's server if it is missing.
need() {
  local missing=() pair
  { command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; } || missing+=(postgresql)
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
  done
  if ((${#missing[@]})); then
    apt-get update -q
    apt-get install -y -q "${missing[@]}"
  fi
}

# pg_db NAME starts the local cluster, (re)creates database NAME owned by
# role stift_bench, and sets PGURL to it and PGLOG to the server's log.
pg_db() {
  local pgver
  pgver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | grep -q "^$pgver main"; then pg_createcluster "$pgver" main; fi
  pg_ctlcluster "$pgver" main start 2>/dev/null || pg_lsclusters -h | grep -q "^$pgver main .* online"
  for _ in $(seq 1 30); do su postgres -c "pg_isready -q -h 127.0.0.1" && break; sleep 1; done
  PGLOG=/var/log/postgresql/postgresql-$pgver-main.log
  su postgres -c "psql -X -v ON_ERROR_STOP=1 -q" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stift_bench') THEN
    CREATE ROLE stift_bench LOGIN CREATEDB PASSWORD 'stift_bench';
  END IF;
END \$\$;
DROP DATABASE IF EXISTS $1 WITH (FORCE);
CREATE DATABASE $1 OWNER stift_bench;
SQL
  PGURL="postgres://stift_bench:stift_bench@127.0.0.1:5432/$1?sslmode=disable"
}

# section TITLE FILE puts FILE, a markdown section beginning "## TITLE", in
# bench/RESULTS.md in place of an earlier one (up to the next "## "), or
# at the end; the rest of the file is kept.
section() {
  local res="$BENCH/RESULTS.md"
  touch "$res"
  awk -v t="## $1" -v f="$2" '
    $0 == t { skip = 1; if (!done) { if (NR > 1 && prev != "") print ""; while ((getline l < f) > 0) print l; print ""; done = 1 }; next }
    skip && /^## / { skip = 0 }
    !skip { print; prev = $0 }
    END { if (!done) { if (prev != "") print ""; while ((getline l < f) > 0) print l } }
  ' "$res" >"$res.tmp.$$"
  mv "$res.tmp.$$" "$res"
}

# keep_sections TITLE... saves the sections of bench/RESULTS.md other than
# those (and other than what precedes the first "## "), in their order,
# for restore_sections to append after the file is rewritten: run.sh
# rewrites its own sections and keeps what soak.sh and rollover.sh wrote.
keep_sections() {
  local own
  own=$(printf '%s\n' "$@")
  awk -v own="$own" '
    BEGIN { n = split(own, t, "\n"); for (i = 1; i <= n; i++) mine["## " t[i]] = 1 }
    /^## / { keep = !($0 in mine) }
    keep' "$BENCH/RESULTS.md" 2>/dev/null >"$WORK/kept-sections.md" || true
}
restore_sections() {
  if [ -s "$WORK/kept-sections.md" ]; then
    { echo; cat "$WORK/kept-sections.md"; } >>"$BENCH/RESULTS.md"
  fi
}

# seed_pg BIN SCALE seeds `seed --scale SCALE` into $PGURL with BIN,
# analyses it and sets SEED_SECS; new_token BIN DB NAME prints the secret
# of a new all-scope token.
seed_pg() {
  local t0
  t0=$(date +%s.%N)
  "$1" seed --scale "$2" --db "$PGURL" 2>&1 | tail -n 1
  SEED_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  psql -X -q "$PGURL" -c "VACUUM ANALYZE"
}
new_token() {
  local t
  t=$("$1" token create --name "$3" --all --db "$2" 2>&1 | grep -oE 'stift_[A-Za-z0-9_-]+' | head -n 1)
  [ -n "$t" ] || { echo "could not parse the token secret" >&2; return 1; }
  echo "$t"
}

# year_server NAME PORT, with SCALE set, seeds `seed --scale SCALE` into a
# fresh database bench_NAME_s<SCALE>, builds stift-reports and benchtool
# into $WORK (BIN, TOOL), creates an all-scope token (TOKEN) and starts a
# server on PORT (PID; killed on exit; its log $WORK/NAME-server.log). It
# sets the demo year as bench/run.sh reports it (FROM_MS, TO_MS and the
# report body BODY), XLSX, the XLSX media type, and NQ, the questions in
# that year.
year_server() {
  local name=$1 port=$2
  step "PostgreSQL"
  DBNAME="bench_${name}_s${SCALE//./_}"
  pg_db "$DBNAME"

  step "build"
  (cd "$ROOT" && go build -o "$WORK/stift-reports" . && go build -o "$WORK/benchtool" ./bench/cmd/benchtool)
  BIN="$WORK/stift-reports"
  TOOL="$WORK/benchtool"

  step "seed --scale $SCALE (PostgreSQL)"
  seed_pg "$BIN" "$SCALE"
  TOKEN=$(new_token "$BIN" "$PGURL" "$name")

  step "server on 127.0.0.1:$port"
  DEMO_DATA=off LOG_LEVEL=warn RATE_LIMIT=0 EXPORTS_PER_TOKEN=0 "$BIN" --addr "127.0.0.1:$port" --db "$PGURL" >"$WORK/$name-server.log" 2>&1 &
  PID=$!
  trap 'kill "$PID" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

  FROM_MS=1749945600000 # 2025-06-15 00:00:00 UTC
  TO_MS=1781550000000   # 2026-06-15 19:00:00 UTC
  BODY="{\"start_date\": $FROM_MS, \"end_date\": $TO_MS}"
  XLSX=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
  NQ=$(psql -X -A -t "$PGURL" -c "SELECT count(*) FROM questions WHERE created_at >= to_timestamp($FROM_MS / 1000.0) AND created_at <= to_timestamp($TO_MS / 1000.0)")
  echo "questions in the year: $NQ"
}
