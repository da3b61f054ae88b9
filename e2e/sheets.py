"""The spreadsheets as a person opens them: downloads, then cell checks.

  sheets.py download DIR   downloads, from the server at STIFT_URL with the
                           token STIFT_TOKEN, every REST report as XLSX and
                           in the Excel dialect of CSV, and three GraphQL
                           downloads as XLSX (one in English), into DIR
  sheets.py check DIR      checks with openpyxl, in DIR/files, the XLSX files
                           as downloaded; in DIR/lo, the same files once
                           LibreOffice has read and saved them; in
                           DIR/lo-csv, the Excel dialect CSVs as LibreOffice
                           in Portuguese (Brazil) imported them

The checks: each sheet is named as expected and headed by the expected
labels; each typed column holds only values of its type (dates are dates,
numbers numbers with at most 2 decimals, booleans booleans) and at least
one; no text cell
is a date written as text; each sheet's header row is frozen and carries an
autofilter; the downloaded files name their font. Exits 1 on any failure,
printing each.

Run with Debian's python3 (python3-openpyxl), not a virtualenv's.
"""

import base64
import datetime
import json
import os
import glob
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import openpyxl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_CSV = "text/csv; dialect=excel"
FONT = "Arial"  # export.SheetFont
BOOLEAN_FORMAT = '"VERDADEIRO";"VERDADEIRO";"FALSO"'  # export's booleanFormat

# Kinds of cells: a date alone (at midnight), a date and time, a number, a
# boolean. A column listed as required must hold at least one value.
DATE, DATETIME, NUMBER, BOOL = "date", "date and time", "number", "boolean"

# What each download holds: sheet → tables, each found by the label of its
# first column in column A, mapping column labels to kinds (None: the
# header alone is checked); "*" names a
# key-value table (Indicador/Valor): its labels are those of column A and
# the kinds those of column B. REQUIRED lists the columns that must have a
# value in the demo's period.
EXPECTED = {
    "questions": {"Perguntas": {"ID da pergunta": {
        "Criada em": DATETIME, "Respondida em": DATETIME, "Anônima": BOOL, "Viu a resposta": BOOL,
        "Avaliação da resposta": NUMBER, "Resposta entendida": BOOL}}},
    "bookings": {"Agendamentos": {"ID": {
        "Criado em": DATETIME, "Agendado para": DATETIME, "Início": DATETIME, "Término": DATETIME,
        "Cancelado em": DATETIME, "Duração (min)": NUMBER, "Avaliação do aluno": NUMBER,
        "Avaliação do professor": NUMBER, "Qualidade da chamada (aluno)": NUMBER,
        "Qualidade da chamada (professor)": NUMBER}}},
    "bookings-workload": {"Carga horária": {"Professor": {"Minutos semanais": NUMBER}}},
    "groups-usage": {
        "Resumo": {
            "Indicador": {"*": {
                "Início do período": DATE, "Fim do período": DATE, "Total de perguntas": NUMBER,
                "Tempo médio de resposta ajustado (min)": NUMBER, "Usuários ativos (%)": NUMBER,
                "Avaliação média das respostas": NUMBER, "NPS médio": NUMBER,
                "NPS médio do tempo de resposta": NUMBER}},
            "Disciplina": {"Perguntas": NUMBER},
        },
        "Alunos": {"Nome": {"Ativo": BOOL, "Criado em": DATE, "Bloqueado em": DATE, "Excluído em": DATE,
                            "Perguntas": NUMBER}},
        "Professores": {"Nome": {"Ativo": BOOL, "Perguntas respondidas": NUMBER,
                                 "Tempo médio de resposta (min)": NUMBER, "Criado em": DATE,
                                 "Bloqueado em": DATE, "Excluído em": DATE}},
        "Disciplinas": {"Disciplina": {"Total de perguntas": NUMBER, "Tempo médio de resposta (min)": NUMBER}},
    },
    # GraphQL downloads: labels, not field paths, head the columns (in
    # English when Accept-Language asks for it); the sheet is named after
    # the report; a month bucket is a date.
    "graphql-questions": {"Perguntas": {"Criada em": {
        "Criada em": DATETIME, "Respondida em": DATETIME, "Status": None, "Anônima": BOOL,
        "Avaliação da resposta": NUMBER, "E-mail do aluno": None, "Disciplina": None}}},
    "graphql-stats": {"Estatísticas de perguntas": {"Início do período": {
        "Início do período": DATE, "Perguntas": NUMBER, "Respondidas": NUMBER,
        "Tempo médio de resposta (min)": NUMBER, "Avaliação média": NUMBER}}},
    "graphql-stats-en": {"Question statistics": {"Period start": {
        "Period start": DATE, "Questions": NUMBER, "Answered": NUMBER,
        "Average response time (min)": NUMBER, "Average rating": NUMBER}}},
}
REQUIRED = {
    "Criada em", "Respondida em", "Anônima", "Viu a resposta", "Criado em", "Agendado para", "Início",
    "Término", "Duração (min)", "Minutos semanais", "Início do período", "Fim do período",
    "Total de perguntas", "Perguntas", "Ativo", "Perguntas respondidas", "Respondidas",
    "Tempo médio de resposta (min)", "Period start", "Questions", "Answered", "Average response time (min)",
}

# A text cell that is nothing but a date or a time was meant as one.
DATE_TEXT = re.compile(r"^(\d\d/\d\d/\d{4}|\d{4}-\d\d-\d\d)([ T]\d\d:\d\d.*)?$")


# --- download ----------------------------------------------------------------

def request(path, accept, body, language=None):
    """POSTs the JSON body to path and returns the response's headers and bytes."""
    headers = {"Authorization": "Bearer " + os.environ["STIFT_TOKEN"],
               "Content-Type": "application/json", "Accept": accept}
    if language:
        headers["Accept-Language"] = language
    req = urllib.request.Request(
        os.environ["STIFT_URL"] + path, data=json.dumps(body).encode(), method="POST", headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.headers, resp.read()


def graphql(query):
    """The data of a GraphQL query, which must not fail."""
    _, body = request("/graphql", "application/json", {"query": query})
    result = json.loads(body)
    if result.get("errors"):
        raise SystemExit(f"GraphQL {query[:60]}…: {result['errors']}")
    return result["data"]


def wait_ready():
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(os.environ["STIFT_URL"] + "/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit("/readyz did not answer 200 within 30 s")
        time.sleep(0.2)


def download(out):
    wait_ready()
    os.makedirs(out, exist_ok=True)
    # The period: the three weeks up to the demo's last question, so that
    # it holds data whenever the demo was loaded, and the PDFs stay short.
    day = 24 * 60 * 60 * 1000
    _, body = request("/reports/questions", "application/json",
                      {"start_date": 0, "end_date": int(time.time() * 1000) + 3650 * day})
    questions = json.loads(body)
    if not questions:
        raise SystemExit("the demo has no questions")
    last = max(datetime.datetime.fromisoformat(q["question_created_at"].replace("Z", "+00:00"))
               for q in questions)
    end = int(last.timestamp() * 1000) + 1
    period = {"start_date": end - 21 * day, "end_date": end}
    iso = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat()

    # groups-usage: the groups of one school, so that its dates are in that
    # school's zone.
    schools = graphql("{ schools(first: 10) { edges { node { name groups(first: 3) { edges { node { id } } } } } } }")
    school = schools["schools"]["edges"][0]["node"]
    groups = [rest_id(e["node"]["id"]) for e in school["groups"]["edges"]]

    reports = {
        "questions": period,
        "bookings": period,
        "bookings-workload": {},
        "groups-usage": {**period, "group_ids": groups, "name": "Uso " + school["name"],
                         "show_teachers": True, "show_disciplines": True},
    }
    for name, body in reports.items():
        for accept, file in ((XLSX, name + ".xlsx"), (EXCEL_CSV, name + ".excel.csv")):
            headers, data = request("/v1/reports/" + name, accept, body)
            save(out, file, headers, data, accept)

    stats = (f'{{ questionStats(filter: {{from: "{iso(end - 365 * day)}", to: "{iso(end)}"}}, '
             'groupBy: [], timeBucket: MONTH, timezone: "America/Sao_Paulo") '
             '{ bucketStart count answeredCount avgResponseMinutes avgRating } }')
    queries = {
        "graphql-questions": (f'{{ questionsReport(input: {{from: "{iso(period["start_date"])}", '
                              f'to: "{iso(period["end_date"])}"}}, first: 200) {{ edges {{ node {{ '
                              'createdAt answeredAt statusLabel anonymous answerRating student { email } '
                              'discipline { name } } } } }', None),
        "graphql-stats": (stats, None),
        "graphql-stats-en": (stats, "en-US,en;q=0.9"),
    }
    for name, (query, language) in queries.items():
        headers, data = request("/graphql", XLSX, {"query": query}, language)
        save(out, name + ".xlsx", headers, data, XLSX)


def rest_id(global_id):
    """The raw id REST uses, from a GraphQL global id (base64url of Type:id)."""
    raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return raw.split(":", 1)[1]


def save(out, file, headers, data, accept):
    want = "text/csv; charset=utf-8" if accept.startswith("text/csv") else XLSX
    if headers.get("Content-Type") != want:
        raise SystemExit(f"{file}: Content-Type {headers.get('Content-Type')}, want {want}")
    if accept == EXCEL_CSV and not data.startswith("\ufeff".encode()):
        raise SystemExit(f"{file}: no byte order mark")
    with open(os.path.join(out, file), "wb") as f:
        f.write(data)
    print(f"  {file}: {len(data)} bytes, {headers.get('Content-Disposition')}")


# --- check -------------------------------------------------------------------

class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")

    def workbook(self, path, expected, source):
        """Checks the workbook at path; source is "download", "libreoffice"
        (our XLSX saved again by LibreOffice) or "csv" (the Excel dialect
        imported by LibreOffice, one sheet, no frozen row nor filter)."""
        where = os.path.relpath(path)
        # LibreOffice saves a boolean as the formula TRUE() or FALSE() with
        # its boolean value: read the values.
        wb = openpyxl.load_workbook(path, data_only=True)
        names = wb.sheetnames
        for sheet, tables in expected.items():
            if source == "csv":
                ws = wb.worksheets[0]  # a CSV is one sheet, the sections one below the other
            elif sheet is None:
                ws = wb.worksheets[0]
            elif sheet in names:
                ws = wb[sheet]
            else:
                self.fail(where, f"no sheet {sheet!r} among {names}")
                continue
            if source != "csv":
                self.layout(f"{where} [{ws.title}]", ws, source == "download")
            self.text_dates(f"{where} [{ws.title}]", ws)
            for first, columns in tables.items():
                self.table(f"{where} [{ws.title}]", ws, first, columns, source)

    def layout(self, where, ws, download):
        # LibreOffice converting headless keeps no view settings, frozen
        # rows included (whoever wrote the file): only the download's count.
        # A titled sheet (groups-usage with a name) has its title on row 1
        # and an empty row 2: its header is row 3.
        header = 1
        if ws["A1"].value is not None and ws.max_column >= 1 and ws["B1"].value is None \
                and all(c.value is None for c in ws[2]):
            header = 3
        if download and ws.freeze_panes != f"A{header + 1}":
            self.fail(where, f"frozen at {ws.freeze_panes!r}, want the header row (A{header + 1})")
        ref = (ws.auto_filter.ref or "").replace("$", "")
        if not ref.startswith(f"A{header}:"):
            self.fail(where, f"autofilter over {ws.auto_filter.ref!r}, want one from A{header}")
        if not download:
            return
        for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 20)):
            for cell in row:
                if cell.value is None:
                    continue
                if cell.font.name != FONT:
                    self.fail(where, f"{cell.coordinate} is in {cell.font.name!r}, want {FONT}")
                    return
                if cell.row == 1 and not cell.font.b:
                    self.fail(where, f"header {cell.coordinate} is not bold")
                    return

    def text_dates(self, where, ws):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and DATE_TEXT.match(cell.value):
                    self.fail(where, f"{cell.coordinate} is the text {cell.value!r}, want a date")
                    return

    def table(self, where, ws, first, columns, source):
        # The first row that begins with first and holds every label (a
        # CSV has all tables on one sheet: Nome heads two of them).
        labels = [l for l in columns if l != "*"]
        header_row = next((c.row for c in ws["A"] if c.value == first and
                           all(l in [h.value for h in ws[c.row]] for l in labels)), None)
        if header_row is None:
            self.fail(where, f"no table headed {first!r} with {labels}")
            return
        rows = []
        for row in ws.iter_rows(min_row=header_row + 1):
            if all(c.value is None for c in row):
                break
            rows.append(row)
        if not rows:
            self.fail(where, f"the table headed {first!r} has no rows")
            return
        if "*" in columns:  # indicators: label in A, value in B
            for label, kind in columns["*"].items():
                row = next((r for r in rows if r[0].value == label), None)
                if row is None:
                    self.fail(where, f"no indicator {label!r}")
                    continue
                self.cells(f"{where} {label!r}", [row[1]], kind, label in REQUIRED, source)
            return
        header = [c.value for c in ws[header_row]]
        for label, kind in columns.items():
            if label not in header:
                self.fail(where, f"no column {label!r} in {header}")
                continue
            i = header.index(label)
            self.cells(f"{where} {label!r}", [r[i] for r in rows if i < len(r)], kind, label in REQUIRED, source)

    def cells(self, where, cells, kind, required, source):
        if kind is None:
            return  # a column checked for its header only
        values = [c for c in cells if c.value is not None]
        if required and not values:
            self.fail(where, f"no value in {len(cells)} rows")
        for c in values:
            v = c.value
            if kind in (DATE, DATETIME):
                ok = c.is_date and isinstance(v, datetime.datetime)
                if ok and kind == DATE:
                    ok = v.time() == datetime.time(0)
            elif kind == NUMBER:
                # Figures are rounded as the reports round them: never
                # more than 2 decimals.
                ok = isinstance(v, (int, float)) and not isinstance(v, bool) and round(v, 2) == v
            elif source == "download":
                # Booleans carry the format that makes LibreOffice show
                # words rather than 1 and 0.
                ok = isinstance(v, bool) and c.number_format == BOOLEAN_FORMAT
            elif source == "libreoffice":
                # LibreOffice has no boolean type: it keeps ours as 0 or 1
                # in that format, and saves them so.
                ok = isinstance(v, bool) or v in (0, 1) and c.number_format == BOOLEAN_FORMAT
            else:
                ok = isinstance(v, bool)
            if not ok:
                self.fail(where, f"{c.coordinate} holds {v!r} ({c.data_type}, format {c.number_format!r}), want a {kind}")
                return


def check(out):
    checker = Checker()
    checked = 0
    for name, expected in EXPECTED.items():
        for folder, file, source in (("files", name + ".xlsx", "download"),
                                     ("lo", name + ".xlsx", "libreoffice"),
                                     ("lo-csv", name + ".excel.xlsx", "csv")):
            path = os.path.join(out, folder, file)
            if source == "csv" and name.startswith("graphql"):
                continue
            if not os.path.exists(path):
                checker.fail(os.path.relpath(path), "missing")
                continue
            checker.workbook(path, expected, source)
            checked += 1
    # What LibreOffice printed: no column too narrow for its values (###),
    # booleans as words.
    for pdf in sorted(glob.glob(os.path.join(out, "pdf", "*.pdf"))):
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True,
                              text=True, timeout=120).stdout
        name = os.path.basename(pdf).split(".")[0]
        if "###" in text:
            checker.fail(os.path.relpath(pdf), "a value does not fit its column (###)")
        has_bool = any(BOOL in cols.values() for tables in EXPECTED.get(name, {}).values()
                       for cols in tables.values())
        if has_bool and not re.search(r"\b(VERDADEIRO|FALSO)\b", text):
            checker.fail(os.path.relpath(pdf), "no boolean shown as VERDADEIRO or FALSO")
        checked += 1
    for f in checker.failures:
        print("FAIL", f)
    print(f"sheets: {checked} workbooks and PDFs checked, {len(checker.failures)} failure(s)")
    return 1 if checker.failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("download", "check"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "download":
        download(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
