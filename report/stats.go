package report

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// The stats are the reports' rows aggregated by the database: one GROUP BY
// query over the same rows the reports yield (the same scope and filters),
// grouped by the requested dimensions and, optionally, by a time bucket in
// a time zone. The zones' rules are applied in Go and passed to the query
// as a few pieces of the period (see timeBuckets); SQLite's
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
// cover the period, counted once per time zone involved. It bounds the
// answer, and the work in Go that prepares the query; the query itself
// does not grow with the buckets.
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
	// OmitPercentiles leaves P50ResponseMinutes and P90ResponseMinutes
	// nil: they are the costly figures (each sorts its group's rows), so
	// a caller that shows neither should not pay for them.
	OmitPercentiles bool
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
	// (each as BookingRow.Duration counts it), over the bookings whose
	// meeting started and ended.
	MinutesHeld int
}

// statsColumn is a column of a stats query's inner table x that a
// dimension groups by.
type statsColumn struct {
	name string
	text bool // ordered as text, in db.TextCollation
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
	q := newQuery(d.Dialect).add(`WITH ` + statsCTE + ` AS MATERIALIZED (SELECT `)
	writeDimensions(q, cols, tb)
	p50, p90 := percentileSQL(d.Dialect, "x.response_minutes", 0.5), percentileSQL(d.Dialect, "x.response_minutes", 0.9)
	if opts.OmitPercentiles {
		p50, p90 = "CAST(NULL AS DOUBLE PRECISION)", "CAST(NULL AS DOUBLE PRECISION)"
	}
	q.add(`COUNT(*), COUNT(x.answered_at),
		AVG(x.response_minutes), ` + p50 + `, ` + p90 + `, AVG(x.adjusted_response_minutes),
		AVG(CAST(x.answer_rating AS DOUBLE PRECISION)),
		CAST(AVG(CASE WHEN x.answer_understood THEN 1.0 WHEN NOT x.answer_understood THEN 0.0 END) AS DOUBLE PRECISION)`)
	writeRows(q, tb, func() {
		// Every question has its group: the LEFT JOIN gives the rows a JOIN
		// would, and the databases drop it when no school is asked for.
		q.add(`SELECT g.school_id AS school_id, q.group_id AS group_id, q.discipline_id AS discipline_id,
			q.subject_id AS subject_id, q.teacher_id AS teacher_id, `+questionStatusSQL+` AS status,
			q.created_at AS ts, q.answered_at AS answered_at, q.response_minutes AS response_minutes,
			q.adjusted_response_minutes AS adjusted_response_minutes, q.answer_rating AS answer_rating,
			q.answer_understood AS answer_understood
		FROM questions q
		LEFT JOIN groups g ON g.id = q.group_id
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
		var bucket any
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
	// A meeting's minutes as BookingRow.Duration counts them: between its
	// start and end truncated to the minute (in UTC, which truncates as
	// any zone of whole-minute offset does).
	minutes := `(unixepoch(strftime('%Y-%m-%d %H:%M', b.meeting_ended_at)) -
		unixepoch(strftime('%Y-%m-%d %H:%M', b.meeting_started_at))) / 60`
	if d.Dialect == dialect.Postgres {
		minutes = `CAST(EXTRACT(EPOCH FROM date_trunc('minute', b.meeting_ended_at AT TIME ZONE 'UTC')
			- date_trunc('minute', b.meeting_started_at AT TIME ZONE 'UTC')) / 60 AS BIGINT)`
	}
	q := newQuery(d.Dialect)
	writeToday(q, sel.zones, now)
	q.add(`, ` + statsCTE + ` AS MATERIALIZED (SELECT `)
	writeDimensions(q, cols, tb)
	q.add(`COUNT(*)`)
	for _, s := range BookingStatuses {
		q.add(`, COUNT(CASE WHEN x.status = '` + string(s) + `' THEN 1 END)`)
	}
	q.add(`, COUNT(x.passed), COUNT(CASE WHEN x.status = 'PRESENT' THEN x.passed END),
		AVG(x.rating_by_student), AVG(x.rating_by_teacher), CAST(COALESCE(SUM(x.minutes), 0) AS BIGINT)`)
	writeRows(q, tb, func() {
		q.add(`SELECT b.school_id AS school_id, b.group_id AS group_id, b.discipline_id AS discipline_id,
			b.teacher_id AS teacher_id, b.booking_room_id AS room_id, r.modal AS modal, `)
		writeBookingStatus(q, now)
		q.add(` AS status,
			COALESCE(b.scheduled_for, b.created_at) AS ts, CASE WHEN b.scheduled_for < ? THEN 1 END AS passed,
			b.rating_by_student AS rating_by_student, b.rating_by_teacher AS rating_by_teacher,
			`+minutes+` AS minutes`+bookingsFrom+`
		LEFT JOIN booking_rooms r ON r.id = b.booking_room_id`, now)
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
			bucket                any
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

// statsCTE names the groups of a stats query, which is written as
//
//	WITH stats AS MATERIALIZED (SELECT dimensions, bucket, figures FROM x GROUP BY …)
//	SELECT * FROM stats ORDER BY …
//
// so that PostgreSQL orders the groups, not the rows. It cannot estimate
// how many groups a key computed from created_at makes (a time bucket),
// and guesses one per row: asked for groups in the order of their keys,
// it sorts every row to aggregate them in order, in parallel, spilling to
// disk, where hashing them would have kept a few hundred groups in memory.
// The daily stats of a year of a million questions took 2.4 s of CPU in
// three processes that way, against 0.8 s in one with the groups hashed
// first (the materialized CTE is planned on its own, without the order).
const statsCTE = "stats"

// writeDimensions writes the grouped columns of a stats query's SELECT
// list, each followed by a comma: the dimensions' columns of x, then the
// bucket's key, named as in x.
func writeDimensions(q *query, cols []statsColumn, tb *timeBuckets) {
	for _, c := range cols {
		q.add("x." + c.name + " AS " + c.name + ", ")
	}
	if tb != nil {
		q.add("x.bucket AS bucket, ")
	}
}

// writeRows writes the FROM clause of a stats query: x, the rows of the
// report, which inner writes as a SELECT with a column ts (the row's time)
// and school_id, and, with time buckets, the key of each row's bucket (its
// start) as x.bucket.
func writeRows(q *query, tb *timeBuckets, inner func()) {
	if tb == nil {
		q.add(" FROM (")
		inner()
		q.add(") x")
		return
	}
	q.add(" FROM (SELECT y.*, ")
	if tb.joinsZones(q.dialect) {
		tb.writeJoinedKey(q, "y.ts")
		q.add(" AS bucket FROM (")
		inner()
		q.add(") y")
		tb.writeZoneJoin(q, "y.ts", "y.school_id")
		q.add(") x")
		return
	}
	tb.writeBucket(q, "y.ts", "y.school_id")
	q.add(" AS bucket FROM (")
	inner()
	q.add(") y) x")
}

// writeGrouping writes the GROUP BY clause of a stats query and closes
// its statsCTE, whose groups it then selects in order. The order is the
// same on both databases: ids ascending (UUIDs compare as their text),
// text (statuses, modals) in db.TextCollation, nil last, then the buckets
// in the order of their starts.
func writeGrouping(q *query, cols []statsColumn, tb *timeBuckets) {
	var group, order []string
	for _, c := range cols {
		group = append(group, "x."+c.name)
		if c.text {
			order = append(order, byText(q.dialect, statsCTE+"."+c.name)+" NULLS LAST")
		} else {
			order = append(order, statsCTE+"."+c.name+" NULLS LAST")
		}
	}
	if tb != nil {
		group = append(group, "x.bucket")
		order = append(order, statsCTE+".bucket")
	}
	if len(group) > 0 {
		q.add(" GROUP BY " + strings.Join(group, ", "))
	}
	q.add(") SELECT * FROM " + statsCTE)
	if len(order) > 0 {
		q.add(" ORDER BY " + strings.Join(order, ", "))
	}
}

// timeBuckets are the time buckets of a stats query. A row falls in the
// bucket of its local date in the zone, and the bucket's key is the first
// instant of that local day, week or month (startOfDay), so that the
// buckets of different zones that start at the same instant are one.
// (Where the clocks go back across midnight, as in Moncton until 2006, the
// day's last hour comes again after the next day has begun: its rows, by
// their local date, fall in the earlier day.)
//
// The databases are not asked about time zones: SQLite knows none, and
// PostgreSQL reads a local midnight that the clocks repeat as the later
// one, where the day starts at the first (Havana on 2 November 2025,
// Amman on 29 October 2021). The zone's rules are applied here, as a few
// pieces of the period: in each piece the zone's UTC offset is constant,
// and so is the shift between a bucket's local midnight and its first
// instant. The SQL finds a row's piece by binary search over the pieces'
// starts, truncates the row's local time (its time plus the piece's
// offset) to its bucket's local midnight and subtracts the piece's shift
// (on PostgreSQL, for schools in several zones, a join finds the piece:
// see joinsZones).
// There are about two pieces per change of the clocks, whatever the
// number of buckets, so a row costs a few comparisons and one truncation.
// (A search among the buckets' boundaries, the way before, made a query
// that grew with the buckets: PostgreSQL took some 20 s for ten years of
// days over 100,000 questions, nearly all of it compiling the query's
// expressions (JIT), and SQLite's compiling grew with their square.)
type timeBuckets struct {
	kind      TimeBucket
	perSchool bool // the zones are the schools' (Location nil)
	zones     []zoneBuckets
}

// zoneBuckets are the buckets of one time zone, as pieces of the period.
type zoneBuckets struct {
	schools []gid.SchoolID // those in the zone, when the zones are the schools'
	pieces  []bucketPiece
}

// bucketPiece is a part of the period, from its first second up to the
// next piece's, in which a row's local time is its UTC time plus offset,
// and the first instant of the row's bucket is the bucket's local
// midnight, read as UTC, minus shift. All are in seconds: the zones'
// rules change on whole seconds.
type bucketPiece struct {
	from          int64 // Unix time
	offset, shift int64
}

// newTimeBuckets computes the buckets of opts.TimeBucket over [from, to]
// in opts.Location, or else in the zone of each school of zones.
func newTimeBuckets(opts StatsOptions, zones map[gid.SchoolID]*time.Location, from, to time.Time) (*timeBuckets, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	tb := &timeBuckets{kind: opts.TimeBucket}
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
		n += max(len(bounds)-1, 0)
		tb.zones[i].pieces = bucketPieces(opts.TimeBucket, loc, from, to)
	}
	return tb, nil
}

// bucketPieces returns the pieces of [from, to] in loc for buckets of kind
// tb: a piece starts wherever the zone's offset changes, or the shift of
// the bucket that the local time falls in.
func bucketPieces(tb TimeBucket, loc *time.Location, from, to time.Time) []bucketPiece {
	var pieces []bucketPiece
	end := to.Unix() + 1 // the period's seconds are from.Unix() to to.Unix()
	for at := from.Unix(); at < end; {
		local := time.Unix(at, 0).In(loc)
		_, offset := local.Zone()
		zoneEnd := end // the offset holds up to there
		if _, e := local.ZoneBounds(); !e.IsZero() && e.Unix() > at && e.Unix() < end {
			zoneEnd = e.Unix()
		}
		// While the offset holds, the local time goes only forward: the
		// bucket of at's local date lasts until the next bucket's midnight.
		for at < zoneEnd {
			first := bucketDay(tb, time.Unix(at+int64(offset), 0).UTC())
			y, m, d := first.Date()
			p := bucketPiece{from: at, offset: int64(offset), shift: first.Unix() - startOfDay(y, m, d, loc).Unix()}
			if n := len(pieces); n == 0 || pieces[n-1].offset != p.offset || pieces[n-1].shift != p.shift {
				pieces = append(pieces, p)
			}
			at = min(nextBucketDay(tb, first).Unix()-p.offset, zoneEnd)
		}
	}
	return pieces
}

// bucketDay returns the first day of the bucket of kind tb that holds the
// date of t (in t's location), as midnight UTC.
func bucketDay(tb TimeBucket, t time.Time) time.Time {
	y, m, d := t.Date()
	switch tb {
	case BucketWeek:
		d -= (int(t.Weekday()) + 6) % 7 // back to Monday
	case BucketMonth:
		d = 1
	}
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// nextBucketDay returns the first day of the bucket of kind tb after the
// one that starts on the day first (midnight UTC).
func nextBucketDay(tb TimeBucket, first time.Time) time.Time {
	switch tb {
	case BucketWeek:
		return first.AddDate(0, 0, 7)
	case BucketMonth:
		return first.AddDate(0, 1, 0)
	}
	return first.AddDate(0, 0, 1)
}

// start returns the start, in UTC, of the bucket of a key: Unix seconds on
// SQLite, a timestamp of the UTC time on PostgreSQL. A row of a school
// whose zone the buckets miss, which the scope excludes, would have none.
func (tb *timeBuckets) start(key any) (*time.Time, error) {
	var t time.Time
	switch k := key.(type) {
	case int64:
		t = time.Unix(k, 0).UTC()
	case time.Time:
		t = k.UTC()
	default:
		return nil, fmt.Errorf("report: stats: a row outside the time buckets (%v)", key)
	}
	return &t, nil
}

func compareSchools(a, b gid.SchoolID) int { return slices.Compare(a[:], b[:]) }

// writeBucket writes the expression of the key of the bucket of the time
// ts of a row of school school (NULL for a school of no zone, which the
// scope excludes).
func (tb *timeBuckets) writeBucket(q *query, ts, school string) {
	if !tb.perSchool || len(tb.zones) == 1 {
		tb.zones[0].writeTree(q, tb.kind, ts)
		return
	}
	if len(tb.zones) == 0 {
		q.add(nullKey(q.dialect))
		return
	}
	q.add("CASE")
	for _, z := range tb.zones {
		q.add(" WHEN " + school)
		inValues(q, z.schools)
		q.add(" THEN ")
		z.writeTree(q, tb.kind, ts)
	}
	q.add(" END")
}

// joinsZones reports whether the key of a row's bucket is computed from
// the piece of its school's zone that a join finds (writeZoneJoin), rather
// than by writeBucket's CASE over the zones: on PostgreSQL, for the schools'
// zones when there are several. The CASE compares each row's school with
// each zone's schools, and over a million rows in ten zones it cost a
// third more than the whole of a GROUP BY in the schools' zones by name;
// the join, hashed on the school, costs less than that GROUP BY.
func (tb *timeBuckets) joinsZones(dialectName string) bool {
	return dialectName == dialect.Postgres && tb.perSchool && len(tb.zones) > 1
}

// writeJoinedKey writes the key of the bucket of ts on PostgreSQL from the
// piece that writeZoneJoin joined to its row, as writePostgresKey does for
// a zone of one piece.
func (tb *timeBuckets) writeJoinedKey(q *query, ts string) {
	q.add("(date_trunc('" + strings.ToLower(string(tb.kind)) + "', " + ts + " AT TIME ZONE zp.utc_offset) - zp.shift)")
}

// writeZoneJoin writes a LEFT JOIN, on PostgreSQL, of the rows to the
// pieces of their school's zone, as the table zp: each school's zone (zs),
// and each zone's pieces, from lo (included) to hi (excluded), with their
// utc_offset and shift. A zone's first piece reaches back to -infinity and
// its last on to infinity, as in writeTree. The tables are arrays, so the
// statement is the same for any number of schools and pieces (and one
// prepared statement serves them all). A row of a school of no zone, which
// the scope excludes, joins none: its key is NULL.
func (tb *timeBuckets) writeZoneJoin(q *query, ts, school string) {
	var (
		schools         []gid.SchoolID
		schoolZones     []int32
		zones           []int32
		los, his        []pgtype.Timestamptz
		offsets, shifts []time.Duration
	)
	bound := func(unix int64) pgtype.Timestamptz {
		return pgtype.Timestamptz{Time: time.Unix(unix, 0).UTC(), Valid: true}
	}
	for i, z := range tb.zones {
		for _, s := range z.schools {
			schools, schoolZones = append(schools, s), append(schoolZones, int32(i))
		}
		for j, p := range z.pieces {
			lo := pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
			if j > 0 {
				lo = bound(p.from)
			}
			hi := pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
			if j+1 < len(z.pieces) {
				hi = bound(z.pieces[j+1].from)
			}
			zones, los, his = append(zones, int32(i)), append(los, lo), append(his, hi)
			offsets, shifts = append(offsets, seconds(p.offset)), append(shifts, seconds(p.shift))
		}
	}
	q.add(" LEFT JOIN (unnest(CAST(? AS uuid[]), CAST(? AS integer[])) AS zs(school_id, zone)"+
		" JOIN unnest(CAST(? AS integer[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]),"+
		" CAST(? AS interval[]), CAST(? AS interval[])) AS zp(zone, lo, hi, utc_offset, shift) ON zp.zone = zs.zone)"+
		" ON zs.school_id = "+school+" AND "+ts+" >= zp.lo AND "+ts+" < zp.hi",
		schools, schoolZones, zones, los, his, offsets, shifts)
}

func nullKey(dialectName string) string {
	if dialectName == dialect.Postgres {
		return "CAST(NULL AS timestamp)"
	}
	return "CAST(NULL AS INTEGER)"
}

// writeTree writes the expression of the key of the zone's bucket of kind
// tb that holds ts: a search among the pieces, which cover the period, so
// that the first holds any time before the second's start and the last
// any time after its own.
func (z *zoneBuckets) writeTree(q *query, tb TimeBucket, ts string) {
	switch {
	case len(z.pieces) == 0:
		q.add(nullKey(q.dialect))
	case q.dialect == dialect.Postgres:
		z.writePostgresKey(q, tb, ts)
	default:
		z.writeSubtree(q, tb, ts, 0, len(z.pieces))
	}
}

// writePostgresKey writes the key on PostgreSQL: the bucket's first
// instant, as a timestamp of its UTC time. The pieces are arrays there,
// in which width_bucket finds the row's by binary search: the query is
// the same whatever the period, and the planner, which costs a CASE by
// all its branches, does not overestimate it (and pick a parallel plan
// that was slower here).
func (z *zoneBuckets) writePostgresKey(q *query, tb TimeBucket, ts string) {
	// AT TIME ZONE an interval adds it (east is positive): no zone rules,
	// no ambiguous local times.
	local := "date_trunc('" + strings.ToLower(string(tb)) + "', " + ts + " AT TIME ZONE "
	if len(z.pieces) == 1 {
		p := z.pieces[0]
		q.add("("+local+"CAST(? AS interval)) - CAST(? AS interval))", seconds(p.offset), seconds(p.shift))
		return
	}
	starts := make([]time.Time, 0, len(z.pieces)-1)
	offsets := make([]time.Duration, 0, len(z.pieces))
	shifts := make([]time.Duration, 0, len(z.pieces))
	for i, p := range z.pieces {
		if i > 0 {
			starts = append(starts, time.Unix(p.from, 0).UTC())
		}
		offsets, shifts = append(offsets, seconds(p.offset)), append(shifts, seconds(p.shift))
	}
	piece := "[width_bucket(" + ts + ", CAST(? AS timestamptz[])) + 1]"
	q.add("("+local+"(CAST(? AS interval[]))"+piece+") - (CAST(? AS interval[]))"+piece+")",
		offsets, starts, shifts, starts)
}

func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }

// writeSubtree writes the key on SQLite, for ts in one of the pieces lo to
// hi - 1: a balanced tree of CASE expressions over the pieces' starts.
func (z *zoneBuckets) writeSubtree(q *query, tb TimeBucket, ts string, lo, hi int) {
	if hi-lo == 1 {
		writeSQLiteKey(q, tb, ts, z.pieces[lo])
		return
	}
	mid := (lo + hi) / 2
	q.add("CASE WHEN "+ts+" < ? THEN ", time.Unix(z.pieces[mid].from, 0).UTC())
	z.writeSubtree(q, tb, ts, lo, mid)
	q.add(" ELSE ")
	z.writeSubtree(q, tb, ts, mid, hi)
	q.add(" END")
}

// writeSQLiteKey writes the key on SQLite of the bucket of kind tb of the
// time ts, which piece p holds: the bucket's first instant in Unix
// seconds.
func writeSQLiteKey(q *query, tb TimeBucket, ts string, p bucketPiece) {
	// SQLite stores times as text in UTC. Their whole seconds, without the
	// fraction, which unixepoch would round to the millisecond (and so
	// 23:59:59.9999 up to the next day).
	secs := "unixepoch(substr(" + ts + ", 1, 19))"
	if tb == BucketMonth {
		q.add("(unixepoch("+secs+" + ?, 'unixepoch', 'start of month') - ?)", p.offset, p.shift)
		return
	}
	// A day or a week is a whole number of days, or of weeks, after a
	// local Monday midnight at or before the piece, the numbers all
	// positive so that the division truncates down.
	length := "86400"
	if tb == BucketWeek {
		length = "604800"
	}
	monday := bucketDay(BucketWeek, time.Unix(p.from+p.offset, 0).UTC()).Unix()
	q.add("(("+secs+" + ?) / "+length+" * "+length+" + ?)", p.offset-monday, monday-p.shift)
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
	y, m, d := bucketDay(tb, from.In(loc)).Date()
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
