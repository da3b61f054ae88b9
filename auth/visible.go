package auth

import (
	"github.com/stift/stift-reports/ent/availabilityslot"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/npsanswer"
	"github.com/stift/stift-reports/ent/predicate"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/ent/user"
)

// Visible is the part of the platform a principal sees, written once:
// every school, some schools, or some groups of some schools. The ent
// privacy rules (rules.go) take their predicates from it, the reports'
// hand-written SQL (package report) its lists of ids, and the viewer its
// description, so that no reader of a token's scope interprets it anew.
type Visible struct {
	schools []gid.SchoolID // nil: every school
	groups  []gid.GroupID  // nil: the schools whole
}

// Visible returns what p sees. A scope this code does not know sees
// nothing, and so does a list of no ids: never everything.
func (p *Principal) Visible() Visible {
	switch p.Scope {
	case ScopeAll:
		return Visible{}
	case ScopeSchools:
		return Visible{schools: nonNil(p.SchoolIDs)}
	case ScopeGroups:
		return Visible{schools: nonNil(p.SchoolIDs), groups: nonNil(p.GroupIDs)}
	}
	return Visible{schools: []gid.SchoolID{}, groups: []gid.GroupID{}}
}

func nonNil[T any](ids []T) []T {
	if ids == nil {
		return []T{}
	}
	return ids
}

// All reports whether every school is visible.
func (v Visible) All() bool { return v.schools == nil }

// Schools returns the schools seen, whole or in part; nil when All.
func (v Visible) Schools() []gid.SchoolID { return v.schools }

// Groups returns the groups seen when only some groups of Schools are;
// nil when the schools are seen whole.
func (v Visible) Groups() []gid.GroupID { return v.groups }

// SeesSchool reports whether some of school s is visible.
func (v Visible) SeesSchool(s gid.SchoolID) bool {
	if v.All() {
		return true
	}
	for _, id := range v.schools {
		if id == s {
			return true
		}
	}
	return false
}

// The predicates of the visible rows of each type; nil when All.

// School limits schools to the visible ones.
func (v Visible) School() predicate.School {
	switch {
	case v.groups != nil:
		return school.HasGroupsWith(group.IDIn(v.groups...))
	case !v.All():
		return school.IDIn(v.schools...)
	}
	return nil
}

// Group limits groups to the visible ones.
func (v Visible) Group() predicate.Group {
	switch {
	case v.groups != nil:
		return group.IDIn(v.groups...)
	case !v.All():
		return group.SchoolIDIn(v.schools...)
	}
	return nil
}

// User limits users to the students and teachers of the visible groups.
func (v Visible) User() predicate.User {
	if g := v.Group(); g != nil {
		return user.Or(user.HasStudentGroupsWith(g), user.HasTeacherGroupsWith(g))
	}
	return nil
}

// Question limits questions to those of the visible groups.
func (v Visible) Question() predicate.Question {
	switch {
	case v.groups != nil:
		return question.GroupIDIn(v.groups...)
	case !v.All():
		return question.HasGroupWith(group.SchoolIDIn(v.schools...))
	}
	return nil
}

// Booking limits bookings to those of the visible groups.
func (v Visible) Booking() predicate.Booking {
	switch {
	case v.groups != nil:
		return booking.GroupIDIn(v.groups...)
	case !v.All():
		return booking.SchoolIDIn(v.schools...)
	}
	return nil
}

// Room limits booking rooms to the visible schools' (a group scope sees
// its schools' rooms).
func (v Visible) Room() predicate.BookingRoom {
	if v.All() {
		return nil
	}
	return bookingroom.SchoolIDIn(v.schools...)
}

// Slot limits availability slots to the visible schools' rooms and, when
// only some groups are visible, to their teachers.
func (v Visible) Slot() predicate.AvailabilitySlot {
	switch {
	case v.groups != nil:
		return availabilityslot.And(availabilityslot.HasBookingRoomWith(v.Room()),
			availabilityslot.HasTeacherWith(user.HasTeacherGroupsWith(group.IDIn(v.groups...))))
	case !v.All():
		return availabilityslot.HasBookingRoomWith(v.Room())
	}
	return nil
}

// NPSAnswer limits NPS answers to those of the visible users.
func (v Visible) NPSAnswer() predicate.NPSAnswer {
	if u := v.User(); u != nil {
		return npsanswer.HasUserWith(u)
	}
	return nil
}
