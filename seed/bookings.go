package seed

import (
	"slices"
	"time"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// The number of bookings attempted (a few are dropped when no student of
// the group fits the dates) and how far ahead sessions are booked.
const (
	scheduledBookings = 720
	pastQueueBookings = 130
	bookingHorizon    = 28 * day
)

// leadTimes are how long before the session a booking is made, in minutes.
var leadTimes = []struct{ lo, hi, weight int }{
	{60, 360, 15}, {360, 1440, 25}, {1440, 4320, 35}, {4320, 20160, 25},
}

// The fates of a queue booking.
const (
	served = iota
	leftQueue
	waiting
)

// bookSessions creates the bookings: sessions scheduled in the teachers'
// slots, past queue bookings, today's queue of each school, and a few
// cancellations exactly at the min_cancel_hours boundary.
func (g *generator) bookSessions() {
	for range scheduledBookings {
		g.scheduledBooking()
	}
	for range pastQueueBookings {
		gr := one(g, g.groups)
		queued := g.pastQueueTime(gr.school)
		g.queueBooking(gr, queued, g.pick([]int{60, 25, 15}))
	}
	for _, s := range g.schools {
		g.todaysQueue(s)
	}
	for _, s := range g.schools {
		g.boundaryCancellations(s)
	}
}

// scheduledBooking books a session in a random slot of the schedule and
// plays out what happened to it.
func (g *generator) scheduledBooking() {
	sl := one(g, g.schedule)
	s := sl.room.school
	gr := one(g, teacherGroups(sl.teacher, s))
	when := g.slotTime(sl)
	created := when.Add(-g.leadTime())
	if !created.Before(g.now) {
		created = g.now.Add(-g.minutes(1, 72*60))
	}
	created = created.Add(g.millis())
	until := earlier(when, g.now)
	p := g.bookingStudent(gr, created, until)
	if p == nil || !sl.teacher.activeAt(created) || !sl.teacher.activeAt(when) {
		return
	}
	b := &ent.Booking{
		ID:            gid.BookingID(g.uuid()),
		SchoolID:      s.id,
		GroupID:       gr.id,
		StudentID:     p.id,
		TeacherID:     &sl.teacher.id,
		DisciplineID:  sl.discipline,
		BookingRoomID: &sl.room.id,
		CreatedAt:     created,
		ScheduledFor:  &when,
	}
	g.scheduledOutcome(b, s, p, sl.teacher)
	g.bookings = append(g.bookings, b)
}

// teacherGroups returns t's groups in school s.
func teacherGroups(t *person, s *school) []*group {
	var out []*group
	for _, gr := range t.groups {
		if gr.school == s && slices.Contains(gr.teachers, t) {
			out = append(out, gr)
		}
	}
	return out
}

// slotTime returns a session start within slot sl on one of its weekdays
// between the start of the demo year and the booking horizon, on a
// 30-minute grid, less often in school holidays.
func (g *generator) slotTime(sl *slot) time.Time {
	first := localDate(g.from, sl.room.school.loc)
	for first.Weekday() != sl.weekday {
		first = first.AddDate(0, 0, 1)
	}
	weeks := int(g.now.Add(bookingHorizon).Sub(first) / (7 * day))
	for {
		d := first.AddDate(0, 0, 7*g.rng.IntN(weeks+1))
		if g.rng.IntN(11) < monthWeights[d.Month()] {
			return at(d, sl.start+30*g.rng.IntN((sl.end-sl.start)/30))
		}
	}
}

func (g *generator) leadTime() time.Duration {
	weights := make([]int, len(leadTimes))
	for i, l := range leadTimes {
		weights[i] = l.weight
	}
	l := leadTimes[g.pick(weights)]
	return g.minutes(l.lo, l.hi)
}

// bookingStudent draws a student of gr active from from to until, or nil.
func (g *generator) bookingStudent(gr *group, from, until time.Time) *person {
	for range 5 {
		if p := one(g, gr.students); p.activeAt(from) && p.activeAt(until) {
			return p
		}
	}
	return nil
}

// scheduledOutcome decides what became of a scheduled session: held, missed
// or cancelled if it is past; pending or cancelled if it is ahead.
func (g *generator) scheduledOutcome(b *ent.Booking, s *school, student, teacher *person) {
	if b.ScheduledFor.Before(g.now) {
		switch g.pick([]int{72, 9, 13, 6}) {
		case 0:
			g.meeting(b, b.ScheduledFor.Add(time.Duration(g.between(-120, 600))*time.Second), 30, 60)
		case 1: // nobody showed up
		case 2:
			g.cancel(b, student)
		case 3:
			g.cancel(b, g.otherCanceller(s, teacher, b.CreatedAt))
		}
		return
	}
	switch g.pick([]int{75, 17, 8}) {
	case 0: // pending
	case 1:
		g.cancel(b, student)
	case 2:
		g.cancel(b, g.otherCanceller(s, teacher, b.CreatedAt))
	}
}

// cancel cancels b by p at a random instant between its creation and the
// earlier of its session and now.
func (g *generator) cancel(b *ent.Booking, p *person) {
	latest := g.now
	if b.ScheduledFor != nil {
		latest = earlier(*b.ScheduledFor, g.now)
	}
	span := latest.Sub(b.CreatedAt) / time.Millisecond
	if span <= 0 {
		return
	}
	c := b.CreatedAt.Add(time.Duration(g.rng.Int64N(int64(span))) * time.Millisecond)
	b.CancelledAt, b.CancelledByID = &c, &p.id
}

// otherCanceller returns who else cancels: usually the teacher, sometimes
// a member of the school's staff.
func (g *generator) otherCanceller(s *school, teacher *person, t time.Time) *person {
	if g.chance(60) {
		return teacher
	}
	var staff []*person
	for _, p := range s.staff {
		if p.activeAt(t) {
			staff = append(staff, p)
		}
	}
	if len(staff) == 0 {
		return teacher
	}
	return one(g, staff)
}

// meeting records a session that started at start and lasted lo to hi
// minutes (still running if that end is after now), and its ratings.
func (g *generator) meeting(b *ent.Booking, start time.Time, lo, hi int) {
	start = start.Add(g.millis())
	if !start.Before(g.now) {
		return
	}
	b.MeetingStartedAt = &start
	if !g.chance(96) {
		return // the call dropped without an end
	}
	end := start.Add(g.minutes(lo, hi))
	if !end.Before(g.now) {
		return // in progress
	}
	b.MeetingEndedAt = &end
	b.RatingByStudent = g.rating(65)
	b.RatingByTeacher = g.rating(55)
	b.CallQualityRatingByStudent = g.rating(45)
	b.CallQualityRatingByTeacher = g.rating(40)
}

// rating returns, with probability percent, a 0–5 rating with one decimal,
// skewed high.
func (g *generator) rating(percent int) *float64 {
	if !g.chance(percent) {
		return nil
	}
	tenths := 10 * g.pick([]int{1, 2, 4, 10, 28, 55})
	if tenths > 0 && g.chance(40) {
		tenths -= g.between(1, 9)
	}
	return ptr(float64(tenths) / 10)
}

// pastQueueTime draws when someone joined a queue of s before today:
// Monday to Saturday, 08:00 to 21:00 school time.
func (g *generator) pastQueueTime(s *school) time.Time {
	today := localDate(g.now, s.loc)
	first := localDate(g.from, s.loc)
	days := int(today.Sub(first) / day)
	for {
		d := first.AddDate(0, 0, g.rng.IntN(days))
		if d.Weekday() != time.Sunday && g.rng.IntN(maxDayWeight) < weekdayWeights[d.Weekday()]*monthWeights[d.Month()] {
			return at(d, g.between(8*60, 21*60-1)).Add(time.Duration(g.rng.IntN(60)) * time.Second)
		}
	}
}

// todaysQueue fills the queues of s on the local day of now: students still
// waiting, one served, one who left; and two day-boundary cases: one queued
// just after local midnight (today: QUEUE) and one just before it
// (yesterday: NOT_REALIZED), both on now's UTC day at Now. Early in the
// local day (the demo loaded at night) the queue is shorter, and joined
// since midnight.
func (g *generator) todaysQueue(s *school) {
	today := localDate(g.now, s.loc)
	nowMinute := int(g.now.Sub(today.UTC()) / time.Minute)
	for range 6 {
		gr := one(g, s.groups)
		if m, ok := g.minuteToday(9*60, nowMinute-3); ok {
			g.queueBooking(gr, at(today, m), waiting)
		}
	}
	for _, q := range []struct{ wait, fate int }{{90, served}, {60, leftQueue}} {
		gr := one(g, s.groups)
		if m, ok := g.minuteToday(8*60, nowMinute-q.wait); ok {
			g.queueBooking(gr, at(today, m), q.fate)
		}
	}
	if nowMinute > 10 {
		g.queueBooking(one(g, s.groups), at(today, 10), waiting)
	}
	g.queueBooking(one(g, s.groups), at(today, -10), waiting)
}

// minuteToday draws a minute of the local day from lo to hi, or from hi/2
// to hi when hi comes before lo; ok is false when hi is before midnight.
func (g *generator) minuteToday(lo, hi int) (minute int, ok bool) {
	switch {
	case hi < 0:
		return 0, false
	case hi < lo:
		lo = hi / 2
	}
	return g.between(lo, hi), true
}

// queueBooking adds a queue booking of a student of gr who joined the queue
// at queued, with the given fate. Nobody is assigned until a teacher takes
// the call, so waiting and departed students have no teacher.
func (g *generator) queueBooking(gr *group, queued time.Time, fate int) {
	queued = queued.Add(g.millis())
	p := g.bookingStudent(gr, queued, queued)
	if p == nil {
		return
	}
	d := g.pickDiscipline(gr)
	b := &ent.Booking{
		ID:            gid.BookingID(g.uuid()),
		SchoolID:      gr.school.id,
		GroupID:       gr.id,
		StudentID:     p.id,
		DisciplineID:  d,
		BookingRoomID: &queueRoom(gr.school, d).id,
		CreatedAt:     queued,
		QueuedAt:      &queued,
	}
	teachers := teachersOf(gr, d, queued)
	if fate == served && len(teachers) == 0 {
		fate = leftQueue
	}
	switch fate {
	case served:
		b.TeacherID = &one(g, teachers).id
		g.meeting(b, queued.Add(g.minutes(1, 25)), 10, 40)
	case leftQueue:
		if left := queued.Add(g.minutes(2, 40)); left.Before(g.now) {
			b.LeftQueueAt = &left
		}
	}
	g.bookings = append(g.bookings, b)
}

// queueRoom returns the first room of s offering d: queues run in the
// online room, which offers every discipline.
func queueRoom(s *school, d gid.DisciplineID) *room {
	for _, r := range s.rooms {
		if slices.Contains(r.disciplines, d) {
			return r
		}
	}
	return s.rooms[0]
}

// boundaryCancellations turns two sessions of s that nobody attended into
// student cancellations at the edge of min_cancel_hours: one exactly
// min_cancel_hours before the session (inside the schedule), one a minute
// later (outside).
func (g *generator) boundaryCancellations(s *school) {
	offsets := []time.Duration{s.minCancel, s.minCancel - time.Minute}
	for _, b := range g.bookings {
		if len(offsets) == 0 {
			return
		}
		if b.SchoolID != s.id || b.ScheduledFor == nil || !b.ScheduledFor.Before(g.now) ||
			b.MeetingStartedAt != nil || b.CancelledAt != nil ||
			b.ScheduledFor.Sub(b.CreatedAt) <= s.minCancel+time.Hour {
			continue
		}
		c := b.ScheduledFor.Add(-offsets[0])
		b.CancelledAt, b.CancelledByID = &c, &b.StudentID
		offsets = offsets[1:]
	}
}
