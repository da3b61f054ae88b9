package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/graph/download"
	"github.com/stift/stift-reports/rest"
)

// Downloads: a GraphQL request sent with Accept: text/csv or the XLSX type
// is executed as usual, and the single list or connection it selects is
// sent as a spreadsheet, its columns named by the selected field paths.
// Other Accept headers keep the GraphQL-over-HTTP behaviour. A result with
// errors is sent as the usual JSON, so the client sees what went wrong.

// captured holds the operation of a download request, for the table's columns.
type captured struct {
	doc *ast.QueryDocument
	op  string
}

type capturedKey struct{}

// captureOperation is the handler extension that records the operation
// of a download request.
type captureOperation struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = captureOperation{}

func (captureOperation) ExtensionName() string                   { return "CaptureOperation" }
func (captureOperation) Validate(graphql.ExecutableSchema) error { return nil }
func (captureOperation) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if c, ok := ctx.Value(capturedKey{}).(*captured); ok {
		c.doc, c.op = oc.Doc, oc.OperationName
	}
	return nil
}

// fieldName is the response key of the operation's top-level field, to
// name the file.
func fieldName(c *captured) string {
	if op := c.doc.Operations.ForName(c.op); op != nil {
		for _, sel := range op.SelectionSet {
			if f, ok := sel.(*ast.Field); ok && f.Alias != "__typename" {
				return f.Alias
			}
		}
	}
	return "graphql"
}

// bufferedWriter keeps a response in memory: the JSON of one GraphQL
// request, whose pages are bounded.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// withDownloads wraps the GraphQL handler next.
func withDownloads(next http.Handler, xlsx export.XLSXOptions, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format, err := rest.Negotiate(r.Header.Get("Accept"))
		if err != nil || format == rest.FormatJSON || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		c := &captured{}
		r = r.Clone(context.WithValue(r.Context(), capturedKey{}, c))
		r.Header.Set("Accept", "application/json")
		buf := &bufferedWriter{header: http.Header{}}
		next.ServeHTTP(buf, r)

		var result struct {
			Data   json.RawMessage `json:"data"`
			Errors json.RawMessage `json:"errors"`
		}
		if buf.status != http.StatusOK || json.Unmarshal(buf.body.Bytes(), &result) != nil ||
			len(result.Errors) > 0 || c.doc == nil {
			for k, v := range buf.header {
				w.Header()[k] = v
			}
			w.WriteHeader(buf.status)
			w.Write(buf.body.Bytes())
			return
		}
		cols, rows, err := download.Table(c.doc, c.op, result.Data)
		if err != nil {
			apperr.Write(w, apperr.Errorf(apperr.Invalid, "%s", err.Error()))
			return
		}
		w.Header().Set("Content-Type", format.ContentType())
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", rest.ContentDisposition(fieldName(c)+"."+format.Ext()))
		switch format {
		case rest.FormatCSV:
			err = export.WriteCSV(w, cols, rows)
		case rest.FormatXLSX:
			err = export.WriteXLSX(w, "GraphQL", cols, rows, xlsx)
		}
		if err != nil {
			log.Error("graphql download failed", "err", err)
		}
	})
}
