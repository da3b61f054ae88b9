package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestGraphQLDownload sends a nested report query with Accept: text/csv and
// the XLSX type, and compares the table with the query's JSON result.
func TestGraphQLDownload(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		const query = `{ questionsReport(input: {from: "2026-06-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}, first: 1000) {
		  totalCount edges { node { statusLabel description student { email } group { name school { name } } answerRating } } } }`
		var data struct {
			QuestionsReport struct {
				Edges []struct {
					Node struct {
						StatusLabel, Description string
						Student                  *struct{ Email string }
						Group                    struct {
							Name   string
							School struct{ Name string }
						}
						AnswerRating *int
					}
				}
			}
		}
		if errs := s.gql(t, s.token, query, nil, &data); len(errs) > 0 {
			t.Fatal(errs)
		}
		want := [][]string{{"statusLabel", "description", "student.email", "group.name", "group.school.name", "answerRating"}}
		for _, e := range data.QuestionsReport.Edges {
			n := e.Node
			email, rating := "", ""
			if n.Student != nil {
				email = n.Student.Email
			}
			if n.AnswerRating != nil {
				rating = fmt.Sprint(*n.AnswerRating)
			}
			desc := n.Description
			if desc != "" && strings.ContainsRune("=+-@\t\r", rune(desc[0])) {
				desc = "'" + desc
			}
			want = append(want, []string{n.StatusLabel, desc, email, n.Group.Name, n.Group.School.Name, rating})
		}
		if len(want) < 20 {
			t.Fatalf("only %d rows", len(want))
		}
		body, _ := json.Marshal(map[string]any{"query": query})
		for _, accept := range []string{"text/csv", xlsxType} {
			req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+s.token)
			req.Header.Set("Accept", accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "questionsReport.") {
				t.Fatalf("%s: %d %q %.200s\n%s", accept, resp.StatusCode, resp.Header.Get("Content-Disposition"), raw, s.logs.String())
			}
			var got [][]string
			if accept == "text/csv" {
				got, err = csv.NewReader(bytes.NewReader(raw)).ReadAll()
			} else {
				var f *excelize.File
				if f, err = excelize.OpenReader(bytes.NewReader(raw)); err == nil {
					got, err = f.GetRows(f.GetSheetList()[0])
					f.Close()
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s: %d rows, want %d", accept, len(got), len(want))
			}
			for i := range want {
				for j := range want[i] {
					if at(got[i], j) != want[i][j] {
						t.Fatalf("%s row %d col %d: %q, want %q", accept, i, j, at(got[i], j), want[i][j])
					}
				}
			}
		}
		// Two top-level fields cannot be one table; JSON is still JSON.
		req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(`{"query":"{ schools { totalCount } groups { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Accept", "text/csv")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(raw), "exactly one field") {
			t.Errorf("two fields: %d %s", resp.StatusCode, raw)
		}
	})
}
