package report

import (
	"iter"
	"strconv"

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
		{Key: "start_date", Value: u.From.In(u.Location).Format(localDay)},
		{Key: "end_date", Value: u.To.In(u.Location).Format(localDay)},
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
	return export.Object{
		{Key: "name", Value: fullName(st.FirstName, st.LastName)},
		{Key: "groups", Value: st.Groups},
		{Key: "email", Value: st.Email},
		{Key: "active", Value: st.Active},
		{Key: "created_at", Value: st.CreatedAt.In(u.Location).Format(isoDay)},
		{Key: "blocked_at", Value: dateOrNil(st.BlockedAt, u.Location)},
		{Key: "deleted_at", Value: dateOrNil(st.DeletedAt, u.Location)},
		{Key: "questions_count", Value: len(st.Questions)},
		{Key: "questions", Value: questions},
	}
}

func (u *GroupsUsage) legacyTeacher(t *TeacherUsage) export.Object {
	return export.Object{
		{Key: "first_name", Value: t.FirstName},
		{Key: "last_name", Value: t.LastName},
		{Key: "email", Value: t.Email},
		{Key: "groups", Value: t.Groups},
		{Key: "disciplines", Value: t.Disciplines},
		{Key: "active", Value: t.Active},
		{Key: "answered_questions_count", Value: t.AnsweredQuestions},
		{Key: "average_response_time_in_minutes", Value: floatOrNil(t.AverageResponseMinutes)},
		{Key: "created_at", Value: t.CreatedAt.In(u.Location).Format(isoDay)},
		{Key: "blocked_at", Value: dateOrNil(t.BlockedAt, u.Location)},
		{Key: "deleted_at", Value: dateOrNil(t.DeletedAt, u.Location)},
	}
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
	s := u.Summary
	indicators := []any{
		u.From.In(u.Location).Format(localDay),
		u.To.In(u.Location).Format(localDay),
		s.TotalQuestions,
		floatOrNil(s.AverageAdjustedResponseMinutes),
		s.ActiveUsersShare * 100,
		floatOrNil(s.AverageAnswerRating),
		floatOrNil(s.AverageNPS),
		floatOrNil(s.AverageResponseTimeNPS),
	}
	summary := func(yield func([]any, error) bool) {
		for i, ind := range export.SummaryIndicators {
			if !yield([]any{ind.Header, indicators[i]}, nil) {
				return
			}
		}
	}
	byDiscipline := func(yield func([]any, error) bool) {
		for _, d := range s.QuestionsByDiscipline {
			if !yield([]any{d.Name, d.Count}, nil) {
				return
			}
		}
	}
	sections := []export.Section{
		{Name: export.SummarySheet, Columns: export.SummaryColumns, Rows: summary},
		{Name: export.SummarySheet, Columns: export.DisciplineCountColumns, Rows: byDiscipline},
		{Name: export.StudentsSheet, Columns: export.StudentColumns, Rows: LegacyRows(u.Students, u.studentCells)},
	}
	if u.Teachers != nil {
		sections = append(sections, export.Section{Name: export.TeachersSheet, Columns: export.TeacherColumns,
			Rows: LegacyRows(u.Teachers, u.teacherCells)})
	}
	if u.Disciplines != nil {
		sections = append(sections, export.Section{Name: export.DisciplinesSheet, Columns: export.DisciplineColumns,
			Rows: LegacyRows(u.Disciplines, disciplineCells)})
	}
	return sections
}

func (u *GroupsUsage) studentCells(st *StudentUsage) []any {
	return []any{fullName(st.FirstName, st.LastName), st.Groups, st.Email, st.Active,
		st.CreatedAt.In(u.Location).Format(isoDay), dateOrNil(st.BlockedAt, u.Location),
		dateOrNil(st.DeletedAt, u.Location), len(st.Questions)}
}

func (u *GroupsUsage) teacherCells(t *TeacherUsage) []any {
	return []any{t.FirstName, t.LastName, t.Email, t.Groups, t.Disciplines, t.Active, t.AnsweredQuestions,
		floatOrNil(t.AverageResponseMinutes), t.CreatedAt.In(u.Location).Format(isoDay),
		dateOrNil(t.BlockedAt, u.Location), dateOrNil(t.DeletedAt, u.Location)}
}

func disciplineCells(d *DisciplineUsage) []any {
	top := make([]string, len(d.TopSubjects))
	for i, s := range d.TopSubjects {
		top[i] = s.Name + " (" + strconv.Itoa(s.Count) + ")"
	}
	return []any{d.Name, d.TotalQuestions, floatOrNil(d.AverageResponseMinutes), top}
}
