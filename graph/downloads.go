package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/text/language"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/graph/download"
	"github.com/stift/stift-reports/progress"
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
// A download of a connection holds every row its arguments select: the
// server follows the pages itself (downloadpages.go), through the same
// resolvers and privacy rules as any query, and streams each page's rows
// into the encoder before it reads the next, so that its memory does not
// grow with the rows. A download of a list holds the list: the result of
// one query, kept in memory whole before the table is written (gqlgen
// builds every response whole anyway); one over MaxDownloadBytes is
// refused with a 400.
//
// The response says how many rows it holds in RowCountHeader: a trailer
// of a CSV file (its rows are sent as they come), a header of an XLSX
// file (written once every row is read). A download cut short (the client
// gone, a page failing) ends the transfer without finishing it, so that no
// client takes it for a complete file, and without that count.
//
// Everything happens inside the handler's ServeHTTP: replaying a download
// request through the handler (an asynchronous export) downloads it the
// same way.

// RowCountHeader carries the number of rows of a download.
const RowCountHeader = "X-Row-Count"

// captured holds the operation of a download request, for the table's
// columns, and for a connection how its pages are read.
type captured struct {
	doc  *ast.QueryDocument
	op   string
	vars map[string]any
	// pages reads the pages of a connection (downloadPaging sets it);
	// nil for a list.
	pages *pager
}

type capturedKey struct{}

// capturedFrom returns the captured operation of a download request; nil
// for any other request.
func capturedFrom(ctx context.Context) *captured {
	c, _ := ctx.Value(capturedKey{}).(*captured)
	return c
}

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
	if c := capturedFrom(ctx); c != nil {
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

// MaxDownloadBytes is the largest JSON result of a query, or of a page of
// a connection, that a download turns into rows: 1000 rows of some 8 KiB
// each. Decoded, it takes a few times that in memory, for as long as its
// rows are written. A page over it is read again in pages half as large,
// down to a single row.
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

// send writes the response b holds to w.
func (b *bufferedWriter) send(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
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

// downloads are the settings of the downloads of a GraphQL handler.
type downloads struct {
	xlsx export.XLSXOptions
	// zones lists the time zones of the schools a request's token sees
	// (see downloadZone).
	zones func(context.Context) ([]string, error)
	// timeout bounds the work of each page of a download (0: none).
	timeout time.Duration
	log     *slog.Logger
}

// withDownloads wraps the GraphQL handler next.
func withDownloads(next http.Handler, d downloads) http.Handler {
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
			buf.send(w)
			return
		}
		t := &table{w: w, r: r, format: format, lang: downloadLanguage(r), zone: downloadZone(r.Context(), c, d.zones), downloads: d}
		if c.pages != nil {
			if c.pages.run == nil { // the operation was never dispatched
				apperr.Write(w, apperr.Errorf(apperr.Internal, "The download did not start."))
				return
			}
			t.writePages(c.pages)
			return
		}
		plan, err := download.Parse(c.doc, c.op)
		var rows export.Rows
		if err == nil {
			rows, err = plan.Rows(result.Data, t.zone)
		}
		if err != nil {
			apperr.Write(w, apperr.Errorf(apperr.Invalid, "%s", err.Error()))
			return
		}
		t.write(plan, fieldName(c), rows)
	})
}

// table writes one download.
type table struct {
	w      http.ResponseWriter
	r      *http.Request
	format rest.Format
	lang   download.Language
	zone   *time.Location
	downloads
	// rows counts the rows written, pages the pages read.
	rows, pages int
}

// write sends rows as the file name.<ext> of plan's columns, with their
// count (RowCountHeader).
func (t *table) write(plan *download.Plan, name string, rows export.Rows) {
	h := t.w.Header()
	h.Set("Content-Type", t.format.ContentType())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", rest.ContentDisposition(name+"."+t.format.Ext()))
	h.Set("Content-Language", languageTags[t.lang].String())
	h.Add("Vary", "Accept, Accept-Language")
	if t.format != rest.FormatXLSX {
		h.Set("Trailer", RowCountHeader)
	}
	// An asynchronous export shows the rows so far in its status.
	watched := progress.RowsFrom(t.r.Context())
	counted := func(yield func([]any, error) bool) {
		for row, err := range rows {
			if err != nil {
				yield(nil, err)
				return
			}
			t.rows++
			watched.Add(1)
			if !yield(row, nil) {
				return
			}
		}
		if t.format == rest.FormatXLSX {
			// Every row is read before the archive is written: the
			// count goes out with the headers.
			h.Set(RowCountHeader, strconv.Itoa(t.rows))
		}
	}
	cols := plan.Columns(t.lang)
	sw := &sentWriter{ResponseWriter: t.w}
	var err error
	switch t.format {
	case rest.FormatCSV:
		err = export.WriteCSV(sw, cols, counted)
	case rest.FormatExcelCSV:
		err = export.WriteExcelCSV(sw, cols, counted)
	case rest.FormatXLSX:
		err = export.WriteXLSX(sw, plan.SheetName(t.lang), cols, counted, t.xlsx)
	}
	if err == nil {
		if t.format != rest.FormatXLSX {
			h.Set(RowCountHeader, strconv.Itoa(t.rows)) // the trailer
		}
		return
	}
	switch {
	case t.r.Context().Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		// The client hung up or stopped reading (the server's write
		// deadline): nothing went wrong here.
		t.log.Info("graphql download cancelled by the client", "err", err, "rows", t.rows, "pages", t.pages)
		if !sw.sent {
			return // no one to answer
		}
	case !sw.sent:
		// An XLSX file is written once every row is read: nothing is
		// sent yet, so the failure can be answered.
		t.log.Error("graphql download failed", "err", err, "rows", t.rows, "pages", t.pages)
		for _, k := range []string{"Content-Disposition", "Content-Language", "Trailer", RowCountHeader} {
			h.Del(k)
		}
		apperr.Write(t.w, apperr.Errorf(apperr.Internal, "The download failed after %d rows; retry it.", t.rows))
		return
	default:
		t.log.Error("graphql download failed", "err", err, "rows", t.rows, "pages", t.pages)
	}
	// Headers are sent: cut the transfer short rather than end it
	// cleanly, like a complete file.
	panic(http.ErrAbortHandler)
}

// sentWriter tells whether anything was written to its ResponseWriter.
type sentWriter struct {
	http.ResponseWriter
	sent bool
}

func (w *sentWriter) Write(p []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(p)
}

func (w *sentWriter) WriteHeader(status int) {
	w.sent = true
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the real writer, to flush it.
func (w *sentWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
