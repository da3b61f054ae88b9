package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/importer"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestImportThenReport imports the example export and asks the REST
// endpoints for its questions and bookings: they must equal the goldens
// the importer's own tests keep (indented), on SQLite and PostgreSQL.
func TestImportThenReport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
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
