// Package seed loads synthetic data: the demo platform that the server
// loads into an empty database on first start, and that tests and examples
// use as a fixture.
//
// The demo is generated as of a present, its anchor: the server loads it as
// of the moment it starts on an empty database, so that pending bookings,
// today's queue and this week hold data; tests load it as of Now, a fixed
// instant. For a given anchor it is deterministic: every value, ids
// included, comes from fixed-seed random streams and from the anchor, never
// from the clock or from map iteration, and random draws use integers only,
// so two loads as of the same instant produce byte-identical data on any
// machine. (The schools' zones, São Paulo and Manaus, have had fixed offsets
// since 2019; time/tzdata is linked in for systems without a zoneinfo
// database.) The generator works on the calendar of the schools' zones, so
// the demo keeps its shape whatever the anchor: sessions in the teachers'
// weekly slots, questions at the hours students ask, answers in service
// hours. Checksum fingerprints the contents of a database to prove it.
package seed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/privacy"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// Now is the fixed present of the demo that tests load (Demo) and of the
// synthetic platforms of Scale: Monday 15 June 2026, 15:00 UTC (12:00 in São
// Paulo, 11:00 in Manaus). Statuses that depend on the clock (a pending
// booking, a student still in today's queue) hold when evaluated at Now.
var Now = time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC)

// ErrNotEmpty is returned by Demo when the database already has a school.
var ErrNotEmpty = errors.New("seed: database is not empty (it already has a school)")

// batchSize is the number of rows per INSERT statement.
const batchSize = 500

// Demo loads the demo as of Now, the tests' fixed present (DemoAt).
func Demo(ctx context.Context, client *ent.Client) error { return DemoAt(ctx, client, Now) }

// DemoAt loads the demo platform as of now into an empty database, in one
// transaction: two schools in different time zones, their groups, booking
// rooms, staff, teachers (with disciplines and weekly availability) and
// about sixty students, the year of questions and bookings before now in
// every status, sessions booked up to four weeks after it, each school's
// queue of now's local day, and NPS answers. now is taken to the second.
// Statuses that depend on the clock hold when evaluated at now; read
// later, the demo ages like real data (a pending session becomes a no-show
// once its time has passed, today's queue becomes yesterday's). It
// bypasses privacy policies. It returns ErrNotEmpty, and changes nothing,
// if the database already has a school.
func DemoAt(ctx context.Context, client *ent.Client, now time.Time) error {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("seed: begin transaction: %w", err)
	}
	if err := load(ctx, tx, now.UTC().Truncate(time.Second)); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("seed: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

// load checks that the database is empty, then generates and writes the
// demo as of now.
func load(ctx context.Context, tx *ent.Tx, now time.Time) error {
	exists, err := tx.School.Query().Exist(ctx)
	if err != nil {
		return fmt.Errorf("seed: check for schools: %w", err)
	}
	if exists {
		return ErrNotEmpty
	}
	g, err := generate(now)
	if err != nil {
		return err
	}
	return g.write(ctx, tx)
}

// write inserts everything, parents before children.
func (g *generator) write(ctx context.Context, tx *ent.Tx) error {
	steps := []struct {
		table string
		run   func() error
	}{
		{"disciplines", func() error { return bulk(ctx, disciplineRows(tx), tx.Discipline.CreateBulk) }},
		{"subjects", func() error { return bulk(ctx, subjectRows(tx), tx.Subject.CreateBulk) }},
		{"schools", func() error { return bulk(ctx, g.schoolRows(tx), tx.School.CreateBulk) }},
		{"users", func() error { return bulk(ctx, g.userRows(tx), tx.User.CreateBulk) }},
		{"groups", func() error { return bulk(ctx, g.groupRows(tx), tx.Group.CreateBulk) }},
		{"booking rooms", func() error { return bulk(ctx, g.roomRows(tx), tx.BookingRoom.CreateBulk) }},
		{"availability slots", func() error { return bulk(ctx, g.slotRows(tx), tx.AvailabilitySlot.CreateBulk) }},
		{"questions", func() error { return bulk(ctx, g.questionRows(tx), tx.Question.CreateBulk) }},
		{"bookings", func() error { return bulk(ctx, g.bookingRows(tx), tx.Booking.CreateBulk) }},
		{"nps answers", func() error { return bulk(ctx, g.npsRows(tx), tx.NPSAnswer.CreateBulk) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("seed: insert %s: %w", s.table, err)
		}
	}
	return nil
}

// bulk saves builders in batches of batchSize, one CreateBulk each.
func bulk[B any, CB interface{ Exec(context.Context) error }](ctx context.Context, builders []B, create func(...B) CB) error {
	for batch := range slices.Chunk(builders, batchSize) {
		if err := create(batch...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func disciplineRows(tx *ent.Tx) []*ent.DisciplineCreate {
	var out []*ent.DisciplineCreate
	for i, d := range disciplineSpecs {
		out = append(out, tx.Discipline.Create().SetID(gid.DisciplineID(i+1)).SetName(d.name))
	}
	return out
}

func subjectRows(tx *ent.Tx) []*ent.SubjectCreate {
	var out []*ent.SubjectCreate
	for i, d := range disciplineSpecs {
		for j, id := range subjectsOf(gid.DisciplineID(i + 1)) {
			out = append(out, tx.Subject.Create().SetID(id).SetName(d.subjects[j]).SetDisciplineID(gid.DisciplineID(i+1)))
		}
	}
	return out
}

func (g *generator) schoolRows(tx *ent.Tx) []*ent.SchoolCreate {
	var out []*ent.SchoolCreate
	for _, s := range g.schools {
		out = append(out, tx.School.Create().SetID(s.id).SetName(s.name).
			SetTimezone(s.loc.String()).SetMinCancelHours(int(s.minCancel/time.Hour)).
			SetServiceHours(s.hours))
	}
	return out
}

func (g *generator) userRows(tx *ent.Tx) []*ent.UserCreate {
	var out []*ent.UserCreate
	for _, p := range slices.Concat(g.staff, g.teachers, g.students) {
		out = append(out, tx.User.Create().SetID(p.id).
			SetFirstName(p.first).SetLastName(p.last).SetEmail(p.email).
			SetExternalID(p.externalID).SetRole(p.role).SetCreatedAt(p.created).
			SetNillableBlockedAt(p.blocked).SetNillableDeletedAt(p.deleted).
			AddDisciplineIDs(p.disciplines...))
	}
	return out
}

func (g *generator) groupRows(tx *ent.Tx) []*ent.GroupCreate {
	var out []*ent.GroupCreate
	for _, gr := range g.groups {
		out = append(out, tx.Group.Create().SetID(gr.id).SetName(gr.name).SetSchoolID(gr.school.id).
			AddStudentIDs(userIDs(gr.students)...).AddTeacherIDs(userIDs(gr.teachers)...))
	}
	return out
}

func userIDs(ps []*person) []gid.UserID {
	ids := make([]gid.UserID, len(ps))
	for i, p := range ps {
		ids[i] = p.id
	}
	return ids
}

func (g *generator) roomRows(tx *ent.Tx) []*ent.BookingRoomCreate {
	var out []*ent.BookingRoomCreate
	for _, r := range g.rooms {
		out = append(out, tx.BookingRoom.Create().SetID(r.id).SetName(r.name).SetSchoolID(r.school.id).
			SetModal(bookingroom.Modal(r.modal)).AddDisciplineIDs(r.disciplines...))
	}
	return out
}

// slotRows stores the schedules of teachers not deleted: a deleted
// teacher's past sessions remain, their availability does not.
func (g *generator) slotRows(tx *ent.Tx) []*ent.AvailabilitySlotCreate {
	var out []*ent.AvailabilitySlotCreate
	for _, sl := range g.schedule {
		if sl.teacher.deleted != nil {
			continue
		}
		out = append(out, tx.AvailabilitySlot.Create().SetID(sl.id).
			SetTeacherID(sl.teacher.id).SetBookingRoomID(sl.room.id).SetDisciplineID(sl.discipline).
			SetWeekday(int(sl.weekday)).SetStartMinute(sl.start).SetEndMinute(sl.end))
	}
	return out
}

func (g *generator) questionRows(tx *ent.Tx) []*ent.QuestionCreate {
	out := make([]*ent.QuestionCreate, len(g.questions))
	for i, q := range g.questions {
		out[i] = tx.Question.Create().SetID(q.ID).
			SetStudentID(q.StudentID).SetGroupID(q.GroupID).
			SetDisciplineID(q.DisciplineID).SetNillableSubjectID(q.SubjectID).
			SetAnonymous(q.Anonymous).SetDescription(q.Description).SetCreatedAt(q.CreatedAt).
			SetNillableTeacherID(q.TeacherID).SetNillableAnsweredAt(q.AnsweredAt).
			SetNillableResponseMinutes(q.ResponseMinutes).
			SetNillableAdjustedResponseMinutes(q.AdjustedResponseMinutes).
			SetNillableAnswerDescription(q.AnswerDescription).
			SetNillableReplyDescription(q.ReplyDescription).SetNillableReplyCreatedAt(q.ReplyCreatedAt).
			SetNillableReplyAnswerDescription(q.ReplyAnswerDescription).
			SetNillableReplyAnsweredAt(q.ReplyAnsweredAt).
			SetNillableAnswerRating(q.AnswerRating).SetNillableAnswerUnderstood(q.AnswerUnderstood).
			SetNillableAnswerComment(q.AnswerComment).SetHasSeenAnswer(q.HasSeenAnswer).
			SetNillableCancelledAt(q.CancelledAt)
	}
	return out
}

func (g *generator) bookingRows(tx *ent.Tx) []*ent.BookingCreate {
	out := make([]*ent.BookingCreate, len(g.bookings))
	for i, b := range g.bookings {
		out[i] = tx.Booking.Create().SetID(b.ID).
			SetSchoolID(b.SchoolID).SetGroupID(b.GroupID).SetStudentID(b.StudentID).
			SetNillableTeacherID(b.TeacherID).SetDisciplineID(b.DisciplineID).
			SetNillableBookingRoomID(b.BookingRoomID).SetCreatedAt(b.CreatedAt).
			SetNillableScheduledFor(b.ScheduledFor).
			SetNillableMeetingStartedAt(b.MeetingStartedAt).SetNillableMeetingEndedAt(b.MeetingEndedAt).
			SetNillableQueuedAt(b.QueuedAt).SetNillableLeftQueueAt(b.LeftQueueAt).
			SetNillableCancelledAt(b.CancelledAt).SetNillableCancelledByID(b.CancelledByID).
			SetNillableRatingByStudent(b.RatingByStudent).SetNillableRatingByTeacher(b.RatingByTeacher).
			SetNillableCallQualityRatingByStudent(b.CallQualityRatingByStudent).
			SetNillableCallQualityRatingByTeacher(b.CallQualityRatingByTeacher)
	}
	return out
}

func (g *generator) npsRows(tx *ent.Tx) []*ent.NPSAnswerCreate {
	out := make([]*ent.NPSAnswerCreate, len(g.nps))
	for i, a := range g.nps {
		out[i] = tx.NPSAnswer.Create().SetID(a.ID).SetUserID(a.UserID).SetKind(a.Kind).
			SetScore(a.Score).SetComment(a.Comment).SetCreatedAt(a.CreatedAt)
	}
	return out
}
