package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestGraphQLRefusals: what /graphql answers a request that does not run,
// under each media type of GraphQL over HTTP. A request refused with a 4xx
// status has no data member, not even null; parse and validation errors
// (variables that do not coerce included) are 400 with
// application/graphql-response+json and 422 with application/json (gqlgen's
// status, kept: docs/graphql.md says why). A request refused with 200 (a
// limit) keeps "data": null, since GraphQL over HTTP wants 4xx for an
// answer without data; a request that runs has its data.
func TestGraphQLRefusals(t *testing.T) {
	t.Parallel()
	const (
		jsonType = "application/json"
		gqlType  = "application/graphql-response+json"
	)
	type want struct {
		status map[string]int // by Accept
		code   string         // extensions.code of the first error, "" for none
		data   string         // "absent", "null" or "object"
	}
	protocol := func(code string) want {
		return want{map[string]int{jsonType: 422, gqlType: 400}, code, "absent"}
	}
	both := func(status int, code, data string) want {
		return want{map[string]int{jsonType: status, gqlType: status}, code, data}
	}
	post := func(query string, vars map[string]any) string {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return string(b)
	}
	cases := []struct {
		name   string
		method string // POST: body is the body; GET: body is the query string
		body   string
		token  bool // send the server's token
		want
	}{
		{"syntax error", "POST", post(`{ viewer { tokenName `, nil), true, protocol("GRAPHQL_PARSE_FAILED")},
		{"syntax error, GET", "GET", "query=" + url.QueryEscape(`{ viewer {`), true, protocol("GRAPHQL_PARSE_FAILED")},
		{"unknown field", "POST", post(`{ viewer { secret } }`, nil), true, protocol("GRAPHQL_VALIDATION_FAILED")},
		{"unknown field, GET", "GET", "query=" + url.QueryEscape(`{ viewer { secret } }`), true, protocol("GRAPHQL_VALIDATION_FAILED")},
		{"variable that does not coerce", "POST", post(`query($n: Int) { questions(first: $n) { totalCount } }`,
			map[string]any{"n": "ten"}), true, protocol("GRAPHQL_VALIDATION_FAILED")},
		{"missing variable", "POST", post(`query($n: Int!) { questions(first: $n) { totalCount } }`, nil),
			true, protocol("GRAPHQL_VALIDATION_FAILED")},
		{"no query", "POST", `{}`, true, protocol("GRAPHQL_VALIDATION_FAILED")},
		{"body not JSON", "POST", `{"query": `, true, both(400, "BAD_USER_INPUT", "absent")},
		{"a batch", "POST", `[{"query": "{ viewer { tokenName } }"}]`, true, both(400, "BAD_USER_INPUT", "absent")},
		{"variables not an object, GET", "GET", "query=" + url.QueryEscape(`{ viewer { tokenName } }`) + "&variables=7",
			true, both(400, "BAD_USER_INPUT", "absent")},
		{"body over 1 MiB", "POST", post(`{ viewer { tokenName } } #`+strings.Repeat("x", 1<<20), nil),
			true, both(413, "BAD_USER_INPUT", "absent")},
		{"no token", "POST", post(`{ viewer { tokenName } }`, nil), false, both(401, "UNAUTHENTICATED", "absent")},
		{"a page over the limit", "POST", post(`{ questions(first: 5000) { totalCount } }`, nil),
			true, both(200, "BAD_USER_INPUT", "null")},
		{"a query that runs", "POST", post(`{ viewer { tokenName } }`, nil), true, both(200, "", "object")},
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startReportServer(t, d, Config{})
		for _, tc := range cases {
			for _, accept := range []string{jsonType, gqlType} {
				t.Run(tc.name+"/"+accept, func(t *testing.T) {
					var req *http.Request
					if tc.method == "GET" {
						req, _ = http.NewRequest("GET", s.URL+"/graphql?"+tc.body, nil)
					} else {
						req, _ = http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(tc.body))
						req.Header.Set("Content-Type", "application/json")
					}
					req.Header.Set("Accept", accept)
					if tc.token {
						req.Header.Set("Authorization", "Bearer "+s.token)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body := readAll(t, resp)
					if resp.StatusCode != tc.status[accept] {
						t.Errorf("status %d, want %d: %.300s", resp.StatusCode, tc.status[accept], body)
					}
					if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, accept) {
						t.Errorf("Content-Type %q, want %s", ct, accept)
					}
					var members map[string]json.RawMessage
					var got struct {
						Errors []struct {
							Message    string         `json:"message"`
							Extensions map[string]any `json:"extensions"`
						} `json:"errors"`
					}
					if json.Unmarshal([]byte(body), &members) != nil || json.Unmarshal([]byte(body), &got) != nil {
						t.Fatalf("not a JSON object: %.300s", body)
					}
					data := "absent"
					if raw, ok := members["data"]; ok {
						data = map[bool]string{true: "null", false: "object"}[string(raw) == "null"]
					}
					if data != tc.data {
						t.Errorf("data %s, want %s: %.300s", data, tc.data, body)
					}
					code := ""
					if len(got.Errors) > 0 {
						code, _ = got.Errors[0].Extensions["code"].(string)
						if got.Errors[0].Message == "" {
							t.Errorf("an error without a message: %.300s", body)
						}
					}
					if code != tc.code {
						t.Errorf("code %q, want %q: %.300s", code, tc.code, body)
					}
				})
			}
		}
	})
}
