package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/tracing"
)

// spans records the spans of a server in the SDK's in-memory exporter.
type spans struct {
	*tracetest.InMemoryExporter
	tp *sdktrace.TracerProvider
	// roots gets a value as each trace's root span (the HTTP request's)
	// ends, after the exporter has it: a response may reach the client
	// before the server's span ends.
	roots chan struct{}
}

func newSpans(t *testing.T) *spans {
	s := &spans{InMemoryExporter: tracetest.NewInMemoryExporter(), roots: make(chan struct{}, 16)}
	s.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(s.InMemoryExporter), sdktrace.WithSpanProcessor(s))
	t.Cleanup(func() { s.tp.Shutdown(context.Background()) })
	return s
}

func (s *spans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (s *spans) Shutdown(context.Context) error                  { return nil }
func (s *spans) ForceFlush(context.Context) error                { return nil }
func (s *spans) OnEnd(span sdktrace.ReadOnlySpan) {
	if !span.Parent().IsValid() {
		s.roots <- struct{}{}
	}
}

// trace waits for the request's trace to end and returns its spans, once
// it has checked that they are one tree: one root, every other span the
// child of one of them.
func (s *spans) trace(t *testing.T) tree {
	t.Helper()
	<-s.roots
	tr := tree{t, s.GetSpans()}
	s.Reset()
	ids := map[trace.SpanID]bool{}
	for _, span := range tr.spans {
		ids[span.SpanContext.SpanID()] = true
	}
	roots := 0
	for _, span := range tr.spans {
		switch {
		case !span.Parent.IsValid():
			roots++
		case !ids[span.Parent.SpanID()] || span.SpanContext.TraceID() != tr.spans[0].SpanContext.TraceID():
			t.Errorf("span %q is outside the request's tree:%s", span.Name, tr)
		}
	}
	if roots != 1 {
		t.Fatalf("%d root spans, want 1:%s", roots, tr)
	}
	return tr
}

// attr returns the span's attribute k, if it has it.
func attr(span tracetest.SpanStub, k attribute.Key) (attribute.Value, bool) {
	for _, a := range span.Attributes {
		if a.Key == k {
			return a.Value, true
		}
	}
	return attribute.Value{}, false
}

// tree indexes a trace's spans.
type tree struct {
	t     *testing.T
	spans tracetest.SpanStubs
}

// named returns the one span called name.
func (tr tree) named(name string) tracetest.SpanStub {
	tr.t.Helper()
	var found []tracetest.SpanStub
	for _, s := range tr.spans {
		if s.Name == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		tr.t.Fatalf("%d spans named %q in %s", len(found), name, tr)
	}
	return found[0]
}

// children returns the spans whose parent is p.
func (tr tree) children(p tracetest.SpanStub) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tr.spans {
		if s.Parent.SpanID() == p.SpanContext.SpanID() {
			out = append(out, s)
		}
	}
	return out
}

// sql returns the SQL statements' spans under p, and their statements.
func (tr tree) sql(p tracetest.SpanStub) (spans []tracetest.SpanStub, statements string) {
	for _, s := range tr.children(p) {
		if q, ok := attr(s, "db.query.text"); ok {
			spans = append(spans, s)
			statements += q.AsString() + "\n"
		}
	}
	return spans, statements
}

func (tr tree) String() string {
	var b strings.Builder
	for _, s := range tr.spans {
		b.WriteString("\n  " + s.Name + " (" + s.SpanContext.SpanID().String() + " ← " + s.Parent.SpanID().String() + ")")
	}
	return b.String()
}

// TestTraceSpans checks the span tree of one REST report and one GraphQL
// query on each database: the HTTP request's span is the root, named by
// its route; the report's span or the GraphQL operation's is its child;
// on PostgreSQL each SQL statement is a span under the one that ran it
// (the token lookup under the request's, the report's rows under the
// report's). No span holds the token, the Authorization header, a body
// or a statement's parameters.
func TestTraceSpans(t *testing.T) {
	t.Parallel()
	testdb.EachKind(t, func(t *testing.T, open func(testing.TB) *db.DB) {
		t.Parallel()
		spans := newSpans(t)
		d := open(t)
		if d.Dialect == "postgres" {
			d = testdb.PostgresWith(t, db.WithTracer(spans.tp))
		}
		s := newReportServer(t, d, Config{ComplexityLimit: graph.DefaultComplexityLimit,
			tracing: tracing.New(spans.tp)})
		// secret fails if a span holds the token, its hash (the token
		// lookup's parameter), the Authorization header or the from date (a
		// report query's parameter).
		secret := func(tr tree) {
			t.Helper()
			for _, span := range tr.spans {
				for _, a := range span.Attributes {
					v := a.Value.String()
					for _, secret := range []string{s.token, auth.HashSecret(s.token), "Bearer", "2020-01-01", "1577836800000"} {
						if strings.Contains(v, secret) {
							t.Errorf("span %q holds %s=%.80s", span.Name, a.Key, v)
						}
					}
				}
			}
		}

		t.Run("rest", func(t *testing.T) {
			resp, body := s.post(t, "/v1/reports/questions", s.token, "text/csv", wholeDemo)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			tr := spans.trace(t)
			root := tr.named("POST /v1/reports/questions")
			if root.Parent.IsValid() || root.SpanKind != trace.SpanKindServer {
				t.Errorf("the request's span has parent %v, kind %v: want a root server span", root.Parent.SpanID(), root.SpanKind)
			}
			for k, want := range map[attribute.Key]string{"http.route": "/v1/reports/questions", "http.request.method": "POST", "http.response.status_code": "200"} {
				if v, _ := attr(root, k); v.String() != want {
					t.Errorf("request span: %s = %q, want %q", k, v.String(), want)
				}
			}
			report := tr.named("report questions")
			if report.Parent.SpanID() != root.SpanContext.SpanID() {
				t.Errorf("the report's span is not the request's child:%s", tr)
			}
			rows, _ := attr(report, "report.rows")
			bytes, _ := attr(report, "report.bytes")
			format, _ := attr(report, "report.format")
			if rows.AsInt64() != 2400 || bytes.AsInt64() != int64(len(body)) || format.AsString() != "csv" {
				t.Errorf("report span: rows %d, bytes %d, format %q; want 2400, %d, csv", rows.AsInt64(), bytes.AsInt64(), format.AsString(), len(body))
			}
			secret(tr)
			if d.Dialect != "postgres" {
				if len(tr.spans) != 2 {
					t.Errorf("SQLite: %d spans, want the request's and the report's:%s", len(tr.spans), tr)
				}
				return
			}
			if _, stmts := tr.sql(root); !strings.Contains(stmts, "api_tokens") {
				t.Errorf("no token lookup under the request's span; its statements:\n%s", stmts)
			}
			if _, stmts := tr.sql(report); !strings.Contains(stmts, "FROM questions q") {
				t.Errorf("no questions query under the report's span; its statements:\n%s", stmts)
			}
		})

		t.Run("graphql", func(t *testing.T) {
			var out struct {
				QuestionsReport conn[struct{}] `json:"questionsReport"`
			}
			query := `query Recent($from: Time!) { questionsReport(input: {from: $from, to: "2030-01-01T00:00:00Z"}, first: 3) { edges { cursor } } }`
			if errs := s.gql(t, s.token, query, map[string]any{"from": "2020-01-01T00:00:00Z"}, &out); len(errs) > 0 || len(out.QuestionsReport.Edges) != 3 {
				t.Fatalf("%d edges, errors %v", len(out.QuestionsReport.Edges), errs)
			}
			tr := spans.trace(t)
			root := tr.named("POST /graphql")
			op := tr.named("query Recent")
			if root.Parent.IsValid() || op.Parent.SpanID() != root.SpanContext.SpanID() {
				t.Errorf("want the request's span as root and the operation's as its child:%s", tr)
			}
			name, _ := attr(op, "graphql.operation.name")
			typ, _ := attr(op, "graphql.operation.type")
			complexity, ok := attr(op, "graphql.operation.complexity")
			// questionsReport (1) + 3 × (edges (1) + cursor (1)).
			if name.AsString() != "Recent" || typ.AsString() != "query" || !ok || complexity.AsInt64() != 7 {
				t.Errorf("operation span: name %q, type %q, complexity %v; want Recent, query, 7", name.AsString(), typ.AsString(), complexity.String())
			}
			secret(tr)
			if d.Dialect != "postgres" {
				return
			}
			if _, stmts := tr.sql(op); !strings.Contains(stmts, "FROM questions q") {
				t.Errorf("no questions query under the operation's span; its statements:\n%s", stmts)
			}
		})
	})
}

// TestTracesExportedAtShutdown starts the server with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at a stand-in OTLP/HTTP collector,
// makes two requests and stops it: the spans, batched until then, reach
// the collector at /v1/traces before run returns, named by their routes,
// with the service's name; no span holds the Authorization header.
func TestTracesExportedAtShutdown(t *testing.T) {
	t.Parallel()
	for kind, newDB := range cliDatabases() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []*tracepb.ResourceSpans
			collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				// ExportTraceServiceRequest has TracesData's wire format.
				var req tracepb.TracesData
				if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
					t.Errorf("the collector got %s %s, %d bytes", r.Method, r.URL.Path, len(body))
				}
				if strings.Contains(string(body), "Bearer") {
					t.Error("the spans sent hold the Authorization header")
				}
				mu.Lock()
				got = append(got, req.ResourceSpans...)
				mu.Unlock()
			}))
			defer collector.Close()

			addr := freeAddr(t)
			env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "DEMO_DATA": "off", "LOG_FORMAT": "json"}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan string, 1)
			done := make(chan error, 1)
			cfg, err := loadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			cfg.DatabaseURL, cfg.Addr = newDB(t), addr
			go func() { done <- runServe(ctx, cfg, nil, io.Discard, io.Discard, ready) }()
			base := "http://" + <-ready
			for _, req := range []struct{ method, path string }{{"GET", "/healthz"}, {"POST", "/v1/reports/questions"}} {
				r, _ := http.NewRequest(req.method, base+req.path, strings.NewReader(wholeDemo))
				r.Header.Set("Authorization", "Bearer stift_not-a-token")
				if _, _, body := send(t, r); body == "" {
					t.Fatalf("%s %s: no answer", req.method, req.path)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}

			mu.Lock()
			defer mu.Unlock()
			var names []string
			for _, rs := range got {
				for _, a := range rs.GetResource().GetAttributes() {
					if a.GetKey() == "service.name" && a.GetValue().GetStringValue() != tracing.ServiceName {
						t.Errorf("service.name %q, want %q", a.GetValue().GetStringValue(), tracing.ServiceName)
					}
				}
				for _, ss := range rs.GetScopeSpans() {
					for _, s := range ss.GetSpans() {
						if s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
							names = append(names, s.GetName())
						}
					}
				}
			}
			slices.Sort(names)
			if want := []string{"GET /healthz", "POST /v1/reports/questions"}; !slices.Equal(names, want) {
				t.Errorf("requests' spans sent: %q, want %q", names, want)
			}
		})
	}
}
