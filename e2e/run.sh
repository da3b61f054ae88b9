#!/usr/bin/env bash
# End-to-end checks of stift-reports, self-contained for CI on a fresh Debian
# machine (run from the repository root: bash e2e/run.sh).
#
#   1. installs what is missing: Debian's chromium (apt), the pinned npm
#      packages (npm ci; playwright-core never downloads a browser);
#   2. builds the server into e2e/out/ and starts it (e2e/server.sh) on
#      127.0.0.1, on a free port, with a fresh SQLite file and the demo data;
#      reads the demo token from its stdout and waits for /readyz;
#   3. audit.mjs: graphql-http's GraphQL-over-HTTP audit of /graphql (fails
#      if a MUST fails);
#   4. clients.mjs: graphql-request through the typed reports, compared with
#      the legacy REST endpoints;
#   5. playground.mjs: the GraphiQL playground in headless Chromium
#      (screenshot: e2e/out/playground.png);
#   6. docs.mjs: the REST API docs at /docs (Redoc) in headless Chromium, no
#      CSP violation (screenshot: e2e/out/docs.png);
#   7. cors.sh: a frontend page on another origin signs in at an identity
#      provider stand-in and calls /graphql and a REST report through CORS,
#      in headless Chromium, against a server of its own started with
#      OIDC_ISSUER and CORS_ALLOWED_ORIGINS (screenshot: e2e/out/cors.png).
#
# Exits non-zero if any step fails; prints a summary. Every wait is bounded.
# Logs of the server: e2e/out/server.log (stderr), e2e/out/server.out (stdout).
#
# Environment: CHROMIUM (default /usr/bin/chromium).
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
E2E=$ROOT/e2e
OUT=$E2E/out
export PATH="/usr/local/go/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

START=$SECONDS
SUMMARY=()
FAILED=0

. "$E2E/server.sh"
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

banner() { printf '\n== %s\n' "$*"; }

# record NAME STATUS SECONDS
record() {
  SUMMARY+=("$(printf '  %-4s  %-44s %4ss' "$2" "$1" "$3")")
  [ "$2" = ok ] || FAILED=1
}

summary() {
  banner "summary"
  printf '%s\n' "${SUMMARY[@]}"
  printf '  total %ss\n' "$((SECONDS - START))"
  if [ -s "$OUT/known-issues.txt" ]; then
    echo "  known issues (not failures):"
    sed 's/^/    /' "$OUT/known-issues.txt"
  fi
  if [ "$FAILED" = 0 ]; then echo "e2e: PASS"; else echo "e2e: FAIL"; fi
}

# fatal MESSAGE: a setup step failed; the later steps cannot run.
fatal() {
  echo "e2e: $*" >&2
  summary
  exit 1
}

# run NAME TIMEOUT COMMAND...: a check; its failure is recorded, the run goes on.
run() {
  local name=$1 limit=$2 t=$SECONDS rc
  shift 2
  banner "$name"
  timeout --kill-after=10 "$limit" "$@"
  rc=$?
  if [ "$rc" = 0 ]; then
    record "$name" ok $((SECONDS - t))
  else
    [ "$rc" = 124 ] && echo "e2e: $name timed out after ${limit}s" >&2
    record "$name" FAIL $((SECONDS - t))
  fi
}

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# --- 1. dependencies ---------------------------------------------------------
banner "dependencies"
t=$SECONDS
if [ ! -x "$CHROMIUM" ]; then
  echo "installing chromium (apt)"
  timeout 300 $SUDO apt-get update -q &&
    timeout 600 $SUDO apt-get install -y -q --no-install-recommends chromium ||
    fatal "could not install chromium"
fi
command -v node >/dev/null && command -v npm >/dev/null || fatal "node and npm are needed (node >= 20)"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' ||
  fatal "node >= 20 is needed, found $(node -v)"
command -v go >/dev/null || fatal "go is needed (looked in PATH and /usr/local/go/bin)"
echo "chromium: $("$CHROMIUM" --version 2>/dev/null)"
echo "node $(node -v), npm $(npm -v), $(go version)"
(cd "$E2E" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || fatal "npm ci failed"
node -e '
  for (const p of ["graphql", "graphql-http", "graphql-request", "playwright-core"]) {
    const v = JSON.parse(require("fs").readFileSync(`node_modules/${p}/package.json`)).version;
    console.log(`${p} ${v}`);
  }' 2>/dev/null || true
record "dependencies" ok $((SECONDS - t))

# --- 2. server ---------------------------------------------------------------
banner "build and start the server"
t=$SECONDS
mkdir -p "$OUT"
rm -f "$OUT/known-issues.txt"
start_server "$OUT" || fatal "the server is not running"

timeout 30 node -e '
  const url = process.env.STIFT_URL + "/readyz";
  (async () => {
    for (;;) {
      try {
        const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (r.status === 200) { console.log(`ready: ${await r.text()}`.trim()); return; }
      } catch {}
      await new Promise((f) => setTimeout(f, 200));
    }
  })();' || fatal "/readyz did not answer 200 within 30 s"
echo "server: $STIFT_URL (pid $SERVER_PID), database $SERVER_TMP/stift-reports.db, demo token ${STIFT_TOKEN:0:10}…"
record "build and start the server" ok $((SECONDS - t))

# --- 3-6. checks -------------------------------------------------------------
run "GraphQL-over-HTTP audit (graphql-http)" 120 node "$E2E/audit.mjs"
run "graphql-request vs REST reports" 120 node "$E2E/clients.mjs"
run "playground in Chromium" 120 node "$E2E/playground.mjs"
run "REST API docs (/docs) in Chromium" 120 node "$E2E/docs.mjs"
run "frontend on another origin (CORS, sign-in)" 300 bash "$E2E/cors.sh"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "e2e: the server exited during the checks (see e2e/out/server.log)" >&2
  record "server still running" FAIL 0
fi
summary
exit "$FAILED"
