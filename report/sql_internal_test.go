package report

import (
	"context"
	"testing"

	"github.com/stift/stift-reports/internal/testdb"
)

// TestReportStatementsArePlannedForTheirArguments runs one report
// statement more times than PostgreSQL plans a prepared statement for its
// arguments before it may keep a generic plan, on a pool of one
// connection, and wants it prepared once there and planned for its
// arguments on every run (db.Open's plan_cache_mode).
func TestReportStatementsArePlannedForTheirArguments(t *testing.T) {
	d := testdb.Postgres(t)
	d.SQL.SetMaxOpenConns(1)
	const marker, runs = "report_statement_marker", 7
	for i := range runs {
		q := newQuery(d.Dialect).add(`SELECT CAST(? AS BIGINT) AS `+marker, i)
		for n, err := range rows(context.Background(), d, q, func(rs rowScanner) (int, error) {
			var n int
			return n, rs.Scan(&n)
		}) {
			if err != nil {
				t.Fatal(err)
			}
			if n != i {
				t.Errorf("run %d read %d", i, n)
			}
		}
	}
	var kept, generic, custom int
	if err := d.SQL.QueryRow(`SELECT COUNT(*), COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0)
		FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%' AND statement NOT LIKE '%pg_prepared_statements%'`,
		marker).Scan(&kept, &generic, &custom); err != nil {
		t.Fatal(err)
	}
	if kept != 1 || generic != 0 || custom != runs {
		t.Errorf("%d prepared statements for the report statement, %d generic and %d custom plans; want 1, 0 and %d",
			kept, generic, custom, runs)
	}
}
