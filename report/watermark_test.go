package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
)

// TestWatermarkClock: the clock's part of the watermark changes at
// midnight in each school's time zone (São Paulo at 03:00 UTC, Kolkata at
// 18:30 UTC), and not between; without the clock it is empty. (The other
// moment it changes, a booking's scheduled_for, is TestETagClock's.)
func TestWatermarkClock(t *testing.T) {
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		for _, zone := range []string{"America/Sao_Paulo", "Asia/Kolkata", "America/Sao_Paulo"} {
			if _, err := d.Client.School.Create().SetName(zone).SetTimezone(zone).Save(ctx); err != nil {
				t.Fatal(err)
			}
		}
		clock := func(now string, withClock bool) report.Watermark {
			t.Helper()
			at, err := time.Parse(time.RFC3339Nano, now)
			if err != nil {
				t.Fatal(err)
			}
			w, err := report.ReadWatermark(ctx, d, at, withClock)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		for _, tc := range []struct {
			a, b string
			same bool
		}{
			{"2026-06-15T10:00:00Z", "2026-06-15T18:29:59.999Z", true},
			{"2026-06-15T18:29:59.999Z", "2026-06-15T18:30:00Z", false},
			{"2026-06-15T18:30:00Z", "2026-06-16T02:59:59Z", true},
			{"2026-06-16T02:59:59Z", "2026-06-16T03:00:00Z", false},
		} {
			a, b := clock(tc.a, true), clock(tc.b, true)
			if (a.Clock == b.Clock) != tc.same || a.Clock == "" {
				t.Errorf("clock at %s: %q, at %s: %q; want the same: %v", tc.a, a.Clock, tc.b, b.Clock, tc.same)
			}
		}
		if w := clock("2026-06-15T10:00:00Z", false); w.Clock != "" || w.Salt == "" {
			t.Errorf("without the clock: %+v", w)
		}
	})
}
