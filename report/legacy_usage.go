package report

import (
	"iter"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/stift/stift-reports/export"
)

// LegacyJSON returns the groups usage as the legacy API's JSON object, its
// sections streamed: students always, teachers and disciplines only when
// asked for (otherwise their keys are absent).
func (u *GroupsUsage) LegacyJSON() export.Object {
	s := u.Summary
	byDiscipline := make(export.Object, len(s.QuestionsByDiscipline))
	for i, d := range s.QuestionsByDiscipline {
		byDiscipline[i] = export.Field{Key: d.Name, Value: d.Count}
	}
	obj := export.Object{
		{Key: "start_date", Value: usageDay(u.From, u.Location, localDay)},
		{Key: "end_date", Value: usageDay(u.To, u.Location, localDay)},
		{Key: "total_questions", Value: s.TotalQuestions},
		{Key: "average_adjusted_response_time_in_minutes", Value: floatOrNil(s.AverageAdjustedResponseMinutes)},
		{Key: "questions_count_by_discipline", Value: byDiscipline},
		{Key: "active_users_percentage", Value: s.ActiveUsersShare},
		{Key: "average_answer_rating", Value: floatOrNil(s.AverageAnswerRating)},
		{Key: "average_nps", Value: floatOrNil(s.AverageNPS)},
		{Key: "average_response_time_nps", Value: floatOrNil(s.AverageResponseTimeNPS)},
		{Key: "nps_answers", Value: histogram("score", s.NPSAnswers)},
		{Key: "answer_ratings", Value: histogram("rating", s.AnswerRatings)},
		{Key: "students", Value: objects(u.Students, u.legacyStudent)},
	}
	if u.Teachers != nil {
		obj = append(obj, export.Field{Key: "teachers", Value: objects(u.Teachers, u.legacyTeacher)})
	}
	if u.Disciplines != nil {
		obj = append(obj, export.Field{Key: "disciplines", Value: objects(u.Disciplines, legacyDiscipline)})
	}
	return obj
}

func (u *GroupsUsage) legacyStudent(st *StudentUsage) export.Object {
	questions := make([]export.Object, len(st.Questions))
	for i, q := range st.Questions {
		var subject any
		if q.SubjectID != nil {
			subject = export.Object{{Key: "id", Value: int(*q.SubjectID)}, {Key: "name", Value: q.SubjectName}}
		}
		questions[i] = export.Object{
			{Key: "discipline", Value: export.Object{{Key: "id", Value: int(q.DisciplineID)}, {Key: "name", Value: q.DisciplineName}}},
			{Key: "subject", Value: subject},
		}
	}
	return studentTable.object(usageStudent{st, u.Location}, export.Field{Key: "questions", Value: questions})
}

func (u *GroupsUsage) legacyTeacher(t *TeacherUsage) export.Object {
	return teacherTable.object(usageTeacher{t, u.Location})
}

func legacyDiscipline(d *DisciplineUsage) export.Object {
	top := make(export.Object, len(d.TopSubjects))
	for i, s := range d.TopSubjects {
		top[i] = export.Field{Key: s.Name, Value: s.Count}
	}
	return export.Object{
		{Key: "name", Value: d.Name},
		{Key: "top_subjects", Value: top},
		{Key: "total_questions", Value: d.TotalQuestions},
		{Key: "average_response_time_in_minutes", Value: floatOrNil(d.AverageResponseMinutes)},
	}
}

func histogram(key string, bars []ScoreCount) []export.Object {
	out := make([]export.Object, len(bars))
	for i, b := range bars {
		out[i] = export.Object{{Key: key, Value: b.Score}, {Key: "count", Value: b.Count}}
	}
	return out
}

// objects streams a section as JSON objects.
func objects[T any](seq iter.Seq2[T, error], object func(*T) export.Object) export.Array {
	return func(yield func(any, error) bool) {
		for v, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(object(&v), nil) {
				return
			}
		}
	}
}

// LegacySections returns the groups usage as the tables of its CSV and
// XLSX downloads: the summary (indicators, then questions per discipline),
// the students, and the teachers and disciplines when asked for.
func (u *GroupsUsage) LegacySections() []export.Section {
	summary := func(yield func([]any, error) bool) {
		for i, c := range indicatorTable.columns {
			if !yield(summaryTable.row(indicator{c.Header, indicatorTable.values[i](u)}), nil) {
				return
			}
		}
	}
	sections := []export.Section{
		{Name: export.SummarySheet, Columns: export.SummaryColumns, Rows: summary},
		{Name: export.SummarySheet, Columns: export.DisciplineCountColumns,
			Rows: disciplineCountTable.rows(slices.Values(u.Summary.QuestionsByDiscipline))},
		{Name: export.StudentsSheet, Columns: export.StudentColumns, Rows: LegacyRows(u.Students,
			func(st *StudentUsage) []any { return studentTable.row(usageStudent{st, u.Location}) })},
	}
	if u.Teachers != nil {
		sections = append(sections, export.Section{Name: export.TeachersSheet, Columns: export.TeacherColumns,
			Rows: LegacyRows(u.Teachers, func(t *TeacherUsage) []any { return teacherTable.row(usageTeacher{t, u.Location}) })})
	}
	if u.Disciplines != nil {
		sections = append(sections, export.Section{Name: export.DisciplinesSheet, Columns: export.DisciplineColumns,
			Rows: LegacyRows(u.Disciplines, disciplineTable.row)})
	}
	return sections
}

// indicator is a row of the summary: an indicator's label and value.
type indicator struct {
	label string
	value any
}

var summaryTable = newTable(export.SummaryColumns, map[string]func(indicator) any{
	"indicator": func(i indicator) any { return i.label },
	"value":     func(i indicator) any { return i.value },
})

// indicatorTable gives the value of each indicator of the summary, a row of
// summaryTable each.
var indicatorTable = newTable(export.SummaryIndicators, map[string]func(*GroupsUsage) any{
	"start_date":      func(u *GroupsUsage) any { return usageDay(u.From, u.Location, localDay) },
	"end_date":        func(u *GroupsUsage) any { return usageDay(u.To, u.Location, localDay) },
	"total_questions": func(u *GroupsUsage) any { return u.Summary.TotalQuestions },
	"average_adjusted_response_time_in_minutes": func(u *GroupsUsage) any {
		return floatOrNil(u.Summary.AverageAdjustedResponseMinutes)
	},
	// A percentage, as the label says, with the two decimals of the
	// report's other figures: 0.6316 is 63.16, not 63.160000000000004.
	"active_users_percentage":   func(u *GroupsUsage) any { return math.Round(u.Summary.ActiveUsersShare*1e4) / 100 },
	"average_answer_rating":     func(u *GroupsUsage) any { return floatOrNil(u.Summary.AverageAnswerRating) },
	"average_nps":               func(u *GroupsUsage) any { return floatOrNil(u.Summary.AverageNPS) },
	"average_response_time_nps": func(u *GroupsUsage) any { return floatOrNil(u.Summary.AverageResponseTimeNPS) },
})

var disciplineCountTable = newTable(export.DisciplineCountColumns, map[string]func(NameCount) any{
	"discipline": func(c NameCount) any { return c.Name },
	"questions":  func(c NameCount) any { return c.Count },
})

// usageStudent is a student of the groups usage and the zone its dates are
// given in; usageTeacher likewise a teacher.
type (
	usageStudent struct {
		*StudentUsage
		loc *time.Location
	}
	usageTeacher struct {
		*TeacherUsage
		loc *time.Location
	}
)

// studentTable's values are also the JSON fields of a student, but for the
// questions themselves: the table counts them.
var studentTable = newTable(export.StudentColumns, map[string]func(usageStudent) any{
	"name":            func(s usageStudent) any { return fullName(s.FirstName, s.LastName) },
	"groups":          func(s usageStudent) any { return s.Groups },
	"email":           func(s usageStudent) any { return s.Email },
	"active":          func(s usageStudent) any { return s.Active },
	"created_at":      func(s usageStudent) any { return usageDay(s.CreatedAt, s.loc, isoDay) },
	"blocked_at":      func(s usageStudent) any { return dateOrNil(s.BlockedAt, s.loc) },
	"deleted_at":      func(s usageStudent) any { return dateOrNil(s.DeletedAt, s.loc) },
	"questions_count": func(s usageStudent) any { return len(s.Questions) },
})

// teacherTable's values are also the JSON fields of a teacher.
var teacherTable = newTable(export.TeacherColumns, map[string]func(usageTeacher) any{
	"first_name":                       func(t usageTeacher) any { return t.FirstName },
	"last_name":                        func(t usageTeacher) any { return t.LastName },
	"email":                            func(t usageTeacher) any { return t.Email },
	"groups":                           func(t usageTeacher) any { return t.Groups },
	"disciplines":                      func(t usageTeacher) any { return t.Disciplines },
	"active":                           func(t usageTeacher) any { return t.Active },
	"answered_questions_count":         func(t usageTeacher) any { return t.AnsweredQuestions },
	"average_response_time_in_minutes": func(t usageTeacher) any { return floatOrNil(t.AverageResponseMinutes) },
	"created_at":                       func(t usageTeacher) any { return usageDay(t.CreatedAt, t.loc, isoDay) },
	"blocked_at":                       func(t usageTeacher) any { return dateOrNil(t.BlockedAt, t.loc) },
	"deleted_at":                       func(t usageTeacher) any { return dateOrNil(t.DeletedAt, t.loc) },
})

// disciplineTable flattens top_subjects, a JSON object, to "name (count)"
// items.
var disciplineTable = newTable(export.DisciplineColumns, map[string]func(*DisciplineUsage) any{
	"name":                             func(d *DisciplineUsage) any { return d.Name },
	"total_questions":                  func(d *DisciplineUsage) any { return d.TotalQuestions },
	"average_response_time_in_minutes": func(d *DisciplineUsage) any { return floatOrNil(d.AverageResponseMinutes) },
	"top_subjects": func(d *DisciplineUsage) any {
		top := make([]string, len(d.TopSubjects))
		for i, s := range d.TopSubjects {
			top[i] = s.Name + " (" + strconv.Itoa(s.Count) + ")"
		}
		return top
	},
})
