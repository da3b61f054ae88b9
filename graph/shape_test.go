package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/internal/hostile"
	"github.com/stift/stift-reports/internal/testdb"
)

// repeat is a query selecting field n times.
func repeat(field string, n int) string {
	return "{ " + strings.Repeat(field+" ", n) + "}"
}

// introspectionQuery is the query GraphiQL sends to draw its docs.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`

// TestShapeGuard: queries too long, too large once expanded or too costly
// to validate are refused by a walk whose work is bounded by counts (the
// nodes it visits), not by the size of what they would expand to; the
// queries clients send pass.
func TestShapeGuard(t *testing.T) {
	for _, tc := range []struct {
		name      string
		query     string
		refused   string // a part of the message; "" if accepted
		maxVisits int
	}{
		{"fragments spreading the next twice, 25 levels", hostile.FragmentBomb(25), "more than 10000 fields", 200},
		{"fragments spreading the next twice, 60 levels", hostile.FragmentBomb(60), "more than 10000 fields", 400},
		{"__typename ×20000 (220 KB)", repeat("__typename", 20_000), "at most 65536", 0},
		{"a ×20000 (40 KB): too many tokens", repeat("a", 20_000), "token limit", 0},
		{"__typename ×5000 (55 KB): quadratic validation", repeat("__typename", 5000), "same name too often", 2*MaxQueryNodes + 10},
		{"3000 fields of distinct names", aliases(3000), "", 2*3000 + 10},
		{"nested copies under one name", nested(30, 2), "same name too often", 2 * MaxQueryNodes},
		{"5000 nested not", `{ questions(where: ` + strings.Repeat("{not: ", 5000) + "{}" + strings.Repeat("}", 5000) + `) { totalCount } }`,
			"nesting depth", 0},
		{"the introspection query", introspectionQuery, "", 2000},
		{"a report query", `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, first: 10) {
			totalCount edges { node { question { id } student { email } group { name } } } } }`, "", 100},
		{"a cyclic fragment, left to validation", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, "", 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var visits int
			raw := &graphql.RawParams{Query: tc.query}
			err := shapeGuard{visits: &visits}.MutateOperationParameters(context.Background(), raw)
			switch {
			case tc.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.refused != "" && err == nil:
				t.Errorf("accepted")
			case tc.refused != "" && !strings.Contains(err.Message, tc.refused):
				t.Errorf("message %q, want it to say %q", err.Message, tc.refused)
			}
			if err != nil && err.Extensions["code"] == nil {
				t.Errorf("error without a code: %v", err)
			}
			if visits > tc.maxVisits {
				t.Errorf("visited %d nodes, want at most %d", visits, tc.maxVisits)
			}
		})
	}
}

// aliases is a query of n fields, each under a name of its own.
func aliases(n int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: __typename ", i)
	}
	b.WriteString("}")
	return b.String()
}

// nested is a query selecting field a n times at each of depth levels:
// validation compares the n copies at every level, nⁱ times at level i.
func nested(n, depth int) string {
	q := "b"
	for range depth {
		q = "a { " + strings.Repeat(q+" ", n) + "}"
	}
	return "{ " + q + " }"
}

// BenchmarkWorstAccepted measures parsing and validating, through the
// handler, the most costly shapes the guard lets through: the pairs of
// fields validation compares just under MaxFieldPairs, flat and nested,
// and fields of distinct names just under MaxQueryNodes. (Validation
// cannot be interrupted by GRAPHQL_TIMEOUT: these bound it instead.)
func BenchmarkWorstAccepted(b *testing.B) {
	s := newTestServer(b, testdb.SQLite(b), Options{})
	for _, bc := range []struct{ name, query string }{
		{"__typename ×499", repeat("__typename", 499)},
		{"nested 22×22", nested(22, 2)},
		{"3000 aliases", aliases(3000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				// a comment makes each query new to the query cache
				r := s.query(b, fmt.Sprintf("%s #%d", bc.query, i), nil, nil)
				if r.status != 200 && r.status != 422 {
					b.Fatal(r.status)
				}
			}
		})
	}
}
