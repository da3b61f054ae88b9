package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// reportServer is the real handler over a demo database, at the demo's
// fixed present, with a token that sees everything.
type reportServer struct {
	*httptest.Server
	db    *db.DB
	token string
	logs  *syncBuffer
}

func newReportServer(t testing.TB, d *db.DB, cfg Config) *reportServer {
	t.Helper()
	if err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatal(err)
	}
	return startReportServer(t, d, cfg)
}

// startReportServer is newReportServer over the data d already holds.
func startReportServer(t testing.TB, d *db.DB, cfg Config) *reportServer {
	t.Helper()
	if cfg.PortalURL == "" {
		cfg.PortalURL = report.DefaultPortalURL
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv := httptest.NewServer(NewServer(cfg, d, log, func() time.Time { return seed.Now }))
	t.Cleanup(srv.Close)
	s := &reportServer{Server: srv, db: d, logs: logs}
	s.token = s.newToken(t, auth.TokenSpec{Name: "all", RevealAnonymous: true})
	return s
}

func (s *reportServer) newToken(t testing.TB, spec auth.TokenSpec) string {
	t.Helper()
	_, secret, err := auth.CreateToken(context.Background(), s.db.Client, spec)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// post sends a report request and returns the response with its body read.
func (s *reportServer) post(t *testing.T, path, token, accept, body string) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return s.send(t, path, h, body)
}

// send posts body with the header h and returns the response with its
// body read.
func (s *reportServer) send(t *testing.T, path string, h http.Header, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// goldenCases are the report requests whose outputs are kept in testdata/.
func goldenCases(t *testing.T, d *db.DB) []struct{ name, path, body string } {
	ctx := auth.SystemContext(context.Background())
	sch := d.Client.School.Query().Order(ent.Asc(school.FieldName)).FirstX(ctx)
	groups := sch.QueryGroups().Order(ent.Asc(group.FieldName)).Limit(2).AllX(ctx)
	return []struct{ name, path, body string }{
		{"questions", "/reports/questions", fmt.Sprintf(`{"start_date": %d, "end_date": "%d"}`,
			ms("2026-05-25T00:00:00Z"), ms("2026-06-15T15:00:00Z"))},
		{"bookings", "/v1/reports/bookings", fmt.Sprintf(`{"start_date": %d, "end_date": %d}`,
			ms("2026-05-20T00:00:00Z"), ms("2026-07-15T00:00:00Z"))},
		{"bookings-workload", "/reports/bookings-workload", `{}`},
		{"groups-usage", "/reports/groups-usage", fmt.Sprintf(
			`{"start_date": %d, "end_date": %d, "group_ids": ["%s", "%s"], "name": "Uso", "show_teachers": true, "show_disciplines": true}`,
			ms("2026-03-01T03:00:00Z"), ms("2026-06-15T15:00:00Z"), groups[0].ID, groups[1].ID)},
	}
}

// excelCSVType asks for the Excel dialect of CSV.
const excelCSVType = "text/csv; dialect=excel"

// TestReportGoldens checks every endpoint in JSON, CSV and the Excel
// dialect of CSV against the golden files (the same files for SQLite and
// PostgreSQL), and XLSX against the Excel dialect, which writes what the
// spreadsheet shows.
func TestReportGoldens(t *testing.T) {
	t.Parallel()
	each := testdb.EachParallel
	if *update {
		each = testdb.Each // both kinds write the same golden files
	}
	each(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		for _, tc := range goldenCases(t, d) {
			for _, f := range []struct{ ext, accept string }{{"json", ""}, {"csv", "text/csv"}, {"excel.csv", excelCSVType}} {
				t.Run(tc.name+"."+f.ext, func(t *testing.T) {
					resp, body := s.post(t, tc.path, s.token, f.accept, tc.body)
					if resp.StatusCode != 200 {
						t.Fatalf("status %d: %s", resp.StatusCode, body)
					}
					golden(t, filepath.Join("testdata", "golden", tc.name+"."+f.ext), body)
				})
			}
			t.Run(tc.name+".xlsx", func(t *testing.T) {
				resp, body := s.post(t, tc.path, s.token, xlsxType, tc.body)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType {
					t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				// A report the body names is downloaded under its name,
				// which titles the first sheet too.
				var named struct{ Name string }
				json.Unmarshal([]byte(tc.body), &named)
				file := tc.name
				if named.Name != "" {
					file = named.Name + ".xlsx"
				}
				if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="`+file) {
					t.Errorf("Content-Disposition = %q, want the file %s…", cd, file)
				}
				_, csvBody := s.post(t, tc.path, s.token, excelCSVType, tc.body)
				compareXLSXWithCSV(t, body, csvBody, named.Name)
			})
		}
	})
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\ngot  %.300s\nwant %.300s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs: %d lines, want %d", path, len(gl), len(wl))
	}
}

// compareXLSXWithCSV reads the workbook back and checks its sheets hold
// the sections of the Excel dialect CSV, cell by cell: text as text,
// numbers as numbers (the CSV's with a decimal comma), booleans as
// booleans, and dates as date cells showing the CSV's dd/mm/yyyy [hh:mm];
// below the title, if any, and its empty row on the first sheet.
func compareXLSXWithCSV(t *testing.T, xlsx, csvBody []byte, title string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells [][]sheetCell
	for i, sheet := range f.GetSheetList() {
		if i > 0 {
			cells = append(cells, nil) // CSV sections are separated by a blank line
		}
		rows := sheetCells(t, f, sheet)
		if i == 0 && title != "" {
			if len(rows) < 2 || len(rows[0]) != 1 || rows[0][0].text != title || len(rows[1]) != 0 {
				t.Fatalf("sheet %s does not begin with the title %q and an empty row", sheet, title)
			}
			rows = rows[2:]
		}
		cells = append(cells, rows...)
	}
	csvBody, ok := bytes.CutPrefix(csvBody, []byte("\uFEFF"))
	if !ok {
		t.Fatal("the Excel dialect CSV has no byte order mark")
	}
	var records [][]string
	for _, block := range bytes.Split(csvBody, []byte("\r\n\r\n")) {
		r := csv.NewReader(bytes.NewReader(block))
		r.Comma, r.FieldsPerRecord = ';', -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) > 0 {
			records = append(records, nil)
		}
		records = append(records, recs...)
	}
	if len(cells) != len(records) {
		t.Fatalf("XLSX has %d rows, CSV %d", len(cells), len(records))
	}
	date := regexp.MustCompile(`^\d\d/\d\d/\d{4}( \d\d:\d\d)?$`)
	for i := range records {
		for j := range max(len(records[i]), len(cells[i])) {
			want, c := at(records[i], j), sheetCell{}
			if j < len(cells[i]) {
				c = cells[i][j]
			}
			ok := c.text == want
			switch {
			case c.kind == "number":
				ok = sameNumber(strings.Replace(want, ",", ".", 1), c.text)
			case date.MatchString(want):
				ok = ok && c.kind == "date"
			case want == "VERDADEIRO" || want == "FALSO":
				ok = ok && c.kind == "bool"
			}
			if !ok {
				t.Fatalf("row %d col %d: CSV %q, XLSX %s %q", i+1, j+1, want, c.kind, c.text)
			}
		}
	}
}

// sheetCell is a cell of a sheet read back: its kind (text, number, date,
// bool) and its text, as the Excel dialect CSV writes it.
type sheetCell struct{ kind, text string }

// sheetCells reads the cells of a sheet.
func sheetCells(t *testing.T, f *excelize.File, sheet string) [][]sheetCell {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]sheetCell, len(rows))
	for i, row := range rows {
		out[i] = make([]sheetCell, len(row))
		for j, raw := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			c := sheetCell{kind: "text", text: raw}
			switch {
			case raw == "":
			case typ == excelize.CellTypeBool:
				c = sheetCell{kind: "bool", text: map[string]string{"1": "VERDADEIRO", "0": "FALSO"}[raw]}
			case typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber:
				c.kind = "number"
				if layout := dateLayout(t, f, sheet, ref); layout != "" {
					serial, err := strconv.ParseFloat(raw, 64)
					if err != nil {
						t.Fatal(err)
					}
					// Days since 30/12/1899 (after February 1900), to the
					// millisecond. Spreadsheets show a time to the minute
					// by cutting the seconds off, as the Excel dialect CSV
					// does (excelize's own reader rounds them).
					ms := time.Duration(math.Round(serial*24*60*60*1000)) * time.Millisecond
					at := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).Add(ms)
					c = sheetCell{kind: "date", text: at.Format(layout)}
				}
			}
			out[i][j] = c
		}
	}
	return out
}

// dateLayout is the Go layout of the date format of a cell, or "".
func dateLayout(t *testing.T, f *excelize.File, sheet, ref string) string {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if style.CustomNumFmt == nil {
		return ""
	}
	return map[string]string{"dd/mm/yyyy": "02/01/2006", "dd/mm/yyyy hh:mm": "02/01/2006 15:04"}[*style.CustomNumFmt]
}

func at(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

// TestReportsFollowTheSpec checks the outputs' keys, in order, against the
// public API's examples (testdata of package export), and that every
// status shows up with its label.
func TestReportsFollowTheSpec(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("export/testdata/spec_keys.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string][]string
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, name := range []string{"questions", "bookings", "bookings-workload"} {
		var rows []json.RawMessage
		if err := json.Unmarshal(read(name+".json"), &rows); err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v, %d rows", name, err, len(rows))
		}
		for _, row := range rows {
			if keys := objectKeys(t, row); !slices.Equal(keys, spec[name]) {
				t.Fatalf("%s keys = %v, want %v", name, keys, spec[name])
			}
		}
	}
	usage := read("groups-usage.json")
	if keys := objectKeys(t, usage); !slices.Equal(keys, spec["groups-usage"]) {
		t.Errorf("groups-usage keys = %v, want %v", keys, spec["groups-usage"])
	}
	var doc map[string]json.RawMessage
	json.Unmarshal(usage, &doc)
	for _, section := range []string{"students", "teachers", "disciplines"} {
		var items []json.RawMessage
		json.Unmarshal(doc[section], &items)
		if len(items) == 0 {
			t.Fatalf("groups-usage has no %s", section)
		}
		for _, it := range items {
			if keys := objectKeys(t, it); !slices.Equal(keys, spec["groups-usage."+section]) {
				t.Fatalf("groups-usage %s keys = %v, want %v", section, keys, spec["groups-usage."+section])
			}
		}
	}

	labels := map[string][]string{
		"questions.json": {"Pendente", "Respondida", "Réplica pendente", "Réplica respondida", "Cancelada"},
		"bookings.json": {"Presente", "Faltou", "Cancelado fora do prazo", "Cancelado dentro do prazo", "Cancelado",
			"Pendente", "Na fila", "Saiu da fila", "Não realizado"},
	}
	for file, want := range labels {
		var rows []map[string]any
		json.Unmarshal(read(file), &rows)
		seen := map[string]bool{}
		for _, r := range rows {
			if s, ok := r["question_status"].(string); ok {
				seen[s] = true
			}
			if s, ok := r["status"].(string); ok {
				seen[s] = true
			}
		}
		for _, l := range want {
			if !seen[l] {
				t.Errorf("%s: no row with status %q", file, l)
			}
		}
	}
}

// objectKeys returns the keys of a JSON object in the order they appear.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %.80s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
