package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// TestSecretsStayOutOfLogs makes requests with valid, unknown and revoked
// tokens, good and failing, and checks that no secret, hash or personal
// e-mail reaches the log; and that every response carries the security
// headers.
func TestSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	d := testdb.SQLite(t)
	s := newReportServer(t, d, Config{})
	other := s.newToken(t, auth.TokenSpec{Name: "other"})
	secrets := []string{s.token, other, "stift_unknownunknownunknownunknownunknownxx", auth.HashSecret(s.token)}
	for _, tc := range []struct{ path, token, accept, body string }{
		{"/reports/questions", s.token, "", wholeDemo},
		{"/reports/questions", s.token, "text/csv", wholeDemo},
		{"/reports/bookings", other, "", `{"start_date": "x"}`},
		{"/reports/questions", secrets[2], "", wholeDemo},
		{"/graphql", s.token, "", `{"query": "{ viewer { tokenName } }"}`},
		{"/graphql", s.token, "", `{"query": "{ nope }"}`},
	} {
		resp, _ := s.post(t, tc.path, tc.token, tc.accept, tc.body)
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", tc.path, h, got, want)
			}
		}
	}
	resp, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	logs := s.logs.String()
	if !strings.Contains(logs, `"path":"/reports/questions"`) {
		t.Fatalf("the requests were not logged:\n%s", logs)
	}
	for _, secret := range secrets {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret: %s", secret)
		}
	}
	if strings.Contains(logs, "@stift.com.br") || strings.Contains(logs, "Bearer") {
		t.Error("the log holds personal data or an Authorization header")
	}
}

// TestExpiredToken: a token past its expiry is refused like an unknown one.
func TestExpiredToken(t *testing.T) {
	t.Parallel()
	s := newReportServer(t, testdb.SQLite(t), Config{})
	past := seed.Now.Add(-time.Minute) // the test server's clock stands at seed.Now
	expired := s.newToken(t, auth.TokenSpec{Name: "old", ExpiresAt: &past})
	resp, body := s.post(t, "/reports/bookings-workload", expired, "", `{}`)
	if resp.StatusCode != 401 || string(body) != `{"error":{"code":401,"message":"Unauthorized."}}`+"\n" {
		t.Errorf("expired token: %d %s", resp.StatusCode, body)
	}
}

// TestAnonymousInGraphQL: the typed report hides the student of an
// anonymous question from a token that may not reveal it, in JSON and in a
// CSV download.
func TestAnonymousInGraphQL(t *testing.T) {
	t.Parallel()
	s := newReportServer(t, testdb.SQLite(t), Config{})
	ordinary := s.newToken(t, auth.TokenSpec{Name: "ordinary"})
	const q = `{ questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z", anonymous: true}, first: 1000) {
	  totalCount edges { node { anonymous student { email } } } } }`
	for _, tc := range []struct {
		token  string
		hidden bool
	}{{ordinary, true}, {s.token, false}} {
		var data struct {
			QuestionsReport struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Anonymous bool
						Student   *struct{ Email string }
					}
				}
			}
		}
		if errs := s.gql(t, tc.token, q, nil, &data); len(errs) > 0 {
			t.Fatal(errs)
		}
		if data.QuestionsReport.TotalCount == 0 {
			t.Fatal("no anonymous questions")
		}
		for _, e := range data.QuestionsReport.Edges {
			if !e.Node.Anonymous || (e.Node.Student == nil) != tc.hidden {
				t.Fatalf("hidden=%v: row %+v", tc.hidden, e.Node)
			}
		}
	}
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+ordinary)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	csvBody, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(csvBody), "@") {
		t.Errorf("CSV download for an ordinary token: %d, holds an e-mail: %v", resp.StatusCode, strings.Contains(string(csvBody), "@"))
	}
}
