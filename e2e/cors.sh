#!/usr/bin/env bash
# A browser frontend on another origin, for real (run from the repository
# root: bash e2e/cors.sh; e2e/run.sh runs it). Needs what run.sh installs:
# Debian's chromium and the npm packages of e2e/.
#
#   1. serves the frontend page (e2e/frontend/) on two origins of
#      127.0.0.1: the frontend's, and another the API does not allow;
#   2. starts the identity provider stand-in (e2e/idp), whose token
#      endpoint those pages may call, handing out RS256 tokens of a school
#      coordinator who sees one demo school;
#   3. builds and starts the server (e2e/server.sh) with OIDC_ISSUER at the
#      stand-in and CORS_ALLOWED_ORIGINS the frontend's origin;
#   4. cors.mjs: the page in headless Chromium signs in, shows the school's
#      questions from /graphql and the CSV download's file name from
#      /reports/questions, from the allowed origin and not from the other
#      (screenshot: e2e/out/cors.png).
#
# Exits non-zero if a step fails. Every wait is bounded. Logs:
# e2e/out/cors/ (server.log, idp.log, pages.log).
set -uo pipefail

cd "$(dirname "$0")/.."
E2E=$PWD/e2e
OUT=$E2E/out/cors
export PATH="/usr/local/go/bin:$PATH"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# The token's scope: the demo's first school (seed/names.go; its id comes
# from the seed's fixed id stream, the same on every load).
SCHOOL_ID=1e43c7cd-1bcd-4f29-bb72-71071621f0fe
export SCHOOL_NAME="Colégio Horizonte"
export OTHER_SCHOOL_NAME="Escola Nova Manaus"
AUDIENCE=stift-reports

. "$E2E/server.sh"
PAGES_PID=
IDP_PID=
cleanup() {
  stop_server
  for pid in $IDP_PID $PAGES_PID; do
    kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fatal() {
  echo "cors: $*" >&2
  exit 1
}

# wait_line FILE PATTERN PID: prints the first line of FILE matching
# PATTERN, waiting up to 30 s while PID runs.
wait_line() {
  local line
  for _ in $(seq 1 300); do
    line=$(grep -m1 -E "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

rm -rf "$OUT"
mkdir -p "$OUT"

node "$E2E/frontend/serve.mjs" >"$OUT/pages.log" 2>&1 &
PAGES_PID=$!
PAGE_URL=$(wait_line "$OUT/pages.log" '^allowed ' "$PAGES_PID" | cut -d' ' -f2)
BLOCKED_PAGE_URL=$(wait_line "$OUT/pages.log" '^blocked ' "$PAGES_PID" | cut -d' ' -f2)
[ -n "$PAGE_URL" ] && [ -n "$BLOCKED_PAGE_URL" ] || fatal "the page server did not start (see $OUT/pages.log)"
export PAGE_URL BLOCKED_PAGE_URL
echo "pages: $PAGE_URL (allowed), $BLOCKED_PAGE_URL (not allowed)"

# The provider lets both pages sign in: the API alone decides which origin
# may call it.
timeout 600 go build -o "$OUT/idp" ./e2e/idp || fatal "go build ./e2e/idp failed"
"$OUT/idp" -addr 127.0.0.1:0 -audience "$AUDIENCE" -origins "$PAGE_URL,$BLOCKED_PAGE_URL" \
  -claims "{\"sub\": \"coordenacao-horizonte\", \"school_ids\": [\"$SCHOOL_ID\"]}" >"$OUT/idp.out" 2>"$OUT/idp.log" &
IDP_PID=$!
IDP_URL=$(wait_line "$OUT/idp.out" '^issuer ' "$IDP_PID" | cut -d' ' -f2)
[ -n "$IDP_URL" ] || fatal "the identity provider stand-in did not start (see $OUT/idp.log)"
export IDP_URL
echo "identity provider: $IDP_URL"

OIDC_ISSUER=$IDP_URL OIDC_AUDIENCE=$AUDIENCE CORS_ALLOWED_ORIGINS=$PAGE_URL \
  start_server "$OUT" || fatal "the server is not running"
export SERVER_LOG=$OUT/server.log
echo "server: $STIFT_URL (OIDC_ISSUER=$IDP_URL, CORS_ALLOWED_ORIGINS=$PAGE_URL)"

timeout --kill-after=10 180 node "$E2E/cors.mjs"
