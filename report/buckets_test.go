package report

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
)

// firstInstant scans, minute by minute and then second by second, for the
// first instant whose local date in loc is y-m-d; ok is false when the
// zone skipped that date.
func firstInstant(loc *time.Location, y int, m time.Month, d int) (first time.Time, ok bool) {
	isDate := func(t time.Time) bool {
		ty, tm, td := t.In(loc).Date()
		return ty == y && tm == m && td == d
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-16 * time.Hour)
	for end := t.Add(48 * time.Hour); !isDate(t); t = t.Add(time.Minute) {
		if t.After(end) {
			return time.Time{}, false
		}
	}
	for isDate(t.Add(-time.Second)) {
		t = t.Add(-time.Second)
	}
	return t, true
}

// oracleBucket returns the start of the bucket of kind tb that holds t in
// loc: the first instant of t's local date, of the Monday before it or of
// the first of its month, found by firstInstant.
func oracleBucket(tb TimeBucket, t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	y, m, d := local.Date()
	switch tb {
	case BucketWeek:
		for wd := local.Weekday(); wd != time.Monday; wd = (wd + 6) % 7 {
			d--
		}
	case BucketMonth:
		d = 1
	}
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	first, ok := firstInstant(loc, y, m, d)
	if !ok {
		panic(fmt.Sprintf("%s: no %d-%02d-%02d", loc, y, m, d))
	}
	return first.UTC()
}

// edgeInstants returns, for the local dates from through to in loc, the
// second before, the first second and the second after the start of each
// day, and the same around each change of the clocks.
func edgeInstants(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	around := func(t time.Time) { out = append(out, t.Add(-time.Second), t, t.Add(time.Second)) }
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		if start, ok := firstInstant(loc, y, m, d); ok {
			around(start)
		}
	}
	t := from.Add(-14 * time.Hour)
	for {
		_, change := t.In(loc).ZoneBounds()
		if change.IsZero() || change.After(to.Add(38*time.Hour)) {
			break
		}
		around(change)
		t = change
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// TestStatsBucketEdges puts questions around the first instant of each
// local day, and around each change of the clocks, in zones whose clocks
// skip midnight (São Paulo in November 2018, Havana in March), repeat it
// (Havana in November, Amman in 2021), repeat the last hour before it
// (São Paulo in February 2019), set it back to the day before (Moncton
// in 1993), skip a whole day (Apia in 2011), or make a 25-hour day (New
// York), and in schools of two zones whose buckets start at the same
// instant on some days and not on others. Each question's bucket, of
// each kind, must be the oracle's.
//
// A question's response time is a power of two of its own, so that the
// sum of a bucket's (its count times their average) names its questions.
func TestStatsBucketEdges(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name     string
		zones    []string // one: the Location; two: two schools' zones, Location nil
		from, to time.Time
	}{
		{"São Paulo skips midnight", []string{"America/Sao_Paulo"}, day(2018, 11, 2), day(2018, 11, 6)},
		{"São Paulo repeats 23:00", []string{"America/Sao_Paulo"}, day(2019, 2, 15), day(2019, 2, 18)},
		{"Havana skips midnight", []string{"America/Havana"}, day(2025, 3, 8), day(2025, 3, 10)},
		{"Havana repeats midnight", []string{"America/Havana"}, day(2025, 10, 31), day(2025, 11, 3)},
		{"Amman repeats midnight", []string{"Asia/Amman"}, day(2021, 10, 28), day(2021, 10, 31)},
		{"New York's 25-hour day", []string{"America/New_York"}, day(2025, 11, 1), day(2025, 11, 3)},
		{"Moncton goes back to yesterday", []string{"America/Moncton"}, day(1993, 10, 29), day(1993, 11, 1)},
		{"Apia skips a day", []string{"Pacific/Apia"}, day(2011, 12, 28), day(2012, 1, 2)},
		{"UTC across a year", []string{"UTC"}, day(2025, 12, 29), day(2026, 1, 2)},
		{"schools in London and UTC", []string{"Europe/London", "UTC"}, day(2025, 10, 25), day(2025, 10, 28)},
		{"schools in Havana and New York", []string{"America/Havana", "America/New_York"}, day(2025, 10, 31), day(2025, 11, 3)},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		statsDemo(t, d)
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		student := c.User.Create().SetFirstName("Edge").SetEmail("edge@example.com").SetRole("STUDENT").SaveX(ctx)
		discipline := c.Discipline.Query().FirstIDX(ctx)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				type question struct {
					at   time.Time
					loc  *time.Location
					zone int // its index in tc.zones
				}
				var (
					questions []question
					groups    []gid.GroupID
				)
				for z, zone := range tc.zones {
					loc := mustZone(t, zone)
					school := c.School.Create().SetName(tc.name + " " + zone).SetTimezone(zone).SaveX(ctx)
					group := c.Group.Create().SetName("Turma").SetSchool(school).SaveX(ctx)
					groups = append(groups, group.ID)
					for _, at := range edgeInstants(loc, tc.from, tc.to) {
						c.Question.Create().SetStudent(student).SetGroup(group).SetDisciplineID(discipline).
							SetCreatedAt(at).SetResponseMinutes(float64(uint64(1) << len(questions))).SaveX(ctx)
						questions = append(questions, question{at, loc, z})
					}
				}
				if len(questions) > 40 { // 2^40 keeps the sums exact through the averages
					t.Fatalf("%d questions: too many to tell apart", len(questions))
				}
				in := QuestionsInput{GroupIDs: groups, From: questions[0].at, To: questions[0].at}
				for _, q := range questions {
					if q.at.Before(in.From) {
						in.From = q.at
					}
					if q.at.After(in.To) {
						in.To = q.at
					}
				}
				opts := StatsOptions{}
				if len(tc.zones) == 1 {
					opts.Location = questions[0].loc
				}
				for _, tb := range []TimeBucket{BucketDay, BucketWeek, BucketMonth} {
					opts.TimeBucket = tb
					want := map[int64]uint64{} // bucket start (Unix) → its questions, a bit each
					zones := map[int64]int{}   // bucket start → its zones, a bit each
					for i, q := range questions {
						start := oracleBucket(tb, q.at, q.loc).Unix()
						want[start] |= 1 << i
						zones[start] |= 1 << q.zone
					}
					if len(tc.zones) == 2 && tb == BucketDay && !slices.Contains(slices.Collect(maps.Values(zones)), 3) {
						t.Errorf("%s: no day starts at the same instant in both zones", tb)
					}
					got := map[int64]uint64{}
					buckets := questionStats(t, d, statsPrincipal, in, nil, opts)
					for j, b := range buckets {
						if b.BucketStart == nil || b.AvgResponseMinutes == nil {
							t.Fatalf("%s: bucket %+v", tb, b)
						}
						if j > 0 && !b.BucketStart.After(*buckets[j-1].BucketStart) {
							t.Errorf("%s: bucket %v after %v", tb, b.BucketStart, buckets[j-1].BucketStart)
						}
						got[b.BucketStart.Unix()] = uint64(math.Round(*b.AvgResponseMinutes * float64(b.Count)))
						if n := bits.OnesCount64(got[b.BucketStart.Unix()]); n != b.Count {
							t.Errorf("%s: bucket %v counts %d questions, sums %d", tb, b.BucketStart, b.Count, n)
						}
					}
					if len(got) != len(want) {
						t.Errorf("%s: %d buckets, want %d", tb, len(got), len(want))
					}
					for i, q := range questions {
						wantStart := oracleBucket(tb, q.at, q.loc)
						for start, set := range got {
							if set&(1<<i) != 0 && start != wantStart.Unix() {
								t.Errorf("%s: question at %v (%v) in the bucket of %v, want %v", tb, q.at.UTC(), q.at.In(q.loc),
									time.Unix(start, 0).In(q.loc), wantStart.In(q.loc))
							}
						}
						if got[wantStart.Unix()]&(1<<i) == 0 {
							t.Errorf("%s: question at %v (%v) not in the bucket of %v", tb, q.at.UTC(), q.at.In(q.loc), wantStart.In(q.loc))
						}
					}
				}
			})
		}
	})
}

// TestBucketPieces checks that the SQL of the buckets grows with the
// changes of the clocks in the period, not with its buckets: one piece in
// UTC, whatever the period, and at most two more per change elsewhere.
func TestBucketPieces(t *testing.T) {
	to := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	for _, zone := range []string{"UTC", "America/New_York", "America/Havana", "America/Sao_Paulo", "Asia/Amman"} {
		loc := mustZone(t, zone)
		for _, tb := range []TimeBucket{BucketDay, BucketWeek, BucketMonth} {
			for _, days := range []int{1, 30, 365, 3650} {
				from := to.AddDate(0, 0, -days)
				changes := 0
				for at := from; ; changes++ {
					_, next := at.In(loc).ZoneBounds()
					if next.IsZero() || next.After(to) {
						break
					}
					at = next
				}
				pieces := bucketPieces(tb, loc, from, to)
				if len(pieces) < 1 || len(pieces) > 1+2*changes {
					t.Errorf("%s, %s over %d days: %d pieces for %d changes of the clocks", zone, tb, days, len(pieces), changes)
				}
				for i := 1; i < len(pieces); i++ {
					if pieces[i].from <= pieces[i-1].from {
						t.Errorf("%s, %s over %d days: pieces %d and %d out of order", zone, tb, days, i-1, i)
					}
				}
			}
		}
	}
}
