package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestAuthenticatorCache checks the stated bound of the token cache: a
// token revoked in the database keeps working for less than the TTL after
// the server looked it up, and never after; an expired token is refused at
// once, cached or not; a TTL of 0 sees a revocation on the next request.
func TestAuthenticatorCache(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const ttl = 5 * time.Second
		t0 := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		expires := t0.Add(3 * time.Second)
		long, longSecret, err := auth.CreateToken(ctx, d.Client, auth.TokenSpec{Name: "long", All: true})
		if err != nil {
			t.Fatal(err)
		}
		_, shortSecret, err := auth.CreateToken(ctx, d.Client, auth.TokenSpec{Name: "short", All: true, ExpiresAt: &expires})
		if err != nil {
			t.Fatal(err)
		}
		cached := auth.NewAuthenticator(d.Client, ttl)
		uncached := auth.NewAuthenticator(d.Client, 0)
		check := func(a *auth.Authenticator, secret string, at time.Time, want bool) {
			t.Helper()
			p, err := a.Authenticate(ctx, secret, at)
			switch {
			case want && err != nil:
				t.Errorf("at t0+%v: %v, want accepted", at.Sub(t0), err)
			case !want && !errors.Is(err, auth.ErrUnauthorized):
				t.Errorf("at t0+%v: principal %v, err %v; want ErrUnauthorized", at.Sub(t0), p, err)
			}
		}
		check(cached, longSecret, t0, true)
		check(uncached, longSecret, t0, true)
		check(cached, shortSecret, t0, true)
		if err := auth.RevokeToken(ctx, d.Client, long.ID, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		check(uncached, longSecret, t0.Add(time.Second), false)
		check(cached, longSecret, t0.Add(ttl-time.Millisecond), true)  // remembered
		check(cached, longSecret, t0.Add(ttl), false)                  // looked up again
		check(cached, longSecret, t0.Add(ttl+time.Millisecond), false) // and forgotten
		check(cached, shortSecret, expires.Add(-time.Millisecond), true)
		check(cached, shortSecret, expires, false) // cached, but expired
		// A clock set back does not stretch the bound.
		check(cached, longSecret, t0.Add(-time.Hour), false)
		check(cached, "stift_unknownunknownunknownunknownunknownxx", t0, false)
	})
}
