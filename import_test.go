package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/importer"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// TestImportThenReport imports the example export and asks the REST
// endpoints for its questions and bookings: they must equal the goldens
// the importer's own tests keep (indented), on SQLite and PostgreSQL.
func TestImportThenReport(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		if _, err := importer.Import(context.Background(), d, filepath.Join("testdata", "import", "example"), nil); err != nil {
			t.Fatal(err)
		}
		s := startReportServer(t, d, Config{})
		for _, name := range []string{"questions", "bookings"} {
			resp, body := s.post(t, "/reports/"+name, s.token, "", wholeDemo)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
			}
			var got bytes.Buffer
			if err := json.Indent(&got, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n') // as the importer's tests write it
			want, err := os.ReadFile(filepath.Join("testdata", "import", name+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from the golden:\n%.600s", name, got.String())
			}
		}
	})
}

// TestImportCommandRefusesHostile runs `stift-reports import` over the
// example, then over copies of it with one hostile edit each, on each
// database: every copy is refused naming file, line and field, nothing is
// written, and the reports still answer as before over HTTP — on
// PostgreSQL a min_cancel_hours of 2⁶³−1 once made every bookings report
// of its school fail with "interval out of range".
func TestImportCommandRefusesHostile(t *testing.T) {
	t.Parallel()
	example := filepath.Join("testdata", "import", "example")
	const (
		group1 = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a01" // of school 1
		group3 = "2b7c4d63-9e5f-4c8b-8d2f-3b6c8e0f1a03" // of school 2
	)
	cases := []struct {
		name, file, old, new string
		want                 string
	}{
		{"min_cancel_hours beyond an interval", "schools.ndjson", `"min_cancel_hours":24`, `"min_cancel_hours":9223372036854775807`,
			"schools.ndjson:1: min_cancel_hours: 9223372036854775807 out of range [0, 8760]"},
		{"question moved to another school", "questions.ndjson", `"group_id":"` + group1, `"group_id":"` + group3,
			"questions.ndjson:1: group_id: question 5eaf7096-c182-4fbe-9a5c-6e9f1b3c4d01 belongs to school " +
				"1f6a3c52-8d4e-4b7a-9c1e-2a5b7d9e0f01 in the database; a question cannot change school"},
		{"NUL in a name", "groups.ndjson", `"3º Ano A"`, `"3º Ano A\u0000"`,
			`groups.ndjson:1: name: NUL character (\u0000) at byte 9 of the string`},
		{"invalid UTF-8 in a name", "groups.ndjson", `"3º Ano A"`, "\"3\xba Ano A\"",
			"groups.ndjson:1: name: invalid UTF-8 at byte 1 of the string"},
	}
	kinds := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "import.db") },
	}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		kinds["postgres"] = func(t *testing.T) string { return testdb.PostgresURL(t) }
	}
	for kind, newDB := range kinds {
		t.Run(kind, func(t *testing.T) {
			dsn := newDB(t)
			importDir := func(dir string) error {
				var out, errOut bytes.Buffer
				return run(context.Background(), []string{"import", dir, "--db", dsn}, func(string) string { return "" }, &out, &errOut)
			}
			if err := importDir(example); err != nil {
				t.Fatal(err)
			}
			d, err := db.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			before, err := seed.Checksum(context.Background(), d.SQL)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range cases {
				err := importDir(editedCopy(t, example, tc.file, tc.old, tc.new))
				if err == nil || !strings.Contains(err.Error(), "\n"+tc.want+"\n") && !strings.HasSuffix(err.Error(), "\n"+tc.want) {
					t.Errorf("%s: err = %v\nwant a line %q", tc.name, err, tc.want)
				}
				if after, err := seed.Checksum(context.Background(), d.SQL); err != nil || after != before {
					t.Errorf("%s: a refused import changed the database (%v)", tc.name, err)
				}
			}
			s := startReportServer(t, d, Config{})
			for _, name := range []string{"questions", "bookings"} {
				resp, body := s.post(t, "/reports/"+name, s.token, "", wholeDemo)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", name, resp.StatusCode, body)
				}
				var got bytes.Buffer
				if err := json.Indent(&got, body, "", "  "); err != nil {
					t.Fatal(err)
				}
				got.WriteByte('\n')
				want, err := os.ReadFile(filepath.Join("testdata", "import", name+".golden.json"))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s differs from the golden after the refused imports:\n%.600s", name, got.String())
				}
			}
		})
	}
}

// editedCopy copies the directory src into a new temporary one, replacing
// the first old by new in file.
func editedCopy(t *testing.T, src, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
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
