package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// queryTracer is otelpgx's tracer of pgx statements: each statement run
// within a span is a span of its own, "query SELECT" (or another verb),
// from the query to the closing of its rows, with the statement's text
// (db.query.text) and never its parameters; the first run of a statement
// on a connection has a "prepare SELECT" span under it. A statement
// outside any span is not traced. otelpgx's metrics are off: Prometheus
// has the pool's.
type queryTracer struct {
	*otelpgx.Tracer
}

func newQueryTracer(tp trace.TracerProvider) queryTracer {
	return queryTracer{otelpgx.NewTracer(otelpgx.WithTracerProvider(tp), otelpgx.WithMeterProvider(noop.NewMeterProvider()),
		otelpgx.WithQuerySpanNamePrefix())}
}

// TraceQueryEnd ends a statement's span, with its error told as
// withheld tells it.
func (t queryTracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	data.Err = withheld(data.Err)
	t.Tracer.TraceQueryEnd(ctx, conn, data)
}

// errWithheld stands in a span for an error whose message is withheld.
var errWithheld = errors.New("the statement failed (message withheld from traces)")

// withheld is err as a span may tell it. Error messages may quote a
// parameter's value (PostgreSQL's "invalid input syntax for type uuid:
// …", pgx's "unable to encode …"), so only those of a fixed text are
// kept; a PostgreSQL error keeps its code (pgx.sql_state).
func withheld(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, sql.ErrNoRows):
		return err
	case errors.As(err, &pgErr):
		return &pgconn.PgError{Severity: pgErr.Severity, Code: pgErr.Code, Message: errWithheld.Error()}
	}
	return errWithheld
}
