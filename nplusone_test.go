package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	"modernc.org/sqlite"

	"github.com/stift/stift-reports/db"
)

// countingDriver counts the statements run through SQLite's driver, and
// tells seen, when set, the text of each.
type countingDriver struct {
	base driver.Driver
	n    *atomic.Int64
	seen func(query string)
}

func (d countingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.base.Open(dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{Conn: c, n: d.n, seen: d.seen}, nil
}

// countingConn passes everything on, counting queries and executions.
type countingConn struct {
	driver.Conn
	n    *atomic.Int64
	seen func(query string)
}

func (c countingConn) count(q string) {
	c.n.Add(1)
	if c.seen != nil {
		c.seen(q)
	}
}

func (c countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.count(q)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.count(q)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.count(q)
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

// TestNoNPlusOne: a page of 1000 report rows, with the nodes of each row and
// their own edges, runs as many statements as a page of 10. (A nullable node
// that is null on every row of a page costs no statement, so the query
// selects those every page has: cancelledBy would differ, not grow.)
func TestNoNPlusOne(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	connector := countingConnector{dsn: db.SQLiteDSN(filepath.Join(t.TempDir(), "count.db")), d: countingDriver{base: &sqlite.Driver{}, n: &n}}
	d := db.FromSQL(sql.OpenDB(connector), dialect.SQLite, "")
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := newReportServer(t, d, Config{})
	const query = `query($first: Int) {
	  questionsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: $first) {
	    totalCount edges { node { question { id } school { name } group { name school { name } } student { email }
	      teacher { email } discipline { name } subject { name } statusLabel } } }
	  bookingsReport(input: {from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z"}, first: $first) {
	    edges { node { booking { id } school { name } group { name } student { email } teacher { email }
	      discipline { name } bookingRoom { name } } } }
	  questions(first: $first) { edges { node { studentID student { email } group { name } } } } }`
	statements := map[int]int64{}
	for _, first := range []int{10, 1000} {
		var data struct {
			QuestionsReport struct{ Edges []any }
			BookingsReport  struct{ Edges []any }
		}
		before := n.Load()
		if errs := s.gql(t, s.token, query, map[string]any{"first": first}, &data); len(errs) > 0 {
			t.Fatal(errs)
		}
		statements[first] = n.Load() - before
		if len(data.QuestionsReport.Edges) != first || len(data.BookingsReport.Edges) < min(first, 800) {
			t.Fatalf("first %d: %d questions, %d bookings", first, len(data.QuestionsReport.Edges), len(data.BookingsReport.Edges))
		}
	}
	t.Logf("statements per request: %v", statements)
	if statements[10] != statements[1000] || statements[10] == 0 {
		t.Errorf("statements for 10 rows: %d, for 1000 rows: %d", statements[10], statements[1000])
	}
}

// countingConnector opens countingDriver connections for sql.OpenDB.
type countingConnector struct {
	dsn string
	d   countingDriver
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c countingConnector) Driver() driver.Driver                        { return c.d }
