package graph

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/school"
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
	// Timeout cancels a request's work after this long (0: never); a
	// download of a connection gets it for each of its pages.
	Timeout time.Duration
	// DownloadPageSize is the number of rows of each page a download of
	// a connection reads; 0: MaxPageSize.
	DownloadPageSize int
	// Operations, when not nil, are the only operations served (the
	// allow-list mode; automatic persisted queries are then off).
	Operations Operations
	// Tracer, when not nil, traces each operation as a span.
	Tracer trace.TracerProvider
	// ObserveOperation, when not nil, is told how long each operation
	// took, by its name ("" when it has none).
	ObserveOperation func(name string, took time.Duration)

	// executorOnly turns compiled pages (pages.go) off, for the tests
	// that compare them with the executor.
	executorOnly bool
}

// NewHandler returns the GraphQL-over-HTTP handler (GET and POST) of the
// schema over d. Requests must already carry an authenticated principal.
//
// The limits, in the order they apply: the body (MaxBodyBytes); the query
// text and shape, before it is parsed and validated (shapeGuard); then,
// validated, its arguments (argumentLimits), its default pages
// (pageDefaults), aliases inside connections (connectionAliases), its
// depth and its complexity, each page multiplying the cost of what it
// selects (pagedSchema).
func NewHandler(d *db.DB, opts Options) http.Handler {
	return newHandler(d, opts, nil)
}

// probe lets tests see the work a request cost and what the caches hold.
type probe struct {
	visits    int          // nodes the shape guard visited for the last request
	compiled  atomic.Int32 // root fields written as compiled pages
	queries   *byteCache[*ast.QueryDocument]
	persisted *byteCache[string]
}

// newHandler is NewHandler, reporting to p when p is not nil.
func newHandler(d *db.DB, opts Options, p *probe) http.Handler {
	reads := opts.Reads
	if reads == nil {
		reads = db.NewReads(d, nil, false)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	schema := NewSchema(&Resolver{Client: d.Client, Reads: reads, PortalURL: opts.PortalURL, Now: opts.Now})
	srv := handler.New(pagedSchema{schema})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(answering{transport.GET{}})
	srv.AddTransport(answering{transport.POST{}})
	srv.SetParserTokenLimit(MaxQueryTokens)
	queries := newByteCache(CacheBytes, func(query string, _ *ast.QueryDocument) int { return len(query) })
	srv.SetQueryCache(queries)
	// First, so that it sees the answer as it leaves, errors and all.
	srv.Use(untaggedErrors{})
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	persisted := newByteCache(CacheBytes, func(hash, query string) int { return len(hash) + len(query) })
	if opts.Operations != nil {
		srv.Use(trustedOperations{ops: opts.Operations})
	} else {
		srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: persisted}})
	}
	var visits *int
	if p != nil {
		p.queries, p.persisted, visits = queries, persisted, &p.visits
	}
	srv.Use(shapeGuard{visits: visits, cached: func(ctx context.Context, query string) bool {
		_, ok := queries.Get(ctx, query)
		return ok
	}})
	srv.Use(introspectionOff{})
	// Before a download's paging, which aliases the connection's pageInfo
	// itself (harmless there: its pages always select the edges, from
	// which ent builds pageInfo).
	srv.Use(connectionAliases{})
	// Before the limits, so that they check a page of a download.
	pageSize := opts.DownloadPageSize
	if pageSize <= 0 || pageSize > MaxPageSize {
		pageSize = MaxPageSize
	}
	srv.Use(&downloadPaging{size: pageSize})
	srv.Use(&argumentLimits{})
	srv.Use(pageDefaults{})
	if opts.DepthLimit > 0 {
		srv.Use(depthLimit{max: opts.DepthLimit})
	}
	if opts.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	}
	srv.Use(captureOperation{})
	srv.Use(newObserveOperations(opts.Tracer, opts.ObserveOperation))
	srv.Use(askerLoading{})
	if !opts.executorOnly {
		pages := compiledPages{schema: schema.(*executableSchema)}
		if p != nil {
			pages.served = &p.compiled
		}
		srv.Use(pages)
	}
	// Last, so that it wraps askerLoading: each page its own loaders.
	srv.Use(downloadPages{})
	srv.SetErrorPresenter(presentError(log))
	srv.SetRecoverFunc(recoverPanic(log))
	zones := func(ctx context.Context) ([]string, error) {
		return d.Client.School.Query().Unique(true).Select(school.FieldTimezone).Strings(ctx)
	}
	return limitBody(withDownloads(withTimeout(srv, opts.Timeout),
		downloads{xlsx: opts.XLSX, zones: zones, timeout: opts.Timeout, log: log}), log)
}

// persistedQueries is gqlgen's automatic persisted queries with its
// refusals (a hash that does not match the query, a bad version) coded
// as the client's mistakes; gqlgen leaves them uncoded.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err != nil && err.Extensions["code"] == nil {
		errcode.Set(err, CodeBadUserInput)
	}
	return err
}
