package report

import (
	"context"
	"iter"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// QuestionsInput selects the questions of a report. From and To bound
// created_at, both required and included; empty lists filter nothing.
// Validate states the rules, which every report function checks.
type QuestionsInput struct {
	From, To      time.Time
	GroupIDs      []gid.GroupID
	SchoolIDs     []gid.SchoolID
	DisciplineIDs []gid.DisciplineID
	SubjectIDs    []gid.SubjectID
	TeacherIDs    []gid.UserID
	Statuses      []QuestionStatus
	Anonymous     *bool

	// After and Limit page through the report: the rows that come after
	// the key in the report's order, at most Limit of them (0: no limit;
	// else at most MaxPageSize + 1, see PageLimit). Counts and stats
	// ignore them.
	After *Key
	Limit int
}

// Key is the position of a row in a report's order: its time (created_at
// for questions, scheduled_for or else created_at for bookings) and id.
type Key struct {
	Time time.Time
	ID   string
}

// QuestionRow is one question of the questions report.
type QuestionRow struct {
	ID         gid.QuestionID
	SchoolID   gid.SchoolID
	SchoolName string
	Location   *time.Location // the school's time zone
	GroupID    gid.GroupID
	GroupName  string
	// StudentHidden is set for an anonymous question the token may not
	// reveal; the student's fields are then empty.
	StudentHidden           bool
	StudentID               gid.UserID
	StudentFirstName        string
	StudentLastName         string
	StudentEmail            string
	TeacherID               *gid.UserID
	TeacherFirstName        string
	TeacherLastName         string
	TeacherEmail            string
	DisciplineID            gid.DisciplineID
	DisciplineName          string
	SubjectID               *gid.SubjectID
	SubjectName             string
	CreatedAt               time.Time
	AnsweredAt              *time.Time
	Status                  QuestionStatus
	Anonymous               bool
	Description             string
	AnswerDescription       *string
	ReplyDescription        *string
	ReplyAnswerDescription  *string
	AnswerRating            *int
	AnswerUnderstood        *bool
	AnswerComment           *string
	HasSeenAnswer           bool
	ResponseMinutes         *float64
	AdjustedResponseMinutes *float64
}

// Key is the row's position in the report's order.
func (r *QuestionRow) Key() Key { return Key{Time: r.CreatedAt, ID: r.ID.String()} }

// questionStatusSQL derives a question's status; see QuestionStatus.
const questionStatusSQL = `CASE
	WHEN q.cancelled_at IS NOT NULL THEN 'CANCELLED'
	WHEN q.reply_answered_at IS NOT NULL OR q.reply_answer_description IS NOT NULL THEN 'REPLY_ANSWERED'
	WHEN q.reply_created_at IS NOT NULL OR q.reply_description IS NOT NULL THEN 'REPLY_PENDING'
	WHEN q.answered_at IS NOT NULL THEN 'ANSWERED'
	ELSE 'PENDING' END`

// Questions returns the questions asked in the input's period in the
// groups it selects and p may see, oldest first, as the database yields
// them. Errors about the input (see QuestionsInput.Validate, an id out of
// scope) come back at once; errors while reading come with the rows.
func Questions(ctx context.Context, d *db.DB, p *auth.Principal, in QuestionsInput) (iter.Seq2[QuestionRow, error], error) {
	if err := in.prepare(); err != nil {
		return nil, err
	}
	groups, err := resolveGroups(ctx, d, p, in.GroupIDs, in.SchoolIDs)
	if err != nil {
		return nil, err
	}
	zones, err := schoolZones(ctx, d, p, schoolScope{all: true})
	if err != nil {
		return nil, err
	}
	q := newQuery(d.Dialect).add(`SELECT q.id, s.id, s.name, g.id, g.name,
		st.id, st.first_name, st.last_name, st.email,
		t.id, COALESCE(t.first_name, ''), COALESCE(t.last_name, ''), COALESCE(t.email, ''),
		d.id, d.name, sub.id, COALESCE(sub.name, ''),
		q.created_at, q.answered_at, `+questionStatusSQL+`, q.anonymous, q.description,
		q.answer_description, q.reply_description, q.reply_answer_description,
		q.answer_rating, q.answer_understood, q.answer_comment, q.has_seen_answer,
		q.response_minutes, q.adjusted_response_minutes
	FROM questions q
	JOIN groups g ON g.id = q.group_id
	JOIN schools s ON s.id = g.school_id
	JOIN users st ON st.id = q.student_id
	LEFT JOIN users t ON t.id = q.teacher_id
	JOIN disciplines d ON d.id = q.discipline_id
	LEFT JOIN subjects sub ON sub.id = q.subject_id
	WHERE q.created_at >= ? AND q.created_at <= ?`, in.From, in.To)
	filterQuestions(q, groups, in)
	if in.After != nil {
		q.add(` AND (q.created_at > ? OR (q.created_at = ? AND q.id > ?))`, in.After.Time, in.After.Time, in.After.ID)
	}
	q.add(` ORDER BY q.created_at, q.id`)
	if in.Limit > 0 {
		q.add(` LIMIT ?`, in.Limit)
	}
	// Every row is scanned into r through the same destinations, which
	// saves building them (and r) anew for each of millions of rows; the
	// row yielded is a copy. Nullable columns get fresh pointers, or nil,
	// on every row. Names share their repeated values (see shared).
	var r QuestionRow
	names := shared{}
	var unique shared // descriptions, answers and comments seldom repeat
	dest := []any{&r.ID, &r.SchoolID, names.text(&r.SchoolName), &r.GroupID, names.text(&r.GroupName),
		&r.StudentID, names.text(&r.StudentFirstName), names.text(&r.StudentLastName), names.text(&r.StudentEmail),
		&r.TeacherID, names.text(&r.TeacherFirstName), names.text(&r.TeacherLastName), names.text(&r.TeacherEmail),
		&r.DisciplineID, names.text(&r.DisciplineName), &r.SubjectID, names.text(&r.SubjectName),
		&r.CreatedAt, &r.AnsweredAt, names.text((*string)(&r.Status)), &r.Anonymous, unique.text(&r.Description),
		unique.nullText(&r.AnswerDescription), unique.nullText(&r.ReplyDescription), unique.nullText(&r.ReplyAnswerDescription),
		&r.AnswerRating, &r.AnswerUnderstood, unique.nullText(&r.AnswerComment), &r.HasSeenAnswer,
		&r.ResponseMinutes, &r.AdjustedResponseMinutes}
	reveal := p.RevealAnonymous
	return rows(ctx, d, q, func(rs rowScanner) (QuestionRow, error) {
		if err := rs.Scan(dest...); err != nil {
			return QuestionRow{}, err
		}
		row := r
		if row.Location = zones[row.SchoolID]; row.Location == nil {
			row.Location = time.UTC
		}
		if row.Anonymous && !reveal {
			row.StudentHidden = true
			row.StudentID, row.StudentFirstName, row.StudentLastName, row.StudentEmail = gid.UserID{}, "", "", ""
		}
		return row, nil
	}), nil
}

// CountQuestions returns how many rows Questions would yield without a page.
func CountQuestions(ctx context.Context, d *db.DB, p *auth.Principal, in QuestionsInput) (int, error) {
	if err := in.prepare(); err != nil {
		return 0, err
	}
	groups, err := resolveGroups(ctx, d, p, in.GroupIDs, in.SchoolIDs)
	if err != nil {
		return 0, err
	}
	q := newQuery(d.Dialect).add(`SELECT COUNT(*) FROM questions q WHERE q.created_at >= ? AND q.created_at <= ?`, in.From, in.To)
	filterQuestions(q, groups, in)
	var n int
	if err := d.SQL.QueryRowContext(ctx, q.String(), q.args...).Scan(&n); err != nil {
		return 0, dbError(err)
	}
	return n, nil
}

// filterQuestions adds the input's filters to the WHERE clause of q.
func filterQuestions(q *query, groups groupScope, in QuestionsInput) {
	if !groups.all {
		q.add(" AND ")
		inList(q, "q.group_id", groups.ids)
	}
	andIn(q, "q.discipline_id", in.DisciplineIDs)
	andIn(q, "q.subject_id", in.SubjectIDs)
	andIn(q, "q.teacher_id", in.TeacherIDs)
	andIn(q, "("+questionStatusSQL+")", in.Statuses)
	if in.Anonymous != nil {
		q.add(" AND q.anonymous = ?", *in.Anonymous)
	}
}
