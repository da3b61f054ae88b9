package main

import (
	"net/http"

	"github.com/rs/cors"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/graph/playground"
	"github.com/stift/stift-reports/rest"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.mux = mux
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("GET /openapi.json", rest.OpenAPIHandler())
	mux.Handle("GET /readyz", s.handleReadyz())

	limits := newLimits(s.cfg, maxExports, s.metrics)
	tokens := auth.NewAuthenticator(s.db.Client, s.cfg.TokenCacheTTL)
	tokens.JWT = s.cfg.jwt
	authed := func(h http.Handler) http.Handler {
		return s.requireMigrated(auth.Middleware(tokens, s.now, limits.rateLimit(h)))
	}
	// A GraphQL download is an export, counted with the REST ones.
	gql := graph.ErrorShape(authed(limits.capExportsIf(graph.IsDownload, s.graphqlHandler())))
	mux.Handle("GET /graphql", gql)
	mux.Handle("POST /graphql", gql)
	mux.Handle("OPTIONS /graphql", gql)

	reports := &rest.Handler{DB: s.reads(), Log: s.log, Now: s.now, PortalURL: s.cfg.PortalURL,
		XLSX: export.XLSXOptions{MaxRows: s.cfg.xlsxMaxRows}, Observe: s.metrics.ObserveReport}
	reports.Register(mux, func(h http.Handler) http.Handler { return authed(limits.capExports(h)) })

	pg := playground.Handler("/graphql")
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET /playground/", pg)

	mux.Handle("/", s.handleNotFound())
	var h http.Handler = secureHeaders(s.recoverPanics(mux))
	if len(s.cfg.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: s.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"},
			ExposedHeaders: []string{"Content-Disposition", "X-Request-Id", "Retry-After", graph.RowCountHeader},
			MaxAge:         600,
		}).Handler(h)
	}
	return writeDeadlines(s.cfg.WriteStallTimeout, s.logRequests(h))
}
