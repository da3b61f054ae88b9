package main

import (
	"context"
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
	testdb.Each(t, func(t *testing.T, d *db.DB) {
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
	})
}
