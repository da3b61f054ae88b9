package graph

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// The caches of parsed queries and of persisted queries hold at most this
// many bytes of query text each. A parsed document takes some ten times
// its text in memory; a count of entries alone (gqlgen's lru) let
// 1,000 queries padded to 20 MB stay in memory.
const (
	CacheBytes      = 4 << 20
	MaxCachedQuery  = 16 << 10 // longer queries are not cached
	maxCacheEntries = 1000
)

// byteCache is a least-recently-used graphql.Cache bounded by the bytes
// of its keys and values (as measured by size) and by a number of
// entries.
type byteCache[T any] struct {
	max  int
	size func(key string, v T) int

	mu    sync.Mutex
	bytes int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheEntry[T any] struct {
	key   string
	value T
	bytes int
}

var _ graphql.Cache[string] = (*byteCache[string])(nil)

func newByteCache[T any](max int, size func(key string, v T) int) *byteCache[T] {
	return &byteCache[T]{max: max, size: size, order: list.New(), items: map[string]*list.Element{}}
}

func (c *byteCache[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		var zero T
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry[T]).value, true
}

// Add keeps value unless it is larger than MaxCachedQuery, evicting the
// least recently used entries to stay within the bounds.
func (c *byteCache[T]) Add(_ context.Context, key string, value T) {
	n := c.size(key, value)
	if n > MaxCachedQuery || n > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
	c.items[key] = c.order.PushFront(&cacheEntry[T]{key: key, value: value, bytes: n})
	c.bytes += n
	for c.bytes > c.max || c.order.Len() > maxCacheEntries {
		c.remove(c.order.Back())
	}
}

func (c *byteCache[T]) remove(e *list.Element) {
	ent := c.order.Remove(e).(*cacheEntry[T])
	delete(c.items, ent.key)
	c.bytes -= ent.bytes
}

// Bytes returns the bytes the cache holds.
func (c *byteCache[T]) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
