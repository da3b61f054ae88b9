package auth

import (
	"context"
	"sync"
	"time"

	"github.com/stift/stift-reports/ent"
)

// MaxTokenCacheTTL bounds how long a token's principal may be remembered:
// the longest a revoked token keeps working.
const MaxTokenCacheTTL = time.Minute

// maxCachedTokens bounds the tokens an Authenticator remembers at once.
const maxCachedTokens = 10_000

// Authenticator turns token secrets into principals, remembering each
// token it found for TTL so that a client's requests do not each look its
// token up in the database. The price is stated: a token revoked in the
// database (by `token revoke`, on any replica) is still accepted by a
// server that looked it up less than TTL before, and refused after. A
// token's expiry is checked on every request, cached or not. Unknown
// secrets are never remembered.
type Authenticator struct {
	// JWT verifies the bearer tokens that are JWTs (sign-in tokens from an
	// identity provider); nil: only API tokens are accepted.
	JWT *JWTVerifier

	client *ent.Client
	ttl    time.Duration // 0: look up every request

	mu     sync.Mutex
	tokens map[string]cachedToken // by secret hash
}

type cachedToken struct {
	p         *Principal
	expiresAt *time.Time // the token's own expiry, if any
	until     time.Time  // when the entry must be looked up again
}

// NewAuthenticator returns an Authenticator reading tokens with client and
// remembering them for ttl (0: not at all).
func NewAuthenticator(client *ent.Client, ttl time.Duration) *Authenticator {
	return &Authenticator{client: client, ttl: ttl, tokens: map[string]cachedToken{}}
}

// Authenticate returns the principal of a token secret at now, or
// ErrUnauthorized when the token is unknown, revoked (more than the TTL
// ago) or expired. The principal returned is shared: callers must not
// change it.
func (a *Authenticator) Authenticate(ctx context.Context, secret string, now time.Time) (*Principal, error) {
	if a.ttl <= 0 {
		return Authenticate(ctx, a.client, secret, now)
	}
	hash := HashSecret(secret)
	a.mu.Lock()
	c, ok := a.tokens[hash]
	a.mu.Unlock()
	if ok && now.Before(c.until) && !now.Before(c.until.Add(-a.ttl)) {
		if c.expiresAt != nil && !now.Before(*c.expiresAt) {
			return nil, ErrUnauthorized
		}
		return c.p, nil
	}
	p, expiresAt, err := authenticate(ctx, a.client, secret, now)
	if err != nil {
		if ok {
			a.mu.Lock()
			delete(a.tokens, hash)
			a.mu.Unlock()
		}
		return nil, err
	}
	a.mu.Lock()
	if len(a.tokens) >= maxCachedTokens {
		a.evict(now)
	}
	a.tokens[hash] = cachedToken{p: p, expiresAt: expiresAt, until: now.Add(a.ttl)}
	a.mu.Unlock()
	return p, nil
}

// evict drops the entries due for a new look-up at now, and all of them
// if that frees nothing. a.mu must be held.
func (a *Authenticator) evict(now time.Time) {
	for h, c := range a.tokens {
		if !now.Before(c.until) {
			delete(a.tokens, h)
		}
	}
	if len(a.tokens) >= maxCachedTokens {
		clear(a.tokens)
	}
}
