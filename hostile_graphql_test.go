package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/hostile"
	"github.com/stift/stift-reports/internal/testdb"
)

// hostileRequest is one hostile GraphQL request of issue #12 and the bounded
// answer it must get.
type hostileRequest struct {
	name string
	// The request: query, variables and extensions as a JSON POST; or
	// body, sent as is with contentType; or get, a GET query string.
	query       string
	vars        map[string]any
	ext         map[string]any
	body        func() io.Reader
	contentType string
	get         string

	status int    // the HTTP status
	code   string // the code of the first error; "" for none
	// Bounds on the work the request caused, none of them timed: the
	// bytes read of its body (0: the whole body may be read), the edges
	// of any connection in the answer (0: not checked).
	maxRead  int
	maxEdges int
}

// marker is in the personal data of the hostile requests: it must never
// reach the logs.
const marker = "PERSONAL-DATA-7f3a"

// maxAlloc bounds the memory any hostile request may allocate (all
// goroutines of the test process count, so it is loose): the requests of
// issue #12 took hundreds of megabytes to gigabytes.
const maxAlloc = 32 << 20

// TestHostileGraphQL replays the hostile GraphQL requests of issue #12
// (items 3 to 6, 10 and 11) against the real server on each database:
// each gets a client error with a code (never INTERNAL, never logged at
// ERROR, the request never logged), or a bounded answer, and costs a
// bounded amount of reading, rows and memory.
func TestHostileGraphQL(t *testing.T) {
	// Not parallel: it counts the allocations of the whole process.
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{ComplexityLimit: graph.DefaultComplexityLimit, DepthLimit: 12})
		var cursors struct {
			QuestionsReport conn[struct{}] `json:"questionsReport"`
		}
		if errs := s.gql(t, s.token, `{ questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: 1) {
			totalCount pageInfo { hasNextPage endCursor } edges { cursor } } }`, nil, &cursors); len(errs) > 0 {
			t.Fatal(errs)
		}
		reportCursor := cursors.QuestionsReport.PageInfo.EndCursor

		for _, tc := range hostileCases(reportCursor) {
			t.Run(tc.name, func(t *testing.T) {
				body := &hostile.CountingReader{R: tc.request()}
				req := httptest.NewRequest("POST", "/graphql", body)
				switch {
				case tc.get != "":
					req = httptest.NewRequest("GET", "/graphql?"+tc.get, nil)
				case tc.contentType != "":
					req.Header.Set("Content-Type", tc.contentType)
				default:
					req.Header.Set("Content-Type", "application/json")
				}
				req.Header.Set("Authorization", "Bearer "+s.token)
				w := httptest.NewRecorder()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				s.Config.Handler.ServeHTTP(w, req)
				runtime.ReadMemStats(&after)

				var resp struct {
					Errors []struct {
						Message    string         `json:"message"`
						Extensions map[string]any `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
					t.Fatalf("%d %.300s: %v", w.Code, w.Body, err)
				}
				code := ""
				if len(resp.Errors) > 0 {
					code, _ = resp.Errors[0].Extensions["code"].(string)
				}
				if w.Code != tc.status || code != tc.code {
					t.Errorf("answered %d %s (%.300s), want %d %s", w.Code, code, w.Body, tc.status, tc.code)
				}
				if len(resp.Errors) > 0 && (resp.Errors[0].Message == "" || strings.Contains(resp.Errors[0].Message, marker)) {
					t.Errorf("message %q: empty or quoting the request", resp.Errors[0].Message)
				}
				if tc.maxRead > 0 && body.N > tc.maxRead {
					t.Errorf("read %d bytes of the body, want at most %d", body.N, tc.maxRead)
				}
				if tc.maxEdges > 0 {
					var data any
					json.Unmarshal(w.Body.Bytes(), &data)
					if n := mostEdges(data); n == 0 || n > tc.maxEdges {
						t.Errorf("%d edges in one connection, want 1 to %d", n, tc.maxEdges)
					}
				}
				if n := after.TotalAlloc - before.TotalAlloc; n > maxAlloc {
					t.Errorf("allocated %d MiB, want at most %d", n>>20, maxAlloc>>20)
				}
			})
		}

		logs := s.logs.String()
		if strings.Contains(logs, marker) {
			t.Error("the logs hold a request's content")
		}
		for line := range strings.Lines(logs) {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("logged at ERROR: %.300s", line)
			}
		}
	})
}

// request returns the body of the request tc sends.
func (tc hostileRequest) request() io.Reader {
	if tc.body != nil {
		return tc.body()
	}
	if tc.get != "" {
		return strings.NewReader("")
	}
	b, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars, "extensions": tc.ext})
	if err != nil {
		panic(err)
	}
	return bytes.NewReader(b)
}

// hostileCases are the requests, reportCursor a real cursor of the
// questions report.
func hostileCases(reportCursor string) []hostileRequest {
	const period = `from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z"`
	ids := func(n int) []string { // more than SQLite's 32,766 variables when n is
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i)
		}
		return out
	}
	nestedNot := strings.Repeat(`{"not":`, 5000) + `{}` + strings.Repeat(`}`, 5000)
	ors := make([]any, 20_000)
	for i := range ors {
		ors[i] = map[string]any{}
	}
	text := func(s string) func() io.Reader { return func() io.Reader { return strings.NewReader(s) } }
	nodesSelection := `{ id description }`

	return []hostileRequest{
		// Item 3: every list is paged, and pages multiply complexity.
		{name: "connection without a page", query: `{ questions { edges { node ` + nodesSelection + ` } } }`,
			status: 200, maxEdges: graph.DefaultPageSize},
		{name: "two aliases without a page", query: `{ a: questions { edges { node ` + nodesSelection + ` } }
			b: questions { edges { node ` + nodesSelection + ` } } }`, status: 200, maxEdges: graph.DefaultPageSize},
		{name: "nested connections without a page", query: `{ groups { edges { node { questions { edges { node { id } } } } } } }`,
			status: 200, maxEdges: graph.DefaultPageSize},
		{name: "first: 5000", query: `{ questions(first: 5000) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "first: 5000 in a variable", query: `query($n: Int) { questions(first: $n) { totalCount } }`,
			vars: map[string]any{"n": 5000}, status: 200, code: "BAD_USER_INPUT"},
		{name: "last: -1", query: `{ users(last: -1) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "report page of 5000", query: `{ questionsReport(input: {` + period + `}, first: 5000) { totalCount } }`,
			status: 200, code: "BAD_USER_INPUT"},
		{name: "nested pages of 1000", status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED",
			query: `{ questions(first: 1000) { edges { node { id group { questions(first: 1000) { edges { node { id description } } } } } } } }`},
		{name: "twenty aliased pages of 1000", status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED",
			query: "{ " + aliased(20) + " }"},

		// Item 4: fragments that each spread the next twice.
		{name: "fragment spreads doubling over 25 levels", query: hostile.FragmentBomb(25), status: 200, code: "BAD_USER_INPUT"},

		// Item 5: quadratic validation, long queries.
		{name: "__typename ×20000", query: "{ " + strings.Repeat("__typename ", 20_000) + "}", status: 200, code: "BAD_USER_INPUT"},
		{name: "__typename ×5000", query: "{ " + strings.Repeat("__typename ", 5000) + "}", status: 200, code: "BAD_USER_INPUT"},
		{name: "more tokens than the parser takes", query: "{ " + strings.Repeat("a ", 20_000) + "}", status: 422, code: "GRAPHQL_PARSE_FAILED"},
		{name: "too deep", status: 200, code: "BAD_USER_INPUT",
			query: `{ schools { edges { node { groups { edges { node { school { groups { edges { node { school { groups { totalCount } } } } } } } } } } } } }`},

		// Item 6: the body.
		{name: "100 MB body", status: 413, code: "BAD_USER_INPUT", maxRead: graph.MaxBodyBytes + 1,
			body: func() io.Reader {
				return io.MultiReader(strings.NewReader(`{"query": "{ viewer { tokenName } }", "variables": {"x": "`+marker),
					io.LimitReader(hostile.Filler('a'), 100<<20))
			}},
		{name: "valid query padded to 20 MB", status: 413, code: "BAD_USER_INPUT", maxRead: graph.MaxBodyBytes + 1,
			body: func() io.Reader {
				return io.MultiReader(strings.NewReader(`{"query": "{ viewer { tokenName } } #`),
					io.LimitReader(hostile.Filler('x'), 20<<20), strings.NewReader(`"}`))
			}},
		{name: "valid query padded to 900 KB", query: "{ viewer { tokenName } } #" + strings.Repeat("x", 900<<10),
			status: 200, code: "BAD_USER_INPUT"},

		// Item 10: malformed bodies, logged by size and hash only.
		{name: "malformed JSON", body: text(`{"query": "{ viewer { tokenName } }", "variables": {"email": "` + marker + `"`),
			status: 400, code: "BAD_USER_INPUT"},
		{name: "a JSON string", body: text(`"` + marker + `"`), status: 400, code: "BAD_USER_INPUT"},
		{name: "query of the wrong type", body: text(`{"query": {"q": "` + marker + `"}}`), status: 400, code: "BAD_USER_INPUT"},
		{name: "not JSON", body: text("query=" + marker), contentType: "application/x-www-form-urlencoded",
			status: 400, code: "BAD_USER_INPUT"},
		{name: "GET with malformed variables", get: "query=" + url.QueryEscape(`{ viewer { tokenName } }`) + "&variables=" + marker,
			status: 400, code: "BAD_USER_INPUT"},

		// Item 11: the client's mistakes.
		{name: "batched array body", body: text(`[{"query": "{ viewer { tokenName } }"}, {"query": "{ viewer { tokenName } }"}]`),
			status: 400, code: "BAD_USER_INPUT"},
		{name: "a report cursor on an ent connection", query: `query($c: Cursor) { questions(after: $c) { edges { node { id } } } }`,
			vars: map[string]any{"c": reportCursor}, status: 200, code: "BAD_USER_INPUT"},
		{name: "a tampered cursor", query: `query($c: Cursor) { disciplines(after: $c) { edges { node { id } } } }`,
			vars: map[string]any{"c": reportCursor}, status: 200, code: "BAD_USER_INPUT"},
		{name: "a cursor that is no cursor", query: `{ questionsReport(input: {` + period + `}, after: "` + marker + `") { totalCount } }`,
			status: 200, code: "BAD_USER_INPUT"},
		{name: "first and last", query: `{ questions(first: 1, last: 1) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "persisted query hash mismatch", query: `{ viewer { tokenName } }`,
			ext:    map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "00ff"}},
			status: 200, code: "BAD_USER_INPUT"},
		{name: "persisted query version 2", query: `{ viewer { tokenName } }`,
			ext:    map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": "00ff"}},
			status: 200, code: "BAD_USER_INPUT"},
		{name: "__schema with introspection off", query: `{ __schema { types { name } } }`, status: 200, code: "BAD_USER_INPUT"},
		{name: "__type in a fragment with introspection off", query: `{ ...F } fragment F on Query { __type(name: "Query") { name } }`,
			status: 200, code: "BAD_USER_INPUT"},
		{name: "Time without a zone", query: `{ questionsReport(input: {from: "2026-01-01T00:00:00", to: "2026-07-01T00:00:00Z"}) { totalCount } }`,
			status: 200, code: "BAD_USER_INPUT"},
		{name: "Time in year 10000", query: `query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"createdAtGT": "10000-01-01T00:00:00Z"}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "Time as a date", query: `query($i: QuestionsReportInput!) { questionsReport(input: $i) { totalCount } }`,
			vars: map[string]any{"i": map[string]any{"from": "2026-01-01", "to": "2026-07-01T00:00:00Z"}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "where with 20,000 or terms", query: `query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"or": ors}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "where with 5,000 nested not", status: 200, code: "BAD_USER_INPUT",
			body: text(`{"query": "query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }", "variables": {"w": ` + nestedNot + `}}`)},
		{name: "where with 5,000 nested not, literal", status: 422, code: "GRAPHQL_PARSE_FAILED",
			query: `{ questions(where: ` + strings.Repeat("{not: ", 5000) + "{}" + strings.Repeat("}", 5000) + `) { totalCount } }`},
		{name: "40,000 ids in idIn", query: `query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"idIn": ids(40_000)}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "40,000 ids in nodes", query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			vars: map[string]any{"ids": ids(40_000)}, status: 200, code: "BAD_USER_INPUT"},
		{name: "40,000 group ids in a report", query: `query($g: [ID!]) { questionsReport(input: {` + period + `, groupIds: $g}) { totalCount } }`,
			vars: map[string]any{"g": ids(40_000)}, status: 200, code: "BAD_USER_INPUT"},
		{name: "1001 ids", query: `query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"idIn": ids(1001)}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "NUL in a string", query: `query($w: QuestionWhereInput) { questions(where: $w) { totalCount } }`,
			vars: map[string]any{"w": map[string]any{"descriptionContains": "a\x00" + marker}}, status: 200, code: "BAD_USER_INPUT"},
		{name: "an order naming a field twice", query: `{ questions(orderBy: [{field: CREATED_AT}, {field: CREATED_AT}]) { edges { node { id } } } }`,
			status: 200, code: "BAD_USER_INPUT"},
		{name: "a syntax error", query: `{ viewer { tokenName `, status: 422, code: "GRAPHQL_PARSE_FAILED"},
		{name: "an unknown field", query: `{ viewer { secret } }`, status: 422, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "a variable of the wrong type", query: `query($n: Int) { questions(first: $n) { totalCount } }`,
			vars: map[string]any{"n": marker}, status: 422, code: "GRAPHQL_VALIDATION_FAILED"},
	}
}

// mostEdges returns the length of the longest edges list in v, a decoded
// GraphQL response.
func mostEdges(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if list, ok := e.([]any); ok && k == "edges" {
				n = max(n, len(list))
			}
			n = max(n, mostEdges(e))
		}
	case []any:
		for _, e := range v {
			n = max(n, mostEdges(e))
		}
	}
	return n
}

// aliased selects n aliased pages of 1000 questions.
func aliased(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "q%d: questions(first: 1000) { edges { node { id description } } } ", i)
	}
	return b.String()
}
