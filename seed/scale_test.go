package seed_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/migrate"
	"github.com/stift/stift-reports/ent/privacy"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/schema/hours"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// scaleLoad opens a fresh database and loads a platform of scale units.
func scaleLoad(t testing.TB, open func(testing.TB) *db.DB, scale float64, s uint64) *db.DB {
	t.Helper()
	d := open(t)
	start := time.Now()
	if err := seed.Scale(context.Background(), d, scale, s, progress.New(nil)); err != nil {
		t.Fatalf("Scale: %v", err)
	}
	t.Logf("Scale(%v) into %s took %v", scale, d.Dialect, time.Since(start).Round(time.Millisecond))
	return d
}

func scaleCount(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestScaleSizes(t *testing.T) {
	tests := []struct {
		scale float64
		want  seed.ScaleCounts
	}{
		{1, seed.ScaleCounts{Schools: 10, Groups: 200, Students: 20000, Teachers: 500, Staff: 20, Questions: 1000000, Bookings: 300000}},
		{0.01, seed.ScaleCounts{Schools: 1, Groups: 2, Students: 200, Teachers: 6, Staff: 2, Questions: 10000, Bookings: 3000}},
		{0.05, seed.ScaleCounts{Schools: 1, Groups: 10, Students: 1000, Teachers: 25, Staff: 2, Questions: 50000, Bookings: 15000}},
		{0.25, seed.ScaleCounts{Schools: 3, Groups: 50, Students: 5000, Teachers: 125, Staff: 6, Questions: 250000, Bookings: 75000}},
		{0.0001, seed.ScaleCounts{Schools: 1, Groups: 2, Students: 2, Teachers: 6, Staff: 2, Questions: 100, Bookings: 50}},
	}
	for _, tc := range tests {
		if got := seed.ScaleSizes(tc.scale); got != tc.want {
			t.Errorf("ScaleSizes(%v) = %+v, want %+v", tc.scale, got, tc.want)
		}
	}
	d := testdb.SQLite(t)
	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if err := seed.Scale(context.Background(), d, bad, 1, nil); err == nil {
			t.Errorf("Scale(%v) succeeded", bad)
		}
	}
}

func TestScale(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		start := time.Now()
		if err := seed.Scale(context.Background(), d, 0.01, 7, nil); err != nil {
			t.Fatalf("Scale: %v", err)
		}
		t.Logf("Scale(0.01) into %s took %v", d.Dialect, time.Since(start).Round(time.Millisecond))
		if err := seed.Scale(context.Background(), d, 0.01, 7, nil); !errors.Is(err, seed.ErrNotEmpty) {
			t.Errorf("second Scale: %v, want ErrNotEmpty", err)
		}
		t.Run("counts", func(t *testing.T) { testScaleCounts(t, d) })
		t.Run("activity", func(t *testing.T) { testScaleActivity(t, d) })
		t.Run("question statuses", func(t *testing.T) { testScaleQuestions(t, d) })
		t.Run("booking statuses", func(t *testing.T) { testScaleBookings(t, d) })
		t.Run("references", func(t *testing.T) { testScaleReferences(t, d) })
	})
}

func testScaleCounts(t *testing.T, d *db.DB) {
	want := seed.ScaleSizes(0.01)
	exact := []struct {
		what  string
		query string
		want  int
	}{
		{"schools", `SELECT COUNT(*) FROM schools`, want.Schools},
		{"groups", `SELECT COUNT(*) FROM groups`, want.Groups},
		{"students", `SELECT COUNT(*) FROM users WHERE role = 'STUDENT'`, want.Students},
		{"teachers", `SELECT COUNT(*) FROM users WHERE role = 'TEACHER'`, want.Teachers},
		{"staff", `SELECT COUNT(*) FROM users WHERE role = 'STAFF'`, want.Staff},
		{"questions", `SELECT COUNT(*) FROM questions`, want.Questions},
		{"bookings", `SELECT COUNT(*) FROM bookings`, want.Bookings},
		{"disciplines", `SELECT COUNT(*) FROM disciplines`, 6},
		{"subjects", `SELECT COUNT(*) FROM subjects`, 26},
	}
	for _, tc := range exact {
		if got := scaleCount(t, d, tc.query); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.what, got, tc.want)
		}
	}
	ranged := []struct {
		what     string
		query    string
		min, max int
	}{
		// 100 students per group, a fifth of them in a second group (of 2 here).
		{"group memberships", `SELECT COUNT(*) FROM group_students`, 200, 240},
		{"students without a group", `SELECT COUNT(*) FROM users u WHERE role = 'STUDENT' AND NOT EXISTS (SELECT 1 FROM group_students g WHERE g.user_id = u.id)`, 0, 0},
		{"group teachers", `SELECT COUNT(*) FROM group_teachers`, 12, 12},
		{"teacher disciplines", `SELECT COUNT(*) FROM user_disciplines`, 6, 18},
		{"availability slots", `SELECT COUNT(*) FROM availability_slots`, 6, 60},
		{"booking rooms", `SELECT COUNT(*) FROM booking_rooms`, 2, 3},
		{"blocked students", `SELECT COUNT(*) FROM users WHERE role = 'STUDENT' AND blocked_at IS NOT NULL`, 1, 10},
		{"deleted students", `SELECT COUNT(*) FROM users WHERE role = 'STUDENT' AND deleted_at IS NOT NULL`, 1, 10},
		{"anonymous questions (‰)", `SELECT COUNT(*) * 1000 / 10000 FROM questions WHERE anonymous`, 85, 115},
		{"answered questions (%)", `SELECT COUNT(*) * 100 / 10000 FROM questions WHERE answered_at IS NOT NULL`, 80, 95},
		{"rated answers", `SELECT COUNT(*) FROM questions WHERE answer_rating IS NOT NULL`, 2000, 4000},
		{"replies", `SELECT COUNT(*) FROM questions WHERE reply_created_at IS NOT NULL`, 1000, 2000},
		{"NPS answers", `SELECT COUNT(*) FROM nps_answers`, 150, 300},
		{"rated sessions", `SELECT COUNT(*) FROM bookings WHERE rating_by_student IS NOT NULL`, 500, 2000},
	}
	for _, tc := range ranged {
		got := scaleCount(t, d, tc.query)
		t.Logf("%-26s %6d", tc.what, got)
		if got < tc.min || got > tc.max {
			t.Errorf("%s: %d, want %d to %d", tc.what, got, tc.min, tc.max)
		}
	}
}

// testScaleActivity checks that activity is skewed: the busiest tenth of
// the students asks more than 30% of the questions, and some never ask.
func testScaleActivity(t *testing.T, d *db.DB) {
	rows, err := d.SQL.Query(`SELECT COUNT(q.id) FROM users u LEFT JOIN questions q ON q.student_id = u.id
		WHERE u.role = 'STUDENT' GROUP BY u.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var per []int
	total := 0
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		per = append(per, n)
		total += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(per)
	slices.Reverse(per)
	top := 0
	for _, n := range per[:len(per)/10] {
		top += n
	}
	silent := len(per) - slices.Index(per, 0)
	if slices.Index(per, 0) < 0 {
		silent = 0
	}
	t.Logf("top 10%% of students ask %d of %d questions; %d never ask; busiest asks %d", top, total, silent, per[0])
	if top*100 <= 30*total {
		t.Errorf("top 10%% of students ask %d of %d questions, want > 30%%", top, total)
	}
	if silent == 0 {
		t.Errorf("every student asks")
	}
}

var everything = &auth.Principal{Scope: auth.ScopeAll, RevealAnonymous: true}

func testScaleQuestions(t *testing.T, d *db.DB) {
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	schools, err := d.Client.School.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type zone struct {
		hours []hours.Window
		loc   *time.Location
	}
	zones := map[gid.SchoolID]zone{}
	for _, s := range schools {
		loc, err := time.LoadLocation(s.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		zones[s.ID] = zone{s.ServiceHours, loc}
	}
	seq, err := report.Questions(ctx, d, everything, report.QuestionsInput{From: seed.Now.AddDate(-3, 0, 0), To: seed.Now})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[report.QuestionStatus]int{}
	n, bad := 0, 0
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
		counts[r.Status]++
		if r.AnsweredAt == nil {
			if r.ResponseMinutes != nil || r.AdjustedResponseMinutes != nil {
				bad++
			}
			continue
		}
		z := zones[r.SchoolID]
		if r.ResponseMinutes == nil || r.AdjustedResponseMinutes == nil ||
			*r.ResponseMinutes != r.AnsweredAt.Sub(r.CreatedAt).Minutes() ||
			*r.AdjustedResponseMinutes != hours.Minutes(z.hours, z.loc, r.CreatedAt, *r.AnsweredAt) {
			if bad++; bad <= 3 {
				t.Errorf("question %v: response minutes %v, adjusted %v, not as the hook computes", r.ID, r.ResponseMinutes, r.AdjustedResponseMinutes)
			}
		}
	}
	if n != seed.ScaleSizes(0.01).Questions {
		t.Errorf("report has %d questions", n)
	}
	if bad > 0 {
		t.Errorf("%d questions with wrong response minutes", bad)
	}
	for _, s := range report.QuestionStatuses {
		t.Logf("%-24s %6d", s, counts[s])
		if counts[s] < 5 {
			t.Errorf("question status %s: %d, want at least 5", s, counts[s])
		}
	}
}

func testScaleBookings(t *testing.T, d *db.DB) {
	ctx := context.Background()
	seq, err := report.Bookings(ctx, d, everything, report.BookingsInput{From: seed.Now.AddDate(-3, 0, 0), To: seed.Now.AddDate(1, 0, 0)}, seed.Now)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[report.BookingStatus]int{}
	n := 0
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
		counts[r.Status]++
	}
	if n != seed.ScaleSizes(0.01).Bookings {
		t.Errorf("report has %d bookings", n)
	}
	for _, s := range []report.BookingStatus{
		report.BookingPresent, report.BookingNoShow, report.BookingOutsideScheduleCancel, report.BookingInsideScheduleCancel,
		report.BookingCancelled, report.BookingPending, "QUEUE", "LEFT_QUEUE", "NOT_REALIZED",
	} {
		t.Logf("%-24s %6d", s, counts[s])
		if counts[s] < 5 {
			t.Errorf("booking status %s: %d, want at least 5", s, counts[s])
		}
	}
}

// testScaleReferences checks what foreign keys do not: askers and bookers
// belong to the row's group, teachers teach the group and discipline,
// rooms belong to the school and offer the discipline.
func testScaleReferences(t *testing.T, d *db.DB) {
	checks := []struct{ what, query string }{
		{"question by a student outside the group", `SELECT COUNT(*) FROM questions q WHERE NOT EXISTS
			(SELECT 1 FROM group_students m WHERE m.group_id = q.group_id AND m.user_id = q.student_id)`},
		{"question answered by a teacher outside the group", `SELECT COUNT(*) FROM questions q WHERE q.teacher_id IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM group_teachers m WHERE m.group_id = q.group_id AND m.user_id = q.teacher_id)`},
		{"question answered by a teacher of another discipline", `SELECT COUNT(*) FROM questions q WHERE q.teacher_id IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM user_disciplines u WHERE u.user_id = q.teacher_id AND u.discipline_id = q.discipline_id)`},
		{"subject of another discipline", `SELECT COUNT(*) FROM questions q JOIN subjects s ON s.id = q.subject_id WHERE s.discipline_id <> q.discipline_id`},
		{"answer or reply out of order", `SELECT COUNT(*) FROM questions WHERE answered_at <= created_at OR reply_created_at <= answered_at
			OR reply_answered_at <= reply_created_at OR (reply_created_at IS NOT NULL AND answered_at IS NULL)`},
		{"question by a student not active", `SELECT COUNT(*) FROM questions q JOIN users u ON u.id = q.student_id
			WHERE q.created_at < u.created_at OR q.created_at >= u.blocked_at OR q.created_at >= u.deleted_at`},
		{"booking by a student outside the group", `SELECT COUNT(*) FROM bookings b WHERE NOT EXISTS
			(SELECT 1 FROM group_students m WHERE m.group_id = b.group_id AND m.user_id = b.student_id)`},
		{"booking of another school's group", `SELECT COUNT(*) FROM bookings b JOIN groups g ON g.id = b.group_id WHERE g.school_id <> b.school_id`},
		{"booking in another school's room", `SELECT COUNT(*) FROM bookings b JOIN booking_rooms r ON r.id = b.booking_room_id WHERE r.school_id <> b.school_id`},
		{"booking in a room without the discipline", `SELECT COUNT(*) FROM bookings b WHERE b.booking_room_id IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM booking_room_disciplines r WHERE r.booking_room_id = b.booking_room_id AND r.discipline_id = b.discipline_id)`},
		{"booking with a teacher outside the group", `SELECT COUNT(*) FROM bookings b WHERE b.teacher_id IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM group_teachers m WHERE m.group_id = b.group_id AND m.user_id = b.teacher_id)`},
		{"cancelled and held", `SELECT COUNT(*) FROM bookings WHERE cancelled_at IS NOT NULL AND meeting_started_at IS NOT NULL`},
		{"slot of a teacher in a room without the discipline", `SELECT COUNT(*) FROM availability_slots s WHERE NOT EXISTS
			(SELECT 1 FROM booking_room_disciplines r WHERE r.booking_room_id = s.booking_room_id AND r.discipline_id = s.discipline_id)`},
		{"group without a question", `SELECT COUNT(*) FROM groups g WHERE NOT EXISTS (SELECT 1 FROM questions q WHERE q.group_id = g.id)`},
		{"duplicate e-mail", `SELECT COUNT(*) FROM (SELECT email FROM users GROUP BY email HAVING COUNT(*) > 1) x`},
	}
	for _, c := range checks {
		if n := scaleCount(t, d, c.query); n != 0 {
			t.Errorf("%s: %d rows", c.what, n)
		}
	}
}

func TestScaleIsDeterministic(t *testing.T) {
	testdb.EachKind(t, func(t *testing.T, open func(testing.TB) *db.DB) {
		a, b, c := scaleLoad(t, open, 0.002, 1), scaleLoad(t, open, 0.002, 1), scaleLoad(t, open, 0.002, 2)
		sums := make([]string, 3)
		for i, d := range []*db.DB{a, b, c} {
			sum, err := seed.Checksum(context.Background(), d.SQL)
			if err != nil {
				t.Fatal(err)
			}
			sums[i] = sum
		}
		t.Logf("checksums: seed 1 %s, seed 2 %s", sums[0], sums[2])
		if sums[0] != sums[1] {
			t.Errorf("two loads with seed 1 differ: %s, %s", sums[0], sums[1])
		}
		if sums[0] == sums[2] {
			t.Errorf("seeds 1 and 2 give the same checksum %s", sums[0])
		}
		for _, table := range migrate.Tables {
			if table.Name == "api_tokens" {
				continue
			}
			if n := scaleCount(t, a, `SELECT COUNT(*) FROM "`+table.Name+`"`); n == 0 {
				t.Errorf("table %s is empty", table.Name)
			}
		}
	})
}
