package report

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/stift/stift-reports/db"
)

// query builds one SQL statement with its arguments, in the placeholder
// style of the dialect: ? for SQLite, $n for PostgreSQL.
type query struct {
	dialect string
	b       strings.Builder
	args    []any
}

func newQuery(dialectName string) *query { return &query{dialect: dialectName} }

// add appends SQL text; each ? in it takes the next of args.
func (q *query) add(sqlText string, args ...any) *query {
	for {
		i := strings.IndexByte(sqlText, '?')
		if i < 0 {
			break
		}
		q.b.WriteString(sqlText[:i])
		q.b.WriteString(q.arg(args[0]))
		args, sqlText = args[1:], sqlText[i+1:]
	}
	if len(args) > 0 {
		panic(fmt.Sprintf("report: %d arguments left over for %q", len(args), sqlText))
	}
	q.b.WriteString(sqlText)
	return q
}

// arg adds one argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	if q.dialect == dialect.Postgres {
		return fmt.Sprintf("$%d", len(q.args))
	}
	return "?"
}

// inList appends "col IN (…)" over ids; an empty list matches nothing.
func inList[T any](q *query, col string, ids []T) *query {
	if len(ids) == 0 {
		q.b.WriteString("1 = 0")
		return q
	}
	q.b.WriteString(col)
	return inValues(q, ids)
}

// andIn appends " AND col IN (…)" when ids is not empty: an empty filter
// list filters nothing.
func andIn[T any](q *query, col string, ids []T) {
	if len(ids) > 0 {
		q.b.WriteString(" AND ")
		inList(q, col, ids)
	}
}

// inValues appends " IN (…)" over ids, which must not be empty.
func inValues[T any](q *query, ids []T) *query {
	q.b.WriteString(" IN (")
	for i, id := range ids {
		if i > 0 {
			q.b.WriteString(", ")
		}
		q.b.WriteString(q.arg(id))
	}
	q.b.WriteString(")")
	return q
}

func (q *query) String() string { return q.b.String() }

// byText returns the comma-separated exprs, text to order by, in
// db.TextCollation: Portuguese as a Brazilian reader sorts it, the same on
// both databases (PostgreSQL would otherwise use the database's locale,
// SQLite its binary collation). Equal names are told apart by the columns
// that follow (ids). Both dialects spell it alike; the dialect argument
// stays for the callers.
func byText(_ string, exprs ...string) string {
	for i, e := range exprs {
		exprs[i] = e + " COLLATE " + db.TextCollation
	}
	return strings.Join(exprs, ", ")
}

// stringAgg returns the dialect's aggregate joining expr's values in the
// order of the text orderBy (byText).
func stringAgg(dialectName, expr, orderBy string) string {
	if dialectName == dialect.Postgres {
		return fmt.Sprintf("string_agg(%s, chr(31) ORDER BY %s)", expr, byText(dialectName, orderBy))
	}
	return fmt.Sprintf("group_concat(%s, char(31) ORDER BY %s)", expr, byText(dialectName, orderBy))
}

// listSep (the ASCII unit separator, char 31) separates the values an
// aggregated string column holds; names never contain it.
const listSep = "\x1f"

func splitList(s sql.NullString) []string {
	if !s.Valid || s.String == "" {
		return []string{}
	}
	return strings.Split(s.String, listSep)
}

// rowScanner is the row being read: a *sql.Rows on SQLite, a pgx.Rows on
// PostgreSQL. Scan takes the same destinations on both.
type rowScanner interface {
	Scan(dest ...any) error
}

// rows runs q and yields one value per row, scanned by scan. The rows are
// closed when the loop ends, early or not; a cancelled ctx ends the query.
//
// The rows are read and scanned on a goroutine of their own, a batch at a
// time, while the caller's loop handles the batch before (see pipeline):
// for an export, reading (on SQLite, running the statement itself) and
// writing the file take a core each instead of taking turns on one. So
// scan runs ahead of the loop: what it returns must not share memory it
// writes again (destinations it reuses), and the loop must not read its
// destinations.
//
// On PostgreSQL the query runs on the pool's connection through pgx's own
// interface rather than database/sql, which would first convert every value
// to a driver.Value and then copy it into its destination: reports read
// millions of values, and that doubles the work per value.
func rows[T any](ctx context.Context, d *db.DB, q *query, scan func(rowScanner) (T, error)) iter.Seq2[T, error] {
	return pipeline(func(each func(T) bool) error {
		read := func(rs rowScanner) (more bool, err error) {
			v, err := scan(rs)
			if err != nil {
				return false, err
			}
			return each(v), nil
		}
		var err error
		if d.Dialect == dialect.Postgres {
			err = pgxRows(ctx, d.SQL, q, read)
		} else {
			err = sqlRows(ctx, d.SQL, q, read)
		}
		if err != nil {
			return dbError(err)
		}
		return nil
	})
}

// pipelineBatch is how many values pipeline hands over at once, and
// pipelineDepth how many batches may wait: at most (depth+2)·batch values
// are held (the batches waiting, the one being filled and the one being
// yielded), whatever the number of rows.
const (
	pipelineBatch = 64
	pipelineDepth = 2
)

// pipeline yields the values produce passes to its each, producing them on
// a goroutine of its own: produce runs ahead of the loop by at most
// pipelineDepth batches. However the loop ends (early, or by a panic in
// its body), produce's each returns false from then on, and the loop's end
// waits for produce to return, so that what produce holds (a connection)
// is released as before. produce's error, if any, is yielded last; a panic
// in produce panics the loop.
func pipeline[T any](produce func(each func(T) bool) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		full := make(chan []T, pipelineDepth)
		empty := make(chan []T, pipelineDepth+2)
		for range pipelineDepth + 2 {
			empty <- make([]T, 0, pipelineBatch)
		}
		stop := make(chan struct{})
		var (
			err      error
			panicked any
			done     = make(chan struct{})
		)
		go func() {
			defer close(done)
			defer close(full)
			defer func() { panicked = recover() }()
			batch := <-empty
			send := func() bool {
				select {
				case full <- batch:
				case <-stop:
					return false
				}
				select {
				case batch = <-empty:
					return true
				case <-stop:
					return false
				}
			}
			err = produce(func(v T) bool {
				batch = append(batch, v)
				return len(batch) < pipelineBatch || send()
			})
			if len(batch) > 0 {
				send()
			}
		}()
		defer func() {
			close(stop)
			for range full { // unblock produce: it sees stop at its next send
			}
			<-done
			if panicked != nil {
				panic(panicked)
			}
		}()
		for batch := range full {
			for _, v := range batch {
				if !yield(v, nil) {
					return
				}
			}
			clear(batch) // let the values go
			empty <- batch[:0]
		}
		<-done
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// sqlRows runs q through database/sql and calls each for every row until
// it returns false or an error.
func sqlRows(ctx context.Context, sdb *sql.DB, q *query, each func(rowScanner) (bool, error)) error {
	rs, err := sdb.QueryContext(ctx, q.String(), q.args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	return eachRow(rs, each)
}

// pgxRows is sqlRows through the pgx connection beneath a connection of the
// database/sql pool, which keeps the pool's limits and accounting. The
// statement is prepared once per connection and planned for its arguments
// on every run (see db.Open and its openPostgres).
func pgxRows(ctx context.Context, sdb *sql.DB, q *query, each func(rowScanner) (bool, error)) error {
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		rs, err := driverConn.(*stdlib.Conn).Conn().Query(ctx, q.String(), q.args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		return eachRow(rs, each)
	})
}

// eachRow calls each for every row of rs (a *sql.Rows or a pgx.Rows) until
// it returns false or an error, and returns that error or the rows' own.
func eachRow(rs interface {
	rowScanner
	Next() bool
	Err() error
}, each func(rowScanner) (bool, error)) error {
	for rs.Next() {
		if more, err := each(rs); err != nil || !more {
			return err
		}
	}
	return rs.Err()
}
