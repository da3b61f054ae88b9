package db_test

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// percentileGroups are the values of each group of the percentile tests;
// nil stands for NULL.
var percentileGroups = [][]any{
	1: {1.0, 2.0, 3.0, 4.0},
	2: {5.0, 1.0, 3.0},                // unsorted
	3: {nil, 10.0, nil, 20.0},         // NULLs are ignored
	4: {7.5},                          // one value
	5: {nil, nil},                     // no value: NULL
	6: {-2.0, 0.0, 0.0, 2.5, 100.0},   // ties and negatives
	7: {int64(3), 1.5, int64(1), 2.0}, // integers and reals mixed
}

// percentileWant holds the hand-computed percentile_cont per fraction and
// group: rank = fraction × (n − 1), interpolated between floor and ceil.
var percentileWant = map[float64]map[int]*float64{
	0:    {1: f(1), 2: f(1), 3: f(10), 4: f(7.5), 5: nil, 6: f(-2), 7: f(1)},
	0.25: {1: f(1.75), 2: f(2), 3: f(12.5), 4: f(7.5), 5: nil, 6: f(0), 7: f(1.375)},
	0.5:  {1: f(2.5), 2: f(3), 3: f(15), 4: f(7.5), 5: nil, 6: f(0), 7: f(1.75)},
	0.9:  {1: f(3.7), 2: f(4.6), 3: f(19), 4: f(7.5), 5: nil, 6: f(61), 7: f(2.7)},
	1:    {1: f(4), 2: f(5), 3: f(20), 4: f(7.5), 5: nil, 6: f(100), 7: f(3)},
}

func f(v float64) *float64 { return &v }

// percentileSQL is the dialect's spelling of the aggregate.
func percentileSQL(d *db.DB, value string, fraction float64) string {
	if d.Dialect == dialect.Postgres {
		return fmt.Sprintf("percentile_cont(%v) WITHIN GROUP (ORDER BY %s)", fraction, value)
	}
	return fmt.Sprintf("percentile_cont(%s, %v)", value, fraction)
}

// placeholders returns n placeholders, numbered from first on Postgres.
func placeholders(d *db.DB, first, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "?"
		if d.Dialect == dialect.Postgres {
			ps[i] = fmt.Sprintf("$%d", first+i)
		}
	}
	return strings.Join(ps, ", ")
}

// loadPercentileTable creates pct(g, v) holding the groups' values.
func loadPercentileTable(t *testing.T, d *db.DB, groups [][]any) {
	t.Helper()
	if _, err := d.SQL.Exec(`CREATE TABLE pct (g INTEGER NOT NULL, v DOUBLE PRECISION)`); err != nil {
		t.Fatal(err)
	}
	for g, values := range groups {
		for _, v := range values {
			if _, err := d.SQL.Exec(`INSERT INTO pct (g, v) VALUES (`+placeholders(d, 1, 2)+`)`, g, v); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// percentilesByGroup runs the aggregate over pct per group.
func percentilesByGroup(t *testing.T, d *db.DB, fraction float64) map[int]*float64 {
	t.Helper()
	rs, err := d.SQL.Query(`SELECT g, ` + percentileSQL(d, "v", fraction) + ` FROM pct GROUP BY g ORDER BY g`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	got := map[int]*float64{}
	for rs.Next() {
		var (
			g int
			v sql.NullFloat64
		)
		if err := rs.Scan(&g, &v); err != nil {
			t.Fatal(err)
		}
		got[g] = nil
		if v.Valid {
			got[g] = &v.Float64
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*b))
}

func show(v *float64) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprint(*v)
}

// eachPercentileDB runs f on SQLite and, with TEST_DATABASE_URL, on an
// empty PostgreSQL database, whose own percentile_cont is then checked
// against the same hand-computed values.
func eachPercentileDB(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, testdb.SQLite(t)) })
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Run("postgres", func(t *testing.T) { f(t, testdb.EmptyPostgres(t)) })
	}
}

func TestPercentileCont(t *testing.T) {
	eachPercentileDB(t, func(t *testing.T, d *db.DB) {
		loadPercentileTable(t, d, percentileGroups)
		for fraction, want := range percentileWant {
			got := percentilesByGroup(t, d, fraction)
			for g := 1; g < len(percentileGroups); g++ {
				if !sameFloat(got[g], want[g]) {
					t.Errorf("percentile_cont %v of group %d %v = %s, want %s",
						fraction, g, percentileGroups[g], show(got[g]), show(want[g]))
				}
			}
		}
		// No rows at all: NULL.
		var v sql.NullFloat64
		if err := d.SQL.QueryRow(`SELECT ` + percentileSQL(d, "v", 0.5) + ` FROM pct WHERE g < 0`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v.Valid {
			t.Errorf("percentile_cont of no rows = %v, want NULL", v.Float64)
		}
		// A fraction out of range is an error, as on PostgreSQL.
		if _, err := d.SQL.Exec(`SELECT ` + percentileSQL(d, "v", 1.5) + ` FROM pct`); err == nil {
			t.Error("percentile_cont 1.5: no error")
		}
	})
}

// TestPercentileContMatchesPostgres compares SQLite's percentile_cont with
// PostgreSQL's own on the same pseudo-random numbers.
func TestPercentileContMatchesPostgres(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	groups := make([][]any, 40)
	for g := range groups {
		for range rng.IntN(30) {
			switch rng.IntN(10) {
			case 0:
				groups[g] = append(groups[g], nil)
			case 1:
				groups[g] = append(groups[g], float64(rng.IntN(5))) // ties
			default:
				groups[g] = append(groups[g], rng.Float64()*10000-100)
			}
		}
	}
	lite, pg := testdb.SQLite(t), testdb.EmptyPostgres(t)
	loadPercentileTable(t, lite, groups)
	loadPercentileTable(t, pg, groups)
	for _, fraction := range []float64{0, 0.1, 0.5, 0.9, 0.99, 1} {
		want, got := percentilesByGroup(t, pg, fraction), percentilesByGroup(t, lite, fraction)
		if len(got) != len(want) {
			t.Errorf("fraction %v: %d groups on SQLite, %d on PostgreSQL", fraction, len(got), len(want))
		}
		for g, w := range want {
			if !sameFloat(got[g], w) {
				t.Errorf("fraction %v, group %d: SQLite %s, PostgreSQL %s", fraction, g, show(got[g]), show(w))
			}
		}
	}
}
