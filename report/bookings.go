package report

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"slices"
	"time"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
)

// BookingsInput selects the bookings of a report. From and To bound
// scheduled_for, or created_at for queue bookings, both required and
// included; empty lists filter nothing. Validate states the rules.
type BookingsInput struct {
	From, To      time.Time
	SchoolIDs     []gid.SchoolID
	GroupIDs      []gid.GroupID
	DisciplineIDs []gid.DisciplineID
	TeacherIDs    []gid.UserID
	Statuses      []BookingStatus

	// After and Limit page through the report, as in QuestionsInput.
	After *Key
	Limit int
}

// BookingRow is one booking of the bookings report.
type BookingRow struct {
	ID                   gid.BookingID
	SchoolID             gid.SchoolID
	SchoolName           string
	Location             *time.Location // the school's time zone
	CreatedAt            time.Time
	ScheduledFor         *time.Time
	MeetingStartedAt     *time.Time
	MeetingEndedAt       *time.Time
	StudentID            gid.UserID
	StudentExternalID    string
	StudentFirstName     string
	StudentLastName      string
	StudentEmail         string
	TeacherID            *gid.UserID
	TeacherFirstName     string
	TeacherLastName      string
	TeacherEmail         string
	GroupID              gid.GroupID
	GroupName            string
	DisciplineID         gid.DisciplineID
	DisciplineName       string
	BookingRoomID        *gid.BookingRoomID
	BookingRoomName      string
	BookingRoomModal     bookingroom.Modal // "" without a room
	RatingByStudent      *float64
	RatingByTeacher      *float64
	CallQualityByStudent *float64
	CallQualityByTeacher *float64
	Status               BookingStatus
	CancelledAt          *time.Time
	CancelledByID        *gid.UserID
	CancelledByName      string
}

// Key is the row's position in the report's order: scheduled_for, or
// created_at for a booking from the queue, then id.
func (r *BookingRow) Key() Key {
	if r.ScheduledFor != nil {
		return Key{Time: *r.ScheduledFor, ID: r.ID.String()}
	}
	return Key{Time: r.CreatedAt, ID: r.ID.String()}
}

// Duration returns the minutes the meeting lasted, if it started and
// ended, counted from the minute it started to the minute it ended: the
// difference of the start and end the legacy report shows, which drop
// the seconds. 08:34:50 to 09:32:10 is 58 (08:34 to 09:32), where whole
// elapsed minutes would say 57 next to those two times. (Truncating the
// instant equals dropping the local seconds in every zone whose offset is
// whole minutes, as all have been since the 1970s.)
func (r *BookingRow) Duration() (int, bool) {
	if r.MeetingStartedAt == nil || r.MeetingEndedAt == nil {
		return 0, false
	}
	return int(r.MeetingEndedAt.Truncate(time.Minute).Sub(r.MeetingStartedAt.Truncate(time.Minute)) / time.Minute), true
}

// bookingStatusSQL derives a booking's status at now (its one argument,
// which writeBookingStatus gives it), first rule that matches:
//  1. cancelled by the student: inside the schedule when cancelled at
//     least the school's min_cancel_hours before scheduled_for, else
//     outside; cancelled by anyone else: cancelled;
//  2. the meeting started: present;
//  3. a queue booking (no scheduled_for): left the queue; still waiting
//     and queued today in the school's time: in the queue; else not
//     realized;
//  4. scheduled_for passed: no-show; else pending.
//
// "Today" comes from the today table (school_id, day_start, day_end),
// computed in Go because SQLite knows no time zones.
func bookingStatusSQL(dialectName string) string {
	inside := `b.cancelled_at <= b.scheduled_for - s.min_cancel_hours * INTERVAL '1 hour'`
	if dialectName != dialect.Postgres {
		// Whole milliseconds, so that a cancellation exactly at the limit is inside.
		inside = `ROUND((unixepoch(b.scheduled_for, 'subsec') - unixepoch(b.cancelled_at, 'subsec')) * 1000)
			>= s.min_cancel_hours * 3600000`
	}
	return `CASE
	WHEN b.cancelled_at IS NOT NULL AND b.cancelled_by_id = b.student_id THEN
		CASE WHEN b.scheduled_for IS NOT NULL AND ` + inside + `
		THEN 'INSIDE_SCHEDULE_CANCEL' ELSE 'OUTSIDE_SCHEDULE_CANCEL' END
	WHEN b.cancelled_at IS NOT NULL THEN 'CANCELLED'
	WHEN b.meeting_started_at IS NOT NULL THEN 'PRESENT'
	WHEN b.scheduled_for IS NULL THEN CASE
		WHEN b.left_queue_at IS NOT NULL THEN 'LEFT_QUEUE'
		WHEN b.queued_at >= today.day_start AND b.queued_at < today.day_end THEN 'QUEUE'
		ELSE 'NOT_REALIZED' END
	WHEN b.scheduled_for < ? THEN 'NO_SHOW'
	ELSE 'PENDING' END`
}

// writeBookingStatus writes the expression of a booking's status at now;
// it needs the today table and bookingsFrom.
func writeBookingStatus(q *query, now time.Time) {
	q.add(bookingStatusSQL(q.dialect), now)
}

// bookingSelection is what a bookings query covers, resolved from the
// input and the token's scope.
type bookingSelection struct {
	scope schoolScope
	zones map[gid.SchoolID]*time.Location
}

// selectBookings validates the input and resolves what it covers; every
// bookings query starts with it.
func selectBookings(ctx context.Context, d *db.DB, p *auth.Principal, in BookingsInput) (bookingSelection, error) {
	if err := in.prepare(); err != nil {
		return bookingSelection{}, err
	}
	scope, err := resolveSchools(ctx, d, p, in.SchoolIDs)
	if err != nil {
		return bookingSelection{}, err
	}
	if err := checkGroups(ctx, d, p, in.GroupIDs); err != nil {
		return bookingSelection{}, err
	}
	zones, err := schoolZones(ctx, d, p, scope)
	if err != nil {
		return bookingSelection{}, err
	}
	return bookingSelection{scope: scope, zones: zones}, nil
}

// bookingsFrom is the FROM clause the status expression needs.
const bookingsFrom = ` FROM bookings b
	JOIN schools s ON s.id = b.school_id
	LEFT JOIN today ON today.school_id = b.school_id `

// filterBookings writes the WHERE clause of the input's bookings.
func filterBookings(q *query, sel bookingSelection, in BookingsInput, now time.Time) {
	q.add(` WHERE ((b.scheduled_for >= ? AND b.scheduled_for <= ?)
		OR (b.scheduled_for IS NULL AND b.created_at >= ? AND b.created_at <= ?))`, in.From, in.To, in.From, in.To)
	if !sel.scope.all {
		q.add(" AND ")
		inList(q, "b.school_id", sel.scope.schools)
	}
	if sel.scope.groups != nil {
		q.add(" AND ")
		inList(q, "b.group_id", sel.scope.groups)
	}
	andIn(q, "b.group_id", in.GroupIDs)
	andIn(q, "b.discipline_id", in.DisciplineIDs)
	andIn(q, "b.teacher_id", in.TeacherIDs)
	if len(in.Statuses) > 0 {
		q.add(" AND (")
		writeBookingStatus(q, now)
		q.add(")")
		inValues(q, in.Statuses)
	}
}

// CountBookings returns how many rows Bookings would yield without a page.
func CountBookings(ctx context.Context, d *db.DB, p *auth.Principal, in BookingsInput, now time.Time) (int, error) {
	sel, err := selectBookings(ctx, d, p, in)
	if err != nil {
		return 0, err
	}
	q := newQuery(d.Dialect)
	writeToday(q, sel.zones, now)
	q.add(`SELECT COUNT(*)` + bookingsFrom)
	filterBookings(q, sel, in, now)
	var n int
	if err := d.SQL.QueryRowContext(ctx, q.String(), q.args...).Scan(&n); err != nil {
		return 0, dbError(err)
	}
	return n, nil
}

// Bookings returns the bookings of the input's period in the schools (and
// groups) it selects and p may see, in the order they were scheduled for,
// with their statuses at now.
func Bookings(ctx context.Context, d *db.DB, p *auth.Principal, in BookingsInput, now time.Time) (iter.Seq2[BookingRow, error], error) {
	sel, err := selectBookings(ctx, d, p, in)
	if err != nil {
		return nil, err
	}
	zones := sel.zones
	q := newQuery(d.Dialect)
	writeToday(q, zones, now)
	q.add(`SELECT b.id, s.id, s.name, b.created_at, b.scheduled_for, b.meeting_started_at, b.meeting_ended_at,
		st.id, st.external_id, st.first_name, st.last_name, st.email,
		t.id, t.first_name, t.last_name, t.email, g.id, g.name, d.id, d.name, r.id, r.name, r.modal,
		b.rating_by_student, b.rating_by_teacher, b.call_quality_rating_by_student, b.call_quality_rating_by_teacher, `)
	writeBookingStatus(q, now)
	q.add(`, b.cancelled_at, cb.id, cb.first_name, cb.last_name` + bookingsFrom + `
	JOIN groups g ON g.id = b.group_id
	JOIN users st ON st.id = b.student_id
	LEFT JOIN users t ON t.id = b.teacher_id
	JOIN disciplines d ON d.id = b.discipline_id
	LEFT JOIN booking_rooms r ON r.id = b.booking_room_id
	LEFT JOIN users cb ON cb.id = b.cancelled_by_id`)
	filterBookings(q, sel, in, now)
	if in.After != nil {
		q.add(` AND (COALESCE(b.scheduled_for, b.created_at) > ?
			OR (COALESCE(b.scheduled_for, b.created_at) = ? AND b.id > ?))`, in.After.Time, in.After.Time, in.After.ID)
	}
	q.add(` ORDER BY COALESCE(b.scheduled_for, b.created_at), b.id`)
	if in.Limit > 0 {
		q.add(` LIMIT ?`, in.Limit)
	}
	return rows(ctx, d, q, func(rs rowScanner) (BookingRow, error) {
		var (
			r                                      BookingRow
			tFirst, tLast, tEmail, roomName, modal sql.NullString
			cbFirst, cbLast                        sql.NullString
			status                                 string
		)
		err := rs.Scan(&r.ID, &r.SchoolID, &r.SchoolName, &r.CreatedAt, &r.ScheduledFor,
			&r.MeetingStartedAt, &r.MeetingEndedAt,
			&r.StudentID, &r.StudentExternalID, &r.StudentFirstName, &r.StudentLastName, &r.StudentEmail,
			&r.TeacherID, &tFirst, &tLast, &tEmail, &r.GroupID, &r.GroupName,
			&r.DisciplineID, &r.DisciplineName, &r.BookingRoomID, &roomName, &modal,
			&r.RatingByStudent, &r.RatingByTeacher, &r.CallQualityByStudent, &r.CallQualityByTeacher,
			&status, &r.CancelledAt, &r.CancelledByID, &cbFirst, &cbLast)
		if err != nil {
			return r, err
		}
		r.Location = zones[r.SchoolID]
		if r.Location == nil {
			r.Location = time.UTC
		}
		r.TeacherFirstName, r.TeacherLastName, r.TeacherEmail = tFirst.String, tLast.String, tEmail.String
		r.BookingRoomName, r.BookingRoomModal = roomName.String, bookingroom.Modal(modal.String)
		r.CancelledByName = fullName(cbFirst.String, cbLast.String)
		r.Status = BookingStatus(status)
		return r, nil
	}), nil
}

// schoolZones returns the time zones of the schools of the scope.
func schoolZones(ctx context.Context, d *db.DB, p *auth.Principal, scope schoolScope) (map[gid.SchoolID]*time.Location, error) {
	sq := d.Client.School.Query()
	if !scope.all {
		sq.Where(school.IDIn(scope.schools...))
	}
	schools, err := sq.Select(school.FieldTimezone).All(auth.NewContext(ctx, p))
	if err != nil {
		return nil, dbError(err)
	}
	zones := make(map[gid.SchoolID]*time.Location, len(schools))
	for _, s := range schools {
		loc, err := time.LoadLocation(s.Timezone)
		if err != nil {
			return nil, fmt.Errorf("school %s: time zone %q: %w", s.ID, s.Timezone, err)
		}
		zones[s.ID] = loc
	}
	return zones, nil
}

// writeToday starts q with the table of each school's current local day:
// WITH today(school_id, day_start, day_end) AS (VALUES …).
func writeToday(q *query, zones map[gid.SchoolID]*time.Location, now time.Time) {
	uuidType, timeType := "TEXT", "TEXT"
	if q.dialect == dialect.Postgres {
		uuidType, timeType = "uuid", "timestamptz"
	}
	row := "(CAST(? AS " + uuidType + "), CAST(? AS " + timeType + "), CAST(? AS " + timeType + "))"
	if len(zones) == 0 {
		q.add("WITH today(school_id, day_start, day_end) AS (SELECT CAST(NULL AS " + uuidType + "), CAST(NULL AS " +
			timeType + "), CAST(NULL AS " + timeType + ") WHERE 1 = 0) ")
		return
	}
	ids := make([]gid.SchoolID, 0, len(zones))
	for id := range zones {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compareSchools)
	q.add("WITH today(school_id, day_start, day_end) AS (VALUES ")
	for i, id := range ids {
		y, m, dd := now.In(zones[id]).Date()
		start := time.Date(y, m, dd, 0, 0, 0, 0, zones[id])
		end := time.Date(y, m, dd+1, 0, 0, 0, 0, zones[id])
		if i > 0 {
			q.add(", ")
		}
		q.add(row, id, start.UTC(), end.UTC())
	}
	q.add(") ")
}

// fullName joins a first and a last name.
func fullName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}
