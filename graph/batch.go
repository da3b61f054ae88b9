package graph

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/stift/stift-reports/ent"
)

// loader loads the ent nodes of one field of a page of report rows, so
// that a page costs one query per field however many rows it has (no
// N+1). The page's resolver notes each row's id before returning the
// page; the first time the field is resolved at a place of the response,
// all the noted ids are loaded in one query with that place's
// sub-selection collected by entgql (nested edges eagerly, only the
// columns asked for). A field selected at two places, under two aliases
// say, is loaded once for each.
type loader[K comparable, V any] struct {
	c     *ent.Client
	query func(context.Context, *ent.Client, []K) ([]V, error)
	key   func(V) K
	noted map[K]bool

	mu      sync.Mutex
	batches map[string]*batch[K, V] // by place in the response
}

// batch is the nodes a loader loaded for one place in the response.
type batch[K comparable, V any] struct {
	once  sync.Once
	nodes map[K]V
	err   error
}

func newLoader[K comparable, V any](c *ent.Client, query func(context.Context, *ent.Client, []K) ([]V, error), key func(V) K) *loader[K, V] {
	return &loader[K, V]{c: c, query: query, key: key, noted: map[K]bool{}, batches: map[string]*batch[K, V]{}}
}

// note notes an id to load. All notes precede the first get.
func (l *loader[K, V]) note(id K) { l.noted[id] = true }

// noteOptional notes a nullable id.
func (l *loader[K, V]) noteOptional(id *K) {
	if id != nil {
		l.note(*id)
	}
}

// get returns the node of id, loading the batch of its place in the
// response on first use; the zero V when the token may not see the node.
// An id that was never noted is an error, not a null: the page's resolver
// forgot to note it.
func (l *loader[K, V]) get(ctx context.Context, id K) (V, error) {
	if !l.noted[id] {
		var zero V
		return zero, fmt.Errorf("graph: %T %v was not noted on its %T loader", id, id, zero)
	}
	place := responsePlace(ctx)
	l.mu.Lock()
	b := l.batches[place]
	if b == nil {
		b = &batch[K, V]{}
		l.batches[place] = b
	}
	l.mu.Unlock()
	b.once.Do(func() {
		var nodes []V
		nodes, b.err = l.query(ctx, l.c, slices.Collect(maps.Keys(l.noted)))
		b.nodes = make(map[K]V, len(nodes))
		for _, n := range nodes {
			b.nodes[l.key(n)] = n
		}
	})
	return b.nodes[id], b.err
}

// getOptional is get for a nullable reference.
func (l *loader[K, V]) getOptional(ctx context.Context, id *K) (V, error) {
	if id == nil {
		var zero V
		return zero, nil
	}
	return l.get(ctx, *id)
}
