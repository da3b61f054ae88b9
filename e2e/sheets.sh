#!/usr/bin/env bash
# The spreadsheets as a person opens them (run from the repository root:
# bash e2e/sheets.sh). Needs LibreOffice Calc (soffice), Debian's python3
# with python3-openpyxl, and pdftoppm (poppler-utils), which .ci/run
# installs.
#
#   1. builds and starts the server (e2e/server.sh) with the demo data;
#   2. sheets.py download: every REST report as XLSX and in the Excel
#      dialect of CSV (Accept: text/csv; dialect=excel), and three GraphQL
#      downloads as XLSX (one with Accept-Language: en), into
#      e2e/out/sheets/files/;
#   3. LibreOffice headless: saves each XLSX again (lo/), imports each CSV
#      as LibreOffice in Portuguese (Brazil) does (lo-csv/), and prints the
#      XLSX and the imported CSVs to PDF, each sheet whole on one page
#      (pdf/);
#   4. sheets.py check: openpyxl reads the cells of all three (dates are
#      dates, numbers numbers, booleans booleans, header frozen, autofilter
#      set, fonts named);
#   5. pdftoppm renders the PDFs to PNG (png/), a sheet a picture: the
#      artifacts to look at.
#
# Exits non-zero if a step fails. Every wait is bounded.
set -uo pipefail

cd "$(dirname "$0")/.."
E2E=$PWD/e2e
OUT=$E2E/out/sheets
export PATH="/usr/local/go/bin:$PATH"
PYTHON=/usr/bin/python3 # Debian's, which has python3-openpyxl

. "$E2E/server.sh"
PROFILE=
cleanup() {
  stop_server
  [ -n "$PROFILE" ] && rm -rf "$PROFILE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

banner() { printf '\n== %s\n' "$*"; }
fatal() {
  echo "sheets: $*" >&2
  exit 1
}

for tool in soffice pdftoppm "$PYTHON"; do
  command -v "$tool" >/dev/null || fatal "$tool is needed (.ci/run installs it)"
done
"$PYTHON" -c 'import openpyxl' 2>/dev/null || fatal "python3-openpyxl is needed"

banner "build and start the server"
rm -rf "$OUT"
mkdir -p "$OUT"/{files,lo,lo-csv,pdf,png}
start_server "$OUT/server" || fatal "the server is not running"
echo "server: $STIFT_URL"

banner "download"
timeout 300 "$PYTHON" "$E2E/sheets.py" download "$OUT/files" || fatal "the downloads failed"

# soffice runs LibreOffice with its own profile, so that it neither waits
# for another LibreOffice nor shows a first-start dialog, and in Portuguese
# (Brazil), as the schools' staff run it (LibreOffice reads the language
# from LC_ALL, even where the C library has no such locale); one call per
# output format, since every start costs seconds.
PROFILE=$(mktemp -d "${TMPDIR:-/tmp}/stift-lo.XXXXXX")
soffice_run() {
  LC_ALL=pt_BR.UTF-8 LANG=pt_BR.UTF-8 timeout 600 soffice -env:UserInstallation="file://$PROFILE" --headless --norestore "$@" ||
    fatal "soffice $* failed"
}

banner "LibreOffice: XLSX saved again, CSV imported in pt-BR, both printed to PDF"
soffice_run --convert-to xlsx --outdir "$OUT/lo" "$OUT"/files/*.xlsx
# CSV filter options: ';' separator (59), '"' text delimiter (34), UTF-8
# (76), from line 1, no column formats, language pt-BR (1046), quoted
# fields not forced to text, special numbers (dates, times) detected.
soffice_run --infilter="CSV:59,34,76,1,,1046,false,true" --convert-to xlsx --outdir "$OUT/lo-csv" "$OUT"/files/*.csv
# A page per sheet, however large, so that every column is in the picture.
soffice_run --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$OUT/pdf" "$OUT"/files/*.xlsx "$OUT"/lo-csv/*.xlsx

banner "check the cells (openpyxl)"
"$PYTHON" "$E2E/sheets.py" check "$OUT"
rc=$?

banner "render the PDFs (pdftoppm)"
for pdf in "$OUT"/pdf/*.pdf; do
  timeout 120 pdftoppm -png -r 60 "$pdf" "$OUT/png/$(basename "$pdf" .pdf)" || fatal "pdftoppm $pdf failed"
done
ls "$OUT/png"
echo "artifacts: $OUT/png/"

[ "$rc" = 0 ] && echo "sheets: PASS" || echo "sheets: FAIL"
exit "$rc"
