package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rs/cors"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/etag"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/exports"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/graph/playground"
	"github.com/stift/stift-reports/rest"
	"github.com/stift/stift-reports/rest/apidocs"
)

// routes lists every route of the server.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.mux = mux
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("GET /openapi.json", rest.OpenAPIHandler())
	docs := apidocs.Handler("/openapi.json") // the document above, rendered
	mux.Handle("GET /docs", docs)
	mux.Handle("GET /docs/", docs)
	mux.Handle("GET /readyz", s.handleReadyz())

	limits := s.limits
	tokens := auth.NewAuthenticator(s.db.Client, s.cfg.TokenCacheTTL)
	tokens.JWT = s.cfg.jwt
	authed := func(h http.Handler) http.Handler {
		return s.requireMigrated(auth.Middleware(tokens, s.now, limits.rateLimit(h)))
	}
	// Report answers carry ETags; a revalidation that gets 304 takes no
	// export slot (docs/caching.md).
	cache := etag.New(s.reads(), s.now, s.log, s.cfg.PortalURL, strconv.Itoa(s.cfg.xlsxMaxRows))
	// A GraphQL download is an export, counted with the REST ones; asked
	// for with Prefer: respond-async, it is queued instead.
	graphql := s.graphqlHandler(s.now, s.cfg.GraphQLTimeout)
	gql := graph.ErrorShape(authed(cache.Handler(http.MethodGet, etag.Always,
		s.exports.Ask(graph.IsDownload, exports.CheckGraphQL(graphql), limits.capExportsIf(graph.IsDownload, graphql)))))
	mux.Handle("GET /graphql", gql)
	mux.Handle("POST /graphql", gql)
	mux.Handle("OPTIONS /graphql", gql)

	s.restHandler(s.now).Register(mux, func(h http.Handler) http.Handler {
		return authed(cache.Handler(http.MethodPost, rest.ReadsClock,
			s.exports.Ask(nil, exports.CheckREST(h), limits.capExports(h))))
	})
	mux.Handle("GET /exports/{id}", authed(s.exports.Status()))
	mux.Handle("GET /exports/{id}/file", authed(s.exports.File()))
	getOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		apperr.Write(w, apperr.Errorf(apperr.BadMethod, "Method not allowed; use GET."))
	})
	mux.Handle("/exports/{id}", getOnly)
	mux.Handle("/exports/{id}/file", getOnly)

	pg := playground.Handler("/graphql")
	mux.Handle("GET /{$}", pg)
	mux.Handle("GET /playground/", pg)

	mux.Handle("/", s.handleNotFound())
	var h http.Handler = secureHeaders(s.recoverPanics(mux))
	if len(s.cfg.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: s.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
			AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "Accept-Language", "If-None-Match",
				"Prefer", "Range", "If-Range"},
			ExposedHeaders: []string{"Content-Disposition", "X-Request-Id", "Retry-After", "ETag",
				"Location", "Preference-Applied", "Content-Range", "Accept-Ranges", graph.RowCountHeader},
			MaxAge: 600,
		}).Handler(h)
	}
	return writeDeadlines(s.cfg.WriteStallTimeout, s.traceRequests(s.logRequests(h)))
}

// replayRoutes are the routes an asynchronous export's job replays its
// request through: the REST reports and GraphQL, with time standing at
// asked, without what guards requests from outside — authentication (the
// job's request carries the principal that asked), rate and export limits
// (the job holds an export slot), the GraphQL timeout (EXPORT_JOB_TIMEOUT
// bounds the job).
func (s *Server) replayRoutes(asked time.Time) http.Handler {
	now := func() time.Time { return asked }
	mux := http.NewServeMux()
	gql := graph.ErrorShape(s.graphqlHandler(now, 0))
	mux.Handle("GET /graphql", gql)
	mux.Handle("POST /graphql", gql)
	s.restHandler(now).Register(mux, func(h http.Handler) http.Handler { return h })
	mux.Handle("/", s.handleNotFound())
	return mux
}

// restHandler is the REST reports' handler, with the clock now.
func (s *Server) restHandler(now func() time.Time) *rest.Handler {
	return &rest.Handler{DB: s.reads(), Log: s.log, Now: now, PortalURL: s.cfg.PortalURL,
		XLSX: export.XLSXOptions{MaxRows: s.cfg.xlsxMaxRows}, Observe: s.metrics.ObserveReport, Tracer: s.cfg.tracer()}
}
