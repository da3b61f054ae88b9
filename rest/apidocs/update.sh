#!/usr/bin/env bash
# update.sh - refresh the Redoc bundle embedded in this package.
#
# Fetches the pinned release of the npm package redoc with `npm pack` (the
# tarball only, none of its dependencies: the standalone bundle contains
# them), checks it against the pinned integrity, and copies the standalone
# bundle and its licenses into ./assets. Nothing else from the package, and
# no node_modules or package-lock.json, ends up in the repository. Run it by
# hand; it is not part of `go generate` (it needs the network).
#
# To update: change REDOC_VERSION and REDOC_INTEGRITY (`npm view
# redoc@VERSION dist.integrity`), run ./update.sh, then
#   go test ./rest/apidocs/
#   bash e2e/run.sh          # e2e/docs.mjs: /docs in Chromium, CSP included
# e2e/docs.mjs fails on any Content-Security-Policy violation. If Chromium
# reports an inline style refused "with hash sha256-…", the stylesheet Redoc
# adds while its bundle loads has changed: put the new hash in LoadStyleHashes
# in apidocs.go.
#
# Notes:
#  - Redoc 2.x is kept rather than 3.x: 3.0 (October 2026) is a rewrite twice
#    the size, ships OpenTelemetry instrumentation and links to outside AI
#    assistants, and is loaded as an ES module; 2.x is the long-standing line
#    and still maintained.
#  - Two edits are made to the bundle, each checked to apply exactly once:
#    the trailing "//# sourceMappingURL=" comment is dropped (the .map file is
#    not shipped; a browser's devtools would otherwise ask for it and get a
#    404), and the Redocly logo that the side menu's "API docs by Redocly"
#    link loads from Redocly's CDN at run time is emptied (the page must load
#    nothing from another origin; the link itself stays, as text). With an
#    empty src the image fails at once and Redoc hides it.
#  - apidocs.go starts Redoc with search off: its search index runs in a web
#    worker made from a blob: URL, which the page's CSP does not allow.
set -euo pipefail

REDOC_VERSION=2.5.4
REDOC_INTEGRITY=sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==
LOGO_URL=https://cdn.redoc.ly/redoc/logo-mini.svg

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
assets="$here/assets"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "redoc@$REDOC_VERSION" >/dev/null)
tgz="$tmp/redoc-$REDOC_VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [[ "$got" != "$REDOC_INTEGRITY" ]]; then
	echo "update.sh: redoc-$REDOC_VERSION.tgz has integrity $got, want $REDOC_INTEGRITY" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$tmp"
pkg="$tmp/package"
version="$(node -p "require('$pkg/package.json').version")"
if [[ "$version" != "$REDOC_VERSION" ]]; then
	echo "update.sh: the tarball holds redoc $version, wanted $REDOC_VERSION" >&2
	exit 1
fi

# edit FILE FROM TO: replace the text FROM by TO in FILE, which must hold it
# exactly once.
edit() {
	local n
	n="$(grep -oF -- "$2" "$1" | wc -l)"
	if [[ "$n" != 1 ]]; then
		echo "update.sh: $(basename "$1") holds $n times '$2', want once" >&2
		exit 1
	fi
	FROM="$2" TO="$3" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$1"
}

js="$tmp/redoc.standalone.js"
grep -v '^//# sourceMappingURL=' "$pkg/bundles/redoc.standalone.js" >"$js"
edit "$js" "src:\"$LOGO_URL\"" 'src:""'

# The files this script owns; init.js is written by hand and stays.
rm -f "$assets"/redoc.standalone.js "$assets"/redoc.standalone.js.LICENSE.txt \
	"$assets"/LICENSE.redoc "$assets"/VERSIONS
mkdir -p "$assets"
cp "$js" "$assets/redoc.standalone.js"
# The bundle's first line points at this file for the licenses of the
# libraries it contains (React, mobx, DOMPurify, …).
cp "$pkg/bundles/redoc.standalone.js.LICENSE.txt" "$assets/redoc.standalone.js.LICENSE.txt"
cp "$pkg/LICENSE" "$assets/LICENSE.redoc"

cat >"$assets/VERSIONS" <<VERSIONS
redoc $REDOC_VERSION (npm, $REDOC_INTEGRITY)
  bundles/redoc.standalone.js: sourceMappingURL comment dropped, side-menu logo URL ($LOGO_URL) emptied (update.sh)
VERSIONS

# Sanity check: no load from a CDN left (the bundle names other URLs: links,
# JSON Schema ids, React's error decoder; none is fetched at run time).
if grep -noE '(https?:)?//(unpkg\.com|[a-z.]*jsdelivr\.net|cdnjs\.|cdn\.redoc\.ly|fonts\.googleapis|fonts\.gstatic|esm\.sh)[^"'"'"' ]{0,60}' \
	"$assets"/*.js; then
	echo "update.sh: CDN references found above; check they are not run-time loads" >&2
fi

ls -l "$assets"
du -ch "$assets"/* | tail -1
