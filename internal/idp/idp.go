// Package idp is an OpenID Connect identity provider stand-in, for the
// tests and the end-to-end checks: discovery and a JWKS (go-oidc's
// oidctest) publishing one RSA key, RS256 tokens signed with it, and a
// token endpoint that hands a fixed user's token to whoever asks.
//
// It checks no password and no client: never expose it beyond a test.
package idp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// KeyID is the key id of the provider's signing key.
const KeyID = "stand-in-1"

// Provider is the stand-in. Its handler serves
//
//	GET  /.well-known/openid-configuration   discovery
//	GET  /keys                               the JWKS
//	POST /token                              {"access_token": …} for User
//
// Set the issuer (SetIssuer) before it serves.
type Provider struct {
	// Audience is the aud of every token it signs.
	Audience string
	// User is the claims of the token endpoint's user (sub, scope claims),
	// on top of iss, aud, iat and exp.
	User map[string]any
	// TTL is how long a token from the token endpoint lasts.
	TTL time.Duration
	// Now is the provider's clock (nil: time.Now).
	Now func() time.Time

	key    *rsa.PrivateKey
	issuer string
	oidc   oidctest.Server
}

// New returns a provider with a new 2048-bit RSA key.
func New(audience string) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("idp: generate the signing key: %w", err)
	}
	return &Provider{
		Audience: audience,
		TTL:      time.Hour,
		key:      key,
		oidc: oidctest.Server{PublicKeys: []oidctest.PublicKey{
			{PublicKey: key.Public(), KeyID: KeyID, Algorithm: oidc.RS256},
		}},
	}, nil
}

// SetIssuer sets the issuer URL: the base URL the provider is served at.
func (p *Provider) SetIssuer(url string) {
	p.issuer = url
	p.oidc.SetIssuer(url)
}

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// Sign returns an RS256 JWT whose claims are iss and aud with claims on
// top (a claim given as nil is left out).
func (p *Provider) Sign(claims map[string]any) (string, error) {
	c := map[string]any{"iss": p.issuer, "aud": p.Audience}
	maps.Copy(c, claims)
	maps.DeleteFunc(c, func(_ string, v any) bool { return v == nil })
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("idp: claims: %w", err)
	}
	return oidctest.SignIDToken(p.key, KeyID, oidc.RS256, string(b)), nil
}

// ServeHTTP serves discovery, the JWKS and the token endpoint.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/token" {
		p.oidc.ServeHTTP(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "the token endpoint takes POST", http.StatusMethodNotAllowed)
		return
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	claims := maps.Clone(p.User)
	if claims == nil {
		claims = map[string]any{}
	}
	claims["iat"], claims["exp"] = now.Unix(), now.Add(p.TTL).Unix()
	tok, err := p.Sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	// RFC 6749, section 5.1: the token response is not to be cached.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(p.TTL / time.Second),
	})
}
