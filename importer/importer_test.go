package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/migrate"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const exampleDir = "../testdata/import/example"

// now is the fixed present of the example: Monday 15 June 2026, 15:00 UTC.
var now = time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC)

// The example's ids used by the tests.
const (
	school1   = "1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f01"
	school2   = "1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f02"
	group1    = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a01"
	group3    = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a03"
	student5  = "3c8d5e74-af60-4d9c-9e3a-4c7d9f1a2b05"
	teacher2  = "3c8d5e74-af60-4d9c-9e3a-4c7d9f1a2b02"
	question2 = "5eaf7096-c182-4fbe-9a5c-6e9f1b3c4d02"
	question6 = "5eaf7096-c182-4fbe-9a5c-6e9f1b3c4d06"
	unknownID = "99999999-9999-4999-8999-999999999999"
)

func checksum(t *testing.T, d *db.DB) string {
	t.Helper()
	sum, err := seed.Checksum(context.Background(), d.SQL)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func mustImport(t *testing.T, d *db.DB, dir string) Summary {
	t.Helper()
	sum, err := Import(context.Background(), d, dir, nil)
	if err != nil {
		t.Fatalf("Import(%s): %v", dir, err)
	}
	return sum
}

// writeDir writes files (name → content) into a new temporary directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyExample copies the example into a new temporary directory, applying
// edit (old → new text) to the named file.
func copyExample(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(exampleDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			if !bytes.Contains(b, []byte(old)) {
				t.Fatalf("%s has no %q", file, old)
			}
			b = bytes.Replace(b, []byte(old), []byte(new), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func tableCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range migrate.Tables {
		var n int
		if err := d.SQL.QueryRow(`SELECT COUNT(*) FROM "` + table.Name + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table.Name] = n
	}
	return counts
}

var everything = &auth.Principal{Name: "test", Scope: auth.ScopeAll, RevealAnonymous: true}

var (
	allFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	allTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// checkGolden compares the legacy JSON of rows, indented, with the golden
// file name (rewritten with -update).
func checkGolden(t *testing.T, name string, cols []export.Column, rows export.Rows) {
	t.Helper()
	var buf, out bytes.Buffer
	if err := export.WriteJSON(&buf, cols, rows); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	path := filepath.Join("..", "testdata", "import", name)
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./importer -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("%s differs from the report:\n%s", path, out.String())
	}
}

func TestImportExample(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		var log bytes.Buffer
		sum, err := Import(ctx, d, exampleDir, progress.New(&log))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total() != 58 || len(sum.Files) != len(Files) {
			t.Errorf("summary: %v", sum)
		}
		for _, f := range Files {
			for _, pass := range []string{"check ", "import "} {
				if !strings.Contains(log.String(), pass+f+": ") {
					t.Errorf("no progress for %s%s in:\n%s", pass, f, log.String())
				}
			}
		}
		want := map[string]int{
			"schools": 2, "disciplines": 3, "subjects": 4, "groups": 3, "users": 9, "booking_rooms": 3,
			"group_students": 6, "group_teachers": 5, "user_disciplines": 4, "booking_room_disciplines": 6,
			"questions": 7, "bookings": 9, "availability_slots": 4, "nps_answers": 3, "api_tokens": 0,
		}
		if got := tableCounts(t, d); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("counts = %v\nwant     %v", got, want)
		}

		// Response times, as the ent hook would have computed them: Friday
		// 21:50 to Monday 07:10 in São Paulo is 920 service minutes; Saturday
		// 11:00 to Monday 09:00 in Manaus (Mon–Fri 08–18) is 60.
		for id, want := range map[string][2]float64{question2: {3440, 920}, question6: {2760, 60}} {
			var resp, adj float64
			if err := d.SQL.QueryRow(`SELECT response_minutes, adjusted_response_minutes FROM questions WHERE id = `+
				placeholder(d.Dialect, 1), id).Scan(&resp, &adj); err != nil {
				t.Fatal(err)
			}
			if resp != want[0] || adj != want[1] {
				t.Errorf("question %s: response %v, adjusted %v; want %v", id, resp, adj, want)
			}
		}

		qs, err := report.Questions(ctx, d, everything, report.QuestionsInput{From: allFrom, To: allTo})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "questions.golden.json", export.QuestionColumns, report.LegacyRows(qs,
			func(r *report.QuestionRow) []any { return r.Legacy(report.DefaultPortalURL) }))
		bs, err := report.Bookings(ctx, d, everything, report.BookingsInput{From: allFrom, To: allTo}, now)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "bookings.golden.json", export.BookingColumns, report.LegacyRows(bs, (*report.BookingRow).Legacy))

		// Importing again changes nothing.
		before := checksum(t, d)
		if again := mustImport(t, d, exampleDir); again.Total() != sum.Total() {
			t.Errorf("second import: %v", again)
		}
		if after := checksum(t, d); after != before {
			t.Error("re-importing the example changed the database")
		}

		// A changed record is updated, and its response times recomputed.
		changed := copyExample(t, FileQuestions, `"answered_at":"2026-06-15T07:10:00-03:00"`, `"answered_at":"2026-06-15T08:10:00-03:00"`)
		mustImport(t, d, changed)
		var adj float64
		if err := d.SQL.QueryRow(`SELECT adjusted_response_minutes FROM questions WHERE id = `+placeholder(d.Dialect, 1),
			question2).Scan(&adj); err != nil {
			t.Fatal(err)
		}
		if adj != 980 {
			t.Errorf("adjusted response minutes after the update = %v, want 980", adj)
		}
		renamed := copyExample(t, FileSchools, "Colégio Horizonte", "Colégio Horizonte Azul")
		mustImport(t, d, renamed)
		var name string
		if err := d.SQL.QueryRow(`SELECT name FROM schools WHERE id = `+placeholder(d.Dialect, 1), school1).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name != "Colégio Horizonte Azul" {
			t.Errorf("school name = %q after the update", name)
		}
		// And the original brings the database back to where it was.
		mustImport(t, d, exampleDir)
		if checksum(t, d) != before {
			t.Error("re-importing the original example did not restore the database")
		}
	})
}

// TestImportIntoExistingData imports the example into a database holding
// the seed's demo: the ids are distinct, the disciplines 1–3 are updated.
func TestImportIntoExistingData(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := seed.Demo(ctx, d.Client); err != nil {
			t.Fatal(err)
		}
		before := tableCounts(t, d)
		mustImport(t, d, exampleDir)
		after := tableCounts(t, d)
		if after["questions"] != before["questions"]+7 || after["bookings"] != before["bookings"]+9 {
			t.Errorf("counts %v → %v", before, after)
		}
		sum := checksum(t, d)
		mustImport(t, d, exampleDir)
		if checksum(t, d) != sum {
			t.Error("re-import over the demo changed the database")
		}
	})
}

// A valid line of each file, referring to the example's entities.
const (
	okGroup    = `{"id":"2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09","name":"Turma Nova","school_id":"` + school1 + `"}`
	okQuestion = `{"id":"5eaf7096-c182-4fbe-9a5c-6e9f1b3c4d99","student_id":"` + student5 + `","group_id":"` + group1 +
		`","discipline_id":1,"created_at":"2026-06-14T10:00:00Z"}`
)

// question returns a question line of the example's group 1 with extra fields.
func question(extra string) string {
	return strings.TrimSuffix(okQuestion, "}") + extra + "}"
}

// booking returns a booking of student 5 in group 1 with extra fields.
func booking(extra string) string {
	return `{"id":"6fb081a7-d293-4acf-8b6d-7fa02c4d5e99","school_id":"` + school1 + `","group_id":"` + group1 +
		`","student_id":"` + student5 + `","discipline_id":1,"created_at":"2026-06-10T10:00:00Z"` + extra + `}`
}

func TestImportRejects(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"unknown field", map[string]string{FileGroups: strings.TrimSuffix(okGroup, "}") + `,"colour":"azul"}`},
			[]string{`groups.ndjson:1: colour: unknown field`}},
		{"wrong type", map[string]string{FileDisciplines: `{"id":7,"name":7}`},
			[]string{`disciplines.ndjson:1: name: expected string, got number`}},
		{"fractional id", map[string]string{FileDisciplines: `{"id":7.5,"name":"Artes"}`},
			[]string{`disciplines.ndjson:1: id: expected integer, got number 7.5`}},
		{"not an object", map[string]string{FileDisciplines: `[7,"Artes"]`},
			[]string{`disciplines.ndjson:1: expected a JSON object, got array`}},
		{"invalid JSON", map[string]string{FileDisciplines: "{\"id\":7,\"name\":\"Artes\"}\n{\"id\":8,"},
			[]string{`disciplines.ndjson:2: invalid JSON: unexpected end of line`}},
		{"two objects on a line", map[string]string{FileDisciplines: `{"id":7,"name":"Artes"} {"id":8,"name":"Música"}`},
			[]string{`disciplines.ndjson:1: unexpected data after the JSON object`}},
		{"missing required field", map[string]string{FileUsers: `{"id":"` + unknownID + `","first_name":"Pedro","role":"STUDENT","created_at":"2026-01-01T00:00:00Z"}`},
			[]string{`users.ndjson:1: email: required field is missing`}},
		{"empty name", map[string]string{FileGroups: strings.Replace(okGroup, "Turma Nova", " ", 1)},
			[]string{`groups.ndjson:1: name: must not be empty`}},
		{"bad enum", map[string]string{FileUsers: `{"id":"` + unknownID + `","first_name":"Pedro","email":"p@x.br","role":"ALUNO","created_at":"2026-01-01T00:00:00Z"}`},
			[]string{`users.ndjson:1: role: invalid value "ALUNO" (want one of STUDENT, TEACHER, STAFF)`}},
		{"bad membership role", map[string]string{FileMemberships: `{"group_id":"` + group1 + `","user_id":"` + student5 + `","role":"aluno"}`},
			[]string{`memberships.ndjson:1: role: invalid value "aluno" (want one of student, teacher)`}},
		{"malformed id", map[string]string{FileGroups: strings.Replace(okGroup, "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09", "turma-1", 1)},
			[]string{`groups.ndjson:1: id: malformed id "turma-1" (want a UUID)`}},
		{"malformed time", map[string]string{FileQuestions: strings.Replace(okQuestion, "2026-06-14T10:00:00Z", "14/06/2026 10:00", 1)},
			[]string{`questions.ndjson:1: created_at: not an RFC 3339 time: "14/06/2026 10:00"`}},
		{"dangling group", map[string]string{FileQuestions: strings.Replace(okQuestion, group1, unknownID, 1)},
			[]string{`questions.ndjson:1: group_id: group ` + unknownID + ` is neither in the import nor in the database`}},
		{"dangling discipline", map[string]string{FileUsers: `{"id":"` + unknownID + `","first_name":"Pedro","email":"p@x.br","role":"TEACHER","created_at":"2026-01-01T00:00:00Z","discipline_ids":[1,77]}`},
			[]string{`users.ndjson:1: discipline_ids[1]: discipline 77 is neither in the import nor in the database`}},
		{"dangling user of a membership", map[string]string{FileMemberships: `{"group_id":"` + group1 + `","user_id":"` + unknownID + `","role":"student"}`},
			[]string{`memberships.ndjson:1: user_id: user ` + unknownID + ` is neither in the import nor in the database`}},
		{"answered before created", map[string]string{FileQuestions: question(`,"answered_at":"2026-06-14T09:59:59Z"`)},
			[]string{`questions.ndjson:1: answered_at: before created_at`}},
		{"reply without answer", map[string]string{FileQuestions: question(`,"reply_created_at":"2026-06-14T11:00:00Z"`)},
			[]string{`questions.ndjson:1: reply_created_at: set without answered_at`}},
		{"answer rating", map[string]string{FileQuestions: question(`,"answered_at":"2026-06-14T11:00:00Z","answer_rating":6`)},
			[]string{`questions.ndjson:1: answer_rating: 6 out of range [1, 5]`}},
		{"subject of another discipline", map[string]string{FileQuestions: question(`,"subject_id":21`)},
			[]string{`questions.ndjson:1: subject_id: subject 21 belongs to discipline 2, not 1`}},
		{"meeting ends before it starts", map[string]string{FileBookings: booking(`,"meeting_started_at":"2026-06-11T10:00:00Z","meeting_ended_at":"2026-06-11T09:00:00Z"`)},
			[]string{`bookings.ndjson:1: meeting_ended_at: before meeting_started_at`}},
		{"left the queue before queueing", map[string]string{FileBookings: booking(`,"queued_at":"2026-06-11T10:00:00Z","left_queue_at":"2026-06-11T09:59:00Z"`)},
			[]string{`bookings.ndjson:1: left_queue_at: before queued_at`}},
		{"rating out of range", map[string]string{FileBookings: booking(`,"rating_by_student":5.5,"call_quality_rating_by_teacher":4.25`)},
			[]string{`bookings.ndjson:1: rating_by_student: 5.5 out of range [0, 5]`,
				`bookings.ndjson:1: call_quality_rating_by_teacher: 4.25 has more than one decimal`}},
		{"booking school is not the group's", map[string]string{FileBookings: strings.Replace(booking(""), `"school_id":"`+school1, `"school_id":"`+school2, 1)},
			[]string{`bookings.ndjson:1: school_id: ` + school2 + ` is not the school of group ` + group1 + ` (its school is ` + school1 + `)`}},
		{"group changes school", map[string]string{FileGroups: `{"id":"` + group3 + `","name":"1º Ano Manhã","school_id":"` + school1 + `"}`},
			[]string{`groups.ndjson:1: school_id: group ` + group3 + ` belongs to school ` + school2 + ` in the database; a group cannot change school`}},
		{"nps score", map[string]string{FileNPSAnswers: `{"id":"` + unknownID + `","user_id":"` + student5 + `","kind":"PLATFORM","score":11,"created_at":"2026-06-01T00:00:00Z"}`},
			[]string{`nps_answers.ndjson:1: score: 11 out of range [0, 10]`}},
		{"slot ends before it starts", map[string]string{FileAvailabilitySlots: `{"id":"` + unknownID + `","teacher_id":"` + teacher2 + `","booking_room_id":"4d9e6f85-b071-4ead-8f4b-5d8e0a2b3c01","discipline_id":1,"weekday":7,"start_minute":600,"end_minute":540}`},
			[]string{`availability_slots.ndjson:1: weekday: 7 out of range [0, 6]`, `availability_slots.ndjson:1: end_minute: not after start_minute`}},
		{"bad time zone", map[string]string{FileSchools: `{"id":"` + unknownID + `","name":"Escola","timezone":"America/Recife_Norte"}`},
			[]string{`schools.ndjson:1: timezone: unknown IANA time zone "America/Recife_Norte"`}},
		{"duplicate id", map[string]string{FileGroups: okGroup + "\n" + okGroup},
			[]string{`groups.ndjson:2: id: duplicate id 2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09 (first on line 1)`}},
		{"unknown file", map[string]string{"question.ndjson": okQuestion},
			[]string{`question.ndjson: unknown file (expected one of ` + strings.Join(Files, ", ") + `)`}},
		{"too long a line", map[string]string{FileDisciplines: `{"id":7,"name":"` + strings.Repeat("a", MaxLineSize) + `"}`},
			[]string{fmt.Sprintf(`disciplines.ndjson:1: line longer than %d bytes`, MaxLineSize)}},
		{"errors in several files, in file order", map[string]string{
			FileQuestions: question(`,"answered_at":"2026-06-14T09:00:00Z"`),
			FileGroups:    okGroup + "\n" + strings.Replace(okGroup, "1a09", "1a10", 1) + "\n" + `{"id":"2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a11","name":"X"}`},
			[]string{`groups.ndjson:3: school_id: required field is missing`, `questions.ndjson:1: answered_at: before created_at`}},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mustImport(t, d, exampleDir)
		before := checksum(t, d)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantRejected(t, d, tc.files, tc.want, before)
			})
		}
	})
}

// TestImportReferencesImportAndDatabase checks that a record may refer to
// entities of the same import and of the database together.
func TestImportReferencesImportAndDatabase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		mustImport(t, d, exampleDir)
		dir := writeDir(t, map[string]string{
			FileGroups:      okGroup,
			FileMemberships: `{"group_id":"2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09","user_id":"` + student5 + `","role":"student"}`,
			// The school is only in the database: its zone and hours come
			// from there. The question appears twice: the last line wins.
			FileQuestions: strings.Replace(okQuestion, group1, "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09", 1) + "\n" +
				strings.Replace(question(`,"answered_at":"2026-06-15T11:00:00Z","description":"Segunda versão"`),
					group1, "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a09", 1),
		})
		sum := mustImport(t, d, dir)
		if sum.Total() != 4 {
			t.Errorf("summary %v", sum)
		}
		// Sunday 10:00 UTC to Monday 11:00 UTC (08:00 in São Paulo): 60
		// service minutes of 1500.
		var resp, adj float64
		var desc string
		if err := d.SQL.QueryRow(`SELECT response_minutes, adjusted_response_minutes, description FROM questions WHERE id = `+
			placeholder(d.Dialect, 1), "5eaf7096-c182-4fbe-9a5c-6e9f1b3c4d99").Scan(&resp, &adj, &desc); err != nil {
			t.Fatal(err)
		}
		if resp != 1500 || adj != 60 || desc != "Segunda versão" {
			t.Errorf("response %v, adjusted %v, description %q", resp, adj, desc)
		}
	})
}

func TestManyErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		var b strings.Builder
		for i := range 150 {
			fmt.Fprintf(&b, `{"id":%d,"name":""}`+"\n", i+1)
		}
		before := checksum(t, d)
		_, err := Import(context.Background(), d, writeDir(t, map[string]string{FileDisciplines: b.String()}), nil)
		var errs *Errors
		if !errors.As(err, &errs) {
			t.Fatalf("err = %v", err)
		}
		if len(errs.List) != MaxErrors || errs.More != 50 {
			t.Errorf("%d errors listed, %d more; want %d and 50", len(errs.List), errs.More, MaxErrors)
		}
		for i, e := range errs.List {
			if e.Line != i+1 || e.Field != "name" {
				t.Errorf("error %d: %v", i, e)
			}
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "import rejected, nothing written: 150 errors\ndisciplines.ndjson:1: name: must not be empty\n") ||
			!strings.HasSuffix(msg, "\ndisciplines.ndjson:100: name: must not be empty\nand 50 more") {
			t.Errorf("message:\n%s", msg)
		}
		if checksum(t, d) != before {
			t.Error("a rejected import changed the database")
		}
	})
}

// TestFailureMidway kills the write pass after K records: nothing is left
// behind, whether the database was empty or held an earlier import.
func TestFailureMidway(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, k := range []int{1, 12, 30, 57} {
			before := checksum(t, d)
			_, err := importDir(ctx, d, exampleDir, nil, options{failAfterRows: k})
			if !errors.Is(err, errSimulated) {
				t.Fatalf("K=%d: err = %v, want the simulated failure", k, err)
			}
			if checksum(t, d) != before {
				t.Fatalf("K=%d: the failed import left rows behind", k)
			}
		}
		mustImport(t, d, exampleDir)
		changed := copyExample(t, FileBookings, `"rating_by_student":4.5`, `"rating_by_student":3.5`)
		before := checksum(t, d)
		if _, err := importDir(ctx, d, changed, nil, options{failAfterRows: 50}); !errors.Is(err, errSimulated) {
			t.Fatalf("err = %v", err)
		}
		if checksum(t, d) != before {
			t.Fatal("the failed re-import changed the database")
		}
		if tableCounts(t, d)["questions"] != 7 {
			t.Error("questions lost")
		}
	})
}

func TestMissingDirectory(t *testing.T) {
	d := testdb.SQLite(t)
	if _, err := Import(context.Background(), d, filepath.Join(t.TempDir(), "nope"), nil); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestEmptyDirectory(t *testing.T) {
	d := testdb.SQLite(t)
	sum, err := Import(context.Background(), d, t.TempDir(), nil)
	if err != nil || sum.Total() != 0 {
		t.Errorf("sum %v, err %v", sum, err)
	}
}

// wantRejected imports files into d and checks that the import is refused
// with exactly the errors want, and that d still has the checksum before.
func wantRejected(t *testing.T, d *db.DB, files map[string]string, want []string, before string) {
	t.Helper()
	_, err := Import(context.Background(), d, writeDir(t, files), nil)
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want *Errors", err)
	}
	var got []string
	for _, e := range errs.List {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if checksum(t, d) != before {
		t.Error("a rejected import changed the database")
	}
}
