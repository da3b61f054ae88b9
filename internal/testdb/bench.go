package testdb

import (
	"context"
	"os"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/seed"
)

// BenchEach runs f on a platform seeded at scale in SQLite and, when
// TEST_DATABASE_URL is set, in PostgreSQL. STIFT_BENCH_DATABASE_URL points
// it at an already seeded database instead (bench/run.sh's, say).
func BenchEach(b *testing.B, scale float64, f func(b *testing.B, d *db.DB)) {
	if url := os.Getenv("STIFT_BENCH_DATABASE_URL"); url != "" {
		d, err := db.Open(url)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		f(b, d)
		return
	}
	for _, kind := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", SQLite}, {"postgres", Postgres}} {
		b.Run(kind.name, func(b *testing.B) {
			if kind.name == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is not set")
			}
			d := kind.open(b)
			if err := seed.Scale(context.Background(), d, scale, 1, nil); err != nil {
				b.Fatal(err)
			}
			f(b, d)
		})
	}
}
