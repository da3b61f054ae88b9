package seed_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/seed"
)

// BenchmarkScale loads a platform of STIFT_BENCH_SCALE units (default
// 0.05) into a fresh database per iteration and reports rows/s (questions,
// bookings, users, NPS answers and the rest). Set STIFT_BENCH_PROGRESS=1
// to see the progress per table.
//
//	STIFT_BENCH_SCALE=1 go test -run '^$' -bench Scale -benchtime 1x ./seed
func BenchmarkScale(b *testing.B) {
	scale := 0.05
	if s := os.Getenv("STIFT_BENCH_SCALE"); s != "" {
		var err error
		if scale, err = strconv.ParseFloat(s, 64); err != nil {
			b.Fatalf("STIFT_BENCH_SCALE: %v", err)
		}
	}
	var prog *progress.Reporter
	if os.Getenv("STIFT_BENCH_PROGRESS") != "" {
		prog = progress.New(os.Stderr)
	}
	run := func(b *testing.B, open func(testing.TB) *db.DB) {
		var rows int64
		var elapsed time.Duration
		for b.Loop() {
			b.StopTimer()
			d := open(b)
			b.StartTimer()
			start := time.Now()
			if err := seed.Scale(context.Background(), d, scale, 1, prog); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			b.StopTimer()
			rows += scaleRows(b, d)
			d.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
	}
	b.Run("sqlite", func(b *testing.B) { run(b, testdb.SQLite) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("TEST_DATABASE_URL") == "" {
			b.Skip("TEST_DATABASE_URL is not set")
		}
		run(b, testdb.Postgres)
	})
}

// scaleRows counts the rows of every table Scale fills.
func scaleRows(b *testing.B, d *db.DB) int64 {
	var total int64
	for _, table := range []string{
		"disciplines", "subjects", "schools", "users", "user_disciplines", "groups", "group_students",
		"group_teachers", "booking_rooms", "booking_room_disciplines", "availability_slots",
		"questions", "bookings", "nps_answers",
	} {
		var n int64
		if err := d.SQL.QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		total += n
	}
	return total
}
