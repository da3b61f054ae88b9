package main

// Code generation, in order: the ent client and graph/ent.graphql from
// ent/schema, then the gqlgen executable schema from graph/*.graphql(s).
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
