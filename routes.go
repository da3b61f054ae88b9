package main

import (
	"net/http"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/graph/playground"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())

	gql := auth.Middleware(s.db.Client, s.now, s.graphqlHandler())
	mux.Handle("GET /graphql", gql)
	mux.Handle("POST /graphql", gql)
	mux.Handle("OPTIONS /graphql", gql)

	pg := playground.Handler("/graphql")
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET /playground/", pg)

	mux.Handle("/", s.handleNotFound())
	return s.logRequests(s.recoverPanics(mux))
}
