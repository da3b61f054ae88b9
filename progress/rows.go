package progress

import (
	"context"
	"sync/atomic"
)

// Rows counts the rows a report has streamed so far, for a watcher in
// another goroutine: an asynchronous export shows the count in its status
// while it runs. The zero value is ready; a nil *Rows counts nothing.
type Rows struct{ n atomic.Int64 }

// Add counts n more rows.
func (r *Rows) Add(n int64) {
	if r != nil {
		r.n.Add(n)
	}
}

// Load returns the rows counted so far.
func (r *Rows) Load() int64 {
	if r == nil {
		return 0
	}
	return r.n.Load()
}

type rowsKey struct{}

// WithRows returns ctx carrying r, for the report streamed under ctx to
// count its rows into.
func WithRows(ctx context.Context, r *Rows) context.Context {
	return context.WithValue(ctx, rowsKey{}, r)
}

// RowsFrom returns the counter ctx carries, or nil.
func RowsFrom(ctx context.Context) *Rows {
	r, _ := ctx.Value(rowsKey{}).(*Rows)
	return r
}
