package report_test

import (
	"context"
	"iter"
	"maps"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

var everything = &auth.Principal{Name: "test", Scope: auth.ScopeAll, RevealAnonymous: true}

// The whole demo: a range that holds every question and booking.
var (
	allFrom = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	allTo   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func demoDB(t *testing.T, d *db.DB) {
	t.Helper()
	if err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatal(err)
	}
}

// TestStatusesMatchTheRules compares the statuses the SQL derives with the
// counts of the demo's own, independent derivation in Go (seed's tests).
func TestStatusesMatchTheRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		demoDB(t, d)
		ctx := context.Background()
		qs, err := report.Questions(ctx, d, everything, report.QuestionsInput{From: allFrom, To: allTo})
		if err != nil {
			t.Fatal(err)
		}
		got := countBy(t, qs, func(r *report.QuestionRow) string { return r.Status.Label() })
		want := map[string]int{"Pendente": 68, "Respondida": 1771, "Réplica pendente": 110, "Réplica respondida": 313, "Cancelada": 138}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("questions %q: %d, want %d", k, got[k], v)
			}
		}
		bookingStatus := func(r *report.BookingRow) string { return string(r.Status) }
		bs, err := report.Bookings(ctx, d, everything, report.BookingsInput{From: allFrom, To: allTo}, seed.Now)
		if err != nil {
			t.Fatal(err)
		}
		got = countBy(t, bs, bookingStatus)
		want = map[string]int{"PRESENT": 522, "NO_SHOW": 60, "OUTSIDE_SCHEDULE_CANCEL": 47, "INSIDE_SCHEDULE_CANCEL": 49,
			"CANCELLED": 45, "PENDING": 25, "QUEUE": 14, "LEFT_QUEUE": 30, "NOT_REALIZED": 20}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("bookings %s: %d, want %d", k, got[k], v)
			}
		}
		// Filtered by status, the status is in the WHERE clause too, after
		// other arguments; at another now, no-shows would be pending.
		in := report.BookingsInput{From: allFrom, To: allTo,
			Statuses: []report.BookingStatus{report.BookingNoShow, report.BookingQueue}}
		if bs, err = report.Bookings(ctx, d, everything, in, seed.Now); err != nil {
			t.Fatal(err)
		}
		if got, want := countBy(t, bs, bookingStatus), map[string]int{"NO_SHOW": 60, "QUEUE": 14}; !maps.Equal(got, want) {
			t.Errorf("bookings filtered by status: %v, want %v", got, want)
		}
		if n, err := report.CountBookings(ctx, d, everything, in, seed.Now); n != 60+14 || err != nil {
			t.Errorf("CountBookings = %d, %v; want %d", n, err, 60+14)
		}
	})
}

// countBy counts the rows of seq by key.
func countBy[T any](t *testing.T, seq iter.Seq2[T, error], key func(*T) string) map[string]int {
	t.Helper()
	n := map[string]int{}
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n[key(&r)]++
	}
	return n
}

func TestWorkloadAndGroupsUsage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		demoDB(t, d)
		ctx := auth.SystemContext(context.Background())
		wl, err := report.Workload(ctx, d, everything, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r, err := range wl {
			if err != nil {
				t.Fatal(err)
			}
			if r.WeeklyMinutes <= 0 {
				t.Errorf("%+v", r)
			}
			n++
		}
		if n == 0 {
			t.Error("no workload rows")
		}
		groups, err := d.Client.Group.Query().IDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		u, err := report.GroupsUsageReport(ctx, d, everything, report.GroupsUsageInput{
			From: allFrom, To: allTo, GroupIDs: groups[:2], ShowTeachers: true, ShowDisciplines: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("summary %+v", u.Summary)
		students, questions := 0, 0
		for s, err := range u.Students {
			if err != nil {
				t.Fatal(err)
			}
			students++
			questions += len(s.Questions)
		}
		for tu, err := range u.Teachers {
			if err != nil {
				t.Fatal(err)
			}
			_ = tu
		}
		total := 0
		for du, err := range u.Disciplines {
			if err != nil {
				t.Fatal(err)
			}
			total += du.TotalQuestions
		}
		if total != u.Summary.TotalQuestions || students == 0 || questions == 0 {
			t.Errorf("disciplines sum %d, total %d; %d students with %d questions", total, u.Summary.TotalQuestions, students, questions)
		}
		_ = gid.GroupID{}
	})
}
