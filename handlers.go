package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/metrics"
	"github.com/stift/stift-reports/tracing"
)

// graphqlHandler serves GraphQL with the clock now, each request
// cancelled after timeout (0: never; each page of a download of a
// connection).
func (s *Server) graphqlHandler(now func() time.Time, timeout time.Duration) http.Handler {
	return graph.NewHandler(s.db, graph.Options{
		Introspection:    s.cfg.Introspection,
		ComplexityLimit:  s.cfg.ComplexityLimit,
		DepthLimit:       s.cfg.DepthLimit,
		Log:              s.log,
		Reads:            s.reads(),
		XLSX:             export.XLSXOptions{MaxRows: s.cfg.xlsxMaxRows},
		Timeout:          timeout,
		DownloadPageSize: s.cfg.downloadPageSize,
		PortalURL:        s.cfg.PortalURL,
		Now:              now,
		Operations:       s.cfg.operations,
		Tracer:           s.cfg.tracer(),
		ObserveOperation: s.metrics.ObserveOperation,
	})
}

// handleHealthz answers while the process is up.
func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 200 while the database is reachable, else 503.
func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.migrated() {
			encode(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "not migrated"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.db.Ping(ctx); err != nil {
			s.log.Warn("database unreachable", "err", err)
			encode(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "ok", "database": s.db.Dialect})
	})
}

// reads returns where report reads go.
func (s *Server) reads() *db.Reads {
	if s.cfg.reads != nil {
		return s.cfg.reads
	}
	return db.NewReads(s.db, nil, false)
}

// migrated reports whether the database schema is in place.
func (s *Server) migrated() bool { return s.cfg.migrated == nil || s.cfg.migrated.Load() }

// requireMigrated answers 503 until the database schema is in place.
func (s *Server) requireMigrated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.migrated() {
			w.Header().Set("Retry-After", "5")
			apperr.Write(w, apperr.Errorf(apperr.Unavailable, "Service unavailable."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apperr.Write(w, apperr.Errorf(apperr.NotFound, "Not found."))
	})
}

// encode writes v as JSON with the status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

type requestIDKey struct{}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer (to flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests gives every request an id (X-Request-Id), and logs and counts
// it when done. Headers, and so tokens, are never logged.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header().Set("X-Request-Id", id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		_, route := s.mux.Handler(r)
		s.metrics.ObserveRequest(route, r.Method, sw.status, time.Since(start))
		attrs := []slog.Attr{
			slog.String("id", id),
			slog.String("method", metrics.Method(r.Method)),
			slog.String("path", logPath(r.URL.Path)),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
		}
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// traceRequests traces every request as a server span: the root of its
// trace, or the child of the caller's when the request carries a trace
// context (traceparent). The span is named by the route's pattern, as
// the metrics label it, never by the path as sent, and holds no header,
// token or body. Without tracing, it is next.
func (s *Server) traceRequests(next http.Handler) http.Handler {
	if s.cfg.tracing == nil {
		return next
	}
	tracer := s.cfg.tracing.Provider.Tracer(tracing.Scope)
	prop := s.cfg.tracing.Propagator
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		// semconv's names for a method HTTP does not define.
		method, name := metrics.Method(r.Method), r.Method
		if method == "other" {
			method, name = "_OTHER", "HTTP"
		}
		// The route is known once the mux has matched: the span is renamed then.
		ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(method)))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			_, pattern := s.mux.Handler(r)
			patternMethod, route, ok := strings.Cut(pattern, " ")
			if !ok {
				patternMethod, route = name, pattern
			}
			span.SetName(patternMethod + " " + route)
			span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseBodySize(int(sw.bytes)))
			if sw.status != 0 {
				span.SetAttributes(semconv.HTTPResponseStatusCode(sw.status))
			}
			v := recover()
			switch {
			case v != nil: // http.ErrAbortHandler: recoverPanics has the others
				span.SetStatus(codes.Error, "the response was cut short")
			case sw.status >= 500:
				span.SetStatus(codes.Error, http.StatusText(sw.status))
			}
			span.End()
			if v != nil {
				panic(v)
			}
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}

// maxLoggedPath bounds the path a request log line holds: a request line
// may be up to a megabyte long, and its log line must not.
const maxLoggedPath = 256

// logPath is the path as logged: cut at maxLoggedPath bytes, with its
// length noted.
func logPath(p string) string {
	if len(p) <= maxLoggedPath {
		return p
	}
	return fmt.Sprintf("%s… (%d bytes)", strings.ToValidUTF8(p[:maxLoggedPath], ""), len(p))
}

// secureHeaders sets the headers every response carries: no MIME sniffing,
// no framing by other sites, no referrer leaks.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into a 500 in the API's error
// shape, logged with the request id; the server keeps serving.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			id, _ := r.Context().Value(requestIDKey{}).(string)
			s.log.Error("panic", "id", id, "panic", fmt.Sprint(v))
			apperr.Write(w, apperr.Errorf(apperr.Internal, "Internal server error."))
		}()
		next.ServeHTTP(w, r)
	})
}

func newRequestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
