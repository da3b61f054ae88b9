#!/usr/bin/env bash
# update.sh - refresh the GraphiQL playground assets embedded in this package.
#
# Installs pinned, exact versions of graphiql, react and react-dom from the npm
# registry into a throw-away directory and copies only the files the playground
# serves (plus their licenses) into ./assets. Nothing from node_modules and no
# package-lock.json ends up in the repository.
#
# To update: change the versions below, run ./update.sh, then
#   go test ./graph/playground/
# and look at the page in a browser: serve playground.Handler("/graphql") from a
# small program on 127.0.0.1 and check that the editor renders, a query runs,
# and the devtools console shows no CSP violation or failed load, e.g.
#   chromium --headless --no-sandbox --screenshot=/tmp/pg.png \
#     --window-size=1280,800 --virtual-time-budget=5000 \
#     --enable-logging=stderr --v=0 http://127.0.0.1:PORT/
#
# Notes:
#  - playground.go loads GraphiQL 3.x's UMD bundle with React's UMD builds via
#    plain <script> tags. React 18 is the last major that ships UMD builds and
#    later GraphiQL majors change how they are loaded (ESM, Monaco editor with
#    web workers), so stay within graphiql 3.x and react 18.x unless you rework
#    playground.go (and its CSP) as well.
#  - The bundles must load nothing from other origins at run time (fonts are
#    inlined as data: URIs in graphiql.min.css; GraphiQL 3 uses CodeMirror 5,
#    not Monaco, so there are no web workers). The grep at the end checks for
#    obvious CDN references.
#  - The trailing "//# sourceMappingURL=" comment is stripped from the JS files
#    because the .map files are not shipped (a browser's devtools would
#    otherwise request them and get a 404).
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
assets="$here/assets"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
	cd "$tmp"
	npm init -y >/dev/null
	npm install --save-exact --ignore-scripts --no-audit --no-fund \
		"graphiql@$GRAPHIQL_VERSION" \
		"react@$REACT_VERSION" \
		"react-dom@$REACT_DOM_VERSION"
)

nm="$tmp/node_modules"
for pkg in graphiql:$GRAPHIQL_VERSION react:$REACT_VERSION react-dom:$REACT_DOM_VERSION; do
	name="${pkg%%:*}" want="${pkg#*:}"
	got="$(node -p "require('$nm/$name/package.json').version")"
	if [[ "$got" != "$want" ]]; then
		echo "update.sh: installed $name@$got, wanted $want" >&2
		exit 1
	fi
done

mkdir -p "$assets"
rm -f "$assets"/*

strip_map() { # strip_map SRC DST: copy SRC to DST without a sourceMappingURL line
	grep -v '^//# sourceMappingURL=' "$1" >"$2"
}

strip_map "$nm/graphiql/graphiql.min.js" "$assets/graphiql.min.js"
cp "$nm/graphiql/graphiql.min.css" "$assets/graphiql.min.css"
strip_map "$nm/react/umd/react.production.min.js" "$assets/react.production.min.js"
strip_map "$nm/react-dom/umd/react-dom.production.min.js" "$assets/react-dom.production.min.js"
cp "$nm/graphiql/LICENSE" "$assets/LICENSE.graphiql"
cp "$nm/react/LICENSE" "$assets/LICENSE.react"
cp "$nm/react-dom/LICENSE" "$assets/LICENSE.react-dom"

cat >"$assets/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL_VERSION
react $REACT_VERSION
react-dom $REACT_DOM_VERSION
VERSIONS

# Sanity check: no obvious run-time loads from a CDN (GraphiQL 3.9.0 and React
# 18.3.1 have no such URL; the word "jsdelivr" occurs only in an error message).
if grep -noE '(https?:)?//(unpkg\.com|[a-z.]*jsdelivr\.net|cdnjs\.|fonts\.googleapis|fonts\.gstatic|esm\.sh)[^"'"'"' ]{0,60}' \
	"$assets"/*.js "$assets"/*.css; then
	echo "update.sh: CDN references found above; check they are not run-time loads" >&2
fi

ls -l "$assets"
du -ch "$assets"/* | tail -1
