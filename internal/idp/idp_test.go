package idp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/stift/stift-reports/internal/idp"
)

func newServer(t *testing.T) (*idp.Provider, *httptest.Server) {
	t.Helper()
	p, err := idp.New("stift-reports")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.SetIssuer(srv.URL)
	return p, srv
}

// TestTokenEndpoint: a token from the token endpoint verifies through the
// provider's discovery and keys, for its audience, with the user's claims
// and the provider's clock.
func TestTokenEndpoint(t *testing.T) {
	p, srv := newServer(t)
	now := time.Now().Truncate(time.Second)
	p.Now = func() time.Time { return now }
	p.TTL = 10 * time.Minute
	p.User = map[string]any{"sub": "coordinator", "school_ids": []string{"1e43c7cd-1bcd-4f29-bb72-71071621f0fe"}, "exp": 1}

	resp, err := http.PostForm(srv.URL+"/token", url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST /token: %s, Cache-Control %q", resp.Status, resp.Header.Get("Cache-Control"))
	}
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.TokenType != "Bearer" || body.ExpiresIn != 600 {
		t.Errorf("token_type %q, expires_in %d; want Bearer, 600", body.TokenType, body.ExpiresIn)
	}

	provider, err := oidc.NewProvider(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := provider.VerifierContext(t.Context(), &oidc.Config{ClientID: "stift-reports", Now: func() time.Time { return now }}).
		Verify(t.Context(), body.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		SchoolIDs []string `json:"school_ids"`
	}
	if err := tok.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if tok.Subject != "coordinator" || len(claims.SchoolIDs) != 1 || !tok.Expiry.Equal(now.Add(10*time.Minute)) {
		t.Errorf("sub %q, school_ids %v, exp %v; want the user's, expiring in the TTL (not the user's exp)", tok.Subject, claims.SchoolIDs, tok.Expiry)
	}

	other, err := oidc.NewProvider(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.VerifierContext(t.Context(), &oidc.Config{ClientID: "another-app", Now: func() time.Time { return now }}).
		Verify(t.Context(), body.AccessToken); err == nil {
		t.Error("the token verified for another audience")
	}
}

// TestRefused: the token endpoint takes POST only, and other paths are
// not found.
func TestRefused(t *testing.T) {
	_, srv := newServer(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/token", http.StatusMethodNotAllowed},
		{"PUT", "/token", http.StatusMethodNotAllowed},
		{"POST", "/keys", http.StatusMethodNotAllowed},
		{"GET", "/token/../keys/x", http.StatusNotFound},
		{"GET", "/authorize", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader("grant_type=password"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s: %s, want %d", tc.method, tc.path, resp.Status, tc.want)
		}
		if tc.path == "/token" && resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s /token: Allow %q, want POST", tc.method, resp.Header.Get("Allow"))
		}
	}
}

// TestSign: the claims given go on top of iss and aud; a nil one is left out.
func TestSign(t *testing.T) {
	p, srv := newServer(t)
	tok, err := p.Sign(map[string]any{"aud": nil, "sub": "x", "exp": time.Now().Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := oidc.NewProvider(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	v := provider.VerifierContext(t.Context(), &oidc.Config{SkipClientIDCheck: true})
	idt, err := v.Verify(t.Context(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(idt.Audience) != 0 || idt.Issuer != srv.URL || idt.Subject != "x" {
		t.Errorf("aud %v, iss %q, sub %q; want no aud, the issuer, x", idt.Audience, idt.Issuer, idt.Subject)
	}
}
