package graph

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/discipline"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/ent/subject"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/report"
)

// The typed reports. Resolvers ask package report for a page of rows and
// wrap each row with the page's node loaders, so that the ent nodes a page
// refers to cost one query per type.

// DefaultPageSize and MaxPageSize bound the pages of report connections.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// nodes loads the ent nodes of a page, by type, in one query each.
type nodes struct {
	schools     *batch[gid.SchoolID, *ent.School]
	groups      *batch[gid.GroupID, *ent.Group]
	users       *batch[gid.UserID, *ent.User]
	disciplines *batch[gid.DisciplineID, *ent.Discipline]
	subjects    *batch[gid.SubjectID, *ent.Subject]
	questions   *batch[gid.QuestionID, *ent.Question]
	bookings    *batch[gid.BookingID, *ent.Booking]
	rooms       *batch[gid.BookingRoomID, *ent.BookingRoom]
}

func newNodes(c *ent.Client) *nodes {
	return &nodes{
		schools: newBatch(func(ctx context.Context, ids []gid.SchoolID) ([]*ent.School, error) {
			return c.School.Query().Where(school.IDIn(ids...)).All(ctx)
		}, func(n *ent.School) gid.SchoolID { return n.ID }),
		groups: newBatch(func(ctx context.Context, ids []gid.GroupID) ([]*ent.Group, error) {
			return c.Group.Query().Where(group.IDIn(ids...)).All(ctx)
		}, func(n *ent.Group) gid.GroupID { return n.ID }),
		users: newBatch(func(ctx context.Context, ids []gid.UserID) ([]*ent.User, error) {
			return c.User.Query().Where(user.IDIn(ids...)).All(ctx)
		}, func(n *ent.User) gid.UserID { return n.ID }),
		disciplines: newBatch(func(ctx context.Context, ids []gid.DisciplineID) ([]*ent.Discipline, error) {
			return c.Discipline.Query().Where(discipline.IDIn(ids...)).All(ctx)
		}, func(n *ent.Discipline) gid.DisciplineID { return n.ID }),
		subjects: newBatch(func(ctx context.Context, ids []gid.SubjectID) ([]*ent.Subject, error) {
			return c.Subject.Query().Where(subject.IDIn(ids...)).All(ctx)
		}, func(n *ent.Subject) gid.SubjectID { return n.ID }),
		questions: newBatch(func(ctx context.Context, ids []gid.QuestionID) ([]*ent.Question, error) {
			return c.Question.Query().Where(question.IDIn(ids...)).All(ctx)
		}, func(n *ent.Question) gid.QuestionID { return n.ID }),
		bookings: newBatch(func(ctx context.Context, ids []gid.BookingID) ([]*ent.Booking, error) {
			return c.Booking.Query().Where(booking.IDIn(ids...)).All(ctx)
		}, func(n *ent.Booking) gid.BookingID { return n.ID }),
		rooms: newBatch(func(ctx context.Context, ids []gid.BookingRoomID) ([]*ent.BookingRoom, error) {
			return c.BookingRoom.Query().Where(bookingroom.IDIn(ids...)).All(ctx)
		}, func(n *ent.BookingRoom) gid.BookingRoomID { return n.ID }),
	}
}

// optional returns the node of a nullable reference.
func optional[K comparable, V any](ctx context.Context, b *batch[K, V], id *K) (V, error) {
	if id == nil {
		var zero V
		return zero, nil
	}
	return b.get(ctx, *id)
}

// principal returns the request's principal.
func principal(ctx context.Context) (*auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, auth.ErrUnauthorized
	}
	return p, nil
}

// pageSize returns the size of the page asked for with first.
func pageSize(first *int) (int, error) {
	switch {
	case first == nil:
		return DefaultPageSize, nil
	case *first < 0 || *first > MaxPageSize:
		return 0, apperr.InvalidField("first", "first must be between 0 and %d.", MaxPageSize)
	}
	return *first, nil
}

// keyOf reads a report cursor: the time and id of the row it follows.
func keyOf(c *entgql.Cursor[string]) (*report.Key, error) {
	if c == nil {
		return nil, nil
	}
	t, ok := c.Value.(time.Time)
	if !ok || c.ID == "" {
		return nil, apperr.InvalidField("after", "Invalid cursor.")
	}
	return &report.Key{Time: t, ID: c.ID}, nil
}

// page collects at most size rows of seq (it was asked for one more, to
// tell whether another page follows).
func page[T any](seq func(func(T, error) bool), size int) (rows []T, more bool, err error) {
	for r, err := range seq {
		if err != nil {
			return nil, false, err
		}
		if len(rows) == size {
			return rows, true, nil
		}
		rows = append(rows, r)
	}
	return rows, false, nil
}

func pageInfo(cursors []entgql.Cursor[string], more bool, after *entgql.Cursor[string]) entgql.PageInfo[string] {
	pi := entgql.PageInfo[string]{HasNextPage: more, HasPreviousPage: after != nil}
	if len(cursors) > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return pi
}

// QuestionReportRow is a row of the questions report.
type QuestionReportRow struct {
	report.QuestionRow
	nodes     *nodes
	portalURL string
}

func (r *QuestionReportRow) Question(ctx context.Context) (*ent.Question, error) {
	return r.nodes.questions.get(ctx, r.ID)
}
func (r *QuestionReportRow) School(ctx context.Context) (*ent.School, error) {
	return r.nodes.schools.get(ctx, r.SchoolID)
}
func (r *QuestionReportRow) Group(ctx context.Context) (*ent.Group, error) {
	return r.nodes.groups.get(ctx, r.GroupID)
}

// Student is nil when the token may not see who asked.
func (r *QuestionReportRow) Student(ctx context.Context) (*ent.User, error) {
	if r.StudentHidden {
		return nil, nil
	}
	return r.nodes.users.get(ctx, r.StudentID)
}
func (r *QuestionReportRow) Teacher(ctx context.Context) (*ent.User, error) {
	return optional(ctx, r.nodes.users, r.TeacherID)
}
func (r *QuestionReportRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.disciplines.get(ctx, r.DisciplineID)
}
func (r *QuestionReportRow) Subject(ctx context.Context) (*ent.Subject, error) {
	return optional(ctx, r.nodes.subjects, r.SubjectID)
}
func (r *QuestionReportRow) StatusLabel() string { return r.Status.Label() }

// Link is the question's page in the portal, as the legacy report gives it.
func (r *QuestionReportRow) Link() string { return r.QuestionRow.Link(r.portalURL) }

// QuestionReportConnection is a page of the questions report.
type QuestionReportConnection struct {
	Edges    []*QuestionReportEdge
	PageInfo entgql.PageInfo[string]
	count    func(context.Context) (int, error)
}

// TotalCount counts the report's rows, only when asked for.
func (c *QuestionReportConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// QuestionReportEdge is a row of a page.
type QuestionReportEdge struct {
	Node   *QuestionReportRow
	Cursor entgql.Cursor[string]
}

func (r *Resolver) questionsReport(ctx context.Context, in report.QuestionsInput, first *int, after *entgql.Cursor[string]) (*QuestionReportConnection, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	size, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	if in.After, err = keyOf(after); err != nil {
		return nil, err
	}
	in.Limit = size + 1
	seq, err := report.Questions(ctx, r.DB, p, in)
	if err != nil {
		return nil, err
	}
	rows, more, err := page(seq, size)
	if err != nil {
		return nil, err
	}
	ns := newNodes(r.DB.Client)
	conn := &QuestionReportConnection{Edges: make([]*QuestionReportEdge, len(rows))}
	cursors := make([]entgql.Cursor[string], len(rows))
	for i, row := range rows {
		ns.questions.add(row.ID)
		ns.schools.add(row.SchoolID)
		ns.groups.add(row.GroupID)
		ns.disciplines.add(row.DisciplineID)
		if !row.StudentHidden {
			ns.users.add(row.StudentID)
		}
		if row.TeacherID != nil {
			ns.users.add(*row.TeacherID)
		}
		if row.SubjectID != nil {
			ns.subjects.add(*row.SubjectID)
		}
		cursors[i] = entgql.Cursor[string]{ID: row.ID.String(), Value: row.CreatedAt}
		conn.Edges[i] = &QuestionReportEdge{Node: &QuestionReportRow{QuestionRow: row, nodes: ns, portalURL: r.PortalURL}, Cursor: cursors[i]}
	}
	conn.PageInfo = pageInfo(cursors, more, after)
	in.After, in.Limit = nil, 0
	conn.count = func(ctx context.Context) (int, error) { return report.CountQuestions(ctx, r.DB, p, in) }
	return conn, nil
}

// BookingReportRow is a row of the bookings report.
type BookingReportRow struct {
	report.BookingRow
	nodes *nodes
}

func (r *BookingReportRow) Booking(ctx context.Context) (*ent.Booking, error) {
	return r.nodes.bookings.get(ctx, r.ID)
}
func (r *BookingReportRow) School(ctx context.Context) (*ent.School, error) {
	return r.nodes.schools.get(ctx, r.SchoolID)
}
func (r *BookingReportRow) Group(ctx context.Context) (*ent.Group, error) {
	return r.nodes.groups.get(ctx, r.GroupID)
}
func (r *BookingReportRow) Student(ctx context.Context) (*ent.User, error) {
	return r.nodes.users.get(ctx, r.StudentID)
}
func (r *BookingReportRow) Teacher(ctx context.Context) (*ent.User, error) {
	return optional(ctx, r.nodes.users, r.TeacherID)
}
func (r *BookingReportRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.disciplines.get(ctx, r.DisciplineID)
}
func (r *BookingReportRow) BookingRoom(ctx context.Context) (*ent.BookingRoom, error) {
	return optional(ctx, r.nodes.rooms, r.BookingRoomID)
}
func (r *BookingReportRow) CancelledBy(ctx context.Context) (*ent.User, error) {
	return optional(ctx, r.nodes.users, r.CancelledByID)
}

// Modal is the room's modal, nil without a room.
func (r *BookingReportRow) Modal() *bookingroom.Modal {
	if r.BookingRoomModal == "" {
		return nil
	}
	return &r.BookingRoomModal
}

// ModalLabel is the Portuguese name of the modal, nil without a room.
func (r *BookingReportRow) ModalLabel() *string {
	if r.BookingRoomModal == "" {
		return nil
	}
	l := report.ModalLabel(r.BookingRoomModal)
	return &l
}
func (r *BookingReportRow) Timezone() string                     { return r.Location.String() }
func (r *BookingReportRow) StartTime() *time.Time                { return r.MeetingStartedAt }
func (r *BookingReportRow) EndTime() *time.Time                  { return r.MeetingEndedAt }
func (r *BookingReportRow) StatusLabel() string                  { return r.Status.Label() }
func (r *BookingReportRow) CallQualityRatingByStudent() *float64 { return r.CallQualityByStudent }
func (r *BookingReportRow) CallQualityRatingByTeacher() *float64 { return r.CallQualityByTeacher }

// DurationMinutes is the whole minutes the meeting lasted, if it ended.
func (r *BookingReportRow) DurationMinutes() *int {
	m, ok := r.Duration()
	if !ok {
		return nil
	}
	return &m
}

// BookingReportConnection is a page of the bookings report.
type BookingReportConnection struct {
	Edges    []*BookingReportEdge
	PageInfo entgql.PageInfo[string]
	count    func(context.Context) (int, error)
}

// TotalCount counts the report's rows, only when asked for.
func (c *BookingReportConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// BookingReportEdge is a row of a page.
type BookingReportEdge struct {
	Node   *BookingReportRow
	Cursor entgql.Cursor[string]
}

func (r *Resolver) bookingsReport(ctx context.Context, in report.BookingsInput, first *int, after *entgql.Cursor[string]) (*BookingReportConnection, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	size, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	if in.After, err = keyOf(after); err != nil {
		return nil, err
	}
	in.Limit = size + 1
	now := r.Now()
	seq, err := report.Bookings(ctx, r.DB, p, in, now)
	if err != nil {
		return nil, err
	}
	rows, more, err := page(seq, size)
	if err != nil {
		return nil, err
	}
	ns := newNodes(r.DB.Client)
	conn := &BookingReportConnection{Edges: make([]*BookingReportEdge, len(rows))}
	cursors := make([]entgql.Cursor[string], len(rows))
	for i, row := range rows {
		ns.bookings.add(row.ID)
		ns.schools.add(row.SchoolID)
		ns.groups.add(row.GroupID)
		ns.disciplines.add(row.DisciplineID)
		ns.users.add(row.StudentID)
		for _, id := range []*gid.UserID{row.TeacherID, row.CancelledByID} {
			if id != nil {
				ns.users.add(*id)
			}
		}
		if row.BookingRoomID != nil {
			ns.rooms.add(*row.BookingRoomID)
		}
		key := row.CreatedAt
		if row.ScheduledFor != nil {
			key = *row.ScheduledFor
		}
		cursors[i] = entgql.Cursor[string]{ID: row.ID.String(), Value: key}
		conn.Edges[i] = &BookingReportEdge{Node: &BookingReportRow{BookingRow: row, nodes: ns}, Cursor: cursors[i]}
	}
	conn.PageInfo = pageInfo(cursors, more, after)
	in.After, in.Limit = nil, 0
	conn.count = func(ctx context.Context) (int, error) { return report.CountBookings(ctx, r.DB, p, in, now) }
	return conn, nil
}

// WorkloadRow is a row of the workload report.
type WorkloadRow struct {
	report.WorkloadRow
	nodes *nodes
}

func (r *WorkloadRow) Teacher(ctx context.Context) (*ent.User, error) {
	return r.nodes.users.get(ctx, r.TeacherID)
}
func (r *WorkloadRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.disciplines.get(ctx, r.DisciplineID)
}

func (r *Resolver) bookingsWorkload(ctx context.Context, schoolIDs []gid.SchoolID) ([]*WorkloadRow, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	seq, err := report.Workload(ctx, r.DB, p, schoolIDs)
	if err != nil {
		return nil, err
	}
	ns := newNodes(r.DB.Client)
	out := []*WorkloadRow{}
	for row, err := range seq {
		if err != nil {
			return nil, err
		}
		ns.users.add(row.TeacherID)
		ns.disciplines.add(row.DisciplineID)
		out = append(out, &WorkloadRow{WorkloadRow: row, nodes: ns})
	}
	return out, nil
}
