package report

import (
	"iter"
	"time"

	"github.com/stift/stift-reports/export"
)

// The legacy REST API's rendering of the reports: its value conventions
// ("" for an absent value where the public examples show "", null where
// they show null), date formats and labels. Values come in the order of
// the columns in package export.

// DefaultPortalURL is the portal that question links point to.
const DefaultPortalURL = "https://portal.stift.com.br"

// Legacy returns the question as the legacy API shows it, in the order of
// export.QuestionColumns; link points into the portal at portalURL.
func (r *QuestionRow) Legacy(portalURL string) []any {
	id := r.ID.String()
	studentID, studentName := r.StudentID.String(), fullName(r.StudentFirstName, r.StudentLastName)
	if r.StudentHidden {
		studentID, studentName = "", anonymousName
	}
	teacherID := ""
	if r.TeacherID != nil {
		teacherID = r.TeacherID.String()
	}
	return []any{
		id,
		r.SchoolName,
		r.GroupName,
		studentID,
		studentName,
		r.StudentEmail,
		teacherID,
		fullName(r.TeacherFirstName, r.TeacherLastName),
		r.TeacherEmail,
		r.DisciplineName,
		r.SubjectName,
		formatTime(r.CreatedAt.UTC(), isoMillis),
		timeOr(r.AnsweredAt, time.UTC, isoMillis),
		r.Status.Label(),
		r.Anonymous,
		r.Description,
		textOr(r.AnswerDescription),
		textOr(r.ReplyDescription),
		textOr(r.ReplyAnswerDescription),
		orEmpty(r.AnswerRating),
		orEmpty(r.AnswerUnderstood),
		textOr(r.AnswerComment),
		r.HasSeenAnswer,
		r.Link(portalURL),
	}
}

// Link returns the question's page in the portal at portalURL.
func (r *QuestionRow) Link(portalURL string) string {
	return portalURL + "/#/questions/" + r.ID.String() + "/"
}

// Legacy returns the booking as the legacy API shows it, in the order of
// export.BookingColumns: times in the school's zone, ratings with one decimal.
func (r *BookingRow) Legacy() []any {
	duration := any("")
	if m, ok := r.Duration(); ok {
		duration = m
	}
	modal := ""
	if r.BookingRoomModal != "" {
		modal = ModalLabel(r.BookingRoomModal)
	}
	return []any{
		r.ID.String(),
		r.SchoolName,
		formatTime(r.CreatedAt.In(r.Location), localMinutes),
		timeOr(r.ScheduledFor, r.Location, localMinutes),
		timeOr(r.MeetingStartedAt, r.Location, localMinutes),
		timeOr(r.MeetingEndedAt, r.Location, localMinutes),
		duration,
		r.StudentExternalID,
		fullName(r.StudentFirstName, r.StudentLastName),
		r.StudentEmail,
		fullName(r.TeacherFirstName, r.TeacherLastName),
		r.TeacherEmail,
		r.GroupName,
		r.DisciplineName,
		r.BookingRoomName,
		modal,
		rating(r.RatingByStudent),
		rating(r.RatingByTeacher),
		rating(r.CallQualityByStudent),
		rating(r.CallQualityByTeacher),
		r.Status.Label(),
		timeOr(r.CancelledAt, r.Location, localMinutes),
		r.CancelledByName,
	}
}

// Legacy returns the row as the legacy API shows it, in the order of
// export.WorkloadColumns.
func (r *WorkloadRow) Legacy() []any {
	return []any{fullName(r.TeacherFirstName, r.TeacherLastName), r.TeacherEmail, r.WeeklyMinutes, r.DisciplineName}
}

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

func timeOr(t *time.Time, loc *time.Location, layout string) string {
	if t == nil {
		return ""
	}
	return formatTime(t.In(loc), layout)
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

func dateOrNil(t *time.Time, loc *time.Location) any {
	if t == nil {
		return nil
	}
	return t.In(loc).Format(isoDay)
}
