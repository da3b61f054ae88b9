package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/hostile"
	"github.com/stift/stift-reports/internal/testdb"
)

// Lists that have no page of their own, each with what bounds it.
var (
	// pendingConnections are the plain ent list edges still to be turned
	// into Relay connections. They must go: every list of entities a
	// client can ask for is to be paged (issue #12, item 3). Remove each
	// entry as its edge becomes a connection: the test fails on entries
	// that are no longer plain lists.
	pendingConnections = []string{}
	// boundedLists are lists bounded by something other than a page.
	boundedLists = map[string]string{
		"Query.nodes":                      "ids, at most MaxNodes",
		"Viewer.scopeIds":                  "the token's scope",
		"BookingStatsBucket.countByStatus": "the booking statuses",
		"Query.questionStats":              "the groupBy dimensions and report.MaxBuckets",
		"Query.bookingStats":               "the groupBy dimensions and report.MaxBuckets",
		"Query.bookingsWorkload":           "the teachers' disciplines and rooms of the schools",
		// The groups usage report is the REST report's document, whole: its
		// lists are bounded by the groups asked for (groupIds, at most
		// MaxListLength) and their members.
		"GroupsUsageReport.questionsByDiscipline": "the disciplines",
		"GroupsUsageReport.npsAnswers":            "the scores, 0 to 10",
		"GroupsUsageReport.answerRatings":         "the ratings, 1 to 5",
		"GroupsUsageReport.students":              "the groups' students",
		"GroupsUsageReport.teachers":              "the groups' teachers",
		"GroupsUsageReport.disciplines":           "the disciplines",
		"StudentUsage.groups":                     "the student's groups",
		"StudentUsage.questions":                  "the student's questions in the period",
		"TeacherUsage.groups":                     "the teacher's groups",
		"TeacherUsage.disciplines":                "the teacher's disciplines",
		"DisciplineUsage.topSubjects":             "the discipline's subjects",
	}
)

// TestEveryListIsPaged walks the schema by introspection and fails for any
// field that returns a list or a connection without first and last, whose
// page the handler defaults to DefaultPageSize and caps at MaxPageSize.
// The exceptions are bounded otherwise: a connection's edges (by its
// page) and the lists above.
func TestEveryListIsPaged(t *testing.T) {
	s := newTestServer(t, testdb.SQLite(t), Options{Introspection: true})
	type typeRef struct {
		Kind   string   `json:"kind"`
		Name   *string  `json:"name"`
		OfType *typeRef `json:"ofType"`
	}
	var data struct {
		Schema struct {
			Types []struct {
				Kind   string `json:"kind"`
				Name   string `json:"name"`
				Fields []struct {
					Name string                  `json:"name"`
					Args []struct{ Name string } `json:"args"`
					Type typeRef                 `json:"type"`
				} `json:"fields"`
			} `json:"types"`
		} `json:"__schema"`
	}
	r := s.query(t, `{ __schema { types { kind name fields { name args { name }
		type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`, nil, &data)
	if len(r.Errors) > 0 {
		t.Fatalf("introspection: %+v", r.Errors)
	}
	var pagedFields, pending []string
	for _, typ := range data.Schema.Types {
		if typ.Kind != "OBJECT" && typ.Kind != "INTERFACE" || strings.HasPrefix(typ.Name, "__") {
			continue
		}
		for _, f := range typ.Fields {
			list, named := false, ""
			for ref := &f.Type; ref != nil; ref = ref.OfType {
				list = list || ref.Kind == "LIST"
				if ref.Name != nil {
					named = *ref.Name
				}
			}
			if !list && !strings.HasSuffix(named, "Connection") {
				continue
			}
			name := typ.Name + "." + f.Name
			// Report connections page forward only: first is their page.
			paged := slices.ContainsFunc(f.Args, func(a struct{ Name string }) bool { return a.Name == "first" })
			switch {
			case paged:
				pagedFields = append(pagedFields, name)
			case strings.HasSuffix(typ.Name, "Connection") && f.Name == "edges":
			case boundedLists[name] != "":
			case slices.Contains(pendingConnections, name):
				pending = append(pending, name)
			default:
				t.Errorf("%s returns a list with no page: give it first and last (a Relay connection)", name)
			}
		}
	}
	for _, name := range pendingConnections {
		if !slices.Contains(pending, name) {
			t.Errorf("%s is no longer a plain list: remove it from pendingConnections", name)
		}
	}
	if len(pagedFields) < 20 {
		t.Fatalf("only %d paged fields found: is the walk broken?", len(pagedFields))
	}

	// Each paged field accepts first up to MaxPageSize and no more (the
	// argument limits act on any field with a first argument).
	for _, q := range []string{
		`{ questions(first: 1001) { totalCount } }`,
		`{ schools(first: 1) { edges { node { groups(last: 1001) { totalCount } } } } }`,
		`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, first: 1001) { totalCount } }`,
		`query($n: Int) { groups(first: $n) { totalCount } }`,
	} {
		r := s.query(t, q, map[string]any{"n": 5000}, nil)
		if r.code() != CodeBadUserInput || !strings.Contains(r.Errors[0].Message, "between 0 and 1000") {
			t.Errorf("%s: %+v", q, r.Errors)
		}
	}
}

// conn is a connection as the tests read it.
type conn struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage     bool   `json:"hasNextPage"`
		HasPreviousPage bool   `json:"hasPreviousPage"`
		StartCursor     string `json:"startCursor"`
		EndCursor       string `json:"endCursor"`
	} `json:"pageInfo"`
	Edges []struct {
		Cursor string          `json:"cursor"`
		Node   json.RawMessage `json:"node"`
	} `json:"edges"`
}

// TestRequestLimits checks, on each database, the limits that need the
// data: default pages, in the answer and in the rows read; complexity
// through pages, nesting and aliases; cursors and orders refused as the
// client's mistakes while real ones page.
func TestRequestLimits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d, Options{ComplexityLimit: DefaultComplexityLimit, DepthLimit: 12})
		ctx := auth.SystemContext(context.Background())
		totalQuestions := d.Client.Question.Query().CountX(ctx)
		if totalQuestions <= DefaultPageSize {
			t.Fatalf("the demo has %d questions: too few to see the default page", totalQuestions)
		}

		t.Run("default page", func(t *testing.T) {
			for _, q := range []string{
				`{ questions { totalCount pageInfo { hasNextPage } edges { node { id } } } }`,
				`{ questions(first: null, last: null) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`,
				`query($n: Int) { questions(first: $n) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`,
			} {
				var data struct{ Questions conn }
				if r := s.query(t, q, map[string]any{"n": nil}, &data); len(r.Errors) > 0 {
					t.Fatalf("%s: %+v", q, r.Errors)
				}
				if n := len(data.Questions.Edges); n != DefaultPageSize || !data.Questions.PageInfo.HasNextPage ||
					data.Questions.TotalCount != totalQuestions {
					t.Errorf("%s: %d edges (hasNextPage %v) of %d, want %d of %d",
						q, n, data.Questions.PageInfo.HasNextPage, data.Questions.TotalCount, DefaultPageSize, totalQuestions)
				}
			}
			// Before a cursor, the default page is the one that ends there.
			var data struct{ Questions conn }
			s.query(t, `{ questions(first: 1000) { edges { cursor } } }`, nil, &data)
			before := data.Questions.Edges[len(data.Questions.Edges)-1].Cursor
			s.query(t, `query($c: Cursor) { questions(before: $c) { pageInfo { hasPreviousPage } edges { cursor } } }`,
				map[string]any{"c": before}, &data)
			if n := len(data.Questions.Edges); n != DefaultPageSize || !data.Questions.PageInfo.HasPreviousPage {
				t.Errorf("before a cursor: %d edges (hasPreviousPage %v), want the last %d", n,
					data.Questions.PageInfo.HasPreviousPage, DefaultPageSize)
			}
		})

		t.Run("nested default pages bound the rows read", func(t *testing.T) {
			groups := d.Client.Group.Query().AllX(ctx)
			bound := 2 * len(groups) // the groups themselves, and a row or so each besides
			for _, g := range groups {
				bound += min(DefaultPageSize, g.QueryQuestions().CountX(ctx))
			}
			if totalQuestions <= bound {
				t.Fatalf("%d questions in all, not more than the %d rows the default pages read", totalQuestions, bound)
			}
			s.rows.n.Store(0)
			var data struct{ Groups conn }
			r := s.query(t, `query($n: Int) { groups(first: $n) { edges { node { questions { edges { node { id } } } } } } }`,
				map[string]any{"n": len(groups)}, &data)
			if len(r.Errors) > 0 {
				t.Fatal(r.Errors)
			}
			if n := s.rows.n.Load(); n > int64(bound) {
				t.Errorf("read %d rows, want at most %d (the groups and a default page of questions each)", n, bound)
			}
		})

		t.Run("complexity multiplies pages", func(t *testing.T) {
			for _, tc := range []struct {
				query      string
				complexity int // 0 if accepted
			}{
				// 1 + 1000 × (edges 1 + node 1 + group 1 + (1 + 1000 × (edges 1 + node 1 + id 1)))
				{`{ questions(first: 1000) { edges { node { group { questions(first: 1000) { edges { node { id } } } } } } } }`, 3_004_001},
				{`{ questions(first: 10) { edges { node { group { questions(first: 10) { edges { node { id } } } } } } } }`, 0},
				// the default page counts as 100: 1 + 100 × (1 + 1 + 1 + (1 + 1000 × 3))
				{`{ questions { edges { node { group { questions(first: 1000) { edges { node { id } } } } } } } }`, 300_401},
				// aliases add up: 13 × (1 + 1000 × (1 + 1 + 2)) = 52,013
				{"{ " + aliasedPages(13) + " }", 52_013},
				{"{ " + aliasedPages(12) + " }", 0},
				// a fragment counts where it is spread
				{`{ questions(first: 1000) { ...Q } } fragment Q on QuestionConnection { edges { node { group { questions(first: 100) { totalCount } } } } }`, 104_001},
			} {
				r := s.query(t, tc.query, nil, nil)
				if tc.complexity == 0 {
					if len(r.Errors) > 0 {
						t.Errorf("%.80s: %+v", tc.query, r.Errors)
					}
					continue
				}
				if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" || !strings.Contains(r.Errors[0].Message, fmt.Sprintf("complexity %d,", tc.complexity)) {
					t.Errorf("%.80s: %+v, want complexity %d refused", tc.query, r.Errors, tc.complexity)
				}
			}
		})

		t.Run("real cursors page", func(t *testing.T) {
			for _, tc := range []struct{ field, order string }{
				{"questions", ""},
				{"questions", `[{field: CREATED_AT, direction: DESC}]`},
				{"questions", `[{field: CREATED_AT, direction: DESC}, {field: ANSWERED_AT}]`},
				{"users", `{field: EMAIL}`},
				{"users", `[{field: LAST_NAME}, {field: FIRST_NAME}]`},
				{"disciplines", `[{field: NAME}]`},
				{"bookings", `[{field: CREATED_AT, direction: DESC}]`},
			} {
				args := ""
				if tc.order != "" {
					args = ", orderBy: " + tc.order
				}
				q := fmt.Sprintf(`query($after: Cursor, $before: Cursor, $first: Int, $last: Int) {
					p: %s(first: $first, last: $last, after: $after, before: $before%s) { edges { cursor node { id } } } }`, tc.field, args)
				var all, next, prev struct{ P conn }
				s.query(t, q, map[string]any{"first": 6}, &all)
				if len(all.P.Edges) < 6 {
					t.Fatalf("%s: %d edges", tc.field, len(all.P.Edges))
				}
				if r := s.query(t, q, map[string]any{"first": 2, "after": all.P.Edges[1].Cursor}, &next); len(r.Errors) > 0 {
					t.Fatalf("%s after: %+v", tc.field, r.Errors)
				}
				if r := s.query(t, q, map[string]any{"last": 2, "before": all.P.Edges[4].Cursor}, &prev); len(r.Errors) > 0 {
					t.Fatalf("%s before: %+v", tc.field, r.Errors)
				}
				if len(next.P.Edges) != 2 || len(prev.P.Edges) != 2 {
					t.Fatalf("%s %s: %d edges after, %d before, want 2", tc.field, tc.order, len(next.P.Edges), len(prev.P.Edges))
				}
				for i, want := range all.P.Edges[2:4] {
					if string(next.P.Edges[i].Node) != string(want.Node) || string(prev.P.Edges[i].Node) != string(want.Node) {
						t.Errorf("%s %s: after → %s, before → %s, want %s", tc.field, tc.order, next.P.Edges[i].Node, prev.P.Edges[i].Node, want.Node)
					}
				}
			}
		})

		t.Run("bad cursors and orders are the client's", func(t *testing.T) {
			var data struct {
				QuestionsReport, Questions, Users conn
			}
			s.query(t, `{
				questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: 1) { edges { cursor } }
				questions(first: 1, orderBy: {field: CREATED_AT}) { edges { cursor } }
				users(first: 1) { edges { cursor } } }`, nil, &data)
			report, byCreated, user := data.QuestionsReport.Edges[0].Cursor, data.Questions.Edges[0].Cursor, data.Users.Edges[0].Cursor
			zero := "00000000-0000-0000-0000-000000000000"
			for _, tc := range []struct{ name, query, cursor string }{
				{"a report's cursor on an ent connection", `questions(after: $c)`, report},
				{"an ent cursor on a report", `questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, after: $c)`, byCreated},
				{"another connection's and order's cursor", `users(after: $c, orderBy: {field: EMAIL})`, byCreated},
				{"a cursor without the order", `questions(after: $c)`, byCreated},
				{"another type's cursor, of another id kind", `disciplines(after: $c)`, user},
				{"an id that is no id", `questions(after: $c)`, entCursor(entgql.Cursor[string]{ID: "nope"})},
				{"a global id", `questions(after: $c)`, entCursor(entgql.Cursor[string]{ID: "UXVlc3Rpb246MQ"})},
				{"a value that is no list", `questions(after: $c, orderBy: {field: CREATED_AT})`, entCursor(entgql.Cursor[string]{ID: zero, Value: "x"})},
				{"a value of the wrong type", `questions(after: $c, orderBy: {field: CREATED_AT})`, entCursor(entgql.Cursor[string]{ID: zero, Value: []any{"x"}})},
				{"a map for a value", `questions(before: $c, last: 1, orderBy: {field: CREATED_AT})`, entCursor(entgql.Cursor[string]{ID: zero, Value: []any{map[string]any{"a": 1}}})},
				{"too long", `questions(after: $c)`, strings.Repeat("k", MaxCursorBytes+1)},
				{"not base64", `questions(after: $c)`, "!!"},
			} {
				q := fmt.Sprintf(`query($c: Cursor) { %s { totalCount } }`, tc.query)
				if r := s.query(t, q, map[string]any{"c": tc.cursor}, nil); r.code() != CodeBadUserInput {
					t.Errorf("%s: %+v", tc.name, r.Errors)
				}
			}
			for _, q := range []string{
				`{ questions(first: 1, last: 1) { totalCount } }`,
				`{ schools(first: 1) { edges { node { groups(first: 1, last: 1) { totalCount } } } } }`,
				`{ questions(orderBy: [{field: CREATED_AT}, {field: CREATED_AT, direction: DESC}]) { edges { node { id } } } }`,
				`{ questions(where: {descriptionContains: "a\u0000b"}) { totalCount } }`,
			} {
				if r := s.query(t, q, nil, nil); r.code() != CodeBadUserInput {
					t.Errorf("%s: %+v", q, r.Errors)
				}
			}
		})

		if logs := s.errorLogs(); len(logs) > 0 {
			t.Errorf("logged at ERROR: %q", logs)
		}
	})
}

// aliasedPages selects n aliased pages of 1000 questions.
func aliasedPages(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "q%d: questions(first: 1000) { edges { node { id description } } } ", i)
	}
	return b.String()
}

// entCursor is c as the Cursor scalar writes it.
func entCursor(c entgql.Cursor[string]) string {
	var b bytes.Buffer
	c.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// TestCursorChecksCoverTheSchema: every connection of nodes has a raw id
// check, and every order field maps to a field whose values cursors can
// hold, so that no cursor ent writes is refused.
func TestCursorChecksCoverTheSchema(t *testing.T) {
	l := &argumentLimits{}
	l.Validate(NewSchema(&Resolver{}))
	samples := map[string]any{"Time": time.Now(), "String": "x", "ID": "x", "Int": int64(1), "Float": 1.5}
	connections, orders := 0, 0
	for name, typ := range l.schema.Types {
		if node, ok := strings.CutSuffix(name, "Connection"); ok && l.schema.Types[node] != nil &&
			slices.Contains(l.schema.Types[node].Interfaces, "Node") {
			connections++
			if rawIDs[node] == nil {
				t.Errorf("no raw id check for %s", node)
			}
		}
		node, ok := strings.CutSuffix(name, "OrderField")
		if !ok || typ.Kind != ast.Enum {
			continue
		}
		for _, v := range typ.EnumValues {
			orders++
			ft := orderFieldType(l.schema, node, v.Name)
			sample, known := samples[ft]
			if !known && l.schema.Types[ft] != nil && l.schema.Types[ft].Kind == ast.Enum {
				sample, known = "X", true
			}
			if !known || !l.fits(sample, ft) {
				t.Errorf("%s.%s orders by a field of type %q, which cursors cannot be checked for", name, v.Name, ft)
			}
		}
	}
	if connections < len(rawIDs) || orders < 10 {
		t.Errorf("found %d connections of nodes and %d order fields: is the walk broken?", connections, orders)
	}
}

// TestBodyLimit: a body over MaxBodyBytes is answered 413 after reading
// no more than that; a malformed or batched body is a 400, logged by size
// and hash, never whole.
func TestBodyLimit(t *testing.T) {
	s := newTestServer(t, testdb.SQLite(t), Options{})
	for _, tc := range []struct {
		name   string
		body   io.Reader
		status int
	}{
		{"100 MB", io.MultiReader(strings.NewReader(`{"query": "{ viewer { tokenName } }", "variables": {"x": "`),
			io.LimitReader(hostile.Filler('a'), 100<<20)), 413},
		{"malformed", strings.NewReader(`{"query": "{ viewer { tokenName } }", "variables": {"email": "SECRET@example.com"`), 400},
		{"batched", strings.NewReader(`[{"query": "{ viewer { tokenName } }", "variables": {"email": "SECRET@example.com"}}]`), 400},
		{"not an object", strings.NewReader(`"SECRET@example.com"`), 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &hostile.CountingReader{R: tc.body}
			req := httptest.NewRequest("POST", "/graphql", body)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			s.handler.ServeHTTP(w, req)
			var r response
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || w.Code != tc.status || r.code() != CodeBadUserInput {
				t.Errorf("%d %s, want %d with code %s", w.Code, w.Body, tc.status, CodeBadUserInput)
			}
			if body.N > MaxBodyBytes+1 {
				t.Errorf("read %d bytes of the body, want at most %d", body.N, MaxBodyBytes+1)
			}
		})
	}
	logs := s.logs.String()
	if strings.Contains(logs, "SECRET") || !strings.Contains(logs, "sha256") || len(s.errorLogs()) > 0 {
		t.Errorf("logs: %s", logs)
	}
}

// TestHostileShapesAreCheap: the queries of issue #12 items 4 and 5
// through the handler are refused after a walk of bounded work.
func TestHostileShapesAreCheap(t *testing.T) {
	s := newTestServer(t, testdb.SQLite(t), Options{ComplexityLimit: DefaultComplexityLimit, DepthLimit: 12})
	for _, tc := range []struct {
		name      string
		query     string
		maxVisits int
	}{
		{"fragments spreading the next twice", hostile.FragmentBomb(25), 200},
		{"__typename ×5000", repeat("__typename", 5000), 2*MaxQueryNodes + 10},
	} {
		r := s.query(t, tc.query, nil, nil)
		if r.code() != CodeBadUserInput {
			t.Errorf("%s: %+v", tc.name, r.Errors)
		}
		if s.probe.visits > tc.maxVisits || s.probe.visits == 0 {
			t.Errorf("%s: visited %d nodes, want 1 to %d", tc.name, s.probe.visits, tc.maxVisits)
		}
	}
	if r := s.query(t, repeat("__typename", 20_000), nil, nil); r.code() != CodeBadUserInput {
		t.Errorf("__typename ×20000: %+v", r.Errors)
	}
}
