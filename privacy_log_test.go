package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestSecretsStayOutOfLogs makes requests with valid, unknown and revoked
// tokens, good and failing, and checks that no secret, hash or personal
// e-mail reaches the log; and that every response carries the security
// headers.
func TestSecretsStayOutOfLogs(t *testing.T) {
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
