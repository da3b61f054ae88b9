package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestGraphQLErrorCodes checks that limits and refusals come back with
// their extensions.code and without internal details.
func TestGraphQLErrorCodes(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{ComplexityLimit: 500, DepthLimit: 6})
		ctx := auth.SystemContext(context.Background())
		schools := d.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx)
		otherGroup := schools[1].QueryGroups().FirstX(ctx)
		scoped := s.newToken(t, auth.TokenSpec{Name: "scoped", Schools: []gid.SchoolID{schools[0].ID}})
		otherID := gid.Encode("Group", otherGroup.ID.String())

		for _, tc := range []struct {
			name, token, query string
			code               string
		}{
			{"page too large", s.token,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, first: 1001) { totalCount } }`,
				"BAD_USER_INPUT"},
			{"too deep", s.token,
				`{ schools { edges { node { groups { edges { node { students { edges { node { email } } } } } } } } } }`,
				"BAD_USER_INPUT"},
			{"too complex", s.token,
				`{ a: schools { edges { node { ` + strings.Repeat("id name ", 300) + `} } } }`,
				"COMPLEXITY_LIMIT_EXCEEDED"},
			{"group out of scope", scoped,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupIds: ["` + otherID + `"]}) { totalCount } }`,
				"FORBIDDEN"},
			{"group that does not exist", scoped,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupIds: ["` +
					gid.Encode("Group", "6f1c0c8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f") + `"]}) { totalCount } }`,
				"FORBIDDEN"},
			{"malformed id", s.token,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupIds: ["nope"]}) { totalCount } }`,
				"BAD_USER_INPUT"},
			{"id of another type", s.token,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupIds: ["` +
					gid.Encode("School", schools[0].ID.String()) + `"]}) { totalCount } }`,
				"BAD_USER_INPUT"},
			{"bad cursor", s.token,
				`{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, after: "bm9wZQ") { totalCount } }`,
				"BAD_USER_INPUT"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				errs := s.gql(t, tc.token, tc.query, nil, nil)
				if len(errs) == 0 {
					t.Fatal("no error")
				}
				ext, _ := errs[0]["extensions"].(map[string]any)
				if ext["code"] != tc.code {
					t.Errorf("code = %v, want %s (%v)", ext["code"], tc.code, errs[0])
				}
				if msg, _ := errs[0]["message"].(string); strings.Contains(msg, "SELECT") || strings.Contains(msg, "sql") {
					t.Errorf("message leaks internals: %q", msg)
				}
			})
		}
		// The same refusal whether or not the group exists.
		a := s.gql(t, scoped, `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupIds: ["`+otherID+`"]}) { totalCount } }`, nil, nil)
		if a[0]["message"] != "Forbidden." {
			t.Errorf("message = %v", a[0]["message"])
		}
		// The input at fault by its GraphQL name (REST says group_ids).
		if ext, _ := a[0]["extensions"].(map[string]any); ext["field"] != "groupIds" {
			t.Errorf("field = %v, want groupIds", ext["field"])
		}
	})
}

// TestIntrospectionAndPersistedQueries: introspection follows the setting,
// and an automatic persisted query runs by its hash once registered.
func TestIntrospectionAndPersistedQueries(t *testing.T) {
	t.Parallel()
	d := testdb.SQLite(t)
	for _, on := range []bool{true, false} {
		s := newReportServer(t, d, Config{Introspection: on})
		var data struct {
			Schema struct{ QueryType struct{ Name string } } `json:"__schema"`
		}
		errs := s.gql(t, s.token, `{ __schema { queryType { name } } }`, nil, &data)
		if on != (len(errs) == 0 && data.Schema.QueryType.Name == "Query") {
			t.Errorf("introspection %v: errors %v, data %+v", on, errs, data)
		}
		d = testdb.SQLite(t) // newReportServer loads the demo into an empty database
	}

	s := newReportServer(t, d, Config{})
	const query = `{ viewer { tokenName } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	post := func(body map[string]any) string {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := post(map[string]any{"extensions": ext}); !strings.Contains(got, "PersistedQueryNotFound") {
		t.Errorf("unknown hash: %s", got)
	}
	if got := post(map[string]any{"query": query, "extensions": ext}); !strings.Contains(got, `"tokenName":"all"`) {
		t.Errorf("registering: %s", got)
	}
	if got := post(map[string]any{"extensions": ext}); !strings.Contains(got, `"tokenName":"all"`) {
		t.Errorf("by hash: %s", got)
	}
}
