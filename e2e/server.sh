# Sourced by the e2e scripts (bash): one way to build and start the server.
#
# start_server DIR: builds stift-reports into DIR and starts it on
# 127.0.0.1, on a free port, with a fresh SQLite file and the demo data;
# reads the demo token from its stdout. Sets and exports STIFT_URL and
# STIFT_TOKEN; on failure says why on stderr and returns 1. Logs of the
# server: DIR/server.log (stderr), DIR/server.out (stdout).
# stop_server: stops it (TERM, then KILL after 5 s) and removes its database.
# Every wait is bounded.

SERVER_PID=
SERVER_TMP=

start_server() {
  local dir=$1 addr=
  mkdir -p "$dir"
  timeout 600 go build -o "$dir/stift-reports" . || { echo "go build failed" >&2; return 1; }
  SERVER_TMP=$(mktemp -d "${TMPDIR:-/tmp}/stift-e2e.XXXXXX")
  : >"$dir/server.out"
  : >"$dir/server.log"
  # Port 0: the kernel picks a free port; the server logs the address it got.
  ADDR=127.0.0.1:0 DATABASE_URL="$SERVER_TMP/stift-reports.db" DEMO_DATA=on LOG_FORMAT=json LOG_LEVEL=info \
    "$dir/stift-reports" >"$dir/server.out" 2>"$dir/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do # 60 s
    addr=$(grep -m1 '"msg":"serving"' "$dir/server.log" 2>/dev/null | grep -oE '"addr":"[^"]+"' | cut -d'"' -f4)
    [ -n "$addr" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    tail -n 20 "$dir/server.log" >&2
    echo "the server did not start (see $dir/server.log)" >&2
    return 1
  fi
  export STIFT_URL="http://$addr"
  export STIFT_TOKEN
  STIFT_TOKEN=$(grep -m1 -oE 'stift_[A-Za-z0-9_-]{20,}' "$dir/server.out")
  if [ -z "$STIFT_TOKEN" ]; then
    echo "no demo token on the server's stdout (see $dir/server.out)" >&2
    return 1
  fi
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  [ -n "$SERVER_TMP" ] && rm -rf "$SERVER_TMP"
  return 0
}
