package report

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// The stats are checked against figures computed here, in Go, from the
// rows of the reports they summarize.

var (
	statsPrincipal = &auth.Principal{Name: "stats test", Scope: auth.ScopeAll, RevealAnonymous: true}
	statsFrom      = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	statsTo        = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// statsDemo loads the demo and returns its schools' time zones.
func statsDemo(t *testing.T, d *db.DB) map[gid.SchoolID]*time.Location {
	t.Helper()
	ctx := context.Background()
	if err := seed.Demo(ctx, d.Client); err != nil {
		t.Fatal(err)
	}
	schools, err := d.Client.School.Query().All(auth.SystemContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	zones := map[gid.SchoolID]*time.Location{}
	for _, s := range schools {
		zones[s.ID] = mustZone(t, s.Timezone)
	}
	return zones
}

// collectAll reads all of seq, failing t on an error.
func collectAll[T any](t *testing.T, seq iter.Seq2[T, error], err error) []T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func questionRows(t *testing.T, d *db.DB, p *auth.Principal, in QuestionsInput) []QuestionRow {
	t.Helper()
	seq, err := Questions(context.Background(), d, p, in)
	return collectAll(t, seq, err)
}

func questionStats(t *testing.T, d *db.DB, p *auth.Principal, in QuestionsInput, groupBy []QuestionDimension, opts StatsOptions) []QuestionStatsBucket {
	t.Helper()
	seq, err := QuestionStats(context.Background(), d, p, in, groupBy, opts)
	return collectAll(t, seq, err)
}

func bookingRows(t *testing.T, d *db.DB, p *auth.Principal, in BookingsInput) []BookingRow {
	t.Helper()
	seq, err := Bookings(context.Background(), d, p, in, seed.Now)
	return collectAll(t, seq, err)
}

func bookingStats(t *testing.T, d *db.DB, p *auth.Principal, in BookingsInput, groupBy []BookingDimension, opts StatsOptions) []BookingStatsBucket {
	t.Helper()
	seq, err := BookingStats(context.Background(), d, p, in, groupBy, opts, seed.Now)
	return collectAll(t, seq, err)
}

// localBucket returns the start of the day, ISO week or month of t in loc,
// from t's local calendar date.
func localBucket(tb TimeBucket, t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	switch tb {
	case BucketWeek:
		d -= (int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 6) % 7
	case BucketMonth:
		d = 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
}

// refPercentile interpolates linearly between the closest ranks.
func refPercentile(values []float64, fraction float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	s := slices.Sorted(slices.Values(values))
	rank := fraction * float64(len(s)-1)
	i := int(rank)
	v := s[i]
	if i+1 < len(s) {
		v += (rank - float64(i)) * (s[i+1] - s[i])
	}
	return &v
}

func refMean(values []float64) *float64 {
	if len(values) == 0 {
		return nil
	}
	var sum float64
	for _, v := range values {
		sum += v
	}
	sum /= float64(len(values))
	return &sum
}

func refShare(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

// part formats a bucket's dimension field for a key: "-" for nil.
func part[T any](p *T) string {
	if p == nil {
		return "-"
	}
	if t, ok := any(*p).(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(*p)
}

func questionKey(b *QuestionStatsBucket) string {
	return strings.Join([]string{part(b.SchoolID), part(b.GroupID), part(b.DisciplineID), part(b.SubjectID),
		part(b.TeacherID), part(b.Status), part(b.BucketStart)}, "|")
}

func bookingKey(b *BookingStatsBucket) string {
	return strings.Join([]string{part(b.SchoolID), part(b.GroupID), part(b.DisciplineID), part(b.TeacherID),
		part(b.BookingRoomID), part(b.Modal), part(b.Status), part(b.BucketStart)}, "|")
}

// checkFloat reports a difference of more than 1e-6 (or nil against a value).
func checkFloat(t *testing.T, key, name string, got, want *float64) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: %s = %s, want %s", key, name, part(got), part(want))
	case math.Abs(*got-*want) > 1e-6:
		t.Errorf("%s: %s = %v, want %v", key, name, *got, *want)
	}
}

// compareNullable orders values with nil last, as the stats' ORDER BY.
func compareNullable[T any](a, b *T, compare func(a, b T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return compare(*a, *b)
}

func compareIDs[T ~[16]byte](a, b T) int { return slices.Compare(a[:], b[:]) }

// compareText orders text dimensions (statuses, modals) as the stats'
// ORDER BY does, in db.TextCollation: NO_SHOW before NOT_REALIZED.
func compareText[T ~string](a, b T) int { return db.ComparePortuguese(string(a), string(b)) }

// checkOrder checks that the buckets come strictly ordered by compare.
func checkOrder[B any](t *testing.T, buckets []B, compare func(a, b *B) int) {
	t.Helper()
	for i := 1; i < len(buckets); i++ {
		if compare(&buckets[i-1], &buckets[i]) >= 0 {
			t.Errorf("bucket %d is not after bucket %d: %+v, %+v", i, i-1, buckets[i], buckets[i-1])
			return
		}
	}
}

type questionStatsCase struct {
	name    string
	in      QuestionsInput
	groupBy []QuestionDimension
	opts    StatsOptions
}

func questionStatsCases(t *testing.T) []questionStatsCase {
	newYork, berlin := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin")
	no := false
	return []questionStatsCase{
		{name: "totals", in: QuestionsInput{From: statsFrom, To: statsTo}},
		{name: "discipline", in: QuestionsInput{From: statsFrom, To: statsTo}, groupBy: []QuestionDimension{QuestionByDiscipline}},
		{name: "school status", in: QuestionsInput{From: statsFrom, To: statsTo}, groupBy: []QuestionDimension{QuestionBySchool, QuestionByStatus}},
		{name: "teacher subject", in: QuestionsInput{From: statsFrom, To: statsTo}, groupBy: []QuestionDimension{QuestionByTeacher, QuestionBySubject}},
		{name: "repeats ignored", in: QuestionsInput{From: statsFrom, To: statsTo},
			groupBy: []QuestionDimension{QuestionByStatus, QuestionByGroup, QuestionByStatus}},
		{name: "filtered", in: QuestionsInput{From: statsFrom, To: statsTo, Anonymous: &no,
			Statuses: []QuestionStatus{QuestionAnswered, QuestionReplyAnswered}, DisciplineIDs: []gid.DisciplineID{1, 2, 3}},
			groupBy: []QuestionDimension{QuestionByGroup}},
		// New York leaves daylight saving time on 2 November 2025 and
		// enters it on 8 March 2026; Berlin on 26 October and 29 March.
		{name: "day New York", groupBy: []QuestionDimension{QuestionByDiscipline},
			in:   QuestionsInput{From: time.Date(2025, 10, 25, 9, 30, 0, 0, newYork), To: time.Date(2025, 11, 9, 18, 0, 0, 0, newYork)},
			opts: StatsOptions{TimeBucket: BucketDay, Location: newYork}},
		{name: "week Berlin",
			in:   QuestionsInput{From: time.Date(2025, 10, 1, 0, 0, 0, 0, berlin), To: time.Date(2025, 11, 30, 0, 0, 0, 0, berlin)},
			opts: StatsOptions{TimeBucket: BucketWeek, Location: berlin}},
		{name: "month New York", groupBy: []QuestionDimension{QuestionBySchool},
			in:   QuestionsInput{From: time.Date(2025, 9, 10, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 20, 0, 0, 0, 0, time.UTC)},
			opts: StatsOptions{TimeBucket: BucketMonth, Location: newYork}},
		{name: "day school zones", groupBy: []QuestionDimension{QuestionByStatus},
			in:   QuestionsInput{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
			opts: StatsOptions{TimeBucket: BucketDay}},
		{name: "week school zones", in: QuestionsInput{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
			opts: StatsOptions{TimeBucket: BucketWeek}},
		{name: "month school zones", groupBy: []QuestionDimension{QuestionByTeacher}, in: QuestionsInput{From: statsFrom, To: statsTo},
			opts: StatsOptions{TimeBucket: BucketMonth}},
	}
}

// wantQuestionStats computes the stats of rows in Go.
func wantQuestionStats(rows []QuestionRow, groupBy []QuestionDimension, opts StatsOptions, zones map[gid.SchoolID]*time.Location) map[string]QuestionStatsBucket {
	type acc struct {
		b                     QuestionStatsBucket
		resp, adjusted, rated []float64
		understood, told      int
	}
	accs := map[string]*acc{}
	for _, r := range rows {
		var b QuestionStatsBucket
		for _, dim := range groupBy {
			switch dim {
			case QuestionBySchool:
				b.SchoolID = &r.SchoolID
			case QuestionByGroup:
				b.GroupID = &r.GroupID
			case QuestionByDiscipline:
				b.DisciplineID = &r.DisciplineID
			case QuestionBySubject:
				b.SubjectID = r.SubjectID
			case QuestionByTeacher:
				b.TeacherID = r.TeacherID
			case QuestionByStatus:
				b.Status = &r.Status
			}
		}
		if opts.TimeBucket != "" {
			loc := opts.Location
			if loc == nil {
				loc = zones[r.SchoolID]
			}
			start := localBucket(opts.TimeBucket, r.CreatedAt, loc)
			b.BucketStart = &start
		}
		k := questionKey(&b)
		a := accs[k]
		if a == nil {
			a = &acc{b: b}
			accs[k] = a
		}
		a.b.Count++
		if r.AnsweredAt != nil {
			a.b.AnsweredCount++
		}
		if r.ResponseMinutes != nil {
			a.resp = append(a.resp, *r.ResponseMinutes)
		}
		if r.AdjustedResponseMinutes != nil {
			a.adjusted = append(a.adjusted, *r.AdjustedResponseMinutes)
		}
		if r.AnswerRating != nil {
			a.rated = append(a.rated, float64(*r.AnswerRating))
		}
		if r.AnswerUnderstood != nil {
			a.told++
			if *r.AnswerUnderstood {
				a.understood++
			}
		}
	}
	want := map[string]QuestionStatsBucket{}
	for k, a := range accs {
		b := a.b
		b.AvgResponseMinutes, b.AvgAdjustedResponseMinutes = refMean(a.resp), refMean(a.adjusted)
		b.P50ResponseMinutes, b.P90ResponseMinutes = refPercentile(a.resp, 0.5), refPercentile(a.resp, 0.9)
		b.AvgRating, b.UnderstoodShare = refMean(a.rated), refShare(a.understood, a.told)
		want[k] = b
	}
	return want
}

func checkQuestionStats(t *testing.T, got []QuestionStatsBucket, want map[string]QuestionStatsBucket, groupBy []QuestionDimension) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d buckets, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, g := range got {
		k := questionKey(&g)
		w, ok := want[k]
		switch {
		case seen[k]:
			t.Errorf("bucket %s twice", k)
			continue
		case !ok:
			t.Errorf("unexpected bucket %s: %+v", k, g)
			continue
		}
		seen[k] = true
		if g.Count != w.Count || g.AnsweredCount != w.AnsweredCount {
			t.Errorf("%s: count %d, answered %d; want %d, %d", k, g.Count, g.AnsweredCount, w.Count, w.AnsweredCount)
		}
		checkFloat(t, k, "avg response", g.AvgResponseMinutes, w.AvgResponseMinutes)
		checkFloat(t, k, "p50 response", g.P50ResponseMinutes, w.P50ResponseMinutes)
		checkFloat(t, k, "p90 response", g.P90ResponseMinutes, w.P90ResponseMinutes)
		checkFloat(t, k, "avg adjusted response", g.AvgAdjustedResponseMinutes, w.AvgAdjustedResponseMinutes)
		checkFloat(t, k, "avg rating", g.AvgRating, w.AvgRating)
		checkFloat(t, k, "understood share", g.UnderstoodShare, w.UnderstoodShare)
	}
	checkOrder(t, got, func(a, b *QuestionStatsBucket) int {
		var c int
		for _, dim := range groupBy {
			switch dim {
			case QuestionBySchool:
				c = compareNullable(a.SchoolID, b.SchoolID, compareIDs)
			case QuestionByGroup:
				c = compareNullable(a.GroupID, b.GroupID, compareIDs)
			case QuestionByDiscipline:
				c = compareNullable(a.DisciplineID, b.DisciplineID, cmp.Compare)
			case QuestionBySubject:
				c = compareNullable(a.SubjectID, b.SubjectID, cmp.Compare)
			case QuestionByTeacher:
				c = compareNullable(a.TeacherID, b.TeacherID, compareIDs)
			case QuestionByStatus:
				c = compareNullable(a.Status, b.Status, compareText)
			}
			if c != 0 {
				return c
			}
		}
		return compareNullable(a.BucketStart, b.BucketStart, time.Time.Compare)
	})
}

func dedupe[T comparable](s []T) []T {
	var out []T
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func TestQuestionStats(t *testing.T) {
	cases := questionStatsCases(t)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		zones := statsDemo(t, d)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rows := questionRows(t, d, statsPrincipal, c.in)
				got := questionStats(t, d, statsPrincipal, c.in, c.groupBy, c.opts)
				groupBy := dedupe(c.groupBy)
				want := wantQuestionStats(rows, groupBy, c.opts, zones)
				if len(rows) == 0 || len(want) < 2 && (len(groupBy) > 0 || c.opts.TimeBucket != "") {
					t.Fatalf("%d rows in %d buckets: the case tests nothing", len(rows), len(want))
				}
				checkQuestionStats(t, got, want, groupBy)
			})
		}
	})
}

type bookingStatsCase struct {
	name    string
	in      BookingsInput
	groupBy []BookingDimension
	opts    StatsOptions
}

func bookingStatsCases(t *testing.T) []bookingStatsCase {
	newYork, berlin := mustZone(t, "America/New_York"), mustZone(t, "Europe/Berlin")
	return []bookingStatsCase{
		{name: "totals", in: BookingsInput{From: statsFrom, To: statsTo}},
		{name: "status", in: BookingsInput{From: statsFrom, To: statsTo}, groupBy: []BookingDimension{BookingByStatus}},
		{name: "discipline", in: BookingsInput{From: statsFrom, To: statsTo}, groupBy: []BookingDimension{BookingByDiscipline}},
		{name: "school status", in: BookingsInput{From: statsFrom, To: statsTo}, groupBy: []BookingDimension{BookingBySchool, BookingByStatus}},
		{name: "teacher room", in: BookingsInput{From: statsFrom, To: statsTo}, groupBy: []BookingDimension{BookingByTeacher, BookingByRoom}},
		{name: "modal group", in: BookingsInput{From: statsFrom, To: statsTo}, groupBy: []BookingDimension{BookingByModal, BookingByGroup}},
		{name: "filtered", groupBy: []BookingDimension{BookingByTeacher},
			in: BookingsInput{From: statsFrom, To: statsTo, Statuses: []BookingStatus{BookingPresent, BookingNoShow, BookingQueue}}},
		{name: "day New York", groupBy: []BookingDimension{BookingByStatus},
			in:   BookingsInput{From: time.Date(2025, 10, 20, 0, 0, 0, 0, newYork), To: time.Date(2025, 11, 12, 0, 0, 0, 0, newYork)},
			opts: StatsOptions{TimeBucket: BucketDay, Location: newYork}},
		{name: "week Berlin", groupBy: []BookingDimension{BookingByDiscipline},
			in:   BookingsInput{From: time.Date(2026, 2, 20, 0, 0, 0, 0, berlin), To: time.Date(2026, 7, 31, 0, 0, 0, 0, berlin)},
			opts: StatsOptions{TimeBucket: BucketWeek, Location: berlin}},
		{name: "month Berlin", in: BookingsInput{From: statsFrom, To: statsTo},
			opts: StatsOptions{TimeBucket: BucketMonth, Location: berlin}},
		{name: "day school zones", groupBy: []BookingDimension{BookingBySchool},
			in:   BookingsInput{From: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)},
			opts: StatsOptions{TimeBucket: BucketDay}},
		{name: "month school zones", groupBy: []BookingDimension{BookingByModal}, in: BookingsInput{From: statsFrom, To: statsTo},
			opts: StatsOptions{TimeBucket: BucketMonth}},
	}
}

// wantBookingStats computes the stats of rows at now in Go.
func wantBookingStats(rows []BookingRow, groupBy []BookingDimension, opts StatsOptions, now time.Time) map[string]BookingStatsBucket {
	type acc struct {
		b                      BookingStatsBucket
		passed, presentPassed  int
		byStudent, byTeacher   []float64
		outsideCancel, student int
	}
	accs := map[string]*acc{}
	for _, r := range rows {
		var b BookingStatsBucket
		for _, dim := range groupBy {
			switch dim {
			case BookingBySchool:
				b.SchoolID = &r.SchoolID
			case BookingByGroup:
				b.GroupID = &r.GroupID
			case BookingByDiscipline:
				b.DisciplineID = &r.DisciplineID
			case BookingByTeacher:
				b.TeacherID = r.TeacherID
			case BookingByRoom:
				b.BookingRoomID = r.BookingRoomID
			case BookingByModal:
				if r.BookingRoomModal != "" {
					b.Modal = &r.BookingRoomModal
				}
			case BookingByStatus:
				b.Status = &r.Status
			}
		}
		if opts.TimeBucket != "" {
			loc := opts.Location
			if loc == nil {
				loc = r.Location
			}
			at := r.CreatedAt
			if r.ScheduledFor != nil {
				at = *r.ScheduledFor
			}
			start := localBucket(opts.TimeBucket, at, loc)
			b.BucketStart = &start
		}
		k := bookingKey(&b)
		a := accs[k]
		if a == nil {
			b.CountByStatus = map[BookingStatus]int{}
			for _, s := range BookingStatuses {
				b.CountByStatus[s] = 0
			}
			a = &acc{b: b}
			accs[k] = a
		}
		a.b.Count++
		a.b.CountByStatus[r.Status]++
		if r.ScheduledFor != nil && r.ScheduledFor.Before(now) {
			a.passed++
			if r.Status == BookingPresent {
				a.presentPassed++
			}
		}
		switch r.Status {
		case BookingOutsideScheduleCancel:
			a.outsideCancel++
			a.student++
		case BookingInsideScheduleCancel:
			a.student++
		}
		if r.RatingByStudent != nil {
			a.byStudent = append(a.byStudent, *r.RatingByStudent)
		}
		if r.RatingByTeacher != nil {
			a.byTeacher = append(a.byTeacher, *r.RatingByTeacher)
		}
		if minutes, ok := r.Duration(); ok {
			a.b.MinutesHeld += minutes
		}
	}
	want := map[string]BookingStatsBucket{}
	for k, a := range accs {
		b := a.b
		b.AttendanceRate = refShare(a.presentPassed, a.passed)
		b.NoShowRate = refShare(b.CountByStatus[BookingNoShow], a.passed)
		b.LateCancelRate = refShare(a.outsideCancel, a.student)
		b.AvgRatingByStudent, b.AvgRatingByTeacher = refMean(a.byStudent), refMean(a.byTeacher)
		want[k] = b
	}
	return want
}

func checkBookingStats(t *testing.T, got []BookingStatsBucket, want map[string]BookingStatsBucket, groupBy []BookingDimension) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d buckets, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, g := range got {
		k := bookingKey(&g)
		w, ok := want[k]
		switch {
		case seen[k]:
			t.Errorf("bucket %s twice", k)
			continue
		case !ok:
			t.Errorf("unexpected bucket %s: %+v", k, g)
			continue
		}
		seen[k] = true
		if g.Count != w.Count || g.MinutesHeld != w.MinutesHeld {
			t.Errorf("%s: count %d, minutes held %d; want %d, %d", k, g.Count, g.MinutesHeld, w.Count, w.MinutesHeld)
		}
		if len(g.CountByStatus) != len(BookingStatuses) {
			t.Errorf("%s: %d statuses counted, want all %d", k, len(g.CountByStatus), len(BookingStatuses))
		}
		for _, s := range BookingStatuses {
			if n, ok := g.CountByStatus[s]; !ok || n != w.CountByStatus[s] {
				t.Errorf("%s: %s count %d (present: %v), want %d", k, s, n, ok, w.CountByStatus[s])
			}
		}
		checkFloat(t, k, "attendance rate", g.AttendanceRate, w.AttendanceRate)
		checkFloat(t, k, "no-show rate", g.NoShowRate, w.NoShowRate)
		checkFloat(t, k, "late cancel rate", g.LateCancelRate, w.LateCancelRate)
		checkFloat(t, k, "avg rating by student", g.AvgRatingByStudent, w.AvgRatingByStudent)
		checkFloat(t, k, "avg rating by teacher", g.AvgRatingByTeacher, w.AvgRatingByTeacher)
	}
	checkOrder(t, got, func(a, b *BookingStatsBucket) int {
		var c int
		for _, dim := range groupBy {
			switch dim {
			case BookingBySchool:
				c = compareNullable(a.SchoolID, b.SchoolID, compareIDs)
			case BookingByGroup:
				c = compareNullable(a.GroupID, b.GroupID, compareIDs)
			case BookingByDiscipline:
				c = compareNullable(a.DisciplineID, b.DisciplineID, cmp.Compare)
			case BookingByTeacher:
				c = compareNullable(a.TeacherID, b.TeacherID, compareIDs)
			case BookingByRoom:
				c = compareNullable(a.BookingRoomID, b.BookingRoomID, compareIDs)
			case BookingByModal:
				c = compareNullable(a.Modal, b.Modal, compareText)
			case BookingByStatus:
				c = compareNullable(a.Status, b.Status, compareText)
			}
			if c != 0 {
				return c
			}
		}
		return compareNullable(a.BucketStart, b.BucketStart, time.Time.Compare)
	})
}

func TestBookingStats(t *testing.T) {
	cases := bookingStatsCases(t)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		statsDemo(t, d)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rows := bookingRows(t, d, statsPrincipal, c.in)
				got := bookingStats(t, d, statsPrincipal, c.in, c.groupBy, c.opts)
				groupBy := dedupe(c.groupBy)
				want := wantBookingStats(rows, groupBy, c.opts, seed.Now)
				if len(rows) == 0 || len(want) < 2 && (len(groupBy) > 0 || c.opts.TimeBucket != "") {
					t.Fatalf("%d rows in %d buckets: the case tests nothing", len(rows), len(want))
				}
				checkBookingStats(t, got, want, groupBy)
			})
		}
	})
}

// TestStatsScope checks that a token of one school sees only its rows in
// the stats, and may not ask for another school.
func TestStatsScope(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		zones := statsDemo(t, d)
		ctx := context.Background()
		ids := slices.SortedFunc(maps.Keys(zones), compareIDs)
		if len(ids) < 2 {
			t.Fatalf("the demo has %d schools", len(ids))
		}
		mine, other := ids[0], ids[1]
		p := &auth.Principal{Name: "one school", Scope: auth.ScopeSchools, SchoolIDs: []gid.SchoolID{mine}, RevealAnonymous: true}
		opts := StatsOptions{TimeBucket: BucketMonth}

		var questions []QuestionRow
		for _, r := range questionRows(t, d, statsPrincipal, QuestionsInput{From: statsFrom, To: statsTo}) {
			if r.SchoolID == mine {
				questions = append(questions, r)
			}
		}
		groupBy := []QuestionDimension{QuestionBySchool, QuestionByStatus}
		got := questionStats(t, d, p, QuestionsInput{From: statsFrom, To: statsTo}, groupBy, opts)
		checkQuestionStats(t, got, wantQuestionStats(questions, groupBy, opts, zones), groupBy)
		for _, b := range got {
			if *b.SchoolID != mine {
				t.Errorf("question bucket of school %s", b.SchoolID)
			}
		}
		_, err := QuestionStats(ctx, d, p, QuestionsInput{From: statsFrom, To: statsTo, SchoolIDs: []gid.SchoolID{other}}, nil, StatsOptions{})
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("question stats of another school: %v, want forbidden", err)
		}

		var bookings []BookingRow
		for _, r := range bookingRows(t, d, statsPrincipal, BookingsInput{From: statsFrom, To: statsTo}) {
			if r.SchoolID == mine {
				bookings = append(bookings, r)
			}
		}
		bookingGroupBy := []BookingDimension{BookingBySchool, BookingByRoom}
		gotBookings := bookingStats(t, d, p, BookingsInput{From: statsFrom, To: statsTo}, bookingGroupBy, opts)
		checkBookingStats(t, gotBookings, wantBookingStats(bookings, bookingGroupBy, opts, seed.Now), bookingGroupBy)
		for _, b := range gotBookings {
			if *b.SchoolID != mine {
				t.Errorf("booking bucket of school %s", b.SchoolID)
			}
		}
		_, err = BookingStats(ctx, d, p, BookingsInput{From: statsFrom, To: statsTo, SchoolIDs: []gid.SchoolID{other}}, nil, StatsOptions{}, seed.Now)
		if apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("booking stats of another school: %v, want forbidden", err)
		}
	})
}

// TestStatsScopeInSchoolsZones gives a token the demo's two schools, in
// two zones, and a third school in a zone of its own a question of which
// falls in the period: the buckets in the schools' zones (on PostgreSQL
// joined to each row's school, see joinsZones) are those of the token's
// schools alone, and the third school's question counts for a token that
// may see it.
func TestStatsScopeInSchoolsZones(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		zones := statsDemo(t, d)
		ctx := auth.SystemContext(context.Background())
		mine := slices.SortedFunc(maps.Keys(zones), compareIDs)
		if len(mine) != 2 || zones[mine[0]].String() == zones[mine[1]].String() {
			t.Fatalf("the demo's schools are in zones %v", zones)
		}
		in := QuestionsInput{From: statsFrom, To: statsTo}
		questions := questionRows(t, d, statsPrincipal, in)

		like, err := d.Client.Question.Query().First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tokyo := d.Client.School.Create().SetName("Escola Tóquio").SetTimezone("Asia/Tokyo").SaveX(ctx)
		group := d.Client.Group.Create().SetName("Turma T").SetSchoolID(tokyo.ID).SaveX(ctx)
		d.Client.Question.Create().SetStudentID(like.StudentID).SetGroupID(group.ID).
			SetDisciplineID(like.DisciplineID).SetCreatedAt(like.CreatedAt).SaveX(ctx)

		groupBy := []QuestionDimension{QuestionBySchool}
		opts := StatsOptions{TimeBucket: BucketMonth}
		p := &auth.Principal{Name: "two schools", Scope: auth.ScopeSchools, SchoolIDs: mine, RevealAnonymous: true}
		got := questionStats(t, d, p, in, groupBy, opts)
		checkQuestionStats(t, got, wantQuestionStats(questions, groupBy, opts, zones), groupBy)
		for _, b := range got {
			if *b.SchoolID == tokyo.ID {
				t.Errorf("a bucket of the school the token may not see: %+v", b)
			}
		}

		zones[tokyo.ID] = mustZone(t, "Asia/Tokyo")
		all := questionStats(t, d, statsPrincipal, in, groupBy, opts)
		checkQuestionStats(t, all, wantQuestionStats(questionRows(t, d, statsPrincipal, in), groupBy, opts, zones), groupBy)
		if len(all) != len(got)+1 {
			t.Errorf("%d buckets for every school, %d for the token's two: want one more", len(all), len(got))
		}
	})
}

// TestStatsEdges covers empty periods, invalid requests and the bound on
// the number of buckets.
func TestStatsEdges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		statsDemo(t, d)
		ctx := context.Background()
		empty := QuestionsInput{From: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2001, 2, 1, 0, 0, 0, 0, time.UTC)}

		// Without dimensions, the totals come even over nothing.
		got := questionStats(t, d, statsPrincipal, empty, nil, StatsOptions{})
		if len(got) != 1 || got[0].Count != 0 || got[0].AvgResponseMinutes != nil || got[0].P50ResponseMinutes != nil || got[0].UnderstoodShare != nil {
			t.Errorf("totals of no questions: %+v", got)
		}
		bookings := bookingStats(t, d, statsPrincipal, BookingsInput{From: empty.From, To: empty.To}, nil, StatsOptions{})
		if len(bookings) != 1 || bookings[0].Count != 0 || len(bookings[0].CountByStatus) != len(BookingStatuses) ||
			bookings[0].AttendanceRate != nil || bookings[0].LateCancelRate != nil || bookings[0].MinutesHeld != 0 {
			t.Errorf("totals of no bookings: %+v", bookings)
		}
		// With dimensions or buckets, there are no empty buckets.
		got = questionStats(t, d, statsPrincipal, empty, []QuestionDimension{QuestionByDiscipline}, StatsOptions{})
		got = append(got, questionStats(t, d, statsPrincipal, empty, nil, StatsOptions{TimeBucket: BucketDay})...)
		if len(got) != 0 {
			t.Errorf("buckets of no questions: %+v", got)
		}

		invalid := map[string]error{}
		_, invalid["question dimension ROOM"] = QuestionStats(ctx, d, statsPrincipal, empty, []QuestionDimension{"ROOM"}, StatsOptions{})
		_, invalid["booking dimension SUBJECT"] = BookingStats(ctx, d, statsPrincipal, BookingsInput{From: empty.From, To: empty.To},
			[]BookingDimension{"SUBJECT"}, StatsOptions{}, seed.Now)
		_, invalid["time bucket YEAR"] = QuestionStats(ctx, d, statsPrincipal, empty, nil, StatsOptions{TimeBucket: "YEAR"})
		_, invalid["from after to"] = QuestionStats(ctx, d, statsPrincipal, QuestionsInput{From: statsTo, To: statsFrom},
			nil, StatsOptions{TimeBucket: BucketDay})
		// A century of days is too many buckets; so are two zones' days over
		// half as long.
		_, invalid["a century of days"] = QuestionStats(ctx, d, statsPrincipal, QuestionsInput{From: statsFrom, To: statsTo},
			nil, StatsOptions{TimeBucket: BucketDay, Location: time.UTC})
		long := BookingsInput{From: time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)}
		long.To = long.From.AddDate(0, 0, MaxBuckets/2)
		_, invalid["half the bound of days in two zones"] = BookingStats(ctx, d, statsPrincipal, long, nil, StatsOptions{TimeBucket: BucketDay}, seed.Now)
		for name, err := range invalid {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
		if err := invalid["a century of days"]; !strings.Contains(fmt.Sprint(err), "Time range too long for DAY buckets") {
			t.Errorf("a century of days: %v", err)
		}

		// At the bound: MaxBuckets daily buckets, up to the end of the demo;
		// one day more is refused.
		in := QuestionsInput{To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), SubjectIDs: []gid.SubjectID{1}}
		in.From = in.To.AddDate(0, 0, -MaxBuckets)
		in.To = in.To.Add(-time.Nanosecond)
		utcDays := StatsOptions{TimeBucket: BucketDay, Location: time.UTC}
		over := in
		over.From = over.From.AddDate(0, 0, -1)
		if _, err := QuestionStats(ctx, d, statsPrincipal, over, nil, utcDays); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("MaxBuckets + 1 days: %v, want invalid", err)
		}
		days := questionStats(t, d, statsPrincipal, in, nil, utcDays)
		total := 0
		for _, b := range days {
			total += b.Count
		}
		want := len(questionRows(t, d, statsPrincipal, in))
		if total != want || want == 0 {
			t.Errorf("%d questions in %d daily buckets, want %d", total, len(days), want)
		}
	})
}

// TestBucketBounds checks the buckets' boundaries against a brute-force
// search for the first instant of each local day, in zones whose clocks
// change at 2:00 (New York), skip midnight (São Paulo in 2018, Havana in
// March) or repeat it (Havana in November, Amman in 2021: time.Date
// picks the first midnight in the one, the second in the other) or set
// them back from 0:01 to 23:01 the day before (Moncton until 2006).
func TestBucketBounds(t *testing.T) {
	cases := []struct {
		zone     string
		from, to time.Time
	}{
		{"America/New_York", time.Date(2025, 10, 28, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC)},
		{"America/New_York", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)},
		{"America/Sao_Paulo", time.Date(2018, 10, 30, 0, 0, 0, 0, time.UTC), time.Date(2018, 11, 8, 0, 0, 0, 0, time.UTC)},
		{"America/Sao_Paulo", time.Date(2019, 2, 14, 0, 0, 0, 0, time.UTC), time.Date(2019, 2, 20, 0, 0, 0, 0, time.UTC)},
		{"America/Havana", time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)},
		{"America/Havana", time.Date(2025, 10, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 11, 6, 0, 0, 0, 0, time.UTC)},
		{"Asia/Amman", time.Date(2021, 10, 25, 0, 0, 0, 0, time.UTC), time.Date(2021, 11, 2, 0, 0, 0, 0, time.UTC)},
		{"America/Moncton", time.Date(1993, 10, 27, 0, 0, 0, 0, time.UTC), time.Date(1993, 11, 3, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		loc := mustZone(t, c.zone)
		for _, tb := range []TimeBucket{BucketDay, BucketWeek, BucketMonth} {
			bounds, ok := bucketBounds(tb, loc, c.from, c.to, MaxBuckets)
			if !ok || len(bounds) < 2 {
				t.Fatalf("%s %s: %v, %v", c.zone, tb, bounds, ok)
			}
			if bounds[0].After(c.from) || !bounds[len(bounds)-1].After(c.to) {
				t.Errorf("%s %s: %v to %v does not cover %v to %v", c.zone, tb, bounds[0], bounds[len(bounds)-1], c.from, c.to)
			}
			for i, b := range bounds {
				local := b.In(loc)
				y, m, d := local.Date()
				if want, _ := firstInstant(loc, y, m, d); !b.Equal(want) {
					t.Errorf("%s %s: bound %d is %v, but %d-%02d-%02d starts at %v", c.zone, tb, i, local, y, m, d, want.In(loc))
				}
				if tb == BucketWeek && local.Weekday() != time.Monday || tb == BucketMonth && d != 1 {
					t.Errorf("%s %s: bound %d is %v, not the start of a %s", c.zone, tb, i, local, tb)
				}
				if i > 0 && !b.After(bounds[i-1]) {
					t.Errorf("%s %s: bounds not increasing at %d", c.zone, tb, i)
				}
			}
		}
	}
	// The 25-hour day in New York.
	ny := mustZone(t, "America/New_York")
	bounds, _ := bucketBounds(BucketDay, ny, time.Date(2025, 11, 2, 12, 0, 0, 0, ny), time.Date(2025, 11, 2, 13, 0, 0, 0, ny), MaxBuckets)
	if len(bounds) != 2 || bounds[1].Sub(bounds[0]) != 25*time.Hour {
		t.Errorf("2 November 2025 in New York: %v", bounds)
	}
	if _, ok := bucketBounds(BucketDay, ny, statsFrom, statsTo, MaxBuckets); ok {
		t.Error("a century of days fits in the bound")
	}
}
