package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// connectionAliases refuses an alias on the parts of a connection: its
// edges, pageInfo and totalCount, and an edge's node. ent's pagination
// looks them up by their names in the selection (so that it reads only
// what is selected), and an aliased one is not found: an aliased edges
// alone reads no rows, an aliased totalCount is 0, and fields selected only
// under an aliased edges are not read from the database, so they come back
// null. A wrong answer is worse than a refusal; aliasing the connection
// field itself (a: questions(…), b: questions(…)) is fine.
type connectionAliases struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = connectionAliases{}

func (connectionAliases) ExtensionName() string                   { return "ConnectionAliases" }
func (connectionAliases) Validate(graphql.ExecutableSchema) error { return nil }
func (connectionAliases) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	// Every fragment is checked where it is defined: validation refuses
	// one that no operation uses.
	if f := aliasedConnectionPart(oc.Operation.SelectionSet); f != nil {
		return aliasError(f)
	}
	for _, frag := range oc.Doc.Fragments {
		if f := aliasedConnectionPart(frag.SelectionSet); f != nil {
			return aliasError(f)
		}
	}
	return nil
}

// aliasedConnectionPart returns the first aliased part of a connection in
// set, spreads of named fragments aside.
func aliasedConnectionPart(set ast.SelectionSet) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != s.Name && s.ObjectDefinition != nil && isConnectionPart(s.ObjectDefinition.Name, s.Name) {
				return s
			}
			if f := aliasedConnectionPart(s.SelectionSet); f != nil {
				return f
			}
		case *ast.InlineFragment:
			if f := aliasedConnectionPart(s.SelectionSet); f != nil {
				return f
			}
		}
	}
	return nil
}

func isConnectionPart(typeName, field string) bool {
	switch {
	case strings.HasSuffix(typeName, "Connection"):
		return field == "edges" || field == "pageInfo" || field == "totalCount"
	case strings.HasSuffix(typeName, "Edge"):
		return field == "node"
	}
	return false
}

func aliasError(f *ast.Field) *gqlerror.Error {
	err := &gqlerror.Error{
		Message: "The alias " + f.Alias + " of " + f.ObjectDefinition.Name + "." + f.Name +
			" is not supported: alias the connection field instead.",
		Extensions: map[string]any{"code": CodeBadUserInput},
	}
	if f.Position != nil {
		err.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	return err
}
