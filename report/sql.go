package report

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	"entgo.io/ent/dialect"
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

// byText returns the comma-separated exprs, text to order by, compared
// byte by byte on both databases (PostgreSQL would otherwise use the
// cluster's locale, SQLite its binary collation), so that both give the
// same order.
func byText(dialectName string, exprs ...string) string {
	if dialectName == dialect.Postgres {
		for i, e := range exprs {
			exprs[i] = e + ` COLLATE "C"`
		}
	}
	return strings.Join(exprs, ", ")
}

// stringAgg returns the dialect's aggregate joining expr's values in order.
func stringAgg(dialectName, expr, orderBy string) string {
	if dialectName == dialect.Postgres {
		return fmt.Sprintf("string_agg(%s, chr(31) ORDER BY %s)", expr, byText(dialectName, orderBy))
	}
	return fmt.Sprintf("group_concat(%s, char(31) ORDER BY %s)", expr, orderBy)
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

// rows runs q and yields one value per row, scanned by scan. The rows are
// closed when the loop ends, early or not; a cancelled ctx ends the query.
func rows[T any](ctx context.Context, db *sql.DB, q *query, scan func(*sql.Rows) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rs, err := db.QueryContext(ctx, q.String(), q.args...)
		if err != nil {
			yield(zero, dbError(err))
			return
		}
		defer rs.Close()
		for rs.Next() {
			v, err := scan(rs)
			if err != nil {
				yield(zero, dbError(err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rs.Err(); err != nil {
			yield(zero, dbError(err))
		}
	}
}
