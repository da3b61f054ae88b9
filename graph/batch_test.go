package graph

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/ent"
)

// testNode is a node of testLoader; node 3 is out of the token's scope.
type testNode struct{ id int }

// testLoader is a loader of testNodes noting ids 1, 2 and 3, and the ids
// each of its queries asked for.
func testLoader() (*loader[int, *testNode], *[][]int) {
	var mu sync.Mutex
	var queries [][]int
	l := newLoader(nil, func(_ context.Context, _ *ent.Client, ids []int) ([]*testNode, error) {
		mu.Lock()
		defer mu.Unlock()
		queries = append(queries, slices.Sorted(slices.Values(ids)))
		var nodes []*testNode
		for _, id := range ids {
			if id != 3 {
				nodes = append(nodes, &testNode{id})
			}
		}
		return nodes, nil
	}, func(n *testNode) int { return n.id })
	for _, id := range []int{1, 2, 3, 2} {
		l.note(id)
	}
	l.noteOptional(nil)
	return l, &queries
}

// at is a context resolving a field at place in the response.
func at(place string) context.Context {
	return graphql.WithFieldContext(context.Background(),
		&graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: place}}})
}

func TestLoader(t *testing.T) {
	l, queries := testLoader()
	steps := []struct {
		name        string
		place       string
		id          int
		want        int // the id of the node; 0 for null
		wantErr     bool
		wantQueries int
	}{
		{"the first get loads the noted ids", "a", 1, 1, false, 1},
		{"the same place is loaded", "a", 2, 2, false, 1},
		{"a noted id out of scope is null", "a", 3, 0, false, 1},
		{"another place loads again", "b", 2, 2, false, 2},
		{"an id not noted is an error", "c", 4, 0, true, 2},
	}
	for _, s := range steps {
		n, err := l.get(at(s.place), s.id)
		if (err != nil) != s.wantErr {
			t.Fatalf("%s: get(%d) error = %v, want error %t", s.name, s.id, err, s.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "int 4 was not noted") {
			t.Errorf("%s: error %q does not say which id was not noted", s.name, err)
		}
		if got := n != nil; got != (s.want != 0) || got && n.id != s.want {
			t.Errorf("%s: get(%d) = %v, want node %d", s.name, s.id, n, s.want)
		}
		if len(*queries) != s.wantQueries {
			t.Errorf("%s: %d queries, want %d", s.name, len(*queries), s.wantQueries)
		}
	}
	for _, q := range *queries {
		if !slices.Equal(q, []int{1, 2, 3}) {
			t.Errorf("queried ids %v, want [1 2 3]", q)
		}
	}
	if n, err := l.getOptional(at("d"), nil); n != nil || err != nil || len(*queries) != 2 {
		t.Errorf("getOptional(nil) = %v, %v after %d queries, want nil, nil without a query", n, err, len(*queries))
	}
}

func TestLoaderConcurrentGets(t *testing.T) {
	l, queries := testLoader()
	var wg sync.WaitGroup
	for i := range 50 {
		id := 1 + i%2
		wg.Go(func() {
			if n, err := l.get(at("a"), id); err != nil || n == nil || n.id != id {
				t.Errorf("get(%d) = %v, %v", id, n, err)
			}
		})
	}
	wg.Wait()
	if len(*queries) != 1 {
		t.Errorf("%d queries, want 1", len(*queries))
	}
}
