package graph

import (
	"context"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
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
// refers to cost one query per field.

// DefaultPageSize and MaxPageSize bound the pages of connections: the
// report's, whose rule package report states, and the ent connections'.
const (
	DefaultPageSize = report.DefaultPageSize
	MaxPageSize     = report.MaxPageSize
)

// nodes loads the ent nodes a page of rows refers to: a loader for each
// field, whatever the page's type. A page notes the ids of its own fields;
// a loader it left empty answers every get with an error.
type nodes struct {
	question                      *loader[gid.QuestionID, *ent.Question]
	booking                       *loader[gid.BookingID, *ent.Booking]
	school                        *loader[gid.SchoolID, *ent.School]
	group                         *loader[gid.GroupID, *ent.Group]
	student, teacher, cancelledBy *loader[gid.UserID, *ent.User]
	discipline                    *loader[gid.DisciplineID, *ent.Discipline]
	subject                       *loader[gid.SubjectID, *ent.Subject]
	bookingRoom                   *loader[gid.BookingRoomID, *ent.BookingRoom]
}

func newNodes(c *ent.Client) *nodes {
	return &nodes{
		question:    newLoader(c, queryQuestions, questionID),
		booking:     newLoader(c, queryBookings, bookingID),
		school:      newLoader(c, querySchools, schoolID),
		group:       newLoader(c, queryGroups, groupID),
		student:     newLoader(c, queryUsers, userID),
		teacher:     newLoader(c, queryUsers, userID),
		cancelledBy: newLoader(c, queryUsers, userID),
		discipline:  newLoader(c, queryDisciplines, disciplineID),
		subject:     newLoader(c, querySubjects, subjectID),
		bookingRoom: newLoader(c, queryRooms, roomID),
	}
}

// responsePlace is the path of the field being resolved, without list
// indices: questionsReport.edges.node.student.
func responsePlace(ctx context.Context) string {
	var b strings.Builder
	for _, el := range graphql.GetFieldContext(ctx).Path() {
		if name, ok := el.(ast.PathName); ok {
			b.WriteString(string(name))
			b.WriteByte('.')
		}
	}
	return b.String()
}

// collectable is an ent query that entgql can collect GraphQL fields into.
type collectable[Q, V any] interface {
	CollectFields(context.Context, ...string) (Q, error)
	All(context.Context) ([]V, error)
}

// collectAll runs q with the fields of the GraphQL place in ctx collected.
func collectAll[Q collectable[Q, V], V any](ctx context.Context, q Q) ([]V, error) {
	q, err := q.CollectFields(ctx)
	if err != nil {
		return nil, err
	}
	return q.All(ctx)
}

// The queries of each node type.
func querySchools(ctx context.Context, c *ent.Client, ids []gid.SchoolID) ([]*ent.School, error) {
	return collectAll(ctx, c.School.Query().Where(school.IDIn(ids...)))
}
func queryGroups(ctx context.Context, c *ent.Client, ids []gid.GroupID) ([]*ent.Group, error) {
	return collectAll(ctx, c.Group.Query().Where(group.IDIn(ids...)))
}
func queryUsers(ctx context.Context, c *ent.Client, ids []gid.UserID) ([]*ent.User, error) {
	return collectAll(ctx, c.User.Query().Where(user.IDIn(ids...)))
}
func queryDisciplines(ctx context.Context, c *ent.Client, ids []gid.DisciplineID) ([]*ent.Discipline, error) {
	return collectAll(ctx, c.Discipline.Query().Where(discipline.IDIn(ids...)))
}
func querySubjects(ctx context.Context, c *ent.Client, ids []gid.SubjectID) ([]*ent.Subject, error) {
	return collectAll(ctx, c.Subject.Query().Where(subject.IDIn(ids...)))
}
func queryQuestions(ctx context.Context, c *ent.Client, ids []gid.QuestionID) ([]*ent.Question, error) {
	return collectAll(ctx, c.Question.Query().Where(question.IDIn(ids...)))
}
func queryBookings(ctx context.Context, c *ent.Client, ids []gid.BookingID) ([]*ent.Booking, error) {
	return collectAll(ctx, c.Booking.Query().Where(booking.IDIn(ids...)))
}
func queryRooms(ctx context.Context, c *ent.Client, ids []gid.BookingRoomID) ([]*ent.BookingRoom, error) {
	return collectAll(ctx, c.BookingRoom.Query().Where(bookingroom.IDIn(ids...)))
}

func schoolID(n *ent.School) gid.SchoolID             { return n.ID }
func groupID(n *ent.Group) gid.GroupID                { return n.ID }
func userID(n *ent.User) gid.UserID                   { return n.ID }
func disciplineID(n *ent.Discipline) gid.DisciplineID { return n.ID }
func subjectID(n *ent.Subject) gid.SubjectID          { return n.ID }
func questionID(n *ent.Question) gid.QuestionID       { return n.ID }
func bookingID(n *ent.Booking) gid.BookingID          { return n.ID }
func roomID(n *ent.BookingRoom) gid.BookingRoomID     { return n.ID }

// principal returns the request's principal.
func principal(ctx context.Context) (*auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, auth.ErrUnauthorized
	}
	return p, nil
}

// start returns the request's principal and the database its reports read.
func (r *Resolver) start(ctx context.Context) (*auth.Principal, *db.DB, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, nil, err
	}
	d, err := r.Reads.Get()
	return p, d, err
}

// pageArgs reads a report page's arguments: the report's Limit for a page
// of first rows (one more than the page: size is limit - 1), and the key
// of the row the after cursor points at (nil without one).
func pageArgs(first *int, after *entgql.Cursor[string]) (limit int, key *report.Key, err error) {
	if limit, err = report.PageLimit(first); err != nil {
		return 0, nil, err
	}
	if after == nil {
		return limit, nil, nil
	}
	t, ok := after.Value.(time.Time)
	if !ok || after.ID == "" {
		return 0, nil, apperr.InvalidField("after", "Invalid cursor.")
	}
	return limit, &report.Key{Time: t, ID: after.ID}, nil
}

// cursorOf is the cursor of the row at k.
func cursorOf(k report.Key) entgql.Cursor[string] {
	return entgql.Cursor[string]{ID: k.ID, Value: k.Time}
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
	return r.nodes.question.get(ctx, r.ID)
}
func (r *QuestionReportRow) School(ctx context.Context) (*ent.School, error) {
	return r.nodes.school.get(ctx, r.SchoolID)
}
func (r *QuestionReportRow) Group(ctx context.Context) (*ent.Group, error) {
	return r.nodes.group.get(ctx, r.GroupID)
}

// Student is nil when the token may not see who asked.
func (r *QuestionReportRow) Student(ctx context.Context) (*ent.User, error) {
	if r.StudentHidden {
		return nil, nil
	}
	return r.nodes.student.get(ctx, r.StudentID)
}
func (r *QuestionReportRow) Teacher(ctx context.Context) (*ent.User, error) {
	return r.nodes.teacher.getOptional(ctx, r.TeacherID)
}
func (r *QuestionReportRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.discipline.get(ctx, r.DisciplineID)
}
func (r *QuestionReportRow) Subject(ctx context.Context) (*ent.Subject, error) {
	return r.nodes.subject.getOptional(ctx, r.SubjectID)
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
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	limit, key, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	in.After, in.Limit = key, limit
	seq, err := report.Questions(ctx, d, p, in)
	if err != nil {
		return nil, err
	}
	rows, more, err := page(seq, limit-1)
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	conn := &QuestionReportConnection{Edges: make([]*QuestionReportEdge, len(rows))}
	cursors := make([]entgql.Cursor[string], len(rows))
	for i, row := range rows {
		ns.question.note(row.ID)
		ns.school.note(row.SchoolID)
		ns.group.note(row.GroupID)
		ns.discipline.note(row.DisciplineID)
		if !row.StudentHidden {
			ns.student.note(row.StudentID)
		}
		ns.teacher.noteOptional(row.TeacherID)
		ns.subject.noteOptional(row.SubjectID)
		cursors[i] = cursorOf(row.Key())
		conn.Edges[i] = &QuestionReportEdge{Node: &QuestionReportRow{QuestionRow: row, nodes: ns, portalURL: r.PortalURL}, Cursor: cursors[i]}
	}
	conn.PageInfo = pageInfo(cursors, more, after)
	in.After, in.Limit = nil, 0
	conn.count = func(ctx context.Context) (int, error) { return report.CountQuestions(ctx, d, p, in) }
	return conn, nil
}

// BookingReportRow is a row of the bookings report.
type BookingReportRow struct {
	report.BookingRow
	nodes *nodes
}

func (r *BookingReportRow) Booking(ctx context.Context) (*ent.Booking, error) {
	return r.nodes.booking.get(ctx, r.ID)
}
func (r *BookingReportRow) School(ctx context.Context) (*ent.School, error) {
	return r.nodes.school.get(ctx, r.SchoolID)
}
func (r *BookingReportRow) Group(ctx context.Context) (*ent.Group, error) {
	return r.nodes.group.get(ctx, r.GroupID)
}
func (r *BookingReportRow) Student(ctx context.Context) (*ent.User, error) {
	return r.nodes.student.get(ctx, r.StudentID)
}
func (r *BookingReportRow) Teacher(ctx context.Context) (*ent.User, error) {
	return r.nodes.teacher.getOptional(ctx, r.TeacherID)
}
func (r *BookingReportRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.discipline.get(ctx, r.DisciplineID)
}
func (r *BookingReportRow) BookingRoom(ctx context.Context) (*ent.BookingRoom, error) {
	return r.nodes.bookingRoom.getOptional(ctx, r.BookingRoomID)
}
func (r *BookingReportRow) CancelledBy(ctx context.Context) (*ent.User, error) {
	return r.nodes.cancelledBy.getOptional(ctx, r.CancelledByID)
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
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	limit, key, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	in.After, in.Limit = key, limit
	now := r.Now()
	seq, err := report.Bookings(ctx, d, p, in, now)
	if err != nil {
		return nil, err
	}
	rows, more, err := page(seq, limit-1)
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	conn := &BookingReportConnection{Edges: make([]*BookingReportEdge, len(rows))}
	cursors := make([]entgql.Cursor[string], len(rows))
	for i, row := range rows {
		ns.booking.note(row.ID)
		ns.school.note(row.SchoolID)
		ns.group.note(row.GroupID)
		ns.discipline.note(row.DisciplineID)
		ns.student.note(row.StudentID)
		ns.teacher.noteOptional(row.TeacherID)
		ns.cancelledBy.noteOptional(row.CancelledByID)
		ns.bookingRoom.noteOptional(row.BookingRoomID)
		cursors[i] = cursorOf(row.Key())
		conn.Edges[i] = &BookingReportEdge{Node: &BookingReportRow{BookingRow: row, nodes: ns}, Cursor: cursors[i]}
	}
	conn.PageInfo = pageInfo(cursors, more, after)
	in.After, in.Limit = nil, 0
	conn.count = func(ctx context.Context) (int, error) { return report.CountBookings(ctx, d, p, in, now) }
	return conn, nil
}

// WorkloadRow is a row of the workload report.
type WorkloadRow struct {
	report.WorkloadRow
	nodes *nodes
}

func (r *WorkloadRow) Teacher(ctx context.Context) (*ent.User, error) {
	return r.nodes.teacher.get(ctx, r.TeacherID)
}
func (r *WorkloadRow) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return r.nodes.discipline.get(ctx, r.DisciplineID)
}

func (r *Resolver) bookingsWorkload(ctx context.Context, schoolIDs []gid.SchoolID) ([]*WorkloadRow, error) {
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	seq, err := report.Workload(ctx, d, p, schoolIDs)
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	out := []*WorkloadRow{}
	for row, err := range seq {
		if err != nil {
			return nil, err
		}
		ns.teacher.note(row.TeacherID)
		ns.discipline.note(row.DisciplineID)
		out = append(out, &WorkloadRow{WorkloadRow: row, nodes: ns})
	}
	return out, nil
}
