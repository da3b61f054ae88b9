package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/go-jose/go-jose/v4"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/internal/testdb"
)

const audience = "stift-reports"

// idp is an identity provider stand-in: OpenID Connect discovery and a
// JWKS served by go-oidc's oidctest, counting the fetches of its keys.
type idp struct {
	srv     *oidctest.Server
	url     string
	rsa     *rsa.PrivateKey
	ec      *ecdsa.PrivateKey
	fetches atomic.Int32
}

func newIdP(t *testing.T) *idp {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &idp{rsa: rk, ec: ek, srv: &oidctest.Server{
		Algorithms: []string{oidc.RS256, oidc.ES256},
		PublicKeys: []oidctest.PublicKey{
			{PublicKey: rk.Public(), KeyID: "rsa-1", Algorithm: oidc.RS256},
			{PublicKey: ek.Public(), KeyID: "ec-1", Algorithm: oidc.ES256},
		},
	}}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "openid-configuration") {
			p.fetches.Add(1)
		}
		p.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	p.url = hs.URL
	p.srv.SetIssuer(hs.URL)
	return p
}

// claims returns a token's claims: issued by p for the audience, valid for
// an hour from now, with extra on top (a nil value removes a claim).
func (p *idp) claims(now time.Time, extra map[string]any) string {
	c := map[string]any{"iss": p.url, "aud": audience, "sub": "user-1",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func (p *idp) rs256(now time.Time, extra map[string]any) string {
	return oidctest.SignIDToken(p.rsa, "rsa-1", oidc.RS256, p.claims(now, extra))
}

func newVerifier(t *testing.T, p *idp, cfg auth.JWTConfig) *auth.JWTVerifier {
	t.Helper()
	cfg.Issuer, cfg.Audience = p.url, audience
	if cfg.SchoolsClaim == "" {
		cfg.SchoolsClaim, cfg.GroupsClaim, cfg.RolesClaim = "school_ids", "group_ids", "roles"
	}
	v, err := auth.NewJWTVerifier(context.Background(), cfg, testdb.SQLite(t).Client)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestJWTRefused covers the tokens a verifier must refuse, each with 401
// and never a principal.
func TestJWTRefused(t *testing.T) {
	p := newIdP(t)
	v := newVerifier(t, p, auth.JWTConfig{Skew: 30 * time.Second})
	now := time.Now()
	school := map[string]any{"school_ids": []string{"6f1c0c8e-3b1a-4c52-9d0e-2f4a6b8c0d1e"}}
	with := func(kv ...any) map[string]any {
		m := map[string]any{"school_ids": school["school_ids"]}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(p.rsa.Public())
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name, token, message string
	}{
		{"expired beyond the skew", p.rs256(now.Add(-2*time.Hour), with("exp", now.Add(-31*time.Second).Unix())), "expired"},
		{"wrong audience", p.rs256(now, with("aud", "another-app")), "not valid"},
		{"wrong issuer", p.rs256(now, with("iss", "https://evil.example")), "not valid"},
		{"not yet valid", p.rs256(now, with("nbf", now.Add(10*time.Minute).Unix())), "not valid"},
		{"signed by a key the provider does not publish", oidctest.SignIDToken(other, "rsa-1", oidc.RS256, p.claims(now, school)), "not valid"},
		{"alg none", b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(p.claims(now, school))) + ".", "not valid"},
		{"HS256 keyed with the public key", hs256(t, pubDER, p.claims(now, school)), "not valid"},
		{"garbage in three parts", "a.b.c", "not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, err := v.Authenticate(context.Background(), tc.token, now)
			if pr != nil || apperr.Status(err) != http.StatusUnauthorized || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("got %v, %v; want 401 %q", pr, err, tc.message)
			}
		})
	}
	t.Run("expired within the skew", func(t *testing.T) {
		tok := p.rs256(now.Add(-2*time.Hour), with("exp", now.Add(-10*time.Second).Unix()))
		if _, err := v.Authenticate(context.Background(), tok, now); err != nil {
			t.Errorf("a token 10 s past exp with a 30 s skew: %v", err)
		}
	})
}

func hs256(t *testing.T, key []byte, claims string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestJWTScopes maps each kind of claim to what the caller sees; a token
// without any sees nothing, never everything.
func TestJWTScopes(t *testing.T) {
	p := newIdP(t)
	d := testdb.SQLite(t)
	ctx := auth.SystemContext(context.Background())
	sch := d.Client.School.Create().SetName("Escola").SaveX(ctx)
	grp := d.Client.Group.Create().SetName("Turma").SetSchool(sch).SaveX(ctx)
	cfg := auth.JWTConfig{Issuer: p.url, Audience: audience, SchoolsClaim: "https://stift.example/school_ids",
		GroupsClaim: "group_ids", RolesClaim: "realm_access.roles", AllRole: "stift-admin", RevealRole: "stift-reveal"}
	v, err := auth.NewJWTVerifier(context.Background(), cfg, d.Client)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	roles := func(r ...string) map[string]any { return map[string]any{"roles": r} }
	for _, tc := range []struct {
		name    string
		claims  map[string]any
		scope   auth.Scope
		reveal  bool
		schools int
		groups  int
		err     string
	}{
		{"no claims", nil, auth.ScopeNone, false, 0, 0, ""},
		{"the all role", map[string]any{"realm_access": roles("stift-admin")}, auth.ScopeAll, false, 0, 0, ""},
		{"schools, namespaced claim", map[string]any{"https://stift.example/school_ids": []string{sch.ID.String()}}, auth.ScopeSchools, false, 1, 0, ""},
		{"groups as a space-separated string, and reveal", map[string]any{"group_ids": grp.ID.String(), "realm_access": roles("stift-reveal")},
			auth.ScopeGroups, true, 1, 1, ""},
		{"an empty list", map[string]any{"group_ids": []string{}}, auth.ScopeNone, false, 0, 0, ""},
		{"schools and groups", map[string]any{"https://stift.example/school_ids": []string{sch.ID.String()}, "group_ids": []string{grp.ID.String()}},
			"", false, 0, 0, "both schools"},
		{"an id that is no uuid", map[string]any{"group_ids": []string{"../etc"}}, "", false, 0, 0, "not a group id"},
		{"a number for ids", map[string]any{"group_ids": 7}, "", false, 0, 0, "holds a number"},
		{"the all role in the wrong claim", map[string]any{"roles": []string{"stift-admin"}}, auth.ScopeNone, false, 0, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := oidctest.SignIDToken(p.ec, "ec-1", oidc.ES256, p.claims(now, tc.claims))
			pr, err := v.Authenticate(context.Background(), tok, now)
			if tc.err != "" {
				if apperr.Status(err) != http.StatusForbidden || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want 403 %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pr.Scope != tc.scope || pr.RevealAnonymous != tc.reveal || len(pr.SchoolIDs) != tc.schools || len(pr.GroupIDs) != tc.groups {
				t.Errorf("got %+v", pr)
			}
			if tc.scope == auth.ScopeNone && (pr.Visible().All() || len(pr.Visible().Schools()) != 0) {
				t.Errorf("a token without scope claims sees %+v", pr.Visible())
			}
		})
	}
}

// TestJWTKeyRotation: a token signed with a key the provider published
// after our last fetch is accepted after one refetch; made-up key ids
// cause at most one fetch per interval.
func TestJWTKeyRotation(t *testing.T) {
	p := newIdP(t)
	v := newVerifier(t, p, auth.JWTConfig{KeyRefetchInterval: time.Second})
	now := time.Now()
	claims := map[string]any{"group_ids": []string{}}
	if _, err := v.Authenticate(context.Background(), p.rs256(now, claims), now); err != nil {
		t.Fatal(err)
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches of the keys after the first token, want 1", n)
	}
	rotated, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p.srv.PublicKeys = append(p.srv.PublicKeys, oidctest.PublicKey{PublicKey: rotated.Public(), KeyID: "rsa-2", Algorithm: oidc.RS256})
	// The first fetch used up the interval: a new key id within it is
	// refused without a fetch...
	tok := oidctest.SignIDToken(rotated, "rsa-2", oidc.RS256, p.claims(now, claims))
	if _, err := v.Authenticate(context.Background(), tok, now); err == nil {
		t.Fatal("a key id unknown within the refetch interval was accepted without a fetch")
	}
	if n := p.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want still 1", n)
	}
	// ...and accepted once the interval has passed, after one fetch.
	time.Sleep(time.Second + 100*time.Millisecond)
	tok = oidctest.SignIDToken(rotated, "rsa-2", oidc.RS256, p.claims(now, map[string]any{"group_ids": []string{}, "jti": "2"}))
	if _, err := v.Authenticate(context.Background(), tok, now); err != nil {
		t.Fatalf("the rotated key: %v", err)
	}
	for i := range 20 {
		bogus := oidctest.SignIDToken(rotated, "made-up-"+string(rune('a'+i)), oidc.RS256, p.claims(now, claims))
		_, _ = v.Authenticate(context.Background(), bogus, now)
	}
	if n := p.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after the rotation and 20 made-up key ids, want 2", n)
	}
}

// TestJWTUnreachableProvider: keys that cannot be fetched make 503, not
// 401 or 500, and discovery that fails stops the start with the URL.
func TestJWTUnreachableProvider(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	_, err := auth.NewJWTVerifier(context.Background(), auth.JWTConfig{Issuer: hs.URL, Audience: audience}, nil)
	if err == nil || !strings.Contains(err.Error(), hs.URL) {
		t.Errorf("discovery against a closed server: %v", err)
	}
	v, err := auth.NewJWTVerifier(context.Background(), auth.JWTConfig{Issuer: "https://idp.example", JWKSURL: hs.URL + "/keys", Audience: audience}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := newIdP(t)
	_, err = v.Authenticate(context.Background(), p.rs256(time.Now(), map[string]any{"iss": "https://idp.example"}), time.Now())
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Unavailable {
		t.Errorf("keys unreachable: %v, want unavailable", err)
	}
}
