package main

// Code generation, in order: the ent client and graph/ent.graphql from
// ent/schema, then the gqlgen executable schema from graph/*.graphql(s),
// then the plain fields compiled pages write (graph/pages_fields.go) from
// that executable schema.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
//go:generate go run ./graph/internal/pagesgen
