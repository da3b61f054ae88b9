package hours

import (
	"testing"
	"time"
)

func TestMinutes(t *testing.T) {
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	nightly := []Window{{Weekday: 0, StartMinute: 0, EndMinute: 24 * 60}}
	for _, tc := range []struct {
		name     string
		windows  []Window
		loc      *time.Location
		from, to string
		want     float64
	}{
		// Friday 21:50 to Monday 07:10: 10 minutes on Friday, Saturday's
		// 15 hours, nothing on Sunday, 10 minutes on Monday.
		{"weekend", Default(), sp, "2026-06-12 21:50", "2026-06-15 07:10", 10 + 15*60 + 10},
		{"inside one window", Default(), sp, "2026-06-15 09:00", "2026-06-15 09:45", 45},
		{"before opening", Default(), sp, "2026-06-15 05:00", "2026-06-15 07:30", 30},
		{"after closing", Default(), sp, "2026-06-15 22:10", "2026-06-15 23:00", 0},
		{"sunday only", Default(), sp, "2026-06-14 08:00", "2026-06-14 20:00", 0},
		{"answered before asked", Default(), sp, "2026-06-15 10:00", "2026-06-15 09:00", 0},
		{"no windows", nil, sp, "2026-06-15 09:00", "2026-06-15 10:00", 0},
		// The Sunday on which New York's clocks go forward has 23 hours.
		{"dst day", nightly, ny, "2026-03-08 00:00", "2026-03-09 00:00", 23 * 60},
		// São Paulo's clocks went forward at midnight on Sunday 4 November
		// 2018: that day had no 00:00 (Minutes used to loop on it forever).
		// Saturday 12:00–22:00 and Monday 07:00–12:00.
		{"across dst from midnight", Default(), sp, "2018-11-03 12:00", "2018-11-05 12:00", 10*60 + 5*60},
		{"seconds count", Default(), sp, "2026-06-15 09:00", "2026-06-15 09:00", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Minutes(tc.windows, tc.loc, at(tc.loc, tc.from), at(tc.loc, tc.to))
			if got != tc.want {
				t.Errorf("Minutes = %v, want %v", got, tc.want)
			}
		})
	}
	half := Minutes(Default(), sp, at(sp, "2026-06-15 09:00"), at(sp, "2026-06-15 09:00").Add(90*time.Second))
	if half != 1.5 {
		t.Errorf("90 seconds = %v minutes, want 1.5", half)
	}
}

// BenchmarkMinutes derives one question's adjusted response time: a
// question asked on a Friday evening and answered on Monday morning, in
// São Paulo, under the default hours. One op is one question.
func BenchmarkMinutes(b *testing.B) {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		b.Skip(err)
	}
	from := time.Date(2026, 3, 6, 21, 30, 0, 0, loc)
	to := time.Date(2026, 3, 9, 8, 15, 0, 0, loc)
	windows := Default()
	b.ReportAllocs()
	for b.Loop() {
		_ = Minutes(windows, loc, from, to)
	}
}
