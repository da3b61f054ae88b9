package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/graph/download"
)

// The pages of a download of a connection (see downloads.go). The
// request goes through the handler as any other: parsed, validated,
// refused by the limits. Two extensions make it a download of every row:
//
//   - downloadPaging, before the limits, swaps its operation for the one
//     that reads a page of the connection (download.Paging: first and
//     after made variables, pageInfo selected), so that the limits check
//     what each page will cost: its arguments, its page size, its
//     complexity. The client's first is then the most rows the download
//     holds, whatever its size; without it, every row.
//   - downloadPages, wrapping every other interceptor, runs no operation
//     but keeps the function that runs one (pager.run), with the
//     variables of a page, through the rest of the chain: each page gets
//     its own loaders (askerLoading), so nothing grows with the pages.
//
// withDownloads then reads the pages one after the other with the
// request's context, each under the GraphQL timeout of its own, and
// streams their rows into the encoder. A page's errors before anything is
// sent (the first page's: a bad cursor, say) are answered as the usual
// GraphQL JSON; later ones cut the transfer. A client that hangs up
// cancels the request's context: the page running stops, and no other
// starts.

// pager reads the pages of one download of a connection.
type pager struct {
	plan   *download.Plan
	paging *download.Paging
	// run runs the page operation with vars, under ctx; nil until the
	// request's operation is dispatched (downloadPages).
	run func(ctx context.Context, vars map[string]any) *graphql.Response
	// vars are the request's variables, as the limits saw them.
	vars map[string]any
	// size is the number of rows a page asks for, left the number of
	// rows still to read (-1: all there are), after the cursor the next
	// page starts after, done whether none follows.
	size  int
	left  int64
	after any
	done  bool
}

// pageSize is the number of rows a page of p asks for.
func (p *pager) pageSize() int {
	if p.left >= 0 && p.left < int64(p.size) {
		return int(p.left)
	}
	return p.size
}

// errRowTooLarge is the error of a page of one row over MaxDownloadBytes.
var errRowTooLarge = apperr.Errorf(apperr.Invalid,
	"A row of this query is over %d MiB, too large to download; select fewer fields.", MaxDownloadBytes>>20)

// next reads the next page under ctx, each run bounded by timeout (0:
// none): its rows, or the result holding its errors, or an error (the
// context's when the client left). A page whose result is over
// MaxDownloadBytes is read again, and the rest of the download, in pages
// half as large.
func (p *pager) next(ctx context.Context, timeout time.Duration) (*download.Page, *graphql.Response, error) {
	for {
		size := p.pageSize()
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			pctx, cancel = context.WithTimeout(ctx, timeout)
		}
		resp := p.run(pctx, p.paging.Vars(p.vars, size, p.after))
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case resp == nil:
			return nil, nil, errors.New("graph: a page of the download has no result")
		case len(resp.Errors) > 0:
			return nil, resp, nil
		case len(resp.Data) > MaxDownloadBytes && size > 1:
			p.size = max(1, size/2)
			continue
		case len(resp.Data) > MaxDownloadBytes:
			return nil, nil, errRowTooLarge
		}
		page, err := p.plan.Page(resp.Data, p.paging)
		if err != nil {
			return nil, nil, err
		}
		if p.left >= 0 {
			p.left -= int64(page.Len())
		}
		p.after = page.End
		p.done = !page.More || page.Len() == 0 || p.left == 0
		return page, nil, nil
	}
}

// writePages sends every row of the connection p reads. The first page is read
// before anything is sent, so that its errors are answered as GraphQL's.
func (t *table) writePages(p *pager) {
	ctx := t.r.Context()
	first, failed, err := p.next(ctx, t.timeout)
	switch {
	case err != nil && ctx.Err() != nil:
		t.log.Info("graphql download cancelled by the client", "err", err, "rows", 0, "pages", 0)
		return
	case err != nil:
		apperr.Write(t.w, err)
		return
	case failed != nil:
		t.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(t.w).Encode(failed)
		return
	}
	t.pages++
	rows := func(yield func([]any, error) bool) {
		for page := first; ; {
			for row, err := range p.plan.PageRows(page, t.zone) {
				if !yield(row, err) || err != nil {
					return
				}
			}
			if p.done {
				return
			}
			next, failed, err := p.next(ctx, t.timeout)
			if err == nil && failed != nil {
				err = fmt.Errorf("graph: page %d of the download: %v", t.pages+1, failed.Errors)
			}
			if err != nil {
				yield(nil, err)
				return
			}
			page = next
			t.pages++
		}
	}
	t.write(p.plan, p.plan.Field(), rows)
}

// downloadPaging is the handler extension that makes the operation of a
// download of a connection the one that reads its first page, with the
// pager that reads them all (see above).
type downloadPaging struct {
	schema *ast.Schema
	size   int // rows per page
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &downloadPaging{}

func (*downloadPaging) ExtensionName() string { return "DownloadPaging" }
func (d *downloadPaging) Validate(es graphql.ExecutableSchema) error {
	d.schema = es.Schema()
	return nil
}
func (d *downloadPaging) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	c := capturedFrom(ctx)
	if c == nil || oc.Operation == nil {
		return nil
	}
	plan, err := download.Parse(oc.Doc, oc.OperationName)
	if err != nil || !plan.Connection() {
		return nil // a list; or no table at all, which withDownloads refuses
	}
	paging, err := plan.Paging(oc.Variables, d.schema)
	if err != nil {
		return badInput(plan.Field(), "%s", err.Error())
	}
	left := int64(-1) // every row
	if paging.First != nil {
		n, ok := intOf(paging.First)
		if !ok || n < 0 {
			return badInput("first", "first must be 0 or more: the most rows the download holds.")
		}
		left = n
	}
	p := &pager{plan: plan, paging: paging, size: d.size, left: left, after: paging.After}
	oc.Doc, oc.Operation = paging.Doc, paging.Op
	oc.Variables = paging.Vars(oc.Variables, p.pageSize(), p.after)
	c.pages = p
	return nil
}

// downloadPages is the handler extension that, for a download of a
// connection, runs no operation but gives its pager the function that
// runs one page (see above).
type downloadPages struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = downloadPages{}

func (downloadPages) ExtensionName() string                   { return "DownloadPages" }
func (downloadPages) Validate(graphql.ExecutableSchema) error { return nil }
func (downloadPages) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	c := capturedFrom(ctx)
	if c == nil || c.pages == nil {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	c.pages.vars = oc.Variables
	c.pages.run = func(ctx context.Context, vars map[string]any) *graphql.Response {
		// One page at a time: the operation is the same, its variables
		// the page's.
		oc.Variables = vars
		ctx = graphql.WithOperationContext(ctx, oc)
		return next(ctx)(ctx)
	}
	return graphql.OneShot(&graphql.Response{Data: []byte("null")})
}

// withTimeout cancels the context of each request to next after timeout
// (0: never), and with it its database work. A download of a connection
// gets it for each of its pages instead.
func withTimeout(next http.Handler, timeout time.Duration) http.Handler {
	if timeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
