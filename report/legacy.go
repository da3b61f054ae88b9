package report

import (
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/stift/stift-reports/export"
)

// The legacy REST API's rendering of the reports: its value conventions
// ("" for an absent value where the public examples show "", null where
// they show null), date formats and labels. Each table below gives, by
// key, the value of every column that package export lists for it, and
// newTable puts the values in export's order: a column and its value are
// matched by name, never by position.

// DefaultPortalURL is the portal that question links point to.
const DefaultPortalURL = "https://portal.stift.com.br"

// A table is the columns of a legacy table, each with the function that
// gives its value for a row of type T.
type table[T any] struct {
	columns []export.Column
	values  []func(T) any
}

// newTable gives each of columns its value in byKey. It panics unless byKey
// holds a value for every column and for nothing else, so that a column
// added on one side only stops the program (and every test) at start-up.
func newTable[T any](columns []export.Column, byKey map[string]func(T) any) table[T] {
	t := table[T]{columns: columns, values: make([]func(T) any, len(columns))}
	for i, c := range columns {
		value, ok := byKey[c.Key]
		if !ok {
			panic(fmt.Sprintf("report: no value for column %q", c.Key))
		}
		t.values[i] = value
	}
	for key := range byKey {
		if !slices.ContainsFunc(columns, func(c export.Column) bool { return c.Key == key }) {
			panic(fmt.Sprintf("report: a value for %q, which is no column", key))
		}
	}
	return t
}

// row returns r's values in the order of the columns.
func (t table[T]) row(r T) []any {
	row := make([]any, len(t.values))
	for i, value := range t.values {
		row[i] = value(r)
	}
	return row
}

// object returns r as a JSON object keyed by the columns' keys, then the
// fields of extra.
func (t table[T]) object(r T, extra ...export.Field) export.Object {
	obj := make(export.Object, len(t.values), len(t.values)+len(extra))
	for i, value := range t.values {
		obj[i] = export.Field{Key: t.columns[i].Key, Value: value(r)}
	}
	return append(obj, extra...)
}

// rows yields the row of each of items.
func (t table[T]) rows(items iter.Seq[T]) export.Rows {
	return func(yield func([]any, error) bool) {
		for r := range items {
			if !yield(t.row(r), nil) {
				return
			}
		}
	}
}

// Legacy returns the question as the legacy API shows it, in the order of
// export.QuestionColumns; link points into the portal at portalURL.
func (r *QuestionRow) Legacy(portalURL string) []any {
	return questionTable.row(legacyQuestion{r, portalURL})
}

// legacyQuestion is a question and the portal its link points into.
type legacyQuestion struct {
	*QuestionRow
	portalURL string
}

var questionTable = newTable(export.QuestionColumns, map[string]func(legacyQuestion) any{
	"question_id": func(q legacyQuestion) any { return q.ID.String() },
	"school":      func(q legacyQuestion) any { return q.SchoolName },
	"group":       func(q legacyQuestion) any { return q.GroupName },
	"student_id": func(q legacyQuestion) any {
		if q.StudentHidden {
			return ""
		}
		return q.StudentID.String()
	},
	"student_name": func(q legacyQuestion) any {
		if q.StudentHidden {
			return anonymousName
		}
		return fullName(q.StudentFirstName, q.StudentLastName)
	},
	"student_email": func(q legacyQuestion) any { return q.StudentEmail },
	"teacher_id": func(q legacyQuestion) any {
		if q.TeacherID == nil {
			return ""
		}
		return q.TeacherID.String()
	},
	"teacher_name":             func(q legacyQuestion) any { return fullName(q.TeacherFirstName, q.TeacherLastName) },
	"teacher_email":            func(q legacyQuestion) any { return q.TeacherEmail },
	"question_discipline":      func(q legacyQuestion) any { return q.DisciplineName },
	"question_subject":         func(q legacyQuestion) any { return q.SubjectName },
	"question_created_at":      func(q legacyQuestion) any { return questionTime(q.CreatedAt, q.Location) },
	"question_answered_at":     func(q legacyQuestion) any { return timeOr(q.AnsweredAt, q.Location, questionTime) },
	"question_status":          func(q legacyQuestion) any { return q.Status.Label() },
	"question_anonymous":       func(q legacyQuestion) any { return q.Anonymous },
	"question_description":     func(q legacyQuestion) any { return q.Description },
	"answer_description":       func(q legacyQuestion) any { return textOr(q.AnswerDescription) },
	"reply_description":        func(q legacyQuestion) any { return textOr(q.ReplyDescription) },
	"reply_answer_description": func(q legacyQuestion) any { return textOr(q.ReplyAnswerDescription) },
	"answer_rating":            func(q legacyQuestion) any { return orEmpty(q.AnswerRating) },
	"answer_understood":        func(q legacyQuestion) any { return orEmpty(q.AnswerUnderstood) },
	"answer_comment":           func(q legacyQuestion) any { return textOr(q.AnswerComment) },
	"has_seen_answer":          func(q legacyQuestion) any { return q.HasSeenAnswer },
	"link":                     func(q legacyQuestion) any { return q.Link(q.portalURL) },
})

// Link returns the question's page in the portal at portalURL.
func (r *QuestionRow) Link(portalURL string) string {
	return portalURL + "/#/questions/" + r.ID.String() + "/"
}

// Legacy returns the booking as the legacy API shows it, in the order of
// export.BookingColumns: times in the school's zone, ratings with one decimal.
func (r *BookingRow) Legacy() []any { return bookingTable.row(r) }

var bookingTable = newTable(export.BookingColumns, map[string]func(*BookingRow) any{
	"id":            func(r *BookingRow) any { return r.ID.String() },
	"school_name":   func(r *BookingRow) any { return r.SchoolName },
	"created_at":    func(r *BookingRow) any { return bookingTime(r.CreatedAt, r.Location) },
	"scheduled_for": func(r *BookingRow) any { return timeOr(r.ScheduledFor, r.Location, bookingTime) },
	"start_time":    func(r *BookingRow) any { return timeOr(r.MeetingStartedAt, r.Location, bookingTime) },
	"end_time":      func(r *BookingRow) any { return timeOr(r.MeetingEndedAt, r.Location, bookingTime) },
	"duration": func(r *BookingRow) any {
		if m, ok := r.Duration(); ok {
			return m
		}
		return ""
	},
	"student_external_id":            func(r *BookingRow) any { return r.StudentExternalID },
	"student_name":                   func(r *BookingRow) any { return fullName(r.StudentFirstName, r.StudentLastName) },
	"student_email":                  func(r *BookingRow) any { return r.StudentEmail },
	"teacher_name":                   func(r *BookingRow) any { return fullName(r.TeacherFirstName, r.TeacherLastName) },
	"teacher_email":                  func(r *BookingRow) any { return r.TeacherEmail },
	"group_name":                     func(r *BookingRow) any { return r.GroupName },
	"discipline_name":                func(r *BookingRow) any { return r.DisciplineName },
	"booking_room_name":              func(r *BookingRow) any { return r.BookingRoomName },
	"booking_room_modal":             func(r *BookingRow) any { return ModalLabel(r.BookingRoomModal) }, // "" without a room
	"rating_by_student":              func(r *BookingRow) any { return rating(r.RatingByStudent) },
	"rating_by_teacher":              func(r *BookingRow) any { return rating(r.RatingByTeacher) },
	"call_quality_rating_by_student": func(r *BookingRow) any { return rating(r.CallQualityByStudent) },
	"call_quality_rating_by_teacher": func(r *BookingRow) any { return rating(r.CallQualityByTeacher) },
	"status":                         func(r *BookingRow) any { return r.Status.Label() },
	"cancelled_at":                   func(r *BookingRow) any { return timeOr(r.CancelledAt, r.Location, bookingTime) },
	"cancelled_by_name":              func(r *BookingRow) any { return r.CancelledByName },
})

// Legacy returns the row as the legacy API shows it, in the order of
// export.WorkloadColumns.
func (r *WorkloadRow) Legacy() []any { return workloadTable.row(r) }

var workloadTable = newTable(export.WorkloadColumns, map[string]func(*WorkloadRow) any{
	"teacher_name":    func(r *WorkloadRow) any { return fullName(r.TeacherFirstName, r.TeacherLastName) },
	"teacher_email":   func(r *WorkloadRow) any { return r.TeacherEmail },
	"weekly_minutes":  func(r *WorkloadRow) any { return r.WeeklyMinutes },
	"discipline_name": func(r *WorkloadRow) any { return r.DisciplineName },
})

// LegacyRows adapts a stream of report rows to the legacy values.
func LegacyRows[T any](seq iter.Seq2[T, error], legacy func(*T) []any) export.Rows {
	return func(yield func([]any, error) bool) {
		for r, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(legacy(&r), nil) {
				return
			}
		}
	}
}

// The legacy reports' times are export.Time values: their text is the
// legacy API's, byte for byte, and a spreadsheet shows them as dates in the
// school's zone. questionTime is a question's time (text in UTC with
// milliseconds, as the API has it), bookingTime a booking's (text in the
// school's zone, to the minute), usageDay a date of the groups usage (text
// in the layout that field has in the API).

func questionTime(t time.Time, loc *time.Location) any {
	return export.Time{At: t.In(loc), Text: formatTime(t.UTC(), isoMillis)}
}

func bookingTime(t time.Time, loc *time.Location) any {
	t = t.In(loc)
	return export.Time{At: t, Text: formatTime(t, localMinutes)}
}

func usageDay(t time.Time, loc *time.Location, layout string) export.Time {
	t = t.In(loc)
	return export.Time{At: t, Text: t.Format(layout), Date: true}
}

// timeOr returns the time of t in loc, or "" when t is nil.
func timeOr(t *time.Time, loc *time.Location, value func(time.Time, *time.Location) any) any {
	if t == nil {
		return ""
	}
	return value(*t, loc)
}

func textOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// orEmpty returns *v, or "" when v is nil.
func orEmpty[T any](v *T) any {
	if v == nil {
		return ""
	}
	return *v
}

// rating returns a 0–5 rating with its one decimal, or "".
func rating(v *float64) any {
	if v == nil {
		return ""
	}
	return export.Fixed{Value: *v, Places: 1}
}

// floatOrNil returns *v as a JSON number, or nil (null).
func floatOrNil(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// dateOrNil returns a user's date of the groups usage, or nil (null).
func dateOrNil(t *time.Time, loc *time.Location) any {
	if t == nil {
		return nil
	}
	return usageDay(*t, loc, isoDay)
}
