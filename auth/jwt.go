package auth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// JWTConfig says which sign-in tokens (JWTs from an identity provider) are
// accepted and how their claims map to what the caller sees. See
// docs/auth.md.
type JWTConfig struct {
	// Issuer is the provider's issuer URL: the tokens' iss, and where its
	// OpenID Connect discovery document is unless JWKSURL is set.
	Issuer string
	// JWKSURL is where the signing keys are, for a provider without
	// discovery; the issuer is then only compared with iss.
	JWKSURL string
	// Audience must be one of a token's aud.
	Audience string
	// SchoolsClaim and GroupsClaim name the claims holding the school and
	// the group ids the caller sees; RolesClaim the claim holding roles,
	// of which AllRole sees every school and RevealRole reveals who asked
	// anonymous questions (either empty: no role does).
	SchoolsClaim, GroupsClaim, RolesClaim string
	AllRole, RevealRole                   string
	// Skew is the clock difference allowed between the provider and us
	// when checking exp (nbf gets go-oidc's fixed five minutes).
	Skew time.Duration
	// CacheTTL is how long a verified token's principal is remembered
	// (never past the token's exp).
	CacheTTL time.Duration
	// KeyRefetchInterval is the least time between two fetches of the keys
	// caused by tokens naming a key we do not have: a provider's rotation
	// is picked up at once, a stream of made-up key ids costs it one
	// request per interval. 0: 10 seconds.
	KeyRefetchInterval time.Duration
	// HTTPClient fetches the discovery document and the keys; nil:
	// http.DefaultClient with a 10-second timeout.
	HTTPClient *http.Client
	// Log gets the reasons tokens are refused, at debug.
	Log *slog.Logger
}

// Enabled reports whether c accepts any token.
func (c JWTConfig) Enabled() bool { return c.Issuer != "" || c.JWKSURL != "" }

// signingAlgs are the algorithms a token may be signed with: asymmetric
// only, so that no key published in a JWKS can sign (HS256 with a public
// key as its secret), and never "none".
var signingAlgs = []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA}

// JWTVerifier turns sign-in tokens into principals.
type JWTVerifier struct {
	cfg    JWTConfig
	client *ent.Client
	issuer string
	keys   *keySet

	mu     sync.Mutex
	cached map[[32]byte]cachedJWT
}

type cachedJWT struct {
	p     *Principal
	until time.Time
}

// NewJWTVerifier returns a verifier for cfg, fetching the provider's
// discovery document first when cfg has no JWKSURL. client reads the
// schools of a token's groups.
func NewJWTVerifier(ctx context.Context, cfg JWTConfig, client *ent.Client) (*JWTVerifier, error) {
	if cfg.Audience == "" {
		return nil, errors.New("auth: a sign-in token audience is required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.KeyRefetchInterval <= 0 {
		cfg.KeyRefetchInterval = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	jwksURL := cfg.JWKSURL
	if jwksURL == "" {
		provider, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
		if err != nil {
			return nil, fmt.Errorf("auth: OpenID Connect discovery at %s: %w", cfg.Issuer, err)
		}
		var doc struct {
			JWKSURL string `json:"jwks_uri"`
		}
		if err := provider.Claims(&doc); err != nil || doc.JWKSURL == "" {
			return nil, fmt.Errorf("auth: the discovery document of %s names no jwks_uri", cfg.Issuer)
		}
		jwksURL = doc.JWKSURL
	}
	return &JWTVerifier{
		cfg:    cfg,
		client: client,
		issuer: cfg.Issuer,
		keys:   &keySet{url: jwksURL, http: cfg.HTTPClient, refetch: rate.NewLimiter(rate.Every(cfg.KeyRefetchInterval), 1)},
		cached: map[[32]byte]cachedJWT{},
	}, nil
}

// LooksLikeJWT reports whether a bearer token has a JWT's three parts; API
// tokens never do.
func LooksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// errSignIn is what a refused sign-in token answers; the reason is logged
// at debug, not told to whoever sent the token.
var errSignIn = apperr.Errorf(apperr.Unauthorized, "The sign-in token is not valid.")

var errSignInExpired = apperr.Errorf(apperr.Unauthorized, "The sign-in token has expired.")

// Authenticate verifies raw at now (signature, iss, aud, exp with the
// skew) and returns its principal.
func (v *JWTVerifier) Authenticate(ctx context.Context, raw string, now time.Time) (*Principal, error) {
	key := sha256.Sum256([]byte(raw))
	v.mu.Lock()
	c, ok := v.cached[key]
	v.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.p, nil
	}
	verifier := oidc.NewVerifier(v.issuer, v.keys, &oidc.Config{
		ClientID:             v.cfg.Audience,
		SupportedSigningAlgs: signingAlgs,
		SkipIssuerCheck:      v.issuer == "",
		Now:                  func() time.Time { return now.Add(-v.cfg.Skew) },
	})
	var keysErr error // go-oidc keeps only the text of the key set's errors
	tok, err := verifier.Verify(context.WithValue(ctx, keysErrKey{}, &keysErr), raw)
	if err != nil {
		v.cfg.Log.Debug("sign-in token refused", "reason", err.Error())
		if _, expired := errors.AsType[*oidc.TokenExpiredError](err); expired {
			return nil, errSignInExpired
		}
		if keysErr != nil {
			return nil, &apperr.Error{Code: apperr.Unavailable, Message: "The sign-in keys cannot be fetched.", Err: keysErr}
		}
		return nil, errSignIn
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, errSignIn
	}
	p, err := v.principal(ctx, tok, claims)
	if err != nil {
		return nil, err
	}
	until := now.Add(v.cfg.CacheTTL)
	if exp := tok.Expiry.Add(v.cfg.Skew); exp.Before(until) {
		until = exp
	}
	v.mu.Lock()
	if len(v.cached) >= maxCachedTokens {
		for k, c := range v.cached {
			if !now.Before(c.until) {
				delete(v.cached, k)
			}
		}
		if len(v.cached) >= maxCachedTokens {
			clear(v.cached)
		}
	}
	v.cached[key] = cachedJWT{p: p, until: until}
	v.mu.Unlock()
	return p, nil
}

// jwtNamespace derives a stable id for each signed-in subject, under which
// rate limits and export caps count its requests as they do a token's.
var jwtNamespace = uuid.MustParse("6f1c3a52-0c55-4d6e-9f8e-3b8f6f0f7a10")

// principal maps a verified token's claims to what it sees. A token with
// no scope claim sees nothing, never everything.
func (v *JWTVerifier) principal(ctx context.Context, tok *oidc.IDToken, claims map[string]any) (*Principal, error) {
	p := &Principal{
		TokenID: gid.APITokenID(uuid.NewSHA1(jwtNamespace, []byte(tok.Issuer+"\x00"+tok.Subject))),
		Name:    "jwt:" + tok.Subject,
		Scope:   ScopeNone,
	}
	roles, err := claimStrings(claims, v.cfg.RolesClaim)
	if err != nil {
		return nil, err
	}
	hasRole := func(role string) bool {
		for _, r := range roles {
			if role != "" && r == role {
				return true
			}
		}
		return false
	}
	p.RevealAnonymous = hasRole(v.cfg.RevealRole)
	schools, err := claimIDs[gid.SchoolID](claims, v.cfg.SchoolsClaim, "school")
	if err != nil {
		return nil, err
	}
	groups, err := claimIDs[gid.GroupID](claims, v.cfg.GroupsClaim, "group")
	if err != nil {
		return nil, err
	}
	switch {
	case hasRole(v.cfg.AllRole):
		p.Scope = ScopeAll
	case len(schools) > 0 && len(groups) > 0:
		return nil, apperr.Errorf(apperr.Forbidden, "The sign-in token names both schools (%s) and groups (%s); a caller sees one or the other.",
			v.cfg.SchoolsClaim, v.cfg.GroupsClaim)
	case len(schools) > 0:
		p.Scope, p.SchoolIDs = ScopeSchools, schools
	case len(groups) > 0:
		p.Scope, p.GroupIDs = ScopeGroups, groups
		if p.SchoolIDs, err = schoolsOf(ctx, v.client, groups); err != nil {
			return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
		}
	}
	return p, nil
}

// claim returns the claim named name: a top-level claim of that name (which
// may contain dots, as namespaced claims do), else the value at the dotted
// path (realm_access.roles).
func claim(claims map[string]any, name string) (any, bool) {
	if name == "" {
		return nil, false
	}
	if v, ok := claims[name]; ok {
		return v, true
	}
	var v any = claims
	for part := range strings.SplitSeq(name, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

// claimStrings returns a claim holding a list of strings, or one string of
// values separated by spaces or commas; nil when the token lacks it.
func claimStrings(claims map[string]any, name string) ([]string, error) {
	v, ok := claim(claims, name)
	if !ok || v == nil {
		return nil, nil
	}
	switch v := v.(type) {
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }), nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, apperr.Errorf(apperr.Forbidden, "The sign-in token's claim %s holds a %s; give strings.", name, jsonKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, apperr.Errorf(apperr.Forbidden, "The sign-in token's claim %s holds a %s; give a list of strings.", name, jsonKind(v))
}

// claimIDs returns the ids a claim lists.
func claimIDs[T ~[16]byte](claims map[string]any, name, kind string) ([]T, error) {
	raw, err := claimStrings(claims, name)
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxScopeIDs {
		return nil, apperr.Errorf(apperr.Forbidden, "The sign-in token's claim %s lists %d ids; at most %d.", name, len(raw), MaxScopeIDs)
	}
	ids := make([]T, 0, len(raw))
	for _, s := range raw {
		u, err := uuid.Parse(s)
		if err != nil || len(s) != 36 {
			return nil, apperr.Errorf(apperr.Forbidden, "The sign-in token's claim %s holds %q, which is not a %s id.", name, truncate(s, 40), kind)
		}
		ids = append(ids, T(u))
	}
	return distinct(ids), nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// keysErrKey carries to the key set where it reports that the keys could
// not be fetched.
type keysErrKey struct{}

// keySet is the provider's signing keys, fetched from url when first needed
// and again when a token names a key it lacks, at most once per refetch
// interval. It implements oidc.KeySet. go-oidc's RemoteKeySet fetches on
// every unknown key id, which lets anyone make us hammer the provider.
type keySet struct {
	url     string
	http    *http.Client
	refetch *rate.Limiter

	fetching sync.Mutex // held by the one fetch in progress

	mu      sync.Mutex // guards the fields below
	keys    []jose.JSONWebKey
	fetches int // fetches that succeeded
}

// VerifySignature implements oidc.KeySet.
func (s *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	algs := make([]jose.SignatureAlgorithm, len(signingAlgs))
	for i, a := range signingAlgs {
		algs[i] = jose.SignatureAlgorithm(a)
	}
	jws, err := jose.ParseSignedCompact(raw, algs)
	if err != nil {
		return nil, err
	}
	kid := jws.Signatures[0].Header.KeyID
	keys, err := s.current(ctx, kid)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if kid == "" || k.KeyID == kid {
			if payload, err := jws.Verify(k); err == nil {
				return payload, nil
			}
		}
	}
	return nil, errors.New("no key verifies the signature")
}

// current returns the keys, fetching them first if they were never
// fetched, or if none has id kid and the refetch interval allows. Requests
// that need no fetch never wait for one.
func (s *keySet) current(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	s.mu.Lock()
	keys, fetches := s.keys, s.fetches
	known := kid == ""
	for _, k := range keys {
		known = known || k.KeyID == kid
	}
	need := fetches == 0 || !known && s.refetch.Allow()
	s.mu.Unlock()
	if !need {
		return keys, nil
	}
	s.fetching.Lock()
	defer s.fetching.Unlock()
	s.mu.Lock()
	if s.fetches != fetches { // another request fetched meanwhile
		keys = s.keys
		s.mu.Unlock()
		return keys, nil
	}
	s.mu.Unlock()
	fresh, err := s.fetch(ctx)
	if err != nil {
		if fetches > 0 {
			return keys, nil // keep verifying with the keys we have
		}
		err = fmt.Errorf("fetching the sign-in keys: %w", err)
		if report, ok := ctx.Value(keysErrKey{}).(*error); ok {
			*report = err
		}
		return nil, err
	}
	s.mu.Lock()
	s.keys = fresh
	s.fetches++
	if fetches == 0 {
		s.refetch.Allow() // the first fetch counts against the interval
	}
	s.mu.Unlock()
	return fresh, nil
}

func (s *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", s.url, resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("GET %s: %w", s.url, err)
	}
	keys := set.Keys[:0]
	for _, k := range set.Keys {
		if k.Use == "" || k.Use == "sig" {
			if k.IsPublic() {
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}
