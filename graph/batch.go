package graph

import (
	"context"
	"sync"
)

// batch loads, once, the nodes of all the ids a page of report rows refers
// to, so that a page costs one query per node type however many rows it
// has (no N+1).
type batch[K comparable, V any] struct {
	once  sync.Once
	ids   []K
	seen  map[K]bool
	load  func(ctx context.Context, ids []K) ([]V, error)
	key   func(V) K
	nodes map[K]V
	err   error
}

func newBatch[K comparable, V any](load func(context.Context, []K) ([]V, error), key func(V) K) *batch[K, V] {
	return &batch[K, V]{load: load, key: key}
}

// add notes an id to load, once.
func (b *batch[K, V]) add(id K) {
	if b.seen == nil {
		b.seen = map[K]bool{}
	}
	if !b.seen[id] {
		b.seen[id] = true
		b.ids = append(b.ids, id)
	}
}

// get returns the node of id, loading the batch on first use; the zero V
// when the node is not visible.
func (b *batch[K, V]) get(ctx context.Context, id K) (V, error) {
	b.once.Do(func() {
		var nodes []V
		nodes, b.err = b.load(ctx, b.ids)
		b.nodes = make(map[K]V, len(nodes))
		for _, n := range nodes {
			b.nodes[b.key(n)] = n
		}
	})
	return b.nodes[id], b.err
}
