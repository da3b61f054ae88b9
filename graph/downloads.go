package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/text/language"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/graph/download"
	"github.com/stift/stift-reports/rest"
)

// Downloads: a GraphQL request sent with Accept: text/csv or the XLSX type
// is executed as usual, and the single list or connection it selects is
// sent as a spreadsheet: a CSV file headed by the selected field paths, for
// programs; an XLSX file (or the Excel dialect of CSV) headed by labels in
// the language Accept-Language prefers (download.Plan.Columns). Other
// Accept headers keep the GraphQL-over-HTTP behaviour. A result with
// errors is sent as the usual JSON, so the client sees what went wrong.
//
// A download is the result of one query, so its rows are bounded by the
// page sizes GraphQL accepts (first: 1000 at most). That result is kept in
// memory whole before the table is written — gqlgen builds every response
// whole anyway — and one over MaxDownloadBytes is refused with a 400
// instead. Streaming it would not lower the peak (gqlgen's own copy
// stays), and following the pages server-side would change what a
// download is: the page a query asks for, as the JSON would hold it.

// captured holds the operation of a download request, for the table's columns.
type captured struct {
	doc  *ast.QueryDocument
	op   string
	vars map[string]any
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
		c.doc, c.op, c.vars = oc.Doc, oc.OperationName, oc.Variables
	}
	return nil
}

// rootField is the operation's top-level field, or nil.
func rootField(c *captured) *ast.Field {
	if op := c.doc.Operations.ForName(c.op); op != nil {
		for _, sel := range op.SelectionSet {
			if f, ok := sel.(*ast.Field); ok && f.Alias != "__typename" {
				return f
			}
		}
	}
	return nil
}

// fieldName is the response key of the operation's top-level field, to
// name the file.
func fieldName(c *captured) string {
	if f := rootField(c); f != nil {
		return f.Alias
	}
	return "graphql"
}

// downloadZone is the time zone in which a spreadsheet download shows its
// times (GraphQL gives them in UTC, and a spreadsheet has no zones): the
// timezone argument of the downloaded field when the query gives one (the
// stats' buckets start at midnight there), else the zone of the schools the
// token sees when they all share one, else UTC. zones lists the time zones
// of the schools the request's token sees.
func downloadZone(ctx context.Context, c *captured, zones func(context.Context) ([]string, error)) *time.Location {
	if f := rootField(c); f != nil && f.Definition != nil && f.Definition.Arguments.ForName("timezone") != nil {
		if name, ok := f.ArgumentMap(c.vars)["timezone"].(string); ok {
			if loc, err := time.LoadLocation(name); err == nil && name != "" {
				return loc
			}
		}
	}
	if names, err := zones(ctx); err == nil && len(names) == 1 {
		if loc, err := time.LoadLocation(names[0]); err == nil {
			return loc
		}
	}
	return time.UTC
}

// languageTags are the languages of the headers of downloads, by
// download.Language; the first, Portuguese (Brazil), is the default.
var languageTags = []language.Tag{download.Portuguese: language.BrazilianPortuguese, download.English: language.English}

var languages = language.NewMatcher(languageTags)

// downloadLanguage is the language of the headers and sheet name of the
// download r asks for: the one of languageTags that its Accept-Language
// prefers (q-values honored; en-US and en-GB are English, pt-PT
// Portuguese), Portuguese (Brazil) when it names neither or none.
func downloadLanguage(r *http.Request) download.Language {
	_, i := language.MatchStrings(languages, r.Header.Get("Accept-Language"))
	return download.Language(i)
}

// MaxDownloadBytes is the largest JSON result of a query that a download
// turns into a table: 1000 rows of some 8 KiB each. Decoded for the table,
// it takes a few times that in memory, for as long as the download runs.
const MaxDownloadBytes = 8 << 20

// errResultTooLarge is what bufferedWriter answers a write past its limit.
var errResultTooLarge = errors.New("graph: the result of the query is too large to download")

// bufferedWriter keeps a response in memory: the JSON of one GraphQL
// request, up to limit bytes.
type bufferedWriter struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	limit    int
	tooLarge bool // a write went past limit; body is incomplete
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	if b.tooLarge || b.body.Len()+len(p) > b.limit {
		b.tooLarge = true
		b.body = bytes.Buffer{} // what it holds is of no use now
		return 0, errResultTooLarge
	}
	return b.body.Write(p)
}
func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// IsDownload reports whether r asks for its result as a download (CSV or
// XLSX) rather than as GraphQL's JSON. The server counts downloads as
// exports, in the same limits as the REST reports.
func IsDownload(r *http.Request) bool {
	_, ok := downloadFormat(r)
	return ok
}

// downloadFormat is the file format r asks for, if it asks for one.
func downloadFormat(r *http.Request) (rest.Format, bool) {
	if r.Method == http.MethodOptions {
		return rest.FormatJSON, false
	}
	format, err := rest.Negotiate(r.Header.Get("Accept"))
	return format, err == nil && format != rest.FormatJSON
}

// withDownloads wraps the GraphQL handler next; zones lists the time zones
// of the schools a request's token sees (see downloadZone).
func withDownloads(next http.Handler, xlsx export.XLSXOptions, zones func(context.Context) ([]string, error), log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		format, ok := downloadFormat(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		c := &captured{}
		r = r.Clone(context.WithValue(r.Context(), capturedKey{}, c))
		r.Header.Set("Accept", "application/json")
		buf := &bufferedWriter{header: http.Header{}, limit: MaxDownloadBytes}
		next.ServeHTTP(buf, r)
		if buf.tooLarge {
			apperr.Write(w, apperr.Errorf(apperr.Invalid,
				"The result of this query is over %d MiB, too large to download; select fewer rows (first) or fewer fields.",
				MaxDownloadBytes>>20))
			return
		}

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
		plan, err := download.Parse(c.doc, c.op)
		var rows export.Rows
		if err == nil {
			rows, err = plan.Rows(result.Data, downloadZone(r.Context(), c, zones))
		}
		if err != nil {
			apperr.Write(w, apperr.Errorf(apperr.Invalid, "%s", err.Error()))
			return
		}
		lang := downloadLanguage(r)
		cols := plan.Columns(lang)
		w.Header().Set("Content-Type", format.ContentType())
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", rest.ContentDisposition(fieldName(c)+"."+format.Ext()))
		w.Header().Set("Content-Language", languageTags[lang].String())
		w.Header().Add("Vary", "Accept, Accept-Language")
		switch format {
		case rest.FormatCSV:
			err = export.WriteCSV(w, cols, rows)
		case rest.FormatExcelCSV:
			err = export.WriteExcelCSV(w, cols, rows)
		case rest.FormatXLSX:
			err = export.WriteXLSX(w, plan.SheetName(lang), cols, rows, xlsx)
		}
		switch {
		case err == nil:
			return
		case r.Context().Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
			// The client hung up or stopped reading (the server's write
			// deadline): nothing went wrong here.
			log.Info("graphql download cancelled by the client", "err", err)
		default:
			log.Error("graphql download failed", "err", err)
		}
		// Headers are sent: cut the transfer short rather than end it
		// cleanly, like a complete file.
		panic(http.ErrAbortHandler)
	})
}
