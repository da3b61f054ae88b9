package main

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/export"
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

// TestBookingDurationMatchesShownTimes: in every demo booking, in JSON and
// CSV, the duration is the minutes between the start and end times shown
// (which drop the seconds), and there is a duration exactly when both are
// shown.
func TestBookingDurationMatchesShownTimes(t *testing.T) {
	t.Parallel()
	header := map[string]string{} // CSV header → JSON key
	for _, c := range export.BookingColumns {
		header[c.Header] = c.Key
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		zones := map[string]*time.Location{}
		for _, sch := range d.Client.School.Query().AllX(auth.SystemContext(context.Background())) {
			loc, err := time.LoadLocation(sch.Timezone)
			if err != nil {
				t.Fatal(err)
			}
			zones[sch.Name] = loc
		}
		for _, accept := range []string{"", "text/csv"} {
			resp, body := s.post(t, "/reports/bookings", s.token, accept, wholeDemo)
			if resp.StatusCode != 200 {
				t.Fatalf("%q: status %d: %s", accept, resp.StatusCode, body)
			}
			held := 0
			for _, row := range decodeRows(t, accept, body) {
				r := row
				if accept == "text/csv" {
					r = map[string]string{}
					for h, v := range row {
						r[header[h]] = v
					}
				}
				if r["start_time"] == "" || r["end_time"] == "" {
					if r["duration"] != "" {
						t.Errorf("%q: a duration without start and end: %v", accept, r)
					}
					continue
				}
				loc := zones[r["school_name"]]
				start, err1 := time.ParseInLocation("02/01/2006 15:04", r["start_time"], loc)
				end, err2 := time.ParseInLocation("02/01/2006 15:04", r["end_time"], loc)
				if err1 != nil || err2 != nil || loc == nil {
					t.Fatalf("%q: booking %s: %v, %v, zone %v", accept, r["id"], err1, err2, loc)
				}
				if want := end.Sub(start) / time.Minute; r["duration"] != strconv.Itoa(int(want)) {
					t.Errorf("%q: booking %s from %s to %s lasts %q minutes, want %d",
						accept, r["id"], r["start_time"], r["end_time"], r["duration"], want)
				}
				held++
			}
			if held < 100 {
				t.Errorf("%q: only %d bookings with a meeting", accept, held)
			}
		}
	})
}
