package report_test

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// benchScale is the size of the platform the report benchmarks read:
// 10,000 questions and 3,000 bookings.
const benchScale = 0.01

// benchEach runs f on a scaled platform in SQLite and, when
// TEST_DATABASE_URL is set, in PostgreSQL. STIFT_BENCH_DATABASE_URL points
// it at an already seeded database instead (bench/run.sh's, say).
func benchEach(b *testing.B, f func(b *testing.B, d *db.DB)) {
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
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		b.Run(kind.name, func(b *testing.B) {
			if kind.name == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is not set")
			}
			d := kind.open(b)
			if err := seed.Scale(context.Background(), d, benchScale, 1, nil); err != nil {
				b.Fatal(err)
			}
			f(b, d)
		})
	}
}

// BenchmarkQuestionsCSV is the REST questions report as CSV without HTTP:
// the query, the scan of every row, the legacy rendering and the encoder,
// over the whole year of every group. It reports rows/s.
func BenchmarkQuestionsCSV(b *testing.B) {
	benchEach(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		in := report.QuestionsInput{From: allFrom, To: allTo}
		n, err := report.CountQuestions(ctx, d, everything, in)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			seq, err := report.Questions(ctx, d, everything, in)
			if err != nil {
				b.Fatal(err)
			}
			rows := report.LegacyRows(seq, func(q *report.QuestionRow) []any { return q.Legacy(report.DefaultPortalURL) })
			if err := export.WriteCSV(io.Discard, export.QuestionColumns, rows); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(b.Elapsed())/float64(n*b.N), "ns/row")
	})
}
