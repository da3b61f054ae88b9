package graph

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stift/stift-reports/internal/testdb"
)

// TestReadOperations checks that a manifest is refused whole when one of
// its entries is wrong, naming the entry, and read when all are right.
func TestReadOperations(t *testing.T) {
	good := `query Schools { schools(first: 5) { totalCount } }`
	for _, tc := range []struct{ name, manifest, err string }{
		{"good", fmt.Sprintf(`{%q: %q}`, sha(good), good), ""},
		{"not JSON", `["x"]`, "not a JSON object"},
		{"empty", `{}`, "no operations"},
		{"a hash that is not its query's", fmt.Sprintf(`{%q: %q}`, sha(good+" "), good), "not the SHA-256"},
		{"a query the schema does not have", fmt.Sprintf(`{%q: %q}`, sha(`{ nope }`), `{ nope }`), "nope"},
		{"a query that does not parse", fmt.Sprintf(`{%q: %q}`, sha(`{ schools(`), `{ schools(`), "operations manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops, err := ReadOperations(strings.NewReader(tc.manifest))
			if tc.err == "" {
				if err != nil || len(ops) != 1 {
					t.Fatalf("got %v, %v", ops, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestTrustedOperations runs the handler in the allow-list mode: a
// registered operation runs by its text or its hash alone; any other text,
// a registered hash with other text, and an attempt to register a query
// (automatic persisted queries) are refused with OPERATION_NOT_ALLOWED
// before they are parsed.
func TestTrustedOperations(t *testing.T) {
	q := `query Count { schools(first: 5) { totalCount } }`
	s := newTestServer(t, testdb.SQLite(t), Options{Operations: Operations{sha(q): q}})
	for _, tc := range []struct {
		name, body string
		allowed    bool
	}{
		{"registered text", fmt.Sprintf(`{"query": %q}`, q), true},
		{"registered hash alone", fmt.Sprintf(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, sha(q)), true},
		{"registered hash and its text", fmt.Sprintf(`{"query": %q, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, q, sha(q)), true},
		{"other text", `{"query": "{ schools(first: 1000) { edges { node { name } } } }"}`, false},
		{"registered hash, other text", fmt.Sprintf(`{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, sha(q)), false},
		{"registering a new query", fmt.Sprintf(`{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, sha("{ __typename }")), false},
		{"unknown hash", fmt.Sprintf(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, sha("x")), false},
		{"nothing", `{}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.post(t, []byte(tc.body))
			if tc.allowed {
				if r.status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
					t.Errorf("got %d %s %+v", r.status, r.Data, r.Errors)
				}
				return
			}
			if r.code() != CodeOperationNotAllowed || len(r.Data) > 0 && string(r.Data) != "null" {
				t.Errorf("got %d %s %+v, want %s", r.status, r.Data, r.Errors, CodeOperationNotAllowed)
			}
		})
	}
	if logs := s.errorLogs(); len(logs) > 0 {
		t.Errorf("refusals logged at ERROR: %q", logs)
	}
}
