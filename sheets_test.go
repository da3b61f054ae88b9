package main

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestExcelDialectOnlyWhenAsked checks that the Excel dialect of CSV comes
// only to an Accept header that names it, and the API's own CSV to every
// Accept header a legacy client sends.
func TestExcelDialectOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		_, plain := s.post(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		if !bytes.HasPrefix(plain, []byte("question_id,school,")) {
			t.Fatalf("the CSV begins %.40q", plain)
		}
		records, err := csv.NewReader(bytes.NewReader(plain)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			accept string
			excel  bool
		}{
			{"text/csv; charset=utf-8", false},
			{"text/csv; header=present", false},
			{"text/*", false},
			{"text/csv; dialect=unix", false},
			{"text/csv, text/csv; dialect=excel", false},
			{"text/csv; dialect=excel", true},
			{`text/csv; charset=utf-8; dialect="Excel"`, true},
			{"text/csv;dialect=excel;q=0.9, application/json;q=0.5", true},
		} {
			t.Run(tc.accept, func(t *testing.T) {
				resp, body := s.post(t, "/v1/reports/questions", s.token, tc.accept, wholeDemo)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
					!strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.csv"`) {
					t.Fatalf("%d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
				}
				if !tc.excel {
					if !bytes.Equal(body, plain) {
						t.Errorf("not the API's CSV: %.60q", body)
					}
					return
				}
				rows := readExcelCSV(t, string(body))
				if len(rows) != len(records) || rows[0][0] != "ID da pergunta" {
					t.Errorf("%d rows headed %q", len(rows), rows[0])
				}
				if !bytes.Contains(body, []byte("\r\n")) {
					t.Errorf("lines do not end with CRLF")
				}
			})
		}
	})
}
