package main

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/metrics"
)

// limits keeps each token to a request rate and a number of concurrent
// exports, and the server to a number of exports in all. Its state is per
// server process: with N replicas behind a load balancer a token gets up
// to N times the rate.
type limits struct {
	rate    rate.Limit
	burst   int
	exports int // per token; 0: no cap
	metrics *metrics.Metrics
	// slots holds a token for each export running, all tokens together;
	// its capacity is the server's total.
	slots     chan struct{}
	queueWait time.Duration // how long an export over the total waits

	mu      sync.Mutex
	buckets map[gid.APITokenID]*rate.Limiter
	running map[gid.APITokenID]int // exports running or waiting, per token
}

// maxExports is the most exports (REST reports and GraphQL downloads) a
// server answers at once, whatever their tokens. A REST export holds a
// database connection for as long as its client takes to read it (a
// client that stops reading, up to WRITE_STALL_TIMEOUT), so without this
// cap ten tokens with two exports each would hold every
// connection of a PostgreSQL pool (db.MaxPostgresConns) and leave none to
// check the token of any other request or to answer /readyz. The
// connections it keeps free (reservedConns) serve them: a token lookup or a
// ping holds one for a moment, a GraphQL query a few.
//
// SQLite's pool has no cap, but the same bound keeps the CPU and memory of
// exports (an XLSX encoding alone takes some 60 MiB) in proportion.
const maxExports = db.MaxPostgresConns - reservedConns

// reservedConns are the pool's connections exports may not take.
const reservedConns = 4

// busyRetry is the Retry-After of an export refused because the server
// runs maxExports already: an export takes seconds to minutes.
const busyRetry = 5 * time.Second

// newLimits returns the limits of cfg, with at most total exports at once
// (0: no total).
func newLimits(cfg Config, total int, m *metrics.Metrics) *limits {
	l := &limits{
		rate: rate.Limit(cfg.RateLimit), burst: max(cfg.RateBurst, 1), exports: cfg.ExportsPerToken,
		metrics: m, queueWait: cfg.ExportQueueTimeout,
		buckets: map[gid.APITokenID]*rate.Limiter{}, running: map[gid.APITokenID]int{},
	}
	if total > 0 {
		l.slots = make(chan struct{}, total)
	}
	return l
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

// capExports answers 429 to a token already running its share of exports,
// and 503 to any when the server runs as many exports as it may.
func (l *limits) capExports(next http.Handler) http.Handler {
	return l.capExportsIf(nil, next)
}

// capExportsIf is capExports for the requests isExport says are exports
// (GraphQL requests asking for a download); the others pass freely. An
// export over the server's total waits up to queueWait for a running one to
// end (waiting, it holds no database connection), then gets 503.
func (l *limits) capExportsIf(isExport func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok || isExport != nil && !isExport(r) {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		if l.exports > 0 && l.running[p.TokenID] >= l.exports {
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
		if !l.takeSlot(r.Context()) {
			w.Header().Set("Retry-After", strconv.Itoa(int(busyRetry.Seconds())))
			apperr.Write(w, apperr.Errorf(apperr.Unavailable, "The server is running as many exports as it can; retry later."))
			return
		}
		l.metrics.ExportStarted()
		defer func() {
			l.metrics.ExportEnded()
			if l.slots != nil {
				<-l.slots
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// takeSlot takes one of the server's export slots, waiting up to
// queueWait for one to free; false when none did (or the client left).
// Without a total, there is always one.
func (l *limits) takeSlot(ctx context.Context) bool {
	if l.slots == nil {
		return true
	}
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	if l.queueWait <= 0 {
		return false
	}
	t := time.NewTimer(l.queueWait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// holdSlot takes one of the server's export slots for an asynchronous
// export's job, waiting for one as long as ctx allows (the job holds no
// database connection meanwhile); release gives it back. The job's rows
// are read through the same pool as the synchronous exports', so it counts
// toward the same total.
func (l *limits) holdSlot(ctx context.Context) (release func(), err error) {
	if l.slots == nil {
		return func() {}, nil
	}
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func tooMany(w http.ResponseWriter, retry time.Duration, message string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	apperr.Write(w, apperr.Errorf(apperr.TooMany, "%s", message))
}
