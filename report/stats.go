package report

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// The stats are the reports' rows aggregated by the database: one GROUP BY
// query over the same rows the reports yield (the same scope and filters),
// grouped by the requested dimensions and, optionally, by a time bucket in
// a time zone. SQLite knows no time zones, so the buckets' boundaries are
// computed in Go and passed to the query (see timeBuckets); SQLite's
// percentile_cont is registered by package db.

// QuestionDimension is a property QuestionStats groups questions by.
type QuestionDimension string

// The question dimensions.
const (
	QuestionBySchool     QuestionDimension = "SCHOOL"
	QuestionByGroup      QuestionDimension = "GROUP"
	QuestionByDiscipline QuestionDimension = "DISCIPLINE"
	QuestionBySubject    QuestionDimension = "SUBJECT"
	QuestionByTeacher    QuestionDimension = "TEACHER" // the teacher who answered
	QuestionByStatus     QuestionDimension = "STATUS"
)

// QuestionDimensions are all question dimensions.
var QuestionDimensions = []QuestionDimension{
	QuestionBySchool, QuestionByGroup, QuestionByDiscipline, QuestionBySubject, QuestionByTeacher, QuestionByStatus,
}

// BookingDimension is a property BookingStats groups bookings by.
type BookingDimension string

// The booking dimensions.
const (
	BookingBySchool     BookingDimension = "SCHOOL"
	BookingByGroup      BookingDimension = "GROUP"
	BookingByDiscipline BookingDimension = "DISCIPLINE"
	BookingByTeacher    BookingDimension = "TEACHER"
	BookingByRoom       BookingDimension = "ROOM"
	BookingByModal      BookingDimension = "MODAL" // the room's
	BookingByStatus     BookingDimension = "STATUS"
)

// BookingDimensions are all booking dimensions.
var BookingDimensions = []BookingDimension{
	BookingBySchool, BookingByGroup, BookingByDiscipline, BookingByTeacher, BookingByRoom, BookingByModal, BookingByStatus,
}

// TimeBucket is the length of the time buckets of stats: a local day, an
// ISO week (Monday to Sunday) or a calendar month. "" asks for none.
type TimeBucket string

// The time buckets.
const (
	BucketDay   TimeBucket = "DAY"
	BucketWeek  TimeBucket = "WEEK"
	BucketMonth TimeBucket = "MONTH"
)

// MaxBuckets bounds the time buckets of a stats query: the buckets that
// cover the period, counted once per time zone involved. (SQLite takes a
// time that grows with the square of the buckets to compile the query:
// about 0.2 s at this bound.)
const MaxBuckets = 5000

// StatsOptions are the options of QuestionStats and BookingStats.
type StatsOptions struct {
	// TimeBucket groups the rows also by the bucket their time falls in
	// (questions: created_at; bookings: scheduled_for, or created_at for
	// queue bookings). "" for none.
	TimeBucket TimeBucket
	// Location is the time zone whose days, weeks and months make the
	// buckets; nil means each school's own zone, so that a school's rows
	// fall in its local days (schools in different zones then have
	// buckets with different starts).
	Location *time.Location
}

// QuestionStatsBucket holds the figures of one group of questions. The
// fields of the dimensions grouped by, and BucketStart when a time bucket
// was asked for, say which group; the others are nil. SubjectID and
// TeacherID stay nil also when grouped by, for the group of questions
// without a subject or not answered (no teacher). Averages and percentiles
// are not rounded, and are nil when there is nothing to average.
type QuestionStatsBucket struct {
	SchoolID     *gid.SchoolID
	GroupID      *gid.GroupID
	DisciplineID *gid.DisciplineID
	SubjectID    *gid.SubjectID
	TeacherID    *gid.UserID
	Status       *QuestionStatus
	// BucketStart is the start of the bucket: the first instant of its
	// local day, week or month, in UTC.
	BucketStart *time.Time

	Count         int
	AnsweredCount int // with answered_at
	// Response times in minutes (questions.response_minutes and
	// adjusted_response_minutes) of the answered questions: mean, median
	// and 90th percentile (interpolated, as PostgreSQL's percentile_cont).
	AvgResponseMinutes         *float64
	P50ResponseMinutes         *float64
	P90ResponseMinutes         *float64
	AvgAdjustedResponseMinutes *float64
	AvgRating                  *float64 // of the answers rated, 1 to 5
	// UnderstoodShare is the share (0 to 1) of answer_understood = true
	// among the questions whose student said whether they understood.
	UnderstoodShare *float64
}

// BookingStatsBucket holds the figures of one group of bookings, which the
// fields of the dimensions grouped by, and BucketStart, identify as in
// QuestionStatsBucket. TeacherID, BookingRoomID and Modal stay nil also
// when grouped by, for the bookings without a teacher or without a room.
type BookingStatsBucket struct {
	SchoolID      *gid.SchoolID
	GroupID       *gid.GroupID
	DisciplineID  *gid.DisciplineID
	TeacherID     *gid.UserID
	BookingRoomID *gid.BookingRoomID
	Modal         *bookingroom.Modal
	Status        *BookingStatus
	BucketStart   *time.Time

	Count int
	// CountByStatus holds every status, with 0 for those absent.
	CountByStatus map[BookingStatus]int
	// AttendanceRate and NoShowRate are the shares of PRESENT and NO_SHOW
	// bookings among those whose scheduled_for has passed at now, whatever
	// their status (cancellations included; queue bookings, which have no
	// scheduled_for, excluded); nil when there are none.
	AttendanceRate *float64
	NoShowRate     *float64
	// LateCancelRate is the share of OUTSIDE_SCHEDULE_CANCEL among the
	// cancellations by students (INSIDE_ and OUTSIDE_SCHEDULE_CANCEL);
	// cancellations by anyone else (CANCELLED) do not count. Nil when no
	// student cancelled.
	LateCancelRate     *float64
	AvgRatingByStudent *float64
	AvgRatingByTeacher *float64
	// MinutesHeld is the sum of the meetings' durations in whole minutes
	// (each truncated, as BookingRow.Duration), over the bookings whose
	// meeting started and ended.
	MinutesHeld int
}

// statsColumn is a column of a stats query's inner table x that a
// dimension groups by.
type statsColumn struct {
	name string
	text bool // ordered as text, byte by byte
}

var questionColumns = map[QuestionDimension]statsColumn{
	QuestionBySchool:     {name: "school_id"},
	QuestionByGroup:      {name: "group_id"},
	QuestionByDiscipline: {name: "discipline_id"},
	QuestionBySubject:    {name: "subject_id"},
	QuestionByTeacher:    {name: "teacher_id"},
	QuestionByStatus:     {name: "status", text: true},
}

var bookingColumns = map[BookingDimension]statsColumn{
	BookingBySchool:     {name: "school_id"},
	BookingByGroup:      {name: "group_id"},
	BookingByDiscipline: {name: "discipline_id"},
	BookingByTeacher:    {name: "teacher_id"},
	BookingByRoom:       {name: "room_id"},
	BookingByModal:      {name: "modal", text: true},
	BookingByStatus:     {name: "status", text: true},
}

// QuestionStats returns the figures of the questions report.Questions
// would yield for in (its After and Limit aside), grouped by the
// dimensions of groupBy (in that order of precedence; repeats ignored)
// and by opts' time bucket, ordered by the dimensions (ids and names
// ascending, nil last) and then by bucket start. Without any dimension or
// bucket it yields one bucket, the totals, even over no questions; else
// only the buckets that hold questions.
func QuestionStats(ctx context.Context, d *db.DB, p *auth.Principal, in QuestionsInput, groupBy []QuestionDimension, opts StatsOptions) (iter.Seq2[QuestionStatsBucket, error], error) {
	if err := validateStats(&in, opts); err != nil {
		return nil, err
	}
	dims, cols, err := statsDimensions(groupBy, questionColumns)
	if err != nil {
		return nil, err
	}
	groups, err := resolveGroups(ctx, d, p, in.GroupIDs, in.SchoolIDs)
	if err != nil {
		return nil, err
	}
	var tb *timeBuckets
	if opts.TimeBucket != "" {
		var zones map[gid.SchoolID]*time.Location
		if opts.Location == nil {
			scope, err := resolveSchools(ctx, d, p, in.SchoolIDs)
			if err != nil {
				return nil, err
			}
			if zones, err = schoolZones(ctx, d, p, scope); err != nil {
				return nil, err
			}
		}
		if tb, err = newTimeBuckets(opts, zones, in.From, in.To); err != nil {
			return nil, err
		}
	}
	q := newQuery(d.Dialect).add(`SELECT `)
	writeDimensions(q, cols, tb)
	q.add(`COUNT(*), COUNT(x.answered_at),
		AVG(x.response_minutes), ` + percentileSQL(d.Dialect, "x.response_minutes", 0.5) + `,
		` + percentileSQL(d.Dialect, "x.response_minutes", 0.9) + `, AVG(x.adjusted_response_minutes),
		AVG(CAST(x.answer_rating AS DOUBLE PRECISION)),
		CAST(AVG(CASE WHEN x.answer_understood THEN 1.0 WHEN NOT x.answer_understood THEN 0.0 END) AS DOUBLE PRECISION)`)
	writeRows(q, tb, func() {
		q.add(`SELECT g.school_id AS school_id, q.group_id AS group_id, q.discipline_id AS discipline_id,
			q.subject_id AS subject_id, q.teacher_id AS teacher_id, `+questionStatusSQL+` AS status,
			q.created_at AS ts, q.answered_at AS answered_at, q.response_minutes AS response_minutes,
			q.adjusted_response_minutes AS adjusted_response_minutes, q.answer_rating AS answer_rating,
			q.answer_understood AS answer_understood
		FROM questions q
		JOIN groups g ON g.id = q.group_id
		WHERE q.created_at >= ? AND q.created_at <= ?`, in.From, in.To)
		filterQuestions(q, groups, in)
	})
	writeGrouping(q, cols, tb)
	return rows(ctx, d, q, func(rs rowScanner) (QuestionStatsBucket, error) {
		var b QuestionStatsBucket
		dest := make([]any, 0, len(dims)+10)
		for _, dim := range dims {
			switch dim {
			case QuestionBySchool:
				dest = append(dest, &b.SchoolID)
			case QuestionByGroup:
				dest = append(dest, &b.GroupID)
			case QuestionByDiscipline:
				dest = append(dest, &b.DisciplineID)
			case QuestionBySubject:
				dest = append(dest, &b.SubjectID)
			case QuestionByTeacher:
				dest = append(dest, &b.TeacherID)
			case QuestionByStatus:
				dest = append(dest, &b.Status)
			}
		}
		var bucket sql.NullInt64
		if tb != nil {
			dest = append(dest, &bucket)
		}
		dest = append(dest, &b.Count, &b.AnsweredCount,
			&b.AvgResponseMinutes, &b.P50ResponseMinutes, &b.P90ResponseMinutes, &b.AvgAdjustedResponseMinutes,
			&b.AvgRating, &b.UnderstoodShare)
		err := rs.Scan(dest...)
		if err != nil {
			return b, err
		}
		if tb != nil {
			if b.BucketStart, err = tb.start(bucket); err != nil {
				return b, err
			}
		}
		return b, nil
	}), nil
}

// BookingStats returns the figures of the bookings report.Bookings would
// yield for in at now (its After and Limit aside), grouped and ordered as
// in QuestionStats.
func BookingStats(ctx context.Context, d *db.DB, p *auth.Principal, in BookingsInput, groupBy []BookingDimension, opts StatsOptions, now time.Time) (iter.Seq2[BookingStatsBucket, error], error) {
	if err := validateStats(&in, opts); err != nil {
		return nil, err
	}
	dims, cols, err := statsDimensions(groupBy, bookingColumns)
	if err != nil {
		return nil, err
	}
	sel, err := selectBookings(ctx, d, p, in)
	if err != nil {
		return nil, err
	}
	var tb *timeBuckets
	if opts.TimeBucket != "" {
		zones := sel.zones
		if opts.Location != nil {
			zones = nil
		}
		if tb, err = newTimeBuckets(opts, zones, in.From, in.To); err != nil {
			return nil, err
		}
	}
	minutes := `CAST(ROUND((unixepoch(b.meeting_ended_at, 'subsec') - unixepoch(b.meeting_started_at, 'subsec')) * 1000) AS INTEGER) / 60000`
	if d.Dialect == dialect.Postgres {
		minutes = `CAST(TRUNC(EXTRACT(EPOCH FROM b.meeting_ended_at - b.meeting_started_at) / 60) AS BIGINT)`
	}
	q := newQuery(d.Dialect)
	writeToday(q, sel.zones, now)
	q.add(`SELECT `)
	writeDimensions(q, cols, tb)
	q.add(`COUNT(*)`)
	for _, s := range BookingStatuses {
		q.add(`, COUNT(CASE WHEN x.status = '` + string(s) + `' THEN 1 END)`)
	}
	q.add(`, COUNT(x.passed), COUNT(CASE WHEN x.status = 'PRESENT' THEN x.passed END),
		AVG(x.rating_by_student), AVG(x.rating_by_teacher), CAST(COALESCE(SUM(x.minutes), 0) AS BIGINT)`)
	writeRows(q, tb, func() {
		q.add(`SELECT b.school_id AS school_id, b.group_id AS group_id, b.discipline_id AS discipline_id,
			b.teacher_id AS teacher_id, b.booking_room_id AS room_id, r.modal AS modal, `+sel.status+` AS status,
			COALESCE(b.scheduled_for, b.created_at) AS ts, CASE WHEN b.scheduled_for < ? THEN 1 END AS passed,
			b.rating_by_student AS rating_by_student, b.rating_by_teacher AS rating_by_teacher,
			`+minutes+` AS minutes`+bookingsFrom+`
		LEFT JOIN booking_rooms r ON r.id = b.booking_room_id`, now, now)
		filterBookings(q, sel, in, now)
	})
	writeGrouping(q, cols, tb)
	return rows(ctx, d, q, func(rs rowScanner) (BookingStatsBucket, error) {
		var b BookingStatsBucket
		dest := make([]any, 0, len(dims)+20)
		for _, dim := range dims {
			switch dim {
			case BookingBySchool:
				dest = append(dest, &b.SchoolID)
			case BookingByGroup:
				dest = append(dest, &b.GroupID)
			case BookingByDiscipline:
				dest = append(dest, &b.DisciplineID)
			case BookingByTeacher:
				dest = append(dest, &b.TeacherID)
			case BookingByRoom:
				dest = append(dest, &b.BookingRoomID)
			case BookingByModal:
				dest = append(dest, &b.Modal)
			case BookingByStatus:
				dest = append(dest, &b.Status)
			}
		}
		var (
			bucket                sql.NullInt64
			passed, presentPassed int
		)
		if tb != nil {
			dest = append(dest, &bucket)
		}
		dest = append(dest, &b.Count)
		byStatus := make([]int, len(BookingStatuses))
		for i := range byStatus {
			dest = append(dest, &byStatus[i])
		}
		dest = append(dest, &passed, &presentPassed, &b.AvgRatingByStudent, &b.AvgRatingByTeacher, &b.MinutesHeld)
		err := rs.Scan(dest...)
		if err != nil {
			return b, err
		}
		if tb != nil {
			if b.BucketStart, err = tb.start(bucket); err != nil {
				return b, err
			}
		}
		b.CountByStatus = make(map[BookingStatus]int, len(BookingStatuses))
		for i, s := range BookingStatuses {
			b.CountByStatus[s] = byStatus[i]
		}
		b.AttendanceRate = share(presentPassed, passed)
		b.NoShowRate = share(b.CountByStatus[BookingNoShow], passed)
		late := b.CountByStatus[BookingOutsideScheduleCancel]
		b.LateCancelRate = share(late, late+b.CountByStatus[BookingInsideScheduleCancel])
		return b, nil
	}), nil
}

// validateStats prepares the input and validates the options of a stats
// query.
func validateStats(in interface{ prepare() error }, opts StatsOptions) error {
	if err := in.prepare(); err != nil {
		return err
	}
	return opts.Validate()
}

// share returns n / of, or nil when of is 0.
func share(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

// statsDimensions validates groupBy, drops repeats and returns the
// dimensions with their columns.
func statsDimensions[D ~string](groupBy []D, columns map[D]statsColumn) ([]D, []statsColumn, error) {
	var (
		dims []D
		cols []statsColumn
	)
	for _, dim := range groupBy {
		col, ok := columns[dim]
		if !ok {
			return nil, nil, inputError("groupBy", "", "Unknown dimension %[3]q.", string(dim))
		}
		if !slices.Contains(dims, dim) {
			dims, cols = append(dims, dim), append(cols, col)
		}
	}
	return dims, cols, nil
}

// percentileSQL is the dialect's percentile_cont of expr at fraction.
func percentileSQL(dialectName, expr string, fraction float64) string {
	f := strconv.FormatFloat(fraction, 'f', -1, 64)
	if dialectName == dialect.Postgres {
		return "percentile_cont(" + f + ") WITHIN GROUP (ORDER BY " + expr + ")"
	}
	return "percentile_cont(" + expr + ", " + f + ")"
}

// writeDimensions writes the grouped columns of a stats query's SELECT
// list, each followed by a comma: the dimensions' columns of x, then the
// bucket number.
func writeDimensions(q *query, cols []statsColumn, tb *timeBuckets) {
	for _, c := range cols {
		q.add("x." + c.name + ", ")
	}
	if tb != nil {
		q.add("x.bucket, ")
	}
}

// writeRows writes the FROM clause of a stats query: x, the rows of the
// report, which inner writes as a SELECT with a column ts (the row's time)
// and school_id, and, with time buckets, the number of each row's bucket
// as x.bucket.
func writeRows(q *query, tb *timeBuckets, inner func()) {
	if tb == nil {
		q.add(" FROM (")
		inner()
		q.add(") x")
		return
	}
	q.add(" FROM (SELECT y.*, ")
	tb.writeBucket(q, "y.ts", "y.school_id")
	q.add(" AS bucket FROM (")
	inner()
	q.add(") y) x")
}

// writeGrouping writes the GROUP BY and ORDER BY clauses of a stats query.
// The order is the same on both databases: ids ascending (UUIDs compare as
// their text), names byte by byte, nil last, then the buckets in the order
// of their starts.
func writeGrouping(q *query, cols []statsColumn, tb *timeBuckets) {
	var group, order []string
	for _, c := range cols {
		group = append(group, "x."+c.name)
		if c.text {
			order = append(order, byText(q.dialect, "x."+c.name)+" NULLS LAST")
		} else {
			order = append(order, "x."+c.name+" NULLS LAST")
		}
	}
	if tb != nil {
		group = append(group, "x.bucket")
		order = append(order, "x.bucket")
	}
	if len(group) > 0 {
		q.add(" GROUP BY " + strings.Join(group, ", ") + " ORDER BY " + strings.Join(order, ", "))
	}
}

// timeBuckets are the time buckets of a stats query, computed in Go
// because SQLite knows no time zones: for each time zone involved, the
// boundaries of the buckets that cover the period.
//
// The SQL finds a row's bucket with a balanced tree of CASE expressions
// over the boundaries: about log2(buckets) comparisons per row, and no
// join. (A join with a table of buckets on their time ranges compares
// every row with every bucket, and neither database can index a table
// made in the query; helped by an equality on some key, both still
// picked plans that did so, from wrong row estimates.) The boundaries are
// arguments, one per bucket; the numbers are literals.
//
// A bucket's number is the rank of its start among the distinct starts of
// all zones, so that buckets of different zones that start at the same
// instant are one.
type timeBuckets struct {
	perSchool bool // the zones are the schools' (Location nil)
	zones     []zoneBuckets
	starts    []time.Time // by bucket number
}

// zoneBuckets are the buckets of one time zone: bucket i runs from
// bounds[i] (included) to bounds[i+1] (excluded) and is numbered
// numbers[i].
type zoneBuckets struct {
	schools []gid.SchoolID // those in the zone, when the zones are the schools'
	bounds  []time.Time
	numbers []int
}

// newTimeBuckets computes the buckets of opts.TimeBucket covering [from,
// to] in opts.Location, or else in the zone of each school of zones.
func newTimeBuckets(opts StatsOptions, zones map[gid.SchoolID]*time.Location, from, to time.Time) (*timeBuckets, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	tb := &timeBuckets{}
	var locs []*time.Location
	if opts.Location != nil {
		locs = []*time.Location{opts.Location}
		tb.zones = []zoneBuckets{{}}
	} else {
		tb.perSchool = true
		index := map[string]int{}
		for _, id := range slices.SortedFunc(maps.Keys(zones), compareSchools) {
			loc := zones[id]
			i, ok := index[loc.String()]
			if !ok {
				i = len(locs)
				index[loc.String()] = i
				locs = append(locs, loc)
				tb.zones = append(tb.zones, zoneBuckets{})
			}
			tb.zones[i].schools = append(tb.zones[i].schools, id)
		}
	}
	n := 0
	for i, loc := range locs {
		bounds, ok := bucketBounds(opts.TimeBucket, loc, from, to, MaxBuckets-n)
		if !ok {
			return nil, inputError("timeBucket", "", "Time range too long for %[3]s buckets.", string(opts.TimeBucket))
		}
		tb.zones[i].bounds = bounds
		if len(bounds) > 1 {
			n += len(bounds) - 1
			tb.starts = append(tb.starts, bounds[:len(bounds)-1]...)
		}
	}
	slices.SortFunc(tb.starts, time.Time.Compare)
	tb.starts = slices.CompactFunc(tb.starts, time.Time.Equal)
	for i := range tb.zones {
		z := &tb.zones[i]
		for j := 0; j+1 < len(z.bounds); j++ {
			number, _ := slices.BinarySearchFunc(tb.starts, z.bounds[j], time.Time.Compare)
			z.numbers = append(z.numbers, number)
		}
	}
	return tb, nil
}

// start returns the start, in UTC, of the bucket numbered n: NULL for the
// row of a school whose zone the buckets miss, which the scope excludes.
func (tb *timeBuckets) start(n sql.NullInt64) (*time.Time, error) {
	if !n.Valid || n.Int64 < 0 || int(n.Int64) >= len(tb.starts) {
		return nil, fmt.Errorf("report: stats: a row outside the time buckets (%v)", n)
	}
	t := tb.starts[n.Int64].UTC()
	return &t, nil
}

func compareSchools(a, b gid.SchoolID) int { return slices.Compare(a[:], b[:]) }

// writeBucket writes the expression of the number of the bucket of the
// time ts of a row of school school (NULL for a school of no zone, which
// the scope excludes).
func (tb *timeBuckets) writeBucket(q *query, ts, school string) {
	if !tb.perSchool || len(tb.zones) == 1 {
		tb.zones[0].writeTree(q, ts)
		return
	}
	if len(tb.zones) == 0 {
		q.add("CAST(NULL AS INTEGER)")
		return
	}
	q.add("CASE")
	for _, z := range tb.zones {
		q.add(" WHEN " + school)
		inValues(q, z.schools)
		q.add(" THEN ")
		z.writeTree(q, ts)
	}
	q.add(" END")
}

// writeTree writes the expression of the number of the zone's bucket that
// holds ts: a search among its buckets, which cover the period, so that
// no row is before the first or after the last.
func (z *zoneBuckets) writeTree(q *query, ts string) {
	if len(z.numbers) == 0 {
		q.add("CAST(NULL AS INTEGER)")
		return
	}
	z.writeSubtree(q, ts, 0, len(z.numbers))
}

// writeSubtree writes the number of the bucket among buckets lo to hi - 1
// that holds ts.
func (z *zoneBuckets) writeSubtree(q *query, ts string, lo, hi int) {
	if hi-lo == 1 {
		q.add(strconv.Itoa(z.numbers[lo]))
		return
	}
	mid := (lo + hi) / 2
	q.add("CASE WHEN "+ts+" < ? THEN ", z.bounds[mid].UTC())
	z.writeSubtree(q, ts, lo, mid)
	q.add(" ELSE ")
	z.writeSubtree(q, ts, mid, hi)
	q.add(" END")
}

// bucketBounds returns the boundaries of the buckets of kind tb, in loc,
// that cover [from, to]: bucket i runs from bounds[i] (included) to
// bounds[i+1] (excluded). ok is false when there would be more than
// limit buckets. The boundaries follow the local calendar, so a day is 23 or 25
// hours long when the clocks change.
func bucketBounds(tb TimeBucket, loc *time.Location, from, to time.Time, limit int) (bounds []time.Time, ok bool) {
	if to.Before(from) {
		return nil, true
	}
	y, m, d := from.In(loc).Date()
	switch tb {
	case BucketWeek:
		d -= (int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 6) % 7 // back to Monday
	case BucketMonth:
		d = 1
	}
	for i := 0; ; i++ {
		var start time.Time
		switch tb {
		case BucketDay:
			start = startOfDay(y, m, d+i, loc)
		case BucketWeek:
			start = startOfDay(y, m, d+7*i, loc)
		case BucketMonth:
			start = startOfDay(y, m+time.Month(i), d, loc)
		}
		bounds = append(bounds, start)
		if start.After(to) {
			return bounds, true
		}
		if i >= limit {
			return nil, false
		}
	}
}

// startOfDay returns the first instant of the local date y-m-d in loc
// (out-of-range months and days normalized, as by time.Date), which is not
// midnight when the clocks skip or repeat midnight.
func startOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Day() != d {
		// Midnight was skipped and time.Date went back to the day before:
		// the day starts when the clocks jumped.
		_, end := t.ZoneBounds()
		return end
	}
	if zoneStart, _ := t.ZoneBounds(); !zoneStart.IsZero() {
		// If the clocks were set back across midnight just before t, the
		// day started at the earlier midnight, in the zone's previous offset.
		before := zoneStart.Add(-time.Nanosecond).In(loc)
		if by, bm, bd := before.Date(); by == y && bm == m && bd == d {
			_, offset := before.Zone()
			return time.Date(y, m, d, 0, 0, 0, 0, time.FixedZone("", offset))
		}
	}
	return t
}
