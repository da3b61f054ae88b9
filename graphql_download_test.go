package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
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
		// CSV is headed by the field paths, for the programs that read it;
		// a spreadsheet by labels a person reads.
		paths := []string{"statusLabel", "description", "student.email", "group.name", "group.school.name", "answerRating"}
		labels := []string{"Status", "Pergunta", "E-mail do aluno", "Turma", "Escola da turma", "Avaliação da resposta"}
		want := [][]string{nil}
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
				want[0] = paths
				got, err = csv.NewReader(bytes.NewReader(raw)).ReadAll()
			} else {
				want[0] = labels
				var f *excelize.File
				if f, err = excelize.OpenReader(bytes.NewReader(raw)); err == nil {
					if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"Perguntas"}) {
						t.Errorf("sheets %q, want the report's name, Perguntas", sheets)
					}
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

// TestGraphQLDownloadDates checks the times of GraphQL downloads: date
// cells in XLSX and dates Excel reads in the Excel dialect of CSV, shown
// in the zone of the token's schools (UTC when they have several), or in
// the timezone argument of the stats; the plain CSV keeps GraphQL's text.
func TestGraphQLDownloadDates(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		type tokenCase struct {
			name, token string
			zone        *time.Location
		}
		cases := []tokenCase{{"every school", s.token, time.UTC}}
		zones := map[string]bool{}
		for _, sch := range d.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx) {
			loc, err := time.LoadLocation(sch.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			zones[sch.Timezone] = true
			token := s.newToken(t, auth.TokenSpec{Name: "one school", Schools: []gid.SchoolID{sch.ID}, RevealAnonymous: true})
			cases = append(cases, tokenCase{sch.Name, token, loc})
		}
		if len(zones) < 2 {
			t.Fatalf("the demo's schools share one zone (%v): every school would not be UTC", zones)
		}

		const query = `{ questionsReport(input: {from: "2026-06-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}, first: 1000) {
		  edges { node { createdAt answeredAt } } } }`
		for _, tc := range cases {
			var data struct {
				QuestionsReport struct {
					Edges []struct {
						Node struct{ CreatedAt, AnsweredAt *string }
					}
				}
			}
			if errs := s.gql(t, tc.token, query, nil, &data); len(errs) > 0 {
				t.Fatal(errs)
			}
			edges := data.QuestionsReport.Edges
			if len(edges) < 5 {
				t.Fatalf("%s: only %d questions", tc.name, len(edges))
			}
			// local is what a spreadsheet shows for a GraphQL time.
			local := func(v *string) string {
				if v == nil {
					return ""
				}
				at, err := time.Parse(time.RFC3339Nano, *v)
				if err != nil {
					t.Fatal(err)
				}
				return at.In(tc.zone).Format("02/01/2006 15:04")
			}

			_, _, raw := send(t, s.graphqlRequest(tc.token, xlsxType, query))
			f, err := excelize.OpenReader(strings.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v: %.200s", tc.name, err, raw)
			}
			cells := sheetCells(t, f, f.GetSheetList()[0])
			f.Close()
			_, _, excel := send(t, s.graphqlRequest(tc.token, "text/csv; dialect=excel", query))
			excelRows := readExcelCSV(t, excel)
			_, _, plain := send(t, s.graphqlRequest(tc.token, "text/csv", query))
			plainRows, err := csv.NewReader(strings.NewReader(plain)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(cells) != len(edges)+1 || len(excelRows) != len(edges)+1 || len(plainRows) != len(edges)+1 {
				t.Fatalf("%s: %d XLSX rows, %d Excel CSV rows, %d CSV rows for %d questions",
					tc.name, len(cells), len(excelRows), len(plainRows), len(edges))
			}
			for i, e := range edges {
				for j, v := range []*string{e.Node.CreatedAt, e.Node.AnsweredAt} {
					want := local(v)
					var c sheetCell
					if j < len(cells[i+1]) {
						c = cells[i+1][j]
					}
					if c.text != want || want != "" && c.kind != "date" {
						t.Fatalf("%s: XLSX row %d col %d is %s %q, want a date %q", tc.name, i+2, j+1, c.kind, c.text, want)
					}
					if got := at(excelRows[i+1], j); got != want {
						t.Fatalf("%s: Excel CSV row %d col %d is %q, want %q", tc.name, i+2, j+1, got, want)
					}
					if got := at(plainRows[i+1], j); v != nil && got != *v || v == nil && got != "" {
						t.Fatalf("%s: CSV row %d col %d is %q, want GraphQL's %v", tc.name, i+2, j+1, got, v)
					}
				}
			}
		}

		// The stats' buckets start at midnight in their timezone, a
		// variable here: so do the cells.
		const stats = `query($tz: String) { questionStats(filter: {from: "2026-01-01T00:00:00Z", to: "2026-06-30T23:59:59Z"},
		  groupBy: [], timeBucket: MONTH, timezone: $tz) { bucketStart count } }`
		body, _ := json.Marshal(map[string]any{"query": stats, "variables": map[string]any{"tz": "America/Sao_Paulo"}})
		req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Accept", xlsxType)
		status, _, raw := send(t, req)
		if status != 200 {
			t.Fatalf("stats download: %d %.300s", status, raw)
		}
		f, err := excelize.OpenReader(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cells := sheetCells(t, f, f.GetSheetList()[0])
		if len(cells) < 4 {
			t.Fatalf("only %d rows of monthly buckets", len(cells))
		}
		for i, row := range cells[1:] {
			want := fmt.Sprintf("01/%02d/2026", i+1) // the day a bucket starts: a date alone
			if row[0].kind != "date" || row[0].text != want {
				t.Errorf("bucket %d starts at %s %q, want the date %q", i+1, row[0].kind, row[0].text, want)
			}
		}
	})
}

// readExcelCSV reads a file in the Excel dialect of CSV.
func readExcelCSV(t *testing.T, body string) [][]string {
	t.Helper()
	body, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Fatalf("no byte order mark: %.100q", body)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestGraphQLDownloadReadable: a GraphQL download as a person reads it. The
// spreadsheet (XLSX, and CSV in the Excel dialect) is headed by labels in
// Portuguese, or in English when Accept-Language prefers it, an alias
// standing for the label of its field; its sheet is named after the report;
// numbers are rounded to 2 decimals as the reports round theirs, and stay
// number cells. The plain CSV keeps the field paths for programs, with the
// same rounded numbers.
func TestGraphQLDownloadReadable(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		const query = `{ questionStats(filter: {from: "2025-06-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}, groupBy: [DISCIPLINE]) {
		  discipline { name } count avgResponseMinutes mediana: p50ResponseMinutes avgRating } }`
		var data struct {
			QuestionStats []struct {
				Discipline                             struct{ Name string }
				Count                                  int
				AvgResponseMinutes, Mediana, AvgRating *float64
			}
		}
		if errs := s.gql(t, s.token, query, nil, &data); len(errs) > 0 {
			t.Fatal(errs)
		}
		buckets := data.QuestionStats
		if len(buckets) < 3 {
			t.Fatalf("only %d disciplines", len(buckets))
		}
		// The figures as the download must show them, and proof that
		// some need rounding.
		rounded := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(report.Round(*v), 'f', -1, 64)
		}
		unrounded := 0
		want := make([][]string, len(buckets))
		for i, b := range buckets {
			want[i] = []string{b.Discipline.Name, strconv.Itoa(b.Count), rounded(b.AvgResponseMinutes), rounded(b.Mediana), rounded(b.AvgRating)}
			for _, v := range []*float64{b.AvgResponseMinutes, b.Mediana, b.AvgRating} {
				if v != nil && strconv.FormatFloat(*v, 'f', -1, 64) != rounded(v) {
					unrounded++
				}
			}
		}
		if unrounded == 0 {
			t.Fatal("no figure of the query has more than 2 decimals: the test would prove nothing")
		}

		request := func(accept, lang string) (http.Header, string) {
			t.Helper()
			req := s.graphqlRequest(s.token, accept, query)
			if lang != "" {
				req.Header.Set("Accept-Language", lang)
			}
			status, header, body := send(t, req)
			if status != 200 {
				t.Fatalf("%s, %q: %d %.300s", accept, lang, status, body)
			}
			return header, body
		}

		// CSV: paths, rounded numbers.
		_, plain := request("text/csv", "en")
		rows, err := csv.NewReader(strings.NewReader(plain)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if h := []string{"discipline.name", "count", "avgResponseMinutes", "mediana", "avgRating"}; !slices.Equal(rows[0], h) {
			t.Errorf("CSV header %q, want the paths %q", rows[0], h)
		}
		if !slices.EqualFunc(rows[1:], want, slices.Equal) {
			t.Errorf("CSV rows\n got %q\nwant %q", rows[1:], want)
		}

		for _, tc := range []struct {
			lang, content, sheet string
			header               []string
		}{
			{"", "pt-BR", "Estatísticas de perguntas",
				[]string{"Disciplina", "Perguntas", "Tempo médio de resposta (min)", "mediana", "Avaliação média"}},
			{"pt-BR,en;q=0.5", "pt-BR", "Estatísticas de perguntas",
				[]string{"Disciplina", "Perguntas", "Tempo médio de resposta (min)", "mediana", "Avaliação média"}},
			{"en-US,en;q=0.9,pt;q=0.1", "en", "Question statistics",
				[]string{"Discipline", "Questions", "Average response time (min)", "mediana", "Average rating"}},
		} {
			header, body := request(xlsxType, tc.lang)
			if got := header.Get("Content-Language"); got != tc.content {
				t.Errorf("Accept-Language %q: Content-Language %q, want %q", tc.lang, got, tc.content)
			}
			f, err := excelize.OpenReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{tc.sheet}) {
				t.Errorf("Accept-Language %q: sheets %q, want %q", tc.lang, sheets, tc.sheet)
			}
			cells := sheetCells(t, f, f.GetSheetList()[0])
			f.Close()
			var got []string
			for _, c := range cells[0] {
				got = append(got, c.text)
			}
			if !slices.Equal(got, tc.header) {
				t.Errorf("Accept-Language %q: XLSX header %q, want %q", tc.lang, got, tc.header)
			}
			if len(cells) != len(want)+1 {
				t.Fatalf("%d XLSX rows, want %d", len(cells)-1, len(want))
			}
			for i, w := range want {
				for j := 1; j < len(w); j++ {
					var c sheetCell
					if j < len(cells[i+1]) {
						c = cells[i+1][j]
					}
					if w[j] != "" && (c.kind != "number" || !sameNumber(c.text, w[j])) || w[j] == "" && c.text != "" {
						t.Errorf("XLSX row %d col %d is %s %q, want the number %q", i+2, j+1, c.kind, c.text, w[j])
					}
				}
			}

			// The Excel dialect of CSV reads as the spreadsheet does.
			excel := readExcelCSV(t, func() string {
				_, b := request("text/csv; dialect=excel", tc.lang)
				return b
			}())
			if !slices.Equal(excel[0], tc.header) {
				t.Errorf("Accept-Language %q: Excel CSV header %q, want %q", tc.lang, excel[0], tc.header)
			}
			for i, w := range want {
				if got := at(excel[i+1], 2); got != strings.Replace(w[2], ".", ",", 1) {
					t.Errorf("Excel CSV row %d: average %q, want %q", i+2, got, w[2])
				}
			}
		}

		// An alias names the sheet.
		aliased := strings.Replace(query, "{ questionStats(", "{ estatisticas: questionStats(", 1)
		status, _, raw := send(t, s.graphqlRequest(s.token, xlsxType, aliased))
		if status != 200 {
			t.Fatalf("aliased: %d %.300s", status, raw)
		}
		f, err := excelize.OpenReader(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if sheets := f.GetSheetList(); !slices.Equal(sheets, []string{"estatisticas"}) {
			t.Errorf("aliased report: sheets %q, want its alias", sheets)
		}
	})
}
