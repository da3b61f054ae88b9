package main

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// limits keeps each token to a request rate and a number of concurrent
// exports. Its state is per server process: with N replicas behind a load
// balancer a token gets up to N times the rate.
type limits struct {
	rate    rate.Limit
	burst   int
	exports int

	mu      sync.Mutex
	buckets map[gid.APITokenID]*rate.Limiter
	running map[gid.APITokenID]int
}

func newLimits(cfg Config) *limits {
	return &limits{
		rate: rate.Limit(cfg.RateLimit), burst: max(cfg.RateBurst, 1), exports: cfg.ExportsPerToken,
		buckets: map[gid.APITokenID]*rate.Limiter{}, running: map[gid.APITokenID]int{},
	}
}

// rateLimit answers 429 with Retry-After to a token over its rate. Tokens
// created unlimited (the demo's) are not counted. It runs after
// authentication.
func (l *limits) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok || p.Unlimited || l.rate <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		b, ok := l.buckets[p.TokenID]
		if !ok {
			b = rate.NewLimiter(l.rate, l.burst)
			l.buckets[p.TokenID] = b
		}
		res := b.Reserve()
		l.mu.Unlock()
		if delay := res.Delay(); delay > 0 {
			res.Cancel()
			tooMany(w, delay, "Too many requests.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// capExports answers 429 to a token already running its share of exports.
func (l *limits) capExports(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok || l.exports <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		if l.running[p.TokenID] >= l.exports {
			l.mu.Unlock()
			tooMany(w, time.Second, "Too many concurrent exports.")
			return
		}
		l.running[p.TokenID]++
		l.mu.Unlock()
		defer func() {
			l.mu.Lock()
			if l.running[p.TokenID]--; l.running[p.TokenID] == 0 {
				delete(l.running, p.TokenID)
			}
			l.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

func tooMany(w http.ResponseWriter, retry time.Duration, message string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	apperr.Write(w, apperr.Errorf(apperr.TooMany, "%s", message))
}
