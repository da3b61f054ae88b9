// Package rest is the legacy REST layer: the four POST /reports/…
// endpoints of the public API, byte-compatible, in JSON, CSV or XLSX by
// the Accept header. It decodes and validates the body, negotiates the
// format, asks package report for the rows and streams them through
// package export. The caller authenticates the request first.
package rest

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/tracing"
)

// Handler serves the report endpoints.
type Handler struct {
	DB        *db.Reads // where report reads go
	Log       *slog.Logger
	Now       func() time.Time
	PortalURL string // where question links point
	XLSX      export.XLSXOptions
	// Observe, when set, is told what each report response streamed.
	Observe func(report, format string, rows, bytes int64)
	// Tracer, when set, traces each report as a span (see traced).
	Tracer trace.TracerProvider
}

// Register adds the report routes to mux, each also under the public API's
// base path /v1, wrapped in wrap (authentication).
func (h *Handler) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	routes := map[string]http.HandlerFunc{
		"/reports/questions":         h.questions,
		"/reports/bookings":          h.bookings,
		"/reports/bookings-workload": h.workload,
		"/reports/groups-usage":      h.groupsUsage,
	}
	postOnly := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		apperr.Write(w, apperr.Errorf(apperr.BadMethod, "Method not allowed; use POST."))
	})
	for path, f := range routes {
		traced := h.traced(strings.TrimPrefix(path, "/reports/"), f)
		for _, p := range []string{path, "/v1" + path} {
			mux.Handle("POST "+p, wrap(traced))
			mux.Handle(p, postOnly)
		}
	}
}

// table is a tabular report ready to stream.
type table struct {
	name     string // the report's name in file names
	from, to time.Time
	loc      *time.Location // the zone of the report's dates, for the file name
	sheet    string
	columns  []export.Column
	rows     export.Rows
}

func (h *Handler) questions(w http.ResponseWriter, r *http.Request) {
	format, p, d, err := h.start(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := DecodeQuestions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.ignored(r, in.Ignored)
	seq, err := report.Questions(r.Context(), d, p, in.input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeTable(w, r, format, table{
		name: "questions", from: in.StartDate, to: in.EndDate, loc: time.UTC, sheet: "Perguntas",
		columns: export.QuestionColumns,
		rows:    report.LegacyRows(seq, func(q *report.QuestionRow) []any { return q.Legacy(h.PortalURL) }),
	})
}

func (h *Handler) bookings(w http.ResponseWriter, r *http.Request) {
	format, p, d, err := h.start(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := DecodeBookings(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.ignored(r, in.Ignored)
	seq, err := report.Bookings(r.Context(), d, p, in.input(), h.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	loc := time.UTC // only a download's file name needs the zone
	if format != FormatJSON {
		if loc, err = report.BookingsZone(r.Context(), d, p, in.input()); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.writeTable(w, r, format, table{
		name: "bookings", from: in.StartDate, to: in.EndDate, loc: loc, sheet: "Agendamentos",
		columns: export.BookingColumns, rows: report.LegacyRows(seq, (*report.BookingRow).Legacy),
	})
}

func (h *Handler) workload(w http.ResponseWriter, r *http.Request) {
	format, p, d, err := h.start(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := DecodeWorkload(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.ignored(r, in.Ignored)
	seq, err := report.Workload(r.Context(), d, p, in.SchoolIDs)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeTable(w, r, format, table{
		name: "bookings-workload", sheet: "Carga horária",
		columns: export.WorkloadColumns, rows: report.LegacyRows(seq, (*report.WorkloadRow).Legacy),
	})
}

func (h *Handler) groupsUsage(w http.ResponseWriter, r *http.Request) {
	format, p, d, err := h.start(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in, err := DecodeGroupsUsage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.ignored(r, in.Ignored)
	u, err := report.GroupsUsageReport(r.Context(), d, p, in.input())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The client's name for the report names the file and titles the
	// summary; without one, the file is named like the other reports'.
	filename := NamedFile(in.Name, format)
	if filename == "" {
		filename = Filename("groups-usage", in.StartDate, in.EndDate, u.Location, format)
	}
	h.download(w, format, filename)
	if validateOnly(r.Context()) {
		return
	}
	out := &trackingWriter{w: w}
	var students int64
	u.Students = counted(u.Students, &students, progress.RowsFrom(r.Context()))
	defer func() { h.observe(r, "groups-usage", format, students, out.bytes) }()
	switch format {
	case FormatJSON:
		err = export.WriteJSONValue(out, u.LegacyJSON())
	case FormatCSV:
		err = export.WriteCSVSections(out, u.LegacySections()...)
	case FormatExcelCSV:
		err = export.WriteExcelCSVSections(out, u.LegacySections()...)
	case FormatXLSX:
		chart := &export.Chart{Title: "Perguntas por disciplina", Section: 1,
			Categories: export.DisciplineCountColumns[0].Key, Values: export.DisciplineCountColumns[1].Key}
		sections := u.LegacySections()
		sections[0].Title = Title(in.Name) // the summary's sheet
		err = export.WriteXLSXSections(out, sections, chart, h.XLSX)
	}
	h.finish(w, r, out, err)
}

type validateOnlyKey struct{}

// ValidateOnly returns ctx marking its request as one to check only: the
// handler decodes, negotiates and validates it and asks package report to
// prepare the rows, answering any refusal as usual, but stops before the
// first row is read, having set the headers of its download and written
// nothing. An asynchronous export checks its request so before it answers
// 202, and runs it later.
func ValidateOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, validateOnlyKey{}, true)
}

func validateOnly(ctx context.Context) bool {
	v, _ := ctx.Value(validateOnlyKey{}).(bool)
	return v
}

// start negotiates the format and returns the request's principal and the
// database to read from.
func (h *Handler) start(r *http.Request) (Format, *auth.Principal, *db.DB, error) {
	format, err := Negotiate(r.Header.Get("Accept"))
	if err != nil {
		return format, nil, nil, err
	}
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return format, nil, nil, auth.ErrUnauthorized
	}
	d, err := h.DB.Get()
	return format, p, d, err
}

// writeTable streams a tabular report in the format.
func (h *Handler) writeTable(w http.ResponseWriter, r *http.Request, format Format, t table) {
	h.download(w, format, Filename(t.name, t.from, t.to, t.loc, format))
	if validateOnly(r.Context()) {
		return
	}
	out := &trackingWriter{w: w}
	var rows int64
	t.rows = counted(t.rows, &rows, progress.RowsFrom(r.Context()))
	defer func() { h.observe(r, t.name, format, rows, out.bytes) }()
	var err error
	switch format {
	case FormatJSON:
		err = export.WriteJSON(out, t.columns, t.rows)
	case FormatCSV:
		err = export.WriteCSV(out, t.columns, t.rows)
	case FormatExcelCSV:
		err = export.WriteExcelCSV(out, t.columns, t.rows)
	case FormatXLSX:
		err = export.WriteXLSX(out, t.sheet, t.columns, t.rows, h.XLSX)
	}
	h.finish(w, r, out, err)
}

// download sets the headers of a report response: its type and, for the
// file formats, the file's name.
func (h *Handler) download(w http.ResponseWriter, format Format, filename string) {
	w.Header().Set("Content-Type", format.ContentType())
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if format != FormatJSON {
		w.Header().Set("Content-Disposition", ContentDisposition(filename))
	}
}

// ignored logs, at debug level, the names of the body's members that the
// endpoint does not know and ignored; never their values.
func (h *Handler) ignored(r *http.Request, names []string) {
	if len(names) > 0 {
		h.Log.Debug("unknown request fields ignored", "path", r.URL.Path, "fields", names)
	}
}

// finish ends a streamed response. An error before anything was written
// still gets its proper status; after that the status is gone, so the
// connection is aborted and the client sees a broken transfer, never a
// complete-looking truncated file.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, out *trackingWriter, err error) {
	if err == nil {
		return
	}
	if errors.Is(err, context.Canceled) || errors.Is(r.Context().Err(), context.Canceled) {
		h.Log.Info("report cancelled by the client", "path", r.URL.Path, "err", err)
		if out.wrote {
			panic(http.ErrAbortHandler) // no clean end for a cut-short body
		}
		return
	}
	if !out.wrote {
		h.fail(w, r, err)
		return
	}
	h.Log.Error("report failed while streaming", "path", r.URL.Path, "err", err)
	trace.SpanFromContext(r.Context()).SetStatus(codes.Error, "the report failed while streaming")
	panic(http.ErrAbortHandler)
}

// fail answers with the error in the API's shape, logging what the
// client is not told. A report's input error names the inputs as the REST
// API does.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	err = restError(err)
	if code := apperr.CodeOf(err); code == apperr.Internal || code == apperr.Unavailable {
		h.Log.Error("report failed", "path", r.URL.Path, "err", err)
		trace.SpanFromContext(r.Context()).SetStatus(codes.Error, "the report failed")
	}
	apperr.Write(w, err)
}

// restError is err as the REST API tells it: a report's input error, or
// a refusal naming an input, with the inputs called by their REST names;
// any other error as it is.
func restError(err error) error {
	var ie *report.InputError
	if errors.As(err, &ie) {
		return &apperr.Error{Code: apperr.Invalid, Field: restName(ie.Field), Message: ie.Message(restName), Err: err}
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Field != "" && restName(ae.Field) != ae.Field {
		renamed := *ae
		renamed.Field = restName(ae.Field)
		return &renamed
	}
	return err
}

// restNames are the REST names of the report inputs that the REST API
// names otherwise than package report (which uses the GraphQL names).
var restNames = map[string]string{
	"from":      "start_date",
	"to":        "end_date",
	"groupIds":  "group_ids",
	"schoolIds": "school_ids",
}

// restName is the REST name of the report input field.
func restName(field string) string {
	if n, ok := restNames[field]; ok {
		return n
	}
	return field
}

// The attributes of a report's span.
const (
	attrReport = attribute.Key("report.name")   // questions, bookings, bookings-workload, groups-usage
	attrFormat = attribute.Key("report.format") // json, csv, xlsx
	attrRows   = attribute.Key("report.rows")   // the rows streamed (groups-usage: its students)
	attrBytes  = attribute.Key("report.bytes")  // the bytes of the response's body
)

// traced runs next, the report called report, in a span of its own, the
// child of the HTTP request's: the report's SQL statements nest under it,
// and observe notes what it streamed. Without a Tracer it is next.
func (h *Handler) traced(report string, next http.HandlerFunc) http.HandlerFunc {
	if h.Tracer == nil {
		return next
	}
	tracer := h.Tracer.Tracer(tracing.Scope)
	name := "report " + report
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), name, trace.WithAttributes(attrReport.String(report)))
		defer span.End()
		next(w, r.WithContext(ctx))
	}
}

// observe reports what a response streamed, if anyone listens: to the
// report's span, and to Observe.
func (h *Handler) observe(r *http.Request, report string, format Format, rows, bytes int64) {
	if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
		span.SetAttributes(attrFormat.String(format.Ext()), attrRows.Int64(rows), attrBytes.Int64(bytes))
	}
	if h.Observe != nil {
		h.Observe(report, format.Ext(), rows, bytes)
	}
}

// counted passes seq on, counting what it yields into n, and into
// watched (nil: nowhere), which another goroutine may read meanwhile.
func counted[T any](seq iter.Seq2[T, error], n *int64, watched *progress.Rows) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range seq {
			if err == nil {
				*n++
				watched.Add(1)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// trackingWriter counts what was written, and passes flushes on.
type trackingWriter struct {
	w     http.ResponseWriter
	wrote bool
	bytes int64
}

func (t *trackingWriter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		t.wrote = true
	}
	n, err := t.w.Write(p)
	t.bytes += int64(n)
	return n, err
}

// Flush sends what was written so far to the client.
func (t *trackingWriter) Flush() error { return http.NewResponseController(t.w).Flush() }

var _ io.Writer = (*trackingWriter)(nil)
