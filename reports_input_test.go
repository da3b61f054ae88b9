package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
)

// wholeDemo is a body whose period holds the whole demo.
var wholeDemo = fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms("2020-01-01T00:00:00Z"), ms("2030-01-01T00:00:00Z"))

type errorBody struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// TestReportBadInput sends each kind of bad request to the endpoints and
// checks the status and message, in the public API's error shape.
func TestReportBadInput(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		schools := d.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx)
		mine, other := schools[0], schools[1]
		otherGroup := other.QueryGroups().FirstX(ctx)
		scoped := s.newToken(t, auth.TokenSpec{Name: "scoped", Schools: []gid.SchoolID{mine.ID}})
		missing := "6f1c0c8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f"
		dates := fmt.Sprintf(`"start_date": %d, "end_date": %d`, ms("2026-01-01T00:00:00Z"), ms("2026-02-01T00:00:00Z"))

		for _, tc := range []struct {
			name, path, token, accept, body string
			status                          int
			message                         string
		}{
			{"malformed JSON", "/reports/questions", s.token, "", `{"start_date": `, 400, "Malformed JSON."},
			{"missing start_date", "/reports/questions", s.token, "", `{"end_date": 1}`, 400, "Missing start_date."},
			{"date not a number", "/reports/bookings", s.token, "", `{"start_date": "abc", "end_date": 1}`, 400,
				"Invalid start_date: expected milliseconds since the epoch."},
			{"start after end", "/reports/questions", s.token, "", `{"start_date": 2000, "end_date": 1000}`, 400,
				"start_date is after end_date."},
			{"group_ids not an array", "/reports/questions", s.token, "", `{` + dates + `, "group_ids": "abc"}`, 400,
				"group_ids must be an array of ids."},
			{"malformed id", "/reports/bookings", s.token, "", `{` + dates + `, "school_ids": ["nope"]}`, 400,
				"Invalid school id."},
			{"unknown field ignored, known one checked", "/reports/questions", s.token, "", `{` + dates + `, "groups": [], "group_ids": [1]}`, 400,
				"Invalid group id."},
			{"groups usage without groups", "/reports/groups-usage", s.token, "", `{` + dates + `}`, 400, "Missing group_ids."},
			{"school out of scope", "/reports/bookings", scoped, "", `{` + dates + `, "school_ids": ["` + other.ID.String() + `"]}`,
				403, "Forbidden."},
			{"school that does not exist", "/reports/bookings", scoped, "", `{` + dates + `, "school_ids": ["` + missing + `"]}`,
				403, "Forbidden."},
			{"group out of scope", "/v1/reports/groups-usage", scoped, "", `{` + dates + `, "group_ids": ["` + otherGroup.ID.String() + `"]}`,
				403, "Forbidden."},
			{"group that does not exist", "/v1/reports/groups-usage", scoped, "", `{` + dates + `, "group_ids": ["` + missing + `"]}`,
				403, "Forbidden."},
			{"html wanted", "/reports/bookings-workload", s.token, "text/html", `{}`, 406,
				"Not acceptable. Supported: application/json, text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."},
			{"body over 1 MiB", "/reports/questions", s.token, "", `{"start_date": 1, "end_date": 2, "group_ids": ["` +
				strings.Repeat("a", 1<<20) + `"]}`, 413, "Request body too large."},
			{"no token", "/reports/questions", "", "", wholeDemo, 401, "Unauthorized."},
			{"unknown token", "/reports/questions", "stift_nope", "", wholeDemo, 401, "Unauthorized."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := s.post(t, tc.path, tc.token, tc.accept, tc.body)
				var e errorBody
				if err := json.Unmarshal(body, &e); err != nil {
					t.Fatalf("body %q: %v", body, err)
				}
				if resp.StatusCode != tc.status || e.Error.Code != tc.status || e.Error.Message != tc.message {
					t.Errorf("got %d %+v, want %d %q", resp.StatusCode, e.Error, tc.status, tc.message)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type = %q", ct)
				}
			})
		}
		// Out of scope and non-existent are indistinguishable, byte for byte.
		_, a := s.post(t, "/reports/bookings", scoped, "", `{`+dates+`, "school_ids": ["`+other.ID.String()+`"]}`)
		_, b := s.post(t, "/reports/bookings", scoped, "", `{`+dates+`, "school_ids": ["`+missing+`"]}`)
		if !bytes.Equal(a, b) {
			t.Errorf("403 bodies differ: %s vs %s", a, b)
		}
	})
}

// TestFormulaCellsAreNeutralised: descriptions that a spreadsheet would run
// as formulas are quoted in CSV and XLSX, and left alone in JSON.
func TestFormulaCellsAreNeutralised(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		_, jsonBody := s.post(t, "/reports/questions", s.token, "", wholeDemo)
		var rows []map[string]any
		if err := json.Unmarshal(jsonBody, &rows); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{} // question id -> raw description
		for _, r := range rows {
			desc := r["question_description"].(string)
			if desc != "" && strings.ContainsRune("=+-@\t\r", rune(desc[0])) {
				want[r["question_id"].(string)] = desc
			}
		}
		for _, c := range "=+-@\t\r" {
			found := false
			for _, desc := range want {
				found = found || strings.HasPrefix(desc, string(c))
			}
			if !found {
				t.Errorf("no description in the demo starts with %q", c)
			}
		}
		_, csvBody := s.post(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		records, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := indexOf(records[0], "question_description")
		checked := 0
		for _, rec := range records[1:] {
			if desc, ok := want[rec[0]]; ok {
				checked++
				if rec[col] != "'"+desc {
					t.Errorf("CSV cell %q, want %q", rec[col], "'"+desc)
				}
			}
			if rating := rec[indexOf(records[0], "answer_rating")]; strings.HasPrefix(rating, "'") {
				t.Errorf("a number was quoted: %q", rating)
			}
		}
		_, xlsxBody := s.post(t, "/reports/questions", s.token, xlsxType, wholeDemo)
		f, err := excelize.OpenReader(bytes.NewReader(xlsxBody))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		xrows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range xrows[1:] {
			if desc, ok := want[row[0]]; ok {
				checked++
				if row[col] != "'"+desc {
					t.Errorf("XLSX cell %q, want %q", row[col], "'"+desc)
				}
				// The rating column holds a number cell, not text.
				cell, _ := excelize.CoordinatesToCellName(indexOf(records[0], "answer_rating")+1, i+2)
				if v, _ := f.GetCellValue(f.GetSheetList()[0], cell); v != "" {
					if typ, _ := f.GetCellType(f.GetSheetList()[0], cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
						t.Errorf("rating cell %s is of type %v", cell, typ)
					}
				}
			}
		}
		if checked != 2*len(want) || len(want) == 0 {
			t.Errorf("checked %d cells for %d descriptions", checked, len(want))
		}
	})
}

func indexOf(row []string, s string) int {
	for i, v := range row {
		if v == s {
			return i
		}
	}
	panic("no column " + s)
}

// TestAnonymousQuestions: an ordinary token sees "Anônimo" and no student
// id or e-mail on anonymous questions; a reveal-anonymous token sees them.
func TestAnonymousQuestions(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ordinary := s.newToken(t, auth.TokenSpec{Name: "ordinary"})
		for _, tc := range []struct {
			name   string
			token  string
			masked bool
		}{{"ordinary", ordinary, true}, {"reveal", s.token, false}} {
			t.Run(tc.name, func(t *testing.T) {
				for _, accept := range []string{"", "text/csv"} {
					_, body := s.post(t, "/reports/questions", tc.token, accept, wholeDemo)
					rows := decodeRows(t, accept, body)
					anonymous := 0
					for _, r := range rows {
						if r["question_anonymous"] != "true" {
							if r["student_name"] == "Anônimo" {
								t.Fatalf("a named question is masked: %v", r)
							}
							continue
						}
						anonymous++
						masked := r["student_name"] == "Anônimo" && r["student_id"] == "" && r["student_email"] == ""
						if masked != tc.masked {
							t.Fatalf("anonymous question %s: masked=%v, want %v", r["question_id"], masked, tc.masked)
						}
					}
					if anonymous == 0 {
						t.Fatal("the demo has no anonymous question")
					}
				}
			})
		}
	})
}

// decodeRows reads a tabular report in JSON or CSV into maps of text.
func decodeRows(t *testing.T, accept string, body []byte) []map[string]string {
	t.Helper()
	var out []map[string]string
	if accept == "text/csv" {
		records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range records[1:] {
			m := map[string]string{}
			for i, k := range records[0] {
				m[k] = rec[i]
			}
			out = append(out, m)
		}
		return out
	}
	var rows []map[string]any
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		m := map[string]string{}
		for k, v := range r {
			m[k] = fmt.Sprint(v)
		}
		out = append(out, m)
	}
	return out
}

// TestGroupsUsageOptions: teachers and disciplines only when asked for,
// subjects most asked first, and null averages for a period with nothing.
func TestGroupsUsageOptions(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		g := d.Client.Group.Query().Order(ent.Asc(group.FieldName)).FirstX(ctx)
		body := func(from, to string, flags string) string {
			return fmt.Sprintf(`{"start_date": %d, "end_date": %d, "group_ids": ["%s"]%s}`, ms(from), ms(to), g.ID, flags)
		}
		for _, tc := range []struct {
			flags             string
			teachers, discipl bool
		}{
			{"", false, false},
			{`, "show_teachers": true`, true, false},
			{`, "show_disciplines": true`, false, true},
			{`, "show_teachers": true, "show_disciplines": true`, true, true},
		} {
			resp, raw := s.post(t, "/reports/groups-usage", s.token, "", body("2025-06-01T00:00:00Z", "2026-06-15T00:00:00Z", tc.flags))
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", tc.flags, resp.StatusCode, raw)
			}
			var doc map[string]json.RawMessage
			json.Unmarshal(raw, &doc)
			_, hasT := doc["teachers"]
			_, hasD := doc["disciplines"]
			if hasT != tc.teachers || hasD != tc.discipl {
				t.Errorf("flags %q: teachers %v, disciplines %v", tc.flags, hasT, hasD)
			}
			if hasD {
				var ds []json.RawMessage
				json.Unmarshal(doc["disciplines"], &ds)
				for _, dj := range ds {
					var disc struct {
						TopSubjects json.RawMessage `json:"top_subjects"`
					}
					json.Unmarshal(dj, &disc)
					counts := objectValues(t, disc.TopSubjects)
					for i := 1; i < len(counts); i++ {
						if counts[i] > counts[i-1] {
							t.Errorf("top_subjects not in descending order: %s", disc.TopSubjects)
						}
					}
				}
			}
		}
		// A period before the demo's first question, when the group had its
		// teachers (a period before them would list none): nothing to count
		// or average.
		_, raw := s.post(t, "/reports/groups-usage", s.token, "", body("2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", `, "show_teachers": true, "show_disciplines": true`))
		for _, want := range []string{`"total_questions":0`, `"teachers":[{`, `"average_adjusted_response_time_in_minutes":null`,
			`"average_answer_rating":null`, `"average_nps":null`, `"average_response_time_nps":null`,
			`"nps_answers":[]`, `"answer_ratings":[]`, `"questions_count_by_discipline":{}`, `"disciplines":[]`,
			`"active_users_percentage":0`, `"average_response_time_in_minutes":null`} {
			if !bytes.Contains(raw, []byte(want)) {
				t.Errorf("empty period: no %s in %.400s", want, raw)
			}
		}
	})
}

// objectValues returns the numbers of a JSON object of counts, in order.
func objectValues(t *testing.T, raw []byte) []float64 {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token()
	var out []float64
	for dec.More() {
		dec.Token()
		var v float64
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// FuzzReportBodies sends arbitrary bodies to every endpoint: whatever
// comes in, the answer is never a 5xx, and errors keep the API's shape.
func FuzzReportBodies(f *testing.F) {
	for _, seed := range []string{wholeDemo, `{}`, `[]`, `null`, `{"start_date": "1", "end_date": "2"}`,
		`{"start_date": 1e400, "end_date": -1}`, `{"group_ids": [1, 2]}`, `{"school_ids": null}`,
		`{"start_date": 0, "end_date": 0, "group_ids": ["00000000-0000-0000-0000-000000000000"]}`, "\x00\xff"} {
		f.Add(seed)
	}
	d := testdb.SQLite(f)
	s := newReportServer(f, d, Config{})
	paths := []string{"/reports/questions", "/reports/bookings", "/reports/bookings-workload", "/reports/groups-usage"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			resp, raw := s.post(t, p, s.token, "", body)
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %q: %d %s", p, body, resp.StatusCode, raw)
			}
			if resp.StatusCode != http.StatusOK {
				var e errorBody
				if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code != resp.StatusCode {
					t.Fatalf("%s %q: error body %s", p, body, raw)
				}
			}
		}
	})
}

// TestReportMethods: a report route answers other methods with 405 and
// Allow: POST, in the error shape; the OpenAPI document is served.
func TestReportMethods(t *testing.T) {
	t.Parallel()
	s := newReportServer(t, testdb.SQLite(t), Config{})
	for _, path := range []string{"/reports/questions", "/v1/reports/groups-usage"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || !strings.Contains(body, `"code":405`) {
			t.Errorf("GET %s = %d %q %s", path, resp.StatusCode, resp.Header.Get("Allow"), body)
		}
	}
	resp, err := http.Get(s.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"openapi"`) {
		t.Errorf("GET /openapi.json = %d", resp.StatusCode)
	}
}
