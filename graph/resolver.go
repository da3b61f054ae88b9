// Package graph is the GraphQL layer: the schema, thin resolvers over ent
// and the report engine, and the gqlgen executable schema generated from them.
package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
)

// Resolver is the root resolver; it holds the dependencies of all resolvers.
type Resolver struct {
	Client    *ent.Client
	Reads     *db.Reads        // where report reads go
	PortalURL string           // where question links point
	Now       func() time.Time // the clock of derived statuses
}

// NewSchema returns the executable GraphQL schema of the resolver r.
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: r})
}
