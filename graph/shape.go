package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// The bounds on a query's text and shape, checked before gqlgen validates
// it. gqlparser's validation compares every pair of fields that share a
// response name (OverlappingFieldsCanBeMerged), so `{ __typename ×20000 }`
// costs 2×10⁸ comparisons; and fragments that each spread the next twice
// expand to 2ⁿ fields for any walk that follows spreads (complexity,
// depth). Both are refused here from a walk whose own work is bounded.
const (
	// MaxQueryBytes is the longest query text accepted. The playground's
	// introspection query is about 2 KB.
	MaxQueryBytes = 64 << 10
	// MaxQueryTokens is gqlparser's token limit: parsing stops there.
	MaxQueryTokens = 10_000
	// MaxQueryNodes bounds the selections (and argument values) of the
	// query with every fragment spread expanded, summed over the
	// operations and fragment definitions.
	MaxQueryNodes = 10_000
	// MaxFieldPairs bounds the pairs of fields that validation compares:
	// with the fragments expanded and fields of the same response name
	// merged, each selection's c fields of one name cost c².
	MaxFieldPairs = 250_000
)

// shapeGuard is the handler extension that refuses queries too large, too
// long or too expensive to validate, and variables too large to coerce.
// It runs before parsing and validation (it mutates the operation
// parameters): it parses the query itself, once more, which costs time
// linear in the bounded text. A query already in the query cache passed
// it before and is not checked again (its variables are).
type shapeGuard struct {
	cached func(ctx context.Context, query string) bool
	// visits counts the nodes the last check visited, for tests that
	// bound the work of hostile queries; nil in production.
	visits *int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = shapeGuard{}

func (shapeGuard) ExtensionName() string                   { return "ShapeGuard" }
func (shapeGuard) Validate(graphql.ExecutableSchema) error { return nil }
func (g shapeGuard) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > MaxQueryBytes {
		return badInput("query", "The query is %d bytes long; at most %d are accepted.", len(p.Query), MaxQueryBytes)
	}
	// Variables are bounded here, as the client sent them, before
	// gqlparser coerces them to their types: that costs some 30 KB per
	// input object (20,000 empty where filters took 600 MB), and
	// nesting costs the square of its depth.
	for name, v := range p.Variables {
		w := &inputWalk{name: "$" + name}
		if err := w.value(v, nil, 1); err != nil {
			return err
		}
	}
	if p.Query == "" || (g.cached != nil && g.cached(ctx, p.Query)) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, MaxQueryTokens)
	if err != nil {
		if gerr, ok := err.(*gqlerror.Error); ok {
			errcode.Set(gerr, errcode.ParseFailed)
			return gerr
		}
		return nil // gqlgen parses again and reports it
	}
	s := newShape(doc)
	err = s.check()
	if g.visits != nil {
		*g.visits = s.visits
	}
	if err != nil {
		return err.(*gqlerror.Error)
	}
	return nil
}

// shape measures a parsed, not yet validated document: fragments may be
// undefined or cyclic, and are then counted as empty.
type shape struct {
	roots     []ast.SelectionSet // the operations and fragment definitions
	fragments map[string]*ast.FragmentDefinition
	cyclic    bool            // a fragment spreads itself: validation refuses the query
	sizes     map[string]int  // expanded size of each fragment, memoised
	expanding map[string]bool // fragments being expanded, to stop cycles
	nodes     int             // expanded nodes, summed over the roots
	pairs     int             // field pairs validation compares
	visits    int             // nodes visited by the walks, for tests
}

func newShape(doc *ast.QueryDocument) *shape {
	s := &shape{fragments: map[string]*ast.FragmentDefinition{}, sizes: map[string]int{}, expanding: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, dup := s.fragments[f.Name]; !dup {
			s.fragments[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		s.roots = append(s.roots, op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		s.roots = append(s.roots, f.SelectionSet)
	}
	return s
}

// check sizes each root with its fragments expanded (memoised per
// fragment, so the walk is linear in the text), then, the sizes being
// bounded, walks each root expanded to count the field pairs.
func (s *shape) check() error {
	for _, root := range s.roots {
		s.nodes = satAdd(s.nodes, s.size(root))
		if s.nodes > MaxQueryNodes {
			return badInput("query", "The query has more than %d fields and argument values once its fragments are expanded.", MaxQueryNodes)
		}
	}
	if s.cyclic {
		return nil // validation refuses it, cheaply
	}
	for _, root := range s.roots {
		s.countPairs([]ast.SelectionSet{root})
		if s.pairs > MaxFieldPairs {
			return badInput("query", "The query repeats fields of the same name too often (more than %d pairs to compare).", MaxFieldPairs)
		}
	}
	return nil
}

// size returns the number of selections and argument values in set with
// its fragments expanded.
func (s *shape) size(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		s.visits++
		n = satAdd(n, 1)
		switch sel := sel.(type) {
		case *ast.Field:
			for _, a := range sel.Arguments {
				n = satAdd(n, valueNodes(a.Value))
			}
			n = satAdd(n, s.size(sel.SelectionSet))
		case *ast.InlineFragment:
			n = satAdd(n, s.size(sel.SelectionSet))
		case *ast.FragmentSpread:
			n = satAdd(n, s.fragmentSize(sel.Name))
		}
	}
	return n
}

func (s *shape) fragmentSize(name string) int {
	if n, ok := s.sizes[name]; ok {
		return n
	}
	f := s.fragments[name]
	if f == nil {
		return 0 // undefined: validation refuses it
	}
	if s.expanding[name] {
		s.cyclic = true
		return 0
	}
	s.expanding[name] = true
	n := s.size(f.SelectionSet)
	delete(s.expanding, name)
	s.sizes[name] = n
	return n
}

// countPairs merges the fields of sets as execution (and validation) do:
// fields of one response name, from the sets themselves, their inline
// fragments and their fragment spreads, are one field whose selections
// are the union of theirs. c fields merged cost c² comparisons. The
// walk visits each expanded selection once, and check bounded their
// number (and made sure no fragment spreads itself) before.
func (s *shape) countPairs(sets []ast.SelectionSet) {
	type group struct {
		count int
		sets  []ast.SelectionSet
	}
	var keys []string
	groups := map[string]*group{}
	var collect func(set ast.SelectionSet)
	collect = func(set ast.SelectionSet) {
		for _, sel := range set {
			s.visits++
			switch sel := sel.(type) {
			case *ast.Field:
				key := sel.Alias
				if key == "" {
					key = sel.Name
				}
				g := groups[key]
				if g == nil {
					g = &group{}
					groups[key] = g
					keys = append(keys, key)
				}
				g.count++
				if len(sel.SelectionSet) > 0 {
					g.sets = append(g.sets, sel.SelectionSet)
				}
			case *ast.InlineFragment:
				collect(sel.SelectionSet)
			case *ast.FragmentSpread:
				if f := s.fragments[sel.Name]; f != nil {
					collect(f.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		collect(set)
	}
	for _, key := range keys {
		g := groups[key]
		s.pairs = satAdd(s.pairs, satMul(g.count, g.count))
		if s.pairs > MaxFieldPairs {
			return
		}
		if len(g.sets) > 0 {
			s.countPairs(g.sets)
		}
	}
}

// valueNodes counts the values of a literal argument: walks that read
// arguments (complexity's ArgumentMap) copy them at every visit.
func valueNodes(v *ast.Value) int {
	if v == nil {
		return 0
	}
	n := 1
	for _, c := range v.Children {
		n = satAdd(n, valueNodes(c.Value))
	}
	return n
}

// badInput is a GraphQL error about the request, coded BAD_USER_INPUT.
func badInput(field, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": CodeBadUserInput, "field": field},
	}
}

const maxInt = int(^uint(0) >> 1)

// satAdd adds non-negative a and b, saturating instead of overflowing.
func satAdd(a, b int) int {
	if a > maxInt-b {
		return maxInt
	}
	return a + b
}

// satMul multiplies non-negative a and b, saturating instead of overflowing.
func satMul(a, b int) int {
	if a != 0 && b > maxInt/a {
		return maxInt
	}
	return a * b
}
