package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// The frontend origins the CORS tests allow: one exact, one wildcard.
var corsOrigins = []string{"https://painel.example", "https://*.escolas.example"}

const frontend = "https://painel.example"

// preflight sends a browser's preflight of method path from origin, asking
// for the request headers given (as browsers send them: lower case, sorted,
// comma-separated), and returns the response's headers.
func preflight(t *testing.T, s *reportServer, path, origin, method, headers string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, s.URL+path, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	_, h, _ := send(t, req)
	return h
}

// corsHeaders returns the names of the Access-Control-* headers in h.
func corsHeaders(h http.Header) []string {
	var names []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// listed reports whether the comma-separated lists of h's key hold name.
func listed(h http.Header, key, name string) bool {
	for _, v := range h.Values(key) {
		for _, n := range strings.Split(v, ",") {
			if http.CanonicalHeaderKey(strings.TrimSpace(n)) == name {
				return true
			}
		}
	}
	return false
}

// TestCORS: off by default; with an allowlist, a listed origin's preflight
// is answered with what it may send and how long the browser may cache the
// answer (Access-Control-Max-Age), and anything else gets no CORS header
// at all: an origin not listed or one that only looks like it, a method or
// a header the API does not take.
func TestCORS(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		off := startReportServer(t, d, Config{})
		if got := corsHeaders(preflight(t, off, "/graphql", frontend, "POST", "authorization,content-type")); len(got) != 0 {
			t.Errorf("CORS off: the preflight got %v", got)
		}
		on := startReportServer(t, d, Config{CORSOrigins: corsOrigins})

		for _, tc := range []struct{ path, origin, method, headers string }{
			{"/graphql", frontend, "POST", "authorization,content-type"},
			{"/graphql", frontend, "GET", "authorization"},
			{"/reports/questions", frontend, "POST", "accept,authorization,content-type"},
			{"/v1/reports/groups-usage", frontend, "POST", "authorization, content-type"},
			{"/reports/bookings", "https://horizonte.escolas.example", "POST", "authorization,content-type"},
		} {
			h := preflight(t, on, tc.path, tc.origin, tc.method, tc.headers)
			name := fmt.Sprintf("%s %s from %s", tc.method, tc.path, tc.origin)
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.origin {
				t.Errorf("%s: Access-Control-Allow-Origin %q", name, got)
			}
			if got := h.Get("Access-Control-Max-Age"); got != "600" {
				t.Errorf("%s: Access-Control-Max-Age %q, want 600", name, got)
			}
			if got := h.Get("Access-Control-Allow-Methods"); got != tc.method {
				t.Errorf("%s: Access-Control-Allow-Methods %q", name, got)
			}
			if got := strings.ToLower(h.Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
				t.Errorf("%s: Access-Control-Allow-Headers %q, want authorization", name, got)
			}
			if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("%s: Access-Control-Allow-Credentials %q: bearer tokens need no cookies", name, got)
			}
			if !listed(h, "Vary", "Origin") {
				t.Errorf("%s: Vary %q, want Origin (the answer depends on it)", name, h.Values("Vary"))
			}
		}

		for _, tc := range []struct{ why, origin, method, headers string }{
			{"an origin not listed", "https://evil.example", "POST", "authorization,content-type"},
			{"another scheme", "http://painel.example", "POST", "authorization"},
			{"another port", "https://painel.example:8443", "POST", "authorization"},
			{"the origin as a prefix", "https://painel.example.evil.net", "POST", "authorization"},
			{"the origin as a suffix", "https://evilpainel.example", "POST", "authorization"},
			{"the wildcard's domain itself", "https://escolas.example", "POST", "authorization"},
			{"the wildcard's suffix inside another host", "https://a.escolas.example.evil.net", "POST", "authorization"},
			{"a sandboxed page (null)", "null", "POST", "authorization"},
			{"no origin", "", "POST", "authorization"},
			{"a method the API does not take", frontend, "DELETE", "authorization"},
			{"another method the API does not take", frontend, "PUT", "authorization,content-type"},
			{"a header the API does not take", frontend, "POST", "authorization,x-forwarded-for"},
		} {
			for _, path := range []string{"/graphql", "/reports/questions"} {
				if got := corsHeaders(preflight(t, on, path, tc.origin, tc.method, tc.headers)); len(got) != 0 {
					t.Errorf("%s (%q %s %s [%s]): the preflight got %v, want no CORS header",
						tc.why, tc.origin, tc.method, path, tc.headers, got)
				}
			}
		}

		// A request a browser would block still reaches the handler (CORS
		// protects the browser's user, not the API), but its answer names
		// no origin, so the page cannot read it.
		req := on.graphqlRequest(on.token, "application/json", `{ viewer { scope } }`)
		req.Header.Set("Origin", "https://evil.example")
		if status, h, _ := send(t, req); status != http.StatusOK || len(corsHeaders(h)) != 0 {
			t.Errorf("POST /graphql from a disallowed origin: %d, %v; want 200 and no CORS header", status, corsHeaders(h))
		}
	})
}

// TestCORSSignedInFrontend is a browser frontend on another origin, as the
// e2e check runs it in Chromium: with a school coordinator's sign-in token
// (one school), its cross-origin GraphQL query and REST download succeed
// with only that school's rows; the download's Content-Disposition is
// exposed to the page's script; errors are readable by the page too.
func TestCORSSignedInFrontend(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		idp, v := newSignIn(t, d)
		cfg := Config{CORSOrigins: corsOrigins}
		cfg.jwt = v
		s := newReportServer(t, d, cfg)
		ctx := auth.SystemContext(context.Background())
		horizonte := d.Client.School.Query().Where(school.Name("Colégio Horizonte")).OnlyX(ctx)
		manaus := d.Client.School.Query().Where(school.Name("Escola Nova Manaus")).OnlyX(ctx)
		other := manaus.QueryGroups().FirstX(ctx)
		jwt := idp.token(t, seed.Now.Add(time.Hour), map[string]any{"school_ids": []string{horizonte.ID.String()}})

		// fromPage sends a cross-origin report request as the page's fetch does.
		fromPage := func(t *testing.T, token, body string) (*http.Response, []byte) {
			t.Helper()
			return s.send(t, "/reports/questions", http.Header{"Origin": {frontend}, "Authorization": {"Bearer " + token},
				"Content-Type": {"application/json"}, "Accept": {"text/csv"}}, body)
		}
		readable := func(t *testing.T, what string, h http.Header) {
			t.Helper()
			if got := h.Get("Access-Control-Allow-Origin"); got != frontend {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want %s", what, got, frontend)
			}
		}
		from, to := "2026-05-25T00:00:00Z", "2026-06-15T15:00:00Z"

		var gql struct {
			Data struct {
				QuestionsReport struct {
					TotalCount int
					Edges      []struct {
						Node struct{ School struct{ Name string } }
					}
				}
			}
			Errors []any
		}
		query := fmt.Sprintf(`{ questionsReport(input: {from: %q, to: %q}, first: 1000) { totalCount edges { node { school { name } } } } }`, from, to)
		req := s.graphqlRequest(jwt, "application/graphql-response+json", query)
		req.Header.Set("Origin", frontend)
		status, h, raw := send(t, req)
		readable(t, "POST /graphql", h)
		if err := json.Unmarshal([]byte(raw), &gql); err != nil || status != http.StatusOK || gql.Errors != nil {
			t.Fatalf("POST /graphql: %d %.300s (%v)", status, raw, err)
		}
		rows := gql.Data.QuestionsReport.Edges
		if len(rows) == 0 || len(rows) != gql.Data.QuestionsReport.TotalCount {
			t.Fatalf("GraphQL: %d rows of %d", len(rows), gql.Data.QuestionsReport.TotalCount)
		}
		for _, r := range rows {
			if r.Node.School.Name != horizonte.Name {
				t.Fatalf("GraphQL: a row of %q reached a token of %q", r.Node.School.Name, horizonte.Name)
			}
		}
		var all struct{ QuestionsReport struct{ TotalCount int } }
		if errs := s.gql(t, s.token, query, nil, &all); errs != nil {
			t.Fatal(errs)
		}
		if all.QuestionsReport.TotalCount <= len(rows) {
			t.Fatalf("the period has %d questions in all, the school %d: the scope narrows nothing", all.QuestionsReport.TotalCount, len(rows))
		}

		rest := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(from), ms(to))
		resp, csvBody := fromPage(t, jwt, rest)
		readable(t, "POST /reports/questions", resp.Header)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /reports/questions: %s %.300s", resp.Status, csvBody)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="questions-`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		if !listed(resp.Header, "Access-Control-Expose-Headers", "Content-Disposition") {
			t.Errorf("Access-Control-Expose-Headers %q: the page cannot read the file name", resp.Header.Values("Access-Control-Expose-Headers"))
		}
		recs, err := csv.NewReader(bytes.NewReader(csvBody)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(recs[0], "school")
		if col < 0 || len(recs)-1 != len(rows) {
			t.Fatalf("CSV: header %v, %d rows; GraphQL %d", recs[0], len(recs)-1, len(rows))
		}
		for _, r := range recs[1:] {
			if r[col] != horizonte.Name {
				t.Fatalf("CSV: a row of %q reached a token of %q", r[col], horizonte.Name)
			}
		}

		// Refusals reach the page's script as well: an id outside the
		// scope (403), an expired token (401, so that the page signs in
		// again).
		expired := idp.token(t, seed.Now.Add(-time.Hour), map[string]any{"school_ids": []string{horizonte.ID.String()}})
		for _, tc := range []struct {
			name, token, body string
			want              int
		}{
			{"another school's group", jwt, fmt.Sprintf(`{"start_date": %d, "end_date": %d, "group_ids": [%q]}`, ms(from), ms(to), other.ID), http.StatusForbidden},
			{"an expired token", expired, rest, http.StatusUnauthorized},
		} {
			resp, raw := fromPage(t, tc.token, tc.body)
			readable(t, tc.name, resp.Header)
			if resp.StatusCode != tc.want || !strings.Contains(string(raw), fmt.Sprintf(`"code":%d`, tc.want)) {
				t.Errorf("%s: %s %.200s, want %d in the API's error shape", tc.name, resp.Status, raw, tc.want)
			}
		}
	})
}
