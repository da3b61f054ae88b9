#!/bin/sh
# Lints the REST layer's OpenAPI document (rest/openapi.json) with Redocly
# CLI, pinned in package.json. Run from anywhere: e2e/openapi/lint.sh
set -eu
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/redocly ]; then
	npm ci --no-audit --no-fund
fi
exec npx --no-install redocly lint --config redocly.yaml ../../rest/openapi.json
