package main

import (
	"context"
	"math"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestGraphQLStats runs the stats queries over HTTP: buckets add up to the
// report's total, and a scoped token's buckets hold only its school. The
// figures themselves are checked in package report.
func TestGraphQLStats(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		mine := d.Client.School.Query().Order(ent.Asc(school.FieldName)).FirstX(ctx)
		scoped := s.newToken(t, auth.TokenSpec{Name: "scoped", Schools: []gid.SchoolID{mine.ID}})
		const query = `query($tz: String) {
		  questionsReport(input: {from: "2025-09-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}) { totalCount }
		  questionStats(filter: {from: "2025-09-01T00:00:00Z", to: "2026-06-15T15:00:00Z"},
		                groupBy: [SCHOOL, DISCIPLINE], timeBucket: MONTH, timezone: $tz) {
		    school { id name } discipline { name } bucketStart count answeredCount p50ResponseMinutes avgRating }
		  bookingStats(filter: {from: "2025-09-01T00:00:00Z", to: "2026-07-15T00:00:00Z"}, groupBy: [STATUS]) {
		    status count countByStatus { status label count } attendanceRate }
		}`
		for _, tc := range []struct {
			name, token string
			schools     int
		}{{"all", s.token, 2}, {"scoped", scoped, 1}} {
			t.Run(tc.name, func(t *testing.T) {
				var data struct {
					QuestionsReport struct{ TotalCount int }
					QuestionStats   []struct {
						School      struct{ ID, Name string }
						Discipline  struct{ Name string }
						BucketStart string
						Count       int
					}
					BookingStats []struct {
						Status        string
						Count         int
						CountByStatus []struct {
							Status string
							Count  int
						}
					}
				}
				if errs := s.gql(t, tc.token, query, map[string]any{"tz": "America/New_York"}, &data); len(errs) > 0 {
					t.Fatal(errs)
				}
				sum, schools := 0, map[string]bool{}
				for _, b := range data.QuestionStats {
					sum += b.Count
					schools[b.School.ID] = true
					if b.BucketStart == "" || b.Discipline.Name == "" {
						t.Fatalf("bucket without its dimensions: %+v", b)
					}
				}
				if sum != data.QuestionsReport.TotalCount || sum == 0 || len(schools) != tc.schools {
					t.Errorf("buckets count %d questions in %d schools; the report has %d", sum, len(schools), data.QuestionsReport.TotalCount)
				}
				if tc.schools == 1 && !schools[gid.Encode("School", mine.ID.String())] {
					t.Errorf("scoped stats show another school: %v", schools)
				}
				if len(data.BookingStats) == 0 {
					t.Fatal("no booking buckets")
				}
				for _, b := range data.BookingStats {
					for _, c := range b.CountByStatus {
						if (c.Status == b.Status) != (c.Count == b.Count) && c.Count != 0 {
							t.Errorf("bucket %s counts %d of %s", b.Status, c.Count, c.Status)
						}
					}
				}
			})
		}
		// The percentiles are computed only when selected (they sort each
		// bucket's rows), directly or through a fragment; the other figures
		// are the same either way.
		type figures struct {
			Count                                  int
			AvgResponseMinutes, P50ResponseMinutes *float64
		}
		const period = `filter: {from: "2025-09-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}, groupBy: [DISCIPLINE]`
		var with, without, fragment struct{ QuestionStats []figures }
		for _, q := range []struct {
			query string
			into  any
		}{
			{`{ questionStats(` + period + `) { count avgResponseMinutes p50ResponseMinutes } }`, &with},
			{`{ questionStats(` + period + `) { count avgResponseMinutes } }`, &without},
			{`{ questionStats(` + period + `) { count avgResponseMinutes ...P } } fragment P on QuestionStatsBucket { p50ResponseMinutes }`, &fragment},
		} {
			if errs := s.gql(t, s.token, q.query, nil, q.into); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		if len(with.QuestionStats) == 0 || len(without.QuestionStats) != len(with.QuestionStats) || len(fragment.QuestionStats) != len(with.QuestionStats) {
			t.Fatalf("buckets: %d with percentiles, %d without, %d through a fragment", len(with.QuestionStats), len(without.QuestionStats), len(fragment.QuestionStats))
		}
		for i, w := range with.QuestionStats {
			wo, f := without.QuestionStats[i], fragment.QuestionStats[i]
			if w.P50ResponseMinutes == nil || f.P50ResponseMinutes == nil || *f.P50ResponseMinutes != *w.P50ResponseMinutes {
				t.Errorf("bucket %d: p50 %v selected, %v through a fragment", i, w.P50ResponseMinutes, f.P50ResponseMinutes)
			}
			// The same mean, to the last bits a sum in another order
			// moves: PostgreSQL may add a bucket's rows in parallel workers.
			if wo.Count != w.Count || (wo.AvgResponseMinutes == nil) != (w.AvgResponseMinutes == nil) ||
				wo.AvgResponseMinutes != nil && math.Abs(*wo.AvgResponseMinutes-*w.AvgResponseMinutes) > 1e-9*math.Abs(*w.AvgResponseMinutes) {
				t.Errorf("bucket %d: %+v without percentiles, %+v with", i, wo, w)
			}
		}
		if errs := s.gql(t, s.token, `{ questionStats(filter: {from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z"}, groupBy: [], timezone: "Mars/Base") { count } }`, nil, nil); len(errs) == 0 || errs[0]["extensions"].(map[string]any)["code"] != "BAD_USER_INPUT" {
			t.Errorf("unknown time zone: %v", errs)
		}
	})
}
