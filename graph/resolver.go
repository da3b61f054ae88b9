// Package graph is the GraphQL layer: the schema, thin resolvers over ent
// and the report engine, and the gqlgen executable schema generated from them.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/ent"
)

// Resolver is the root resolver; it holds the dependencies of all resolvers.
type Resolver struct {
	Client *ent.Client
}

// NewSchema returns the executable GraphQL schema over client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{Client: client}})
}
