package seed_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/migrate"
	"github.com/stift/stift-reports/ent/npsanswer"
	"github.com/stift/stift-reports/ent/privacy"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// systemCtx bypasses the privacy policies, as the seed itself does.
func systemCtx() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}

// loadDemo opens a fresh database and loads the demo into it.
func loadDemo(t testing.TB, open func(testing.TB) *db.DB) *db.DB {
	t.Helper()
	d := open(t)
	start := time.Now()
	if err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	t.Logf("Demo into %s took %v", d.Dialect, time.Since(start).Round(time.Millisecond))
	return d
}

// tableCounts returns the number of rows of every table of the schema.
func tableCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range migrate.Tables {
		var n int
		if err := d.SQL.QueryRow(`SELECT COUNT(*) FROM "` + table.Name + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table.Name] = n
	}
	return counts
}

func checksum(t *testing.T, d *db.DB) string {
	t.Helper()
	sum, err := seed.Checksum(context.Background(), d.SQL)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestDemoIsDeterministic(t *testing.T) {
	testdb.EachKind(t, testDeterminism)
}

func testDeterminism(t *testing.T, open func(testing.TB) *db.DB) {
	a, b := loadDemo(t, open), loadDemo(t, open)
	countsA, countsB := tableCounts(t, a), tableCounts(t, b)
	for _, table := range migrate.Tables {
		t.Logf("%-26s %5d rows", table.Name, countsA[table.Name])
		if countsA[table.Name] != countsB[table.Name] {
			t.Errorf("%s: %d rows in a, %d in b", table.Name, countsA[table.Name], countsB[table.Name])
		}
	}
	sumA, sumB := checksum(t, a), checksum(t, b)
	t.Logf("checksum %s", sumA)
	if sumA != sumB {
		t.Fatalf("checksums differ: %s != %s", sumA, sumB)
	}

	// The checksum must see any change, in entity and join tables alike.
	changes := []struct{ name, sql string }{
		{"one time changed", `UPDATE questions SET created_at = (SELECT created_at FROM questions ORDER BY id LIMIT 1) WHERE id = (SELECT id FROM questions ORDER BY id LIMIT 1 OFFSET 1)`},
		{"one membership fewer", `DELETE FROM group_students WHERE (group_id, user_id) = (SELECT group_id, user_id FROM group_students ORDER BY 1, 2 LIMIT 1)`},
		{"one null set", `UPDATE bookings SET teacher_id = NULL WHERE id = (SELECT id FROM bookings WHERE teacher_id IS NOT NULL ORDER BY id LIMIT 1)`},
	}
	for _, c := range changes {
		if _, err := b.SQL.Exec(c.sql); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		after := checksum(t, b)
		if after == sumB {
			t.Errorf("%s: checksum unchanged", c.name)
		}
		sumB = after
	}
}

func TestDemoRefusesNonEmptyDatabase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		testRefusesNonEmpty(t, d)
	})
}

func testRefusesNonEmpty(t *testing.T, d *db.DB) {
	d = loadDemo(t, func(testing.TB) *db.DB { return d })
	before := checksum(t, d)
	err := seed.Demo(context.Background(), d.Client)
	if !errors.Is(err, seed.ErrNotEmpty) {
		t.Fatalf("second Demo: got %v, want ErrNotEmpty", err)
	}
	if after := checksum(t, d); after != before {
		t.Errorf("a refused Demo changed the database")
	}
}

// demo is the loaded demo, read back through ent, and the present it was
// loaded as of.
type demo struct {
	now       time.Time
	schools   map[gid.SchoolID]*ent.School
	zones     map[gid.SchoolID]*time.Location
	groups    map[gid.GroupID]*ent.Group
	users     map[gid.UserID]*ent.User
	rooms     map[gid.BookingRoomID]*ent.BookingRoom
	subjects  map[gid.SubjectID]*ent.Subject
	slots     []*ent.AvailabilitySlot
	questions []*ent.Question
	bookings  []*ent.Booking
	nps       []*ent.NPSAnswer
}

func readDemo(t *testing.T, d *db.DB, now time.Time) *demo {
	t.Helper()
	ctx, c := systemCtx(), d.Client
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	schools, err := c.School.Query().All(ctx)
	must(err)
	groups, err := c.Group.Query().WithStudents().WithTeachers().All(ctx)
	must(err)
	users, err := c.User.Query().WithDisciplines().All(ctx)
	must(err)
	rooms, err := c.BookingRoom.Query().WithDisciplines().All(ctx)
	must(err)
	subjects, err := c.Subject.Query().All(ctx)
	must(err)
	dm := &demo{
		now:     now,
		schools: map[gid.SchoolID]*ent.School{}, zones: map[gid.SchoolID]*time.Location{},
		groups: map[gid.GroupID]*ent.Group{}, users: map[gid.UserID]*ent.User{},
		rooms: map[gid.BookingRoomID]*ent.BookingRoom{}, subjects: map[gid.SubjectID]*ent.Subject{},
	}
	for _, s := range schools {
		loc, err := time.LoadLocation(s.Timezone)
		must(err)
		dm.schools[s.ID], dm.zones[s.ID] = s, loc
	}
	for _, g := range groups {
		dm.groups[g.ID] = g
	}
	for _, u := range users {
		dm.users[u.ID] = u
	}
	for _, r := range rooms {
		dm.rooms[r.ID] = r
	}
	for _, s := range subjects {
		dm.subjects[s.ID] = s
	}
	dm.slots, err = c.AvailabilitySlot.Query().All(ctx)
	must(err)
	dm.questions, err = c.Question.Query().All(ctx)
	must(err)
	dm.bookings, err = c.Booking.Query().All(ctx)
	must(err)
	dm.nps, err = c.NPSAnswer.Query().All(ctx)
	must(err)
	return dm
}

// The status rules of DESIGN.md ("Derived values"), written independently
// of the product's SQL.

func questionStatus(q *ent.Question) string {
	switch {
	case q.CancelledAt != nil:
		return "Cancelada"
	case q.ReplyAnsweredAt != nil:
		return "Réplica respondida"
	case q.ReplyCreatedAt != nil:
		return "Réplica pendente"
	case q.AnsweredAt != nil:
		return "Respondida"
	default:
		return "Pendente"
	}
}

func bookingStatus(b *ent.Booking, s *ent.School, loc *time.Location, now time.Time) string {
	switch {
	case b.CancelledAt != nil && b.CancelledByID != nil && *b.CancelledByID == b.StudentID:
		if b.ScheduledFor != nil && b.ScheduledFor.Sub(*b.CancelledAt) >= time.Duration(s.MinCancelHours)*time.Hour {
			return "INSIDE_SCHEDULE_CANCEL"
		}
		return "OUTSIDE_SCHEDULE_CANCEL"
	case b.CancelledAt != nil:
		return "CANCELLED"
	case b.MeetingStartedAt != nil:
		return "PRESENT"
	case b.ScheduledFor == nil:
		switch {
		case b.LeftQueueAt != nil:
			return "LEFT_QUEUE"
		case b.QueuedAt != nil && sameDay(*b.QueuedAt, now, loc):
			return "QUEUE"
		default:
			return "NOT_REALIZED"
		}
	case b.ScheduledFor.Before(now):
		return "NO_SHOW"
	default:
		return "PENDING"
	}
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ya, ma, da := a.In(loc).Date()
	yb, mb, db := b.In(loc).Date()
	return ya == yb && ma == mb && da == db
}

func TestDemo(t *testing.T) {
	testdb.EachKind(t, testDemo)
}

func testDemo(t *testing.T, open func(testing.TB) *db.DB) {
	dm := readDemo(t, loadDemo(t, open), seed.Now)
	t.Run("counts", func(t *testing.T) { testCounts(t, dm) })
	t.Run("question statuses", func(t *testing.T) { testQuestionStatuses(t, dm) })
	t.Run("booking statuses", func(t *testing.T) { testBookingStatuses(t, dm, 5) })
	t.Run("booking edge cases", func(t *testing.T) { testBookingEdgeCases(t, dm) })
	t.Run("users", func(t *testing.T) { testUsers(t, dm) })
	t.Run("questions", func(t *testing.T) { testQuestions(t, dm) })
	t.Run("bookings", func(t *testing.T) { testBookings(t, dm) })
	t.Run("availability", func(t *testing.T) { testAvailability(t, dm) })
	t.Run("descriptions to neutralise", func(t *testing.T) { testTrickyDescriptions(t, dm) })
}

// TestDemoAt loads the demo as of presents that stress the generator's
// calendar (just after midnight in one school and before it in the other,
// a Sunday night, before opening in the school holidays, a leap day) and
// checks every rule of the demo against that present: its data is current
// (questions this week, sessions pending) and nothing lies after it.
func TestDemoAt(t *testing.T) {
	t.Parallel()
	for _, anchor := range []time.Time{
		time.Date(2026, 12, 2, 3, 5, 0, 0, time.UTC),           // Wednesday 00:05 in São Paulo, Tuesday 23:05 in Manaus
		time.Date(2026, 12, 6, 4, 0, 30, 0, time.UTC),          // Sunday 01:00 in São Paulo, 00:00 in Manaus
		time.Date(2027, 1, 4, 10, 45, 10, 987654321, time.UTC), // Monday before opening, in the holidays
		time.Date(2028, 2, 29, 23, 59, 59, 0, time.UTC),        // a leap day, in the evening
	} {
		t.Run(anchor.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			d := testdb.SQLite(t)
			if err := seed.DemoAt(context.Background(), d.Client, anchor); err != nil {
				t.Fatalf("DemoAt: %v", err)
			}
			now := anchor.Truncate(time.Second)
			dm := readDemo(t, d, now)
			testCounts(t, dm)
			testQuestionStatuses(t, dm)
			testBookingStatuses(t, dm, 1)
			testUsers(t, dm)
			testQuestions(t, dm)
			testBookings(t, dm)
			testAvailability(t, dm)
			lastWeek, pendingThisWeek := 0, 0
			for _, q := range dm.questions {
				if q.CreatedAt.After(now.Add(-7 * 24 * time.Hour)) {
					lastWeek++
				}
			}
			for _, b := range dm.bookings {
				if b.ScheduledFor != nil && b.ScheduledFor.After(now) && b.ScheduledFor.Before(now.Add(7*24*time.Hour)) && b.CancelledAt == nil {
					pendingThisWeek++
				}
			}
			if lastWeek == 0 || pendingThisWeek == 0 {
				t.Errorf("not current: %d questions in the week before %v, %d sessions pending in the week after", lastWeek, now, pendingThisWeek)
			}
		})
	}
}

func testCounts(t *testing.T, dm *demo) {
	roles := map[user.Role]int{}
	blocked, deleted := map[user.Role]int{}, map[user.Role]int{}
	for _, u := range dm.users {
		roles[u.Role]++
		if u.BlockedAt != nil {
			blocked[u.Role]++
		}
		if u.DeletedAt != nil {
			deleted[u.Role]++
		}
	}
	kinds := map[npsanswer.Kind]int{}
	npsRoles := map[user.Role]int{}
	for _, a := range dm.nps {
		kinds[a.Kind]++
		npsRoles[dm.users[a.UserID].Role]++
	}
	anonymous, noSubject := 0, 0
	for _, q := range dm.questions {
		if q.Anonymous {
			anonymous++
		}
		if q.SubjectID == nil {
			noSubject++
		}
	}
	tests := []struct {
		what     string
		got      int
		min, max int
	}{
		{"schools", len(dm.schools), 2, 2},
		{"groups", len(dm.groups), 6, 20},
		{"students", roles[user.RoleSTUDENT], 55, 65},
		{"teachers", roles[user.RoleTEACHER], 9, 12},
		{"staff", roles[user.RoleSTAFF], 2, 3},
		{"blocked students", blocked[user.RoleSTUDENT], 1, 5},
		{"deleted students", deleted[user.RoleSTUDENT], 1, 5},
		{"blocked teachers", blocked[user.RoleTEACHER], 1, 2},
		{"deleted teachers", deleted[user.RoleTEACHER], 1, 2},
		{"booking rooms", len(dm.rooms), 4, 6},
		{"subjects", len(dm.subjects), 18, 30},
		{"availability slots", len(dm.slots), 20, 200},
		{"questions", len(dm.questions), 2000, 5000},
		{"anonymous questions (‰)", 1000 * anonymous / len(dm.questions), 70, 130},
		{"questions without subject", noSubject, 100, 500},
		{"bookings", len(dm.bookings), 600, 2000},
		{"platform NPS answers", kinds[npsanswer.KindPLATFORM], 20, 200},
		{"response-time NPS answers", kinds[npsanswer.KindRESPONSE_TIME], 20, 200},
		{"NPS answers by students", npsRoles[user.RoleSTUDENT], 20, 200},
		{"NPS answers by teachers", npsRoles[user.RoleTEACHER], 2, 40},
	}
	for _, tc := range tests {
		t.Logf("%-28s %5d", tc.what, tc.got)
		if tc.got < tc.min || tc.got > tc.max {
			t.Errorf("%s: %d, want %d to %d", tc.what, tc.got, tc.min, tc.max)
		}
	}
}

func testQuestionStatuses(t *testing.T, dm *demo) {
	counts := map[string]int{}
	for _, q := range dm.questions {
		counts[questionStatus(q)]++
	}
	for _, status := range []string{"Pendente", "Respondida", "Réplica pendente", "Réplica respondida", "Cancelada"} {
		t.Logf("%-20s %5d", status, counts[status])
		if counts[status] < 5 {
			t.Errorf("question status %s: %d, want at least 5", status, counts[status])
		}
	}
}

// testBookingStatuses checks that every booking status has at least least
// bookings at the demo's present.
func testBookingStatuses(t *testing.T, dm *demo, least int) {
	counts := map[string]int{}
	for _, b := range dm.bookings {
		counts[bookingStatus(b, dm.schools[b.SchoolID], dm.zones[b.SchoolID], dm.now)]++
	}
	for _, status := range []string{
		"PRESENT", "NO_SHOW", "OUTSIDE_SCHEDULE_CANCEL", "INSIDE_SCHEDULE_CANCEL",
		"CANCELLED", "PENDING", "QUEUE", "LEFT_QUEUE", "NOT_REALIZED",
	} {
		t.Logf("%-24s %5d", status, counts[status])
		if counts[status] < least {
			t.Errorf("booking status %s: %d, want at least %d", status, counts[status], least)
		}
	}
}

// testBookingEdgeCases checks the demo's edge cases at Now: queued
// yesterday in school time but today in UTC; cancelled by the student
// exactly min_cancel_hours before, and a minute later.
func testBookingEdgeCases(t *testing.T, dm *demo) {
	utcToday, exactInside, justOutside := 0, 0, 0
	for _, b := range dm.bookings {
		s := dm.schools[b.SchoolID]
		status := bookingStatus(b, s, dm.zones[b.SchoolID], dm.now)
		if status == "NOT_REALIZED" && sameDay(*b.QueuedAt, dm.now, time.UTC) {
			utcToday++
		}
		if b.CancelledAt != nil && b.ScheduledFor != nil {
			switch lead := b.ScheduledFor.Sub(*b.CancelledAt); {
			case status == "INSIDE_SCHEDULE_CANCEL" && lead == time.Duration(s.MinCancelHours)*time.Hour:
				exactInside++
			case status == "OUTSIDE_SCHEDULE_CANCEL" && lead == time.Duration(s.MinCancelHours)*time.Hour-time.Minute:
				justOutside++
			}
		}
	}
	if utcToday == 0 || exactInside == 0 || justOutside == 0 {
		t.Errorf("edge cases missing: %d not realized queued today in UTC, %d cancelled exactly at min_cancel_hours, %d a minute later",
			utcToday, exactInside, justOutside)
	}
}

// problems collects rule violations, reporting the first few of each rule
// and how many there were.
type problems struct {
	t      *testing.T
	counts map[string]int
	order  []string
}

func newProblems(t *testing.T) *problems { return &problems{t: t, counts: map[string]int{}} }

// check records a violation of rule by the row id unless ok.
func (p *problems) check(ok bool, rule string, id fmt.Stringer) {
	if ok {
		return
	}
	if p.counts[rule] == 0 {
		p.order = append(p.order, rule)
	}
	p.counts[rule]++
	if p.counts[rule] <= 3 {
		p.t.Errorf("%s: %v", rule, id)
	}
}

func (p *problems) report() {
	for _, rule := range p.order {
		p.t.Errorf("%s: %d rows in all", rule, p.counts[rule])
	}
}

var emailPattern = regexp.MustCompile(`^[a-z]+\.[a-z]+[0-9]*@stift\.com\.br$`)

func testUsers(t *testing.T, dm *demo) {
	p := newProblems(t)
	defer p.report()
	emails := map[string]bool{}
	studentSchools := map[gid.UserID]map[gid.SchoolID]bool{}
	for _, g := range dm.groups {
		for _, s := range g.Edges.Students {
			if studentSchools[s.ID] == nil {
				studentSchools[s.ID] = map[gid.SchoolID]bool{}
			}
			studentSchools[s.ID][g.SchoolID] = true
			p.check(s.Role == user.RoleSTUDENT, "group student is not a student", s.ID)
		}
		for _, tc := range g.Edges.Teachers {
			p.check(tc.Role == user.RoleTEACHER, "group teacher is not a teacher", tc.ID)
		}
		p.check(len(g.Edges.Students) > 0 && len(g.Edges.Teachers) > 0, "group without students or teachers", g.ID)
	}
	for _, u := range dm.users {
		p.check(emailPattern.MatchString(u.Email), "e-mail not firstname.lastname@stift.com.br", u.ID)
		p.check(!emails[u.Email], "duplicate e-mail", u.ID)
		emails[u.Email] = true
		p.check(!u.CreatedAt.After(dm.now), "user created after Now", u.ID)
		switch u.Role {
		case user.RoleSTUDENT:
			p.check(len(studentSchools[u.ID]) == 1, "student not in groups of exactly one school", u.ID)
			p.check(u.ExternalID != "", "student without external id", u.ID)
		case user.RoleTEACHER:
			p.check(len(u.Edges.Disciplines) >= 1 && len(u.Edges.Disciplines) <= 3, "teacher without 1–3 disciplines", u.ID)
		}
	}
}

// activeAt reports whether u existed and was neither blocked nor deleted at t.
func activeAt(u *ent.User, at time.Time) bool {
	return !at.Before(u.CreatedAt) &&
		(u.BlockedAt == nil || at.Before(*u.BlockedAt)) &&
		(u.DeletedAt == nil || at.Before(*u.DeletedAt))
}

func teaches(u *ent.User, d gid.DisciplineID) bool {
	return slices.ContainsFunc(u.Edges.Disciplines, func(x *ent.Discipline) bool { return x.ID == d })
}

func member(users []*ent.User, id gid.UserID) bool {
	return slices.ContainsFunc(users, func(u *ent.User) bool { return u.ID == id })
}

// inService reports whether t is in the service hours of s.
func inService(s *ent.School, loc *time.Location, t time.Time) bool {
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	for _, w := range s.ServiceHours {
		if w.Weekday == int(l.Weekday()) && w.StartMinute <= m && m < w.EndMinute {
			return true
		}
	}
	return false
}

func testQuestions(t *testing.T, dm *demo) {
	p := newProblems(t)
	defer p.report()
	perGroup := map[gid.GroupID]int{}
	perStudent := map[gid.UserID]int{}
	outsideHours, weekendWait := 0, 0
	for _, q := range dm.questions {
		g := dm.groups[q.GroupID]
		perGroup[q.GroupID]++
		perStudent[q.StudentID]++
		p.check(member(g.Edges.Students, q.StudentID), "student not in the question's group", q.ID)
		p.check(activeAt(dm.users[q.StudentID], q.CreatedAt), "student inactive when asking", q.ID)
		p.check(q.SubjectID == nil || dm.subjects[*q.SubjectID].DisciplineID == q.DisciplineID, "subject of another discipline", q.ID)
		p.check(q.CreatedAt.Before(dm.now), "question created after Now", q.ID)
		p.check((q.TeacherID == nil) == (q.AnsweredAt == nil) && (q.AnsweredAt == nil) == (q.AnswerDescription == nil),
			"teacher, answered_at and answer set apart", q.ID)
		if q.TeacherID != nil {
			teacher := dm.users[*q.TeacherID]
			p.check(teacher.Role == user.RoleTEACHER && teaches(teacher, q.DisciplineID), "answered by a teacher of another discipline", q.ID)
			p.check(member(g.Edges.Teachers, teacher.ID), "answered by a teacher outside the group", q.ID)
			p.check(q.AnsweredAt.After(q.CreatedAt), "answered_at not after created_at", q.ID)
			p.check(!q.AnsweredAt.After(dm.now), "answered after Now", q.ID)
			p.check(activeAt(teacher, *q.AnsweredAt), "teacher inactive when answering", q.ID)
			s := dm.schools[g.SchoolID]
			loc := dm.zones[g.SchoolID]
			if !inService(s, loc, *q.AnsweredAt) {
				outsideHours++
			}
			asked, answered := q.CreatedAt.In(loc), q.AnsweredAt.In(loc)
			if asked.Weekday() == time.Friday && asked.Hour() >= 19 && answered.Weekday() == time.Monday {
				weekendWait++
			}
		}
		p.check(q.ReplyCreatedAt == nil || (q.AnsweredAt != nil && q.ReplyCreatedAt.After(*q.AnsweredAt)), "reply before the answer", q.ID)
		p.check((q.ReplyCreatedAt == nil) == (q.ReplyDescription == nil), "reply time and text set apart", q.ID)
		p.check(q.ReplyAnsweredAt == nil || (q.ReplyCreatedAt != nil && q.ReplyAnsweredAt.After(*q.ReplyCreatedAt) && !q.ReplyAnsweredAt.After(dm.now)),
			"reply answered before the reply or after Now", q.ID)
		p.check(q.CancelledAt == nil || (q.CancelledAt.After(q.CreatedAt) && !q.CancelledAt.After(dm.now)), "cancelled outside created_at..Now", q.ID)
		p.check(q.AnswerRating == nil || q.AnsweredAt != nil, "rating without an answer", q.ID)
	}
	for id, g := range dm.groups {
		p.check(perGroup[id] > 0, "group without questions", g.ID)
	}
	silent, busiest := 0, 0
	for _, u := range dm.users {
		if u.Role == user.RoleSTUDENT {
			if perStudent[u.ID] == 0 {
				silent++
			}
			busiest = max(busiest, perStudent[u.ID])
		}
	}
	t.Logf("students without questions: %d; most questions by one student: %d", silent, busiest)
	t.Logf("answered outside service hours: %d; asked Friday evening, answered Monday: %d", outsideHours, weekendWait)
	if silent == 0 || busiest < 60 {
		t.Errorf("activity not skewed: %d silent students, busiest asked %d", silent, busiest)
	}
	if outsideHours == 0 || weekendWait == 0 {
		t.Errorf("want answers outside service hours (%d) and Friday-evening questions answered on Monday (%d)", outsideHours, weekendWait)
	}
}

func testBookings(t *testing.T, dm *demo) {
	p := newProblems(t)
	defer p.report()
	for _, b := range dm.bookings {
		g := dm.groups[b.GroupID]
		p.check(b.SchoolID == g.SchoolID, "booking school is not its group's school", b.ID)
		p.check(member(g.Edges.Students, b.StudentID), "student not in the booking's group", b.ID)
		p.check(activeAt(dm.users[b.StudentID], b.CreatedAt), "student inactive when booking", b.ID)
		if b.BookingRoomID != nil {
			r := dm.rooms[*b.BookingRoomID]
			p.check(r.SchoolID == b.SchoolID, "room of another school", b.ID)
			p.check(slices.ContainsFunc(r.Edges.Disciplines, func(d *ent.Discipline) bool { return d.ID == b.DisciplineID }),
				"room does not offer the discipline", b.ID)
		}
		if b.TeacherID != nil {
			teacher := dm.users[*b.TeacherID]
			p.check(member(g.Edges.Teachers, teacher.ID) && teaches(teacher, b.DisciplineID), "teacher not of the group and discipline", b.ID)
		}
		if b.ScheduledFor != nil {
			p.check(b.CreatedAt.Before(*b.ScheduledFor), "created after scheduled_for", b.ID)
			p.check(b.QueuedAt == nil && b.LeftQueueAt == nil, "scheduled booking with queue times", b.ID)
		} else {
			p.check(b.QueuedAt != nil && b.QueuedAt.Equal(b.CreatedAt), "queue booking with queued_at != created_at", b.ID)
			p.check(b.LeftQueueAt == nil || b.LeftQueueAt.After(*b.QueuedAt), "left the queue before joining", b.ID)
		}
		p.check(!b.CreatedAt.After(dm.now), "booking created after Now", b.ID)
		p.check((b.CancelledAt == nil) == (b.CancelledByID == nil), "cancelled_at and cancelled_by set apart", b.ID)
		p.check(b.CancelledAt == nil || (!b.CancelledAt.Before(b.CreatedAt) && !b.CancelledAt.After(dm.now)), "cancelled outside created_at..Now", b.ID)
		p.check(b.CancelledAt == nil || b.MeetingStartedAt == nil, "cancelled and held", b.ID)
		p.check(b.MeetingStartedAt == nil || !b.MeetingStartedAt.After(dm.now), "meeting started after Now", b.ID)
		p.check(b.MeetingEndedAt == nil || (b.MeetingStartedAt != nil && b.MeetingEndedAt.After(*b.MeetingStartedAt) && !b.MeetingEndedAt.After(dm.now)),
			"meeting ended before it started or after Now", b.ID)
		for _, r := range []*float64{b.RatingByStudent, b.RatingByTeacher, b.CallQualityRatingByStudent, b.CallQualityRatingByTeacher} {
			p.check(r == nil || (*r >= 0 && *r <= 5 && math.Round(*r*10)/10 == *r), "rating not 0–5 with one decimal", b.ID)
		}
	}
}

func testAvailability(t *testing.T, dm *demo) {
	p := newProblems(t)
	defer p.report()
	for _, sl := range dm.slots {
		teacher, r := dm.users[sl.TeacherID], dm.rooms[sl.BookingRoomID]
		p.check(teaches(teacher, sl.DisciplineID), "slot in a discipline the teacher does not teach", sl.ID)
		p.check(slices.ContainsFunc(r.Edges.Disciplines, func(d *ent.Discipline) bool { return d.ID == sl.DisciplineID }),
			"slot in a room without the discipline", sl.ID)
		inSchool := false
		for _, g := range dm.groups {
			inSchool = inSchool || (g.SchoolID == r.SchoolID && member(g.Edges.Teachers, teacher.ID))
		}
		p.check(inSchool, "slot in a school the teacher does not teach at", sl.ID)
		p.check(sl.StartMinute < sl.EndMinute, "slot ends before it starts", sl.ID)
		p.check(teacher.DeletedAt == nil, "slot of a deleted teacher", sl.ID)
	}
}

func testTrickyDescriptions(t *testing.T, dm *demo) {
	for _, prefix := range []string{"=", "+", "-", "@", "\t", "\r"} {
		n := 0
		for _, q := range dm.questions {
			if strings.HasPrefix(q.Description, prefix) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no question description starts with %q", prefix)
		}
	}
}

func BenchmarkDemo(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		d := testdb.SQLite(b)
		b.StartTimer()
		if err := seed.Demo(context.Background(), d.Client); err != nil {
			b.Fatal(err)
		}
	}
}
