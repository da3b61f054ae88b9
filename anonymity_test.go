package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/testdb"
)

// anonPaths are the GraphQL paths that reach a question, each a query
// over the whole demo period that selects, on every question and report
// row it reaches, anonymous, studentID and student. $asker is the student
// of an anonymous question, $ids some anonymous questions.
var anonPaths = []struct {
	field string // the schema field the path goes through
	query string
	// rowsHidden: a token that may not reveal anonymous askers does not see
	// an anonymous question there at all (it is listed under its asker).
	rowsHidden bool
}{
	{"Query.questions", `{ questions(first: 1000, where: {anonymous: true}) { totalCount edges { node {
	    id anonymous studentID student { id email firstName lastName } } } } }`, false},
	{"Query.node", `query($id: ID!) { a: node(id: $id) { ...Q } }
	  fragment Q on Question { id anonymous studentID student { email } }`, false},
	{"Query.nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Question { id anonymous studentID student { email } } } }`, false},
	{"Group.questions", `{ groups(first: 1000) { edges { node { questions(first: 1000) {
	    edges { node { id anonymous studentID student { email } } } } } } } }`, false},
	{"User.questions", `query($asker: ID!) { node(id: $asker) { ... on User { questions(first: 1000) { totalCount
	    edges { node { id anonymous studentID student { email } } } } } } }`, true},
	{"User.questions", `{ users(first: 1000) { edges { node { email questions(first: 1000) { totalCount
	    edges { node { id anonymous studentID } } } } } } }`, true},
	{"User.answeredQuestions", `{ users(first: 1000) { edges { node { answeredQuestions(first: 1000) {
	    edges { node { id anonymous studentID student { email } } } } } } } }`, false},
	{"QuestionReportRow.question", `{ questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: 1000) {
	    edges { node { anonymous student { email } question { id anonymous studentID student { email } } } } } }`, false},
}

// TestAnonymousAskersStayHidden: with a token of each scope kind that may
// not reveal anonymous askers, no GraphQL path that reaches a question (the
// schema's fields of a question type, found by walking the schema), no
// where filter used as an oracle with totalCount, and no CSV or XLSX
// download tells who asked an anonymous question; the same queries with a
// revealing token of the same scope do, so the test is not blind.
func TestAnonymousAskersStayHidden(t *testing.T) {
	t.Parallel()
	t.Run("every path is tested", func(t *testing.T) {
		var tested []string
		for _, p := range anonPaths {
			tested = append(tested, p.field)
		}
		for _, f := range questionFields(graph.NewSchema(&graph.Resolver{}).Schema()) {
			if !slices.Contains(tested, f) {
				t.Errorf("%s reaches a question and has no path in anonPaths", f)
			}
		}
	})
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		sys := auth.SystemContext(context.Background())
		anon, err := d.Client.Question.Query().Where(question.Anonymous(true)).WithGroup().All(sys)
		if err != nil || len(anon) == 0 {
			t.Fatalf("the demo has %d anonymous questions (%v)", len(anon), err)
		}
		g := anon[0].Edges.Group
		for _, sc := range []struct {
			name string
			spec auth.TokenSpec
			sees func(*ent.Question) bool
		}{
			{"all", auth.TokenSpec{All: true}, func(*ent.Question) bool { return true }},
			{"schools", auth.TokenSpec{Schools: []gid.SchoolID{g.SchoolID}},
				func(q *ent.Question) bool { return q.Edges.Group.SchoolID == g.SchoolID }},
			{"groups", auth.TokenSpec{Groups: []gid.GroupID{g.ID}},
				func(q *ent.Question) bool { return q.GroupID == g.ID }},
		} {
			t.Run(sc.name, func(t *testing.T) {
				var inScope []*ent.Question
				askers := map[gid.UserID]bool{}
				for _, q := range anon {
					if sc.sees(q) {
						inScope = append(inScope, q)
						askers[q.StudentID] = true
					}
				}
				var ids []string
				for _, q := range inScope[:min(3, len(inScope))] {
					ids = append(ids, gid.Encode("Question", q.ID.String()))
				}
				asker := gid.Encode("User", inScope[0].StudentID.String())
				vars := map[string]any{"ids": ids, "id": ids[0], "asker": asker}
				hiding, revealing := sc.spec, sc.spec
				hiding.Name, revealing.Name = "hides-"+sc.name, "reveals-"+sc.name
				revealing.RevealAnonymous = true
				hide := &isoCase{s: s, token: s.newToken(t, hiding), v: &isoView{}}
				reveal := &isoCase{s: s, token: s.newToken(t, revealing), v: &isoView{}}

				for _, p := range anonPaths {
					t.Run(p.field, func(t *testing.T) {
						var shown, hidden any
						reveal.gql(t, p.query, vars, &shown)
						if n := len(anonymousAskers(shown)); n == 0 {
							t.Fatalf("the revealing token sees no anonymous asker: the path tests nothing")
						}
						hide.gql(t, p.query, vars, &hidden)
						if got := anonymousAskers(hidden); len(got) > 0 {
							t.Errorf("askers of anonymous questions revealed: %v", got)
						}
						if n := countAnonymous(hidden); p.rowsHidden && n > 0 {
							t.Errorf("%d anonymous questions listed under their asker", n)
						} else if !p.rowsHidden && n == 0 {
							t.Errorf("the anonymous questions themselves are not shown")
						}
					})
				}

				t.Run("where oracle", func(t *testing.T) {
					const query = `query($x: ID!) {
					  eq: questions(where: {anonymous: true, studentID: $x}) { totalCount }
					  in: questions(where: {anonymous: true, studentIDIn: [$x]}) { totalCount }
					  neq: questions(where: {anonymous: true, studentIDNEQ: $x}) { totalCount }
					  notIn: questions(where: {anonymous: true, studentIDNotIn: [$x]}) { totalCount }
					  not: questions(where: {anonymous: true, not: {studentIDNEQ: $x}}) { totalCount }
					  or: questions(where: {anonymous: true, or: [{studentID: $x}, {studentIDIn: [$x]}]}) { totalCount }
					}`
					// A user who asked nothing anonymously answers the baseline.
					var xs []string
					for id := range askers {
						xs = append(xs, gid.Encode("User", id.String()))
					}
					sort.Strings(xs)
					xs = append(xs, gid.Encode("User", "00000000-0000-4000-8000-000000000001"))
					var baseline string
					revealed := false
					for i, x := range xs {
						var got, control map[string]struct{ TotalCount int }
						hide.gqlAllowErrors(t, query, map[string]any{"x": x}, &got)
						b, _ := json.Marshal(got)
						if i == 0 {
							baseline = string(b)
						} else if string(b) != baseline {
							t.Errorf("the counts depend on the asker: %s for one, %s for another", baseline, b)
						}
						reveal.gqlAllowErrors(t, query, map[string]any{"x": x}, &control)
						revealed = revealed || control["eq"].TotalCount > 0
					}
					if !revealed {
						t.Error("the revealing token counts no anonymous question of its askers: the oracle tests nothing")
					}
				})

				t.Run("downloads", func(t *testing.T) {
					// A CSV download is headed by field paths, an XLSX one
					// by their labels.
					for _, p := range []struct{ query, column, label string }{
						{`{ questions(first: 1000, where: {anonymous: true}) { edges { node { id anonymous studentID student { email } } } } }`,
							"student.email", "E-mail do aluno"},
						{`{ questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: 1000) {
						    edges { node { anonymous question { studentID student { email } } } } } }`,
							"question.student.email", "E-mail do aluno da pergunta"},
					} {
						for _, accept := range []string{"text/csv", xlsxType} {
							column := p.column
							if accept == xlsxType {
								column = p.label
							}
							shown := downloadTable(t, reveal, p.query, accept)
							hidden := downloadTable(t, hide, p.query, accept)
							if n := filledAnonymous(t, shown, column); n == 0 {
								t.Errorf("%s %s: the revealing token's download names no asker: the test is blind", accept, column)
							}
							if n := filledAnonymous(t, hidden, column); n > 0 {
								t.Errorf("%s %s: %d anonymous rows name their asker", accept, column, n)
							}
						}
					}
				})
			})
		}
	})
}

// questionFields lists the fields of the schema whose type is a question,
// a list or a connection of them, as Type.field; Query.node stands for
// the Node interface (node and nodes).
func questionFields(s *ast.Schema) []string {
	fields := []string{"Query.node", "Query.nodes"}
	for _, def := range s.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") || strings.HasPrefix(def.Name, "Question") && def.Name != "QuestionReportRow" {
			continue // the question types themselves, their edges and connections
		}
		for _, f := range def.Fields {
			switch f.Type.Name() {
			case "Question", "QuestionConnection", "QuestionEdge":
				fields = append(fields, def.Name+"."+f.Name)
			}
		}
	}
	sort.Strings(fields)
	return fields
}

// anonymousAskers walks a GraphQL answer and returns what it says of the
// askers of anonymous questions: the studentID and student of every object
// (question or report row) with anonymous: true.
func anonymousAskers(v any) (found []string) {
	switch v := v.(type) {
	case map[string]any:
		if v["anonymous"] == true {
			for _, k := range []string{"studentID", "student"} {
				if x, ok := v[k]; ok && x != nil {
					b, _ := json.Marshal(x)
					found = append(found, k+"="+string(b))
				}
			}
		}
		for _, x := range v {
			found = append(found, anonymousAskers(x)...)
		}
	case []any:
		for _, x := range v {
			found = append(found, anonymousAskers(x)...)
		}
	}
	return found
}

// countAnonymous counts the objects with anonymous: true.
func countAnonymous(v any) (n int) {
	switch v := v.(type) {
	case map[string]any:
		if v["anonymous"] == true {
			n++
		}
		for _, x := range v {
			n += countAnonymous(x)
		}
	case []any:
		for _, x := range v {
			n += countAnonymous(x)
		}
	}
	return n
}

// gqlAllowErrors is gql for queries whose answer is only compared.
func (c *isoCase) gqlAllowErrors(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	status, raw := c.send(t, "/graphql", "", gqlBody(query, vars))
	var r struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(raw, &r); err != nil || status != 200 || len(r.Errors) > 0 {
		t.Fatalf("status %d: %v: %.500s", status, err, raw)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

// downloadTable runs a GraphQL query as a download and returns its table.
func downloadTable(t *testing.T, c *isoCase, query, accept string) [][]string {
	t.Helper()
	status, raw := c.send(t, "/graphql", accept, gqlBody(query, nil))
	if status != 200 {
		t.Fatalf("%s: status %d: %.300s", accept, status, raw)
	}
	if accept == "text/csv" {
		recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// filledAnonymous counts the rows of an anonymous question (the anonymous
// column true: "anonymous" or "Anônima" in a spreadsheet) whose column is
// not empty.
func filledAnonymous(t *testing.T, table [][]string, column string) (n int) {
	t.Helper()
	if len(table) == 0 {
		t.Fatal("empty download")
	}
	col, anonCol := slices.Index(table[0], column), slices.IndexFunc(table[0], func(h string) bool {
		return h == "anonymous" || strings.HasSuffix(h, ".anonymous") || h == "Anônima"
	})
	if col < 0 || anonCol < 0 {
		t.Fatalf("no %s or anonymous column in %q", column, table[0])
	}
	for _, row := range table[1:] {
		if strings.EqualFold(at(row, anonCol), "true") && at(row, col) != "" {
			n++
		}
	}
	return n
}
