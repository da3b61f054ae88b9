package graph

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/export"
)

// Options tune the GraphQL handler.
type Options struct {
	Introspection   bool // allow schema introspection
	ComplexityLimit int  // the most complex query accepted
	DepthLimit      int  // the deepest nesting of fields accepted
	PortalURL       string
	Now             func() time.Time
	Log             *slog.Logger
	Reads           *db.Reads          // where report reads go; nil: d
	XLSX            export.XLSXOptions // sheets of XLSX downloads
}

// NewHandler returns the GraphQL-over-HTTP handler (GET and POST) of the
// schema over d. Requests must already carry an authenticated principal.
func NewHandler(d *db.DB, opts Options) http.Handler {
	reads := opts.Reads
	if reads == nil {
		reads = db.NewReads(d, nil, false)
	}
	srv := handler.New(NewSchema(&Resolver{Client: d.Client, Reads: reads, PortalURL: opts.PortalURL, Now: opts.Now}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	if opts.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	}
	if opts.DepthLimit > 0 {
		srv.Use(depthLimit{max: opts.DepthLimit})
	}
	srv.Use(captureOperation{})
	srv.Use(askerLoading{})
	srv.SetErrorPresenter(presentError(opts.Log))
	srv.SetRecoverFunc(recoverPanic(opts.Log))
	return withDownloads(srv, opts.XLSX, opts.Log)
}
