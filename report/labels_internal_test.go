package report

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestFormatTime compares the hand-written layouts with time.Format over
// random instants in several zones, and the edges of the years it handles.
func TestFormatTime(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("-03", -3*3600), time.FixedZone("+0545", 20700)}
	if sp, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		zones = append(zones, sp)
	}
	r := rand.New(rand.NewPCG(1, 2))
	instants := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 6, 15, 15, 0, 0, 999_999, time.UTC),
	}
	for range 10000 {
		instants = append(instants, time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9)))
	}
	for _, layout := range []string{isoMillis, localMinutes, isoDay} {
		for _, loc := range zones {
			for _, at := range instants {
				if got, want := formatTime(at.In(loc), layout), at.In(loc).Format(layout); got != want {
					t.Fatalf("formatTime(%v, %q) = %q, want %q", at.In(loc), layout, got, want)
				}
			}
		}
	}
}
