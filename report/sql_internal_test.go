package report

import (
	"context"
	"testing"

	"github.com/stift/stift-reports/internal/testdb"
)

// TestReportStatementsArePlannedForTheirArguments runs one report
// statement more times than PostgreSQL plans a prepared statement for its
// arguments before it may keep a generic plan, on a pool of one
// connection, and wants no prepared statement of it kept there (pgxRows).
func TestReportStatementsArePlannedForTheirArguments(t *testing.T) {
	d := testdb.Postgres(t)
	d.SQL.SetMaxOpenConns(1)
	const marker = "report_statement_marker"
	for i := range 7 {
		q := newQuery(d.Dialect).add(`SELECT CAST(? AS BIGINT) AS `+marker, i)
		for _, err := range rows(context.Background(), d, q, func(rs rowScanner) (int, error) {
			var n int
			return n, rs.Scan(&n)
		}) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var kept int
	if err := d.SQL.QueryRow(`SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%' AND statement NOT LIKE '%pg_prepared_statements%'`,
		marker).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != 0 {
		t.Errorf("%d prepared statements kept for a report statement", kept)
	}
}
