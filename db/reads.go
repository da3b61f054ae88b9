package db

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/stift/stift-reports/apperr"
)

// Reads chooses the database that report reads go to: a streaming
// replica while it answers, else the primary — or, when strict, no
// database at all (503) rather than load the primary with reports.
// Writes (imports, tokens) and token lookups always use the primary, so a
// revoked token is refused at once whatever the replica's lag.
type Reads struct {
	primary, replica *DB
	strict           bool
	healthy          atomic.Bool
}

// NewReads returns the reads of primary, over replica when it is not nil.
func NewReads(primary, replica *DB, strict bool) *Reads {
	r := &Reads{primary: primary, replica: replica, strict: strict}
	r.healthy.Store(replica != nil)
	return r
}

// Get returns the database to read a report from.
func (r *Reads) Get() (*DB, error) {
	switch {
	case r.replica == nil:
		return r.primary, nil
	case r.healthy.Load():
		return r.replica, nil
	case r.strict:
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable."}
	}
	return r.primary, nil
}

// Oldest returns the database whose state every read of a request sees
// or has passed, whichever database Get gives it: the replica while it
// answers (the primary is never behind it), the primary when there is no
// replica. While a configured replica is down there is none (false): Get
// may send the request's reads to the replica again, behind what the
// primary showed a moment before.
func (r *Reads) Oldest() (*DB, bool) {
	switch {
	case r.replica == nil:
		return r.primary, true
	case r.healthy.Load():
		return r.replica, true
	}
	return nil, false
}

// Watch pings the replica every interval until ctx ends, sending reads to
// it only while it answers.
func (r *Reads) Watch(ctx context.Context, interval time.Duration, changed func(healthy bool)) {
	if r.replica == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, interval)
		ok := r.replica.Ping(pctx) == nil
		cancel()
		if r.healthy.Swap(ok) != ok && changed != nil {
			changed(ok)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
