package main

// What legacy clients of the public API send, and must not be refused for:
// the short format names in Accept, members no endpoint knows, JSON sent
// with another Content-Type, booleans as strings; and what they get back:
// a download named after the report's name, its dates in the report's zone.
// Each case runs on every test database through the real handler, with
// hostile variants beside it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
)

// legacyFixture is a demo server whose log keeps debug lines, and a body
// for each endpoint.
type legacyFixture struct {
	*reportServer
	horizonte, manaus *ent.School // America/Sao_Paulo, America/Manaus
	spGroup, amGroup  *ent.Group  // a group of each
	dates             string      // May 2026 in UTC, as body members
	bodies            map[string]string
}

func newLegacyFixture(t *testing.T, d *db.DB) *legacyFixture {
	t.Helper()
	s := startHostileServer(t, d, Config{}, true)
	ctx := auth.SystemContext(context.Background())
	f := &legacyFixture{reportServer: s}
	for _, sc := range d.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx) {
		switch sc.Timezone {
		case "America/Sao_Paulo":
			f.horizonte = sc
		case "America/Manaus":
			f.manaus = sc
		}
	}
	if f.horizonte == nil || f.manaus == nil {
		t.Fatal("the demo has no school in São Paulo or Manaus time")
	}
	f.spGroup = f.horizonte.QueryGroups().Order(ent.Asc(group.FieldName)).FirstX(ctx)
	f.amGroup = f.manaus.QueryGroups().Order(ent.Asc(group.FieldName)).FirstX(ctx)
	f.dates = fmt.Sprintf(`"start_date": %d, "end_date": %d`, ms("2026-05-01T00:00:00Z"), ms("2026-06-01T00:00:00Z"))
	f.bodies = map[string]string{
		"/reports/questions":         "{" + f.dates + "}",
		"/reports/bookings":          "{" + f.dates + "}",
		"/reports/bookings-workload": "{}",
		"/reports/groups-usage":      f.usage(f.spGroup, ""),
	}
	return f
}

// usage returns a groups-usage body for g in May 2026, with more members.
func (f *legacyFixture) usage(g *ent.Group, more string) string {
	return `{` + f.dates + `, "group_ids": ["` + g.ID.String() + `"]` + more + `}`
}

// ok posts a body that must succeed and returns the answer.
func (f *legacyFixture) ok(t *testing.T, path string, h http.Header, body string) (*http.Response, []byte) {
	t.Helper()
	if h.Get("Authorization") == "" {
		h.Set("Authorization", "Bearer "+f.token)
	}
	resp, raw := f.send(t, path, h, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %.80q: %d %.300s", path, body, resp.StatusCode, raw)
	}
	return resp, raw
}

// refused posts a body that must fail with status, message and field.
func (f *legacyFixture) refused(t *testing.T, path string, h http.Header, body string, status int, message, field string) {
	t.Helper()
	h.Set("Authorization", "Bearer "+f.token)
	resp, raw := f.send(t, path, h, body)
	var e errorBody
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("%s: %d %.300s: %v", path, resp.StatusCode, raw, err)
	}
	if resp.StatusCode != status || e.Error.Code != status || e.Error.Message != message || e.Error.Field != field {
		t.Errorf("%s %.80q: %d %+v, want %d %q field %q", path, body, resp.StatusCode, e.Error, status, message, field)
	}
}

// jsonType is the header of a request sent as the spec shows it.
func jsonType() http.Header { return http.Header{"Content-Type": {"application/json"}} }

func accepting(a string) http.Header {
	h := jsonType()
	h.Set("Accept", a)
	return h
}

func TestLegacyClients(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		f := newLegacyFixture(t, d)
		t.Run("short Accept names", f.testShortAccept)
		t.Run("unknown fields", f.testUnknownFields)
		t.Run("content types", f.testContentTypes)
		t.Run("booleans as strings", f.testBooleanStrings)
		t.Run("name", f.testName)
		t.Run("file names in the report's zone", f.testFileZones)
	})
}

// testShortAccept: "csv", "xlsx" and "json", the names the public API gives
// in parentheses, select the format on every endpoint, as their media
// types do, q-values and all.
func (f *legacyFixture) testShortAccept(t *testing.T) {
	for path, body := range f.bodies {
		_, wantJSON := f.ok(t, path, accepting("application/json"), body)
		_, wantCSV := f.ok(t, path, accepting("text/csv"), body)
		for _, tc := range []struct{ accept, typ string }{
			{"csv", "text/csv"},
			{"CSV", "text/csv"},
			{"xlsx", xlsxType},
			{"json", "application/json"},
			{"csv;q=0.5, json;q=0.9", "application/json"},
			{"text/html, xlsx;q=0.1", xlsxType},
			{"csv;q=0, */*", "application/json"},
			{"pdf", "application/json"}, // not a media range: ignored, as before
		} {
			resp, raw := f.ok(t, path, accepting(tc.accept), body)
			if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != tc.typ {
				t.Errorf("%s Accept %q: Content-Type %q, want %s", path, tc.accept, resp.Header.Get("Content-Type"), tc.typ)
			}
			switch tc.typ {
			case "application/json":
				if !bytes.Equal(raw, wantJSON) {
					t.Errorf("%s Accept %q: not the JSON report", path, tc.accept)
				}
			case "text/csv":
				if !bytes.Equal(raw, wantCSV) {
					t.Errorf("%s Accept %q: not the CSV report", path, tc.accept)
				}
			default:
				if x, err := excelize.OpenReader(bytes.NewReader(raw)); err != nil {
					t.Errorf("%s Accept %q: not a workbook: %v", path, tc.accept, err)
				} else {
					x.Close()
				}
			}
		}
		const notAcceptable = "Not acceptable. Supported: application/json, text/csv, " + xlsxType + "."
		for _, a := range []string{"csv;q=0", "csv;q=0, xlsx;q=0, json;q=0", "application/pdf", "pdf, text/html", "csv/csv"} {
			f.refused(t, path, accepting(a), body, http.StatusNotAcceptable, notAcceptable, "")
		}
	}
}

// testUnknownFields: members no endpoint knows are ignored and logged by
// name only; the known ones keep their rules.
func (f *legacyFixture) testUnknownFields(t *testing.T) {
	same := func(path, body, extra string) {
		t.Helper()
		_, want := f.ok(t, path, jsonType(), body)
		with := "{" + extra + "}"
		if body != "{}" {
			with = "{" + extra + ", " + body[1:]
		}
		_, got := f.ok(t, path, jsonType(), with)
		if !bytes.Equal(got, want) {
			t.Errorf("%s with %.60q: the report changed", path, extra)
		}
	}
	same("/reports/bookings-workload", `{}`, f.dates)
	same("/reports/bookings-workload", `{"school_ids": ["`+f.horizonte.ID.String()+`"]}`, f.dates)
	same("/reports/bookings", f.bodies["/reports/bookings"], `"group_ids": ["`+f.spGroup.ID.String()+`"]`)
	same("/reports/questions", f.bodies["/reports/questions"], `"school_ids": ["`+f.manaus.ID.String()+`"], "format": "csv"`)
	same("/v1/reports/groups-usage", f.bodies["/reports/groups-usage"], `"show_students": true, "Show_Teachers": true`)
	// Hostile: a huge value, a deep one, many names, a long name.
	huge := strings.Repeat("A", 900<<10)
	same("/reports/questions", f.bodies["/reports/questions"], `"x": "`+huge+`"`)
	same("/reports/bookings-workload", `{}`, `"deep": `+strings.Repeat(`{"a": [`, 4000)+strings.Repeat(`]}`, 4000))
	same("/reports/bookings-workload", `{}`, strings.Repeat(`"n": 1, `, 5000)+`"n": 2`)
	longName := strings.Repeat("Z", 5000)
	same("/reports/bookings-workload", `{}`, `"`+longName+`": 1, "secret_value_holder": "s3cr3t-do-not-log"`)

	f.refused(t, "/reports/bookings-workload", jsonType(), `{"deep": `+strings.Repeat("[", 10001)+strings.Repeat("]", 10001)+`}`,
		http.StatusBadRequest, "Malformed JSON.", "")
	f.refused(t, "/reports/questions", jsonType(), `{"x": "`+strings.Repeat("A", 1<<20)+`"}`,
		http.StatusRequestEntityTooLarge, "Request body too large.", "")
	f.refused(t, "/reports/questions", jsonType(), `{"legacy": 1, `+f.dates+`, "group_ids": "abc"}`,
		http.StatusBadRequest, "group_ids must be an array of ids.", "group_ids")
	f.refused(t, "/reports/bookings", jsonType(), `{"legacy": 1, "start_date": "yesterday", "end_date": 1}`,
		http.StatusBadRequest, "Invalid start_date: expected milliseconds since the epoch.", "start_date")
	f.refused(t, "/reports/bookings", jsonType(), `{"legacy": 1, `+f.dates+`, "start_date": 1}`,
		http.StatusBadRequest, `Duplicate field "start_date".`, "start_date")
	f.refused(t, "/reports/questions", jsonType(), `{"Start_Date": 1, "end_date": 2}`,
		http.StatusBadRequest, "Missing start_date.", "start_date")

	logs := f.logs.String()
	for _, want := range []string{`"fields":["start_date","end_date"]`, `"fields":["group_ids"]`,
		`"fields":["show_students","Show_Teachers"]`, `"fields":["n"]`, `"msg":"unknown request fields ignored"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	for _, secret := range []string{"s3cr3t-do-not-log", huge[:100], longName[:100], `"format":"csv"`} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a value or a whole name: %.40s", secret)
		}
	}
	if !strings.Contains(logs, `"fields":["`+longName[:64]+`…","secret_value_holder"]`) {
		t.Error("the long name is not logged cut")
	}
}

// testContentTypes: the body is read as JSON whatever the Content-Type;
// a body that is not JSON is refused all the same.
func (f *legacyFixture) testContentTypes(t *testing.T) {
	for path, body := range f.bodies {
		_, want := f.ok(t, path, jsonType(), body)
		for _, ct := range []string{"", "application/x-www-form-urlencoded", "text/plain", "text/plain; charset=utf-8",
			"application/octet-stream", "multipart/form-data", "garbage"} {
			h := http.Header{}
			if ct != "" {
				h.Set("Content-Type", ct)
			}
			if _, got := f.ok(t, path, h, body); !bytes.Equal(got, want) {
				t.Errorf("%s with Content-Type %q: not the report", path, ct)
			}
		}
	}
	for _, tc := range []struct{ ct, body string }{
		{"text/plain", "yes please"},
		{"application/x-www-form-urlencoded", "start_date=1&end_date=2"},
		{"", "<xml/>"},
		{"text/plain", `{"start_date": 1,`},
	} {
		f.refused(t, "/reports/questions", http.Header{"Content-Type": {tc.ct}}, tc.body, http.StatusBadRequest, "Malformed JSON.", "")
	}
	f.refused(t, "/reports/questions", http.Header{"Content-Type": {"text/plain"}}, `["start_date"]`,
		http.StatusBadRequest, "The request body must be a JSON object.", "")
}

// testBooleanStrings: show_teachers and show_disciplines as strings, as
// dates may be; anything else stays refused, naming the field.
func (f *legacyFixture) testBooleanStrings(t *testing.T) {
	const path = "/reports/groups-usage"
	_, yes := f.ok(t, path, jsonType(), f.usage(f.spGroup, `, "show_teachers": true, "show_disciplines": true`))
	_, no := f.ok(t, path, jsonType(), f.usage(f.spGroup, `, "show_teachers": false, "show_disciplines": false`))
	if bytes.Equal(yes, no) {
		t.Fatal("show_teachers and show_disciplines change nothing")
	}
	for value, want := range map[string][]byte{`"true"`: yes, `"1"`: yes, `"True"`: yes, `"TRUE"`: yes, `"t"`: yes,
		`"false"`: no, `"0"`: no, `"False"`: no, `"f"`: no} {
		_, got := f.ok(t, path, jsonType(), f.usage(f.spGroup, `, "show_teachers": `+value+`, "show_disciplines": `+value))
		if !bytes.Equal(got, want) {
			t.Errorf("show_teachers and show_disciplines %s: not the report", value)
		}
	}
	for _, value := range []string{`"yes please"`, `"yes"`, `""`, `" true"`, `"tRue"`, `1`, `"2"`, `["true"]`, `{}`} {
		f.refused(t, path, jsonType(), f.usage(f.spGroup, `, "show_teachers": `+value),
			http.StatusBadRequest, "show_teachers must be a boolean.", "show_teachers")
	}
	f.refused(t, path, jsonType(), f.usage(f.spGroup, `, "show_disciplines": "yes please"`),
		http.StatusBadRequest, "show_disciplines must be a boolean.", "show_disciplines")
}

// testName: groups-usage's name names the download and titles the XLSX
// summary; the JSON and the CSV do not change.
func (f *legacyFixture) testName(t *testing.T) {
	const path = "/reports/groups-usage"
	plain := f.usage(f.spGroup, "")
	named := func(name string) string {
		b, _ := json.Marshal(name)
		return f.usage(f.spGroup, `, "name": `+string(b))
	}
	_, plainJSON := f.ok(t, path, jsonType(), plain)
	_, plainCSV := f.ok(t, path, accepting("csv"), plain)
	for _, tc := range []struct {
		name, disposition, filename, title string
	}{
		{"Relatório 1º bimestre", `attachment; filename="Relatorio 1o bimestre.csv"; filename*=UTF-8''Relat%C3%B3rio%201%C2%BA%20bimestre.csv`,
			"Relatório 1º bimestre.csv", "Relatório 1º bimestre"},
		{"Uso", `attachment; filename="Uso.csv"`, "Uso.csv", "Uso"},
		{"../../etc/passwd", `attachment; filename="_.._etc_passwd.csv"`, "_.._etc_passwd.csv", "../../etc/passwd"},
		{`C:\Windows\win.ini`, `attachment; filename="C__Windows_win.ini.csv"`, "C__Windows_win.ini.csv", `C:\Windows\win.ini`},
		{"a\r\nSet-Cookie: x=1\r\n\r\n<html>", `attachment; filename="a Set-Cookie_ x=1 _html_.csv"`,
			"a Set-Cookie_ x=1 _html_.csv", "a Set-Cookie: x=1 <html>"},
		{`"quoted"; filename=evil.exe`, `attachment; filename="_quoted_; filename=evil.exe.csv"`,
			"_quoted_; filename=evil.exe.csv", `"quoted"; filename=evil.exe`},
		{"fatura\u202eslx.exe", `attachment; filename="fatura_slx.exe.csv"`, "fatura_slx.exe.csv", "fatura slx.exe"},
		{`=HYPERLINK("http://x")`, `attachment; filename="=HYPERLINK(_http___x_).csv"`, "=HYPERLINK(_http___x_).csv",
			`'=HYPERLINK("http://x")`},
		{"...", `attachment; filename="groups-usage-2026-04-30-2026-05-31.csv"`, "groups-usage-2026-04-30-2026-05-31.csv", "..."},
		{strings.Repeat("é", 200), "", strings.Repeat("é", 100) + ".csv", strings.Repeat("é", 200)},
	} {
		resp, gotCSV := f.ok(t, path, accepting("csv"), named(tc.name))
		cd := resp.Header.Get("Content-Disposition")
		if tc.disposition != "" && cd != tc.disposition {
			t.Errorf("name %q: Content-Disposition %q, want %q", tc.name, cd, tc.disposition)
		}
		if _, params, err := mime.ParseMediaType(cd); err != nil || params["filename"] != tc.filename {
			t.Errorf("name %q: file name %q (%v), want %q", tc.name, params["filename"], err, tc.filename)
		}
		if len(resp.Header.Values("Set-Cookie")) > 0 || strings.ContainsAny(cd, "\r\n") {
			t.Errorf("name %q split the header: %q", tc.name, resp.Header)
		}
		if !bytes.Equal(gotCSV, plainCSV) {
			t.Errorf("name %q changed the CSV", tc.name)
		}
		if _, gotJSON := f.ok(t, path, jsonType(), named(tc.name)); !bytes.Equal(gotJSON, plainJSON) {
			t.Errorf("name %q changed the JSON", tc.name)
		}

		resp, raw := f.ok(t, path, accepting("xlsx"), named(tc.name))
		if _, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); params["filename"] != strings.TrimSuffix(tc.filename, ".csv")+".xlsx" {
			t.Errorf("name %q: XLSX file name %q", tc.name, params["filename"])
		}
		x, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Resumo")
		if err != nil || len(rows) < 3 {
			t.Fatalf("name %q: Resumo %v, %v", tc.name, rows, err)
		}
		if len(rows[0]) != 1 || rows[0][0] != tc.title || len(rows[1]) != 0 || rows[2][0] != "Indicador" {
			t.Errorf("name %q: Resumo begins %q, want the title %q, an empty row, the table", tc.name, rows[:3], tc.title)
		}
		if style, _ := x.GetCellStyle("Resumo", "A1"); style == 0 {
			t.Errorf("name %q: the title has no style", tc.name)
		} else if s, _ := x.GetStyle(style); s == nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("name %q: the title is not bold", tc.name)
		}
		x.Close()
	}
	// Without a name, the summary has no title.
	_, raw := f.ok(t, path, accepting("xlsx"), plain)
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if a1, _ := x.GetCellValue("Resumo", "A1"); a1 != "Indicador" {
		t.Errorf("no name: Resumo A1 = %q, want the table's header", a1)
	}
	f.refused(t, path, jsonType(), named(strings.Repeat("../", 3334)), http.StatusBadRequest, "name must be at most 200 characters.", "name")
	f.refused(t, path, jsonType(), f.usage(f.spGroup, `, "name": 42`), http.StatusBadRequest, "name must be a string.", "name")
}

// testFileZones: a download's file name gives the dates the report gives,
// in the same time zone.
func (f *legacyFixture) testFileZones(t *testing.T) {
	filename := func(path, body, format string) string {
		t.Helper()
		resp, _ := f.ok(t, path, accepting(format), body)
		_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil {
			t.Fatal(err)
		}
		return params["filename"]
	}
	// May 2026 in UTC is 30 April 21:00 to 31 May 21:00 in São Paulo, 20:00
	// in Manaus: the report says 30/04/2026 to 31/05/2026.
	for _, g := range []*ent.Group{f.spGroup, f.amGroup} {
		body := f.usage(g, "")
		_, raw := f.ok(t, "/reports/groups-usage", jsonType(), body)
		var doc struct {
			StartDate string `json:"start_date"`
			EndDate   string `json:"end_date"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.StartDate != "30/04/2026" || doc.EndDate != "31/05/2026" {
			t.Errorf("group %s: the report says %s to %s", g.Name, doc.StartDate, doc.EndDate)
		}
		for _, format := range []string{"csv", "xlsx"} {
			if got, want := filename("/reports/groups-usage", body, format), "groups-usage-2026-04-30-2026-05-31."+format; got != want {
				t.Errorf("group %s: file %q, want %q", g.Name, got, want)
			}
		}
	}

	// Bookings: in the zone of the schools when they share one, else UTC.
	for _, tc := range []struct {
		schools, want string
	}{
		{`"` + f.horizonte.ID.String() + `"`, "bookings-2026-04-30-2026-05-31.csv"},
		{`"` + f.manaus.ID.String() + `"`, "bookings-2026-04-30-2026-05-31.csv"},
		{`"` + f.horizonte.ID.String() + `", "` + f.manaus.ID.String() + `"`, "bookings-2026-05-01-2026-06-01.csv"},
		{``, "bookings-2026-05-01-2026-06-01.csv"},
	} {
		body := `{` + f.dates + `, "school_ids": [` + tc.schools + `]}`
		if got := filename("/reports/bookings", body, "csv"); got != tc.want {
			t.Errorf("schools [%s]: file %q, want %q", tc.schools, got, tc.want)
		}
	}
	// Questions give their dates in UTC, and so does their file name.
	if got, want := filename("/reports/questions", f.bodies["/reports/questions"], "csv"), "questions-2026-05-01-2026-06-01.csv"; got != want {
		t.Errorf("questions: file %q, want %q", got, want)
	}
}
