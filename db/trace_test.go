package db_test

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestTracedStatements runs statements on a traced PostgreSQL database:
// within a span each is a span with its text; outside any, none is; and a
// statement that fails on its parameter's value leaves that value out of
// its span, the error's code in.
func TestTracedStatements(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	d := testdb.PostgresWith(t, db.WithTracer(tp))
	ctx := context.Background()
	const value = "not-a-uuid-PERSONAL-7f3a"

	if _, err := d.SQL.ExecContext(ctx, "SELECT $1::uuid", value); err == nil {
		t.Fatal("a bad uuid was taken")
	}
	if got := exp.GetSpans(); len(got) != 0 {
		t.Fatalf("%d spans without a parent span, want none", len(got))
	}

	ctx, parent := tp.Tracer("test").Start(ctx, "parent")
	if _, err := d.SQL.ExecContext(ctx, "SELECT $1::uuid", value); err == nil {
		t.Fatal("a bad uuid was taken")
	}
	var n int
	if err := d.SQL.QueryRowContext(ctx, "SELECT count(*) FROM schools WHERE name <> $1", value).Scan(&n); err != nil {
		t.Fatal(err)
	}
	parent.End()

	var statements []string
	for _, s := range exp.GetSpans() {
		if s.Name == "parent" {
			continue
		}
		if s.Parent.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("span %q is not in the parent's trace", s.Name)
		}
		text := s.Name + " " + s.Status.Description
		for _, a := range s.Attributes {
			text += " " + string(a.Key) + "=" + a.Value.String()
			if a.Key == "db.query.text" && s.Name == "query SELECT" {
				statements = append(statements, a.Value.AsString())
			}
		}
		for _, e := range s.Events {
			text += " " + e.Name
			for _, a := range e.Attributes {
				text += " " + a.Value.String()
			}
		}
		if strings.Contains(text, value) {
			t.Errorf("span %q holds the parameter's value: %s", s.Name, text)
		}
		if s.Name == "query SELECT" && strings.Contains(text, "$1::uuid") && !strings.Contains(text, "pgx.sql_state=22P02") {
			t.Errorf("the failed statement's span has no SQLSTATE: %s", text)
		}
	}
	if want := []string{"SELECT $1::uuid", "SELECT count(*) FROM schools WHERE name <> $1"}; strings.Join(statements, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements traced:\n%s\nwant:\n%s", strings.Join(statements, "\n"), strings.Join(want, "\n"))
	}
}
