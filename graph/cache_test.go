package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/stift/stift-reports/internal/testdb"
)

// TestByteCache: entries are evicted, least recently used first, to keep
// the bytes held under the bound; an entry over MaxCachedQuery is not kept.
func TestByteCache(t *testing.T) {
	ctx := context.Background()
	c := newByteCache(100, func(k, v string) int { return len(k) + len(v) })
	c.Add(ctx, "a", strings.Repeat("x", 39)) // 40 bytes
	c.Add(ctx, "b", strings.Repeat("x", 39))
	if _, ok := c.Get(ctx, "a"); !ok { // a is now the most recently used
		t.Fatal("a missing")
	}
	c.Add(ctx, "c", strings.Repeat("x", 39)) // 120 bytes: b goes
	if _, ok := c.Get(ctx, "b"); ok {
		t.Error("b kept: the least recently used entry should go first")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(ctx, k); !ok {
			t.Errorf("%s evicted", k)
		}
	}
	if c.Bytes() != 80 {
		t.Errorf("holds %d bytes, want 80", c.Bytes())
	}
	c.Add(ctx, "a", "") // replacing an entry counts it once
	if c.Bytes() != 41 {
		t.Errorf("holds %d bytes after replacing a, want 41", c.Bytes())
	}
	big := newByteCache(1<<30, func(k, v string) int { return len(k) + len(v) })
	big.Add(ctx, "big", strings.Repeat("x", MaxCachedQuery))
	if _, ok := big.Get(ctx, "big"); ok || big.Bytes() != 0 {
		t.Error("an entry over MaxCachedQuery was kept")
	}
}

// TestCachesBoundedByBytes sends many distinct valid queries padded to
// just under what the caches keep, parsed and persisted: the caches stay
// under CacheBytes, and a query too long for them still runs.
func TestCachesBoundedByBytes(t *testing.T) {
	s := newTestServer(t, testdb.SQLite(t), Options{})
	pad := MaxCachedQuery - 200
	n := CacheBytes/pad + CacheBytes/pad/4 // more than the caches may hold
	for i := range n {
		q := fmt.Sprintf("{ viewer { tokenName } } # %d %s", i, strings.Repeat("x", pad))
		body := fmt.Sprintf(`{"query": %q, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, q, sha(q))
		if r := s.post(t, []byte(body)); len(r.Errors) > 0 {
			t.Fatalf("query %d: %+v", i, r.Errors)
		}
	}
	if b := s.probe.queries.Bytes(); b > CacheBytes || b < CacheBytes/2 {
		t.Errorf("the query cache holds %d bytes after %d padded queries; want at most %d, and used", b, n, CacheBytes)
	}
	if b := s.probe.persisted.Bytes(); b > CacheBytes || b < CacheBytes/2 {
		t.Errorf("the persisted query cache holds %d bytes; want at most %d, and used", b, CacheBytes)
	}
	long := "{ viewer { tokenName } } #" + strings.Repeat("x", MaxCachedQuery)
	before := s.probe.queries.Bytes()
	if r := s.query(t, long, nil, nil); len(r.Errors) > 0 {
		t.Fatalf("a long query: %+v", r.Errors)
	}
	if s.probe.queries.Bytes() != before {
		t.Error("a query over MaxCachedQuery was cached")
	}
}

// sha is the hash of a persisted query.
func sha(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}
