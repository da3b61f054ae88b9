package main

import (
	"context"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// TestWorkloadLeavesOutBlockedAndDeleted: the demo's blocked teacher kept
// her availability slots, and so does a teacher deleted here; the workload
// lists neither, in JSON or CSV, and lists every other teacher with slots.
func TestWorkloadLeavesOutBlockedAndDeleted(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		withSlots := d.Client.User.Query().Where(user.HasAvailabilitySlots())
		d.Client.User.Update().Where(user.ID(withSlots.Clone().Where(user.BlockedAtIsNil()).FirstIDX(ctx))).
			SetDeletedAt(seed.Now.AddDate(0, 0, -3)).ExecX(ctx)
		blocked := withSlots.Clone().Where(user.BlockedAtNotNil()).AllX(ctx)
		deleted := withSlots.Clone().Where(user.DeletedAtNotNil()).AllX(ctx)
		if len(blocked) == 0 || len(deleted) == 0 {
			t.Fatalf("the demo has %d blocked and %d deleted teachers with slots; the test needs both", len(blocked), len(deleted))
		}
		gone := map[string]bool{}
		for _, u := range append(blocked, deleted...) {
			gone[u.Email] = true
		}
		listed := map[string]bool{}
		for _, u := range withSlots.Clone().Where(user.BlockedAtIsNil(), user.DeletedAtIsNil()).AllX(ctx) {
			listed[u.Email] = true
		}
		for _, f := range []struct{ accept, email string }{{"", "teacher_email"}, {"text/csv", "E-mail do professor"}} {
			resp, body := s.post(t, "/reports/bookings-workload", s.token, f.accept, `{}`)
			if resp.StatusCode != 200 {
				t.Fatalf("%q: status %d: %s", f.accept, resp.StatusCode, body)
			}
			seen := map[string]bool{}
			for _, r := range decodeRows(t, f.accept, body) {
				if gone[r[f.email]] {
					t.Errorf("%q: a blocked or deleted teacher is listed: %v", f.accept, r)
				}
				seen[r[f.email]] = true
			}
			for email := range listed {
				if !seen[email] {
					t.Errorf("%q: teacher %s is not listed", f.accept, email)
				}
			}
		}
	})
}
