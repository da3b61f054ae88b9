package report_test

import (
	"context"
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
		got := map[string]int{}
		for r, err := range qs {
			if err != nil {
				t.Fatal(err)
			}
			got[r.Status.Label()]++
		}
		want := map[string]int{"Pendente": 68, "Respondida": 1771, "Réplica pendente": 110, "Réplica respondida": 313, "Cancelada": 138}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("questions %q: %d, want %d", k, got[k], v)
			}
		}
		bs, err := report.Bookings(ctx, d, everything, report.BookingsInput{From: allFrom, To: allTo}, seed.Now)
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]int{}
		for r, err := range bs {
			if err != nil {
				t.Fatal(err)
			}
			got[string(r.Status)]++
		}
		want = map[string]int{"PRESENT": 522, "NO_SHOW": 60, "OUTSIDE_SCHEDULE_CANCEL": 47, "INSIDE_SCHEDULE_CANCEL": 49,
			"CANCELLED": 45, "PENDING": 25, "QUEUE": 14, "LEFT_QUEUE": 30, "NOT_REALIZED": 20}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("bookings %s: %d, want %d", k, got[k], v)
			}
		}
	})
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
