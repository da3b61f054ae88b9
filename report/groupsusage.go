package report

import (
	"context"
	"database/sql"
	"iter"
	"math"
	"time"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// GroupsUsageInput selects a groups usage report: the questions asked in
// the groups between From and To (both included), and the groups' members.
type GroupsUsageInput struct {
	From, To        time.Time
	GroupIDs        []gid.GroupID // required (nil is missing) and not empty
	ShowTeachers    bool
	ShowDisciplines bool
}

// GroupsUsage is the usage of some groups in a period: a summary computed
// at once, and the per-student, per-teacher and per-discipline sections as
// streams, read in that order.
type GroupsUsage struct {
	From, To time.Time
	// Location is the time zone of the groups' school (UTC when they belong
	// to several), in which the report's dates are given.
	Location    *time.Location
	Summary     UsageSummary
	Students    iter.Seq2[StudentUsage, error]
	Teachers    iter.Seq2[TeacherUsage, error]    // nil unless ShowTeachers
	Disciplines iter.Seq2[DisciplineUsage, error] // nil unless ShowDisciplines
}

// UsageSummary holds the figures of the whole period. Averages are rounded
// to two decimals and nil when there is nothing to average.
type UsageSummary struct {
	TotalQuestions                 int
	AverageAdjustedResponseMinutes *float64
	QuestionsByDiscipline          []NameCount // most asked first
	// ActiveUsersShare is the share (0 to 1, four decimals) of the groups'
	// students who were members during the period (see memberDuring) and
	// asked at least one question in it.
	ActiveUsersShare       float64
	AverageAnswerRating    *float64
	AverageNPS             *float64     // platform NPS of the groups' members
	AverageResponseTimeNPS *float64     // response-time NPS of the groups' members
	NPSAnswers             []ScoreCount // platform NPS scores, by score
	AnswerRatings          []ScoreCount // answer ratings, by rating
}

// NameCount is a count of something named.
type NameCount struct {
	Name  string
	Count int
}

// ScoreCount is a histogram bar: how many times Score was given.
type ScoreCount struct{ Score, Count int }

// StudentUsage is one student of the groups who was a member during the
// period, with the questions they asked in it (anonymous ones only if the
// token may reveal them).
type StudentUsage struct {
	ID                  gid.UserID
	FirstName, LastName string
	Email               string
	Groups              []string // the names of the report's groups they belong to
	// Active is whether Questions holds any: it says no more than the list,
	// so an anonymous question the token may not reveal does not count.
	Active               bool
	CreatedAt            time.Time
	BlockedAt, DeletedAt *time.Time
	Questions            []UsageQuestion
}

// UsageQuestion is a question of a student, by discipline and subject.
type UsageQuestion struct {
	DisciplineID   gid.DisciplineID
	DisciplineName string
	SubjectID      *gid.SubjectID
	SubjectName    string
}

// TeacherUsage is one teacher of the groups who was a member during the
// period, and the questions of the groups asked in the period that they
// answered.
type TeacherUsage struct {
	ID                  gid.UserID
	FirstName, LastName string
	Email               string
	Groups              []string
	Disciplines         []string
	Active              bool // AnsweredQuestions > 0
	AnsweredQuestions   int
	// AverageResponseMinutes is the mean adjusted response time (minutes
	// inside the school's service hours) of those answers, as the
	// summary's average.
	AverageResponseMinutes *float64
	CreatedAt              time.Time
	BlockedAt, DeletedAt   *time.Time
}

// DisciplineUsage is one discipline asked about in the period.
type DisciplineUsage struct {
	ID             gid.DisciplineID
	Name           string
	TotalQuestions int
	// AverageResponseMinutes is the adjusted minutes of the answered
	// questions summed and divided by all TotalQuestions, answered or not:
	// the legacy API's reading (its example gives 43615.19 × 3 / 41 for 3
	// answers among 41 questions). Nil when none was answered.
	AverageResponseMinutes *float64
	TopSubjects            []NameCount // most asked first
}

// GroupsUsageReport computes the usage of the input's groups, which p must
// all be allowed to see.
func GroupsUsageReport(ctx context.Context, d *db.DB, p *auth.Principal, in GroupsUsageInput) (*GroupsUsage, error) {
	if err := in.prepare(); err != nil {
		return nil, err
	}
	if err := checkGroups(ctx, d, p, in.GroupIDs); err != nil {
		return nil, err
	}
	u := &GroupsUsage{From: in.From, To: in.To, Location: time.UTC}
	loc, err := groupsZone(ctx, d, p, in.GroupIDs)
	if err != nil {
		return nil, err
	}
	u.Location = loc
	s := usageQueries{d: d, in: in, reveal: p.RevealAnonymous}
	if u.Summary, err = s.summary(ctx); err != nil {
		return nil, err
	}
	u.Students = s.students(ctx)
	if in.ShowTeachers {
		u.Teachers = s.teachers(ctx)
	}
	if in.ShowDisciplines {
		u.Disciplines = s.disciplines(ctx)
	}
	return u, nil
}

// groupsZone returns the time zone of the groups' school, or UTC when
// they belong to several.
func groupsZone(ctx context.Context, d *db.DB, p *auth.Principal, ids []gid.GroupID) (*time.Location, error) {
	schools, err := d.Client.Group.Query().Where(group.IDIn(ids...)).QuerySchool().All(auth.NewContext(ctx, p))
	if err != nil {
		return nil, dbError(err)
	}
	if len(schools) != 1 {
		return time.UTC, nil
	}
	return time.LoadLocation(schools[0].Timezone)
}

// usageQueries builds the queries of a groups usage report.
type usageQueries struct {
	d      *db.DB
	in     GroupsUsageInput
	reveal bool
}

// newQuery starts a query with the table sel(id) of the report's groups.
func (s usageQueries) newQuery() *query {
	q := newQuery(s.d.Dialect)
	uuidType := "TEXT"
	if s.d.Dialect == dialect.Postgres {
		uuidType = "uuid"
	}
	q.add("WITH sel(id) AS (VALUES ")
	for i, id := range s.in.GroupIDs {
		if i > 0 {
			q.add(", ")
		}
		q.add("(CAST(? AS "+uuidType+"))", id)
	}
	q.add(") ")
	return q
}

// members is a sub-query of the users in the report's groups through the
// join table (group_students or group_teachers): one row per user, with
// the names of their groups among the report's as an aggregated list.
// The join tables are keyed by group first, so this reads them by group
// once rather than by user for every row.
func (s usageQueries) members(table string) string {
	return `(SELECT j.user_id, ` + stringAgg(s.d.Dialect, "g.name", "g.name") + ` AS groups
		FROM ` + table + ` j JOIN groups g ON g.id = j.group_id
		WHERE j.group_id IN (SELECT id FROM sel) GROUP BY j.user_id)`
}

// inPeriod is the condition on questions q of the report; its arguments
// are From and To.
const inPeriod = ` q.group_id IN (SELECT id FROM sel) AND q.created_at >= ? AND q.created_at <= ? `

// memberDuring is the condition on a user u of the groups to be counted in
// a report of the period: not created after its end, not deleted before
// its start. Group membership has no dates of its own, so the user's are
// used, and a historical report does not count today's roster. Its
// arguments are To and From.
const memberDuring = ` u.created_at <= ? AND (u.deleted_at IS NULL OR u.deleted_at >= ?) `

// studentsDuring is the FROM clause of the groups' students u who were
// members during the period.
const studentsDuring = ` FROM users u WHERE u.id IN (SELECT gs.user_id FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel))
	AND` + memberDuring

func (s usageQueries) summary(ctx context.Context) (UsageSummary, error) {
	var (
		sum                   UsageSummary
		adjusted, rating      sql.NullFloat64
		students, activeCount int
	)
	q := s.newQuery().add(`SELECT
		(SELECT COUNT(*) FROM questions q WHERE`+inPeriod+`),
		(SELECT AVG(q.adjusted_response_minutes) FROM questions q WHERE`+inPeriod+`),
		(SELECT AVG(CAST(q.answer_rating AS DOUBLE PRECISION)) FROM questions q WHERE`+inPeriod+`),
		(SELECT COUNT(*)`+studentsDuring+`),
		(SELECT COUNT(*)`+studentsDuring+`
			AND EXISTS (SELECT 1 FROM questions q WHERE q.student_id = u.id AND`+inPeriod+`))`,
		s.in.From, s.in.To, s.in.From, s.in.To, s.in.From, s.in.To, s.in.To, s.in.From,
		s.in.To, s.in.From, s.in.From, s.in.To)
	err := s.d.SQL.QueryRowContext(ctx, q.String(), q.args...).
		Scan(&sum.TotalQuestions, &adjusted, &rating, &students, &activeCount)
	if err != nil {
		return sum, dbError(err)
	}
	sum.AverageAdjustedResponseMinutes = round2(adjusted)
	sum.AverageAnswerRating = round2(rating)
	if students > 0 {
		sum.ActiveUsersShare = math.Round(float64(activeCount)/float64(students)*1e4) / 1e4
	}

	q = s.newQuery().add(`SELECT d.name, COUNT(*) FROM questions q JOIN disciplines d ON d.id = q.discipline_id
		WHERE`+inPeriod+`GROUP BY d.id, d.name ORDER BY COUNT(*) DESC, `+byText(s.d.Dialect, "d.name"), s.in.From, s.in.To)
	if sum.QuestionsByDiscipline, err = collect(rows(ctx, s.d, q, scanNameCount)); err != nil {
		return sum, err
	}
	q = s.newQuery().add(`SELECT q.answer_rating, COUNT(*) FROM questions q
		WHERE`+inPeriod+`AND q.answer_rating IS NOT NULL GROUP BY q.answer_rating ORDER BY q.answer_rating`,
		s.in.From, s.in.To)
	if sum.AnswerRatings, err = collect(rows(ctx, s.d, q, scanScoreCount)); err != nil {
		return sum, err
	}

	const npsOfMembers = ` FROM nps_answers n WHERE n.created_at >= ? AND n.created_at <= ?
		AND n.user_id IN (SELECT gs.user_id FROM group_students gs WHERE gs.group_id IN (SELECT id FROM sel)
			UNION SELECT gt.user_id FROM group_teachers gt WHERE gt.group_id IN (SELECT id FROM sel)) `
	var platform, responseTime sql.NullFloat64
	q = s.newQuery().add(`SELECT
		(SELECT AVG(CAST(n.score AS DOUBLE PRECISION))`+npsOfMembers+`AND n.kind = 'PLATFORM'),
		(SELECT AVG(CAST(n.score AS DOUBLE PRECISION))`+npsOfMembers+`AND n.kind = 'RESPONSE_TIME')`,
		s.in.From, s.in.To, s.in.From, s.in.To)
	if err := s.d.SQL.QueryRowContext(ctx, q.String(), q.args...).Scan(&platform, &responseTime); err != nil {
		return sum, dbError(err)
	}
	sum.AverageNPS, sum.AverageResponseTimeNPS = round2(platform), round2(responseTime)
	q = s.newQuery().add(`SELECT n.score, COUNT(*)`+npsOfMembers+`AND n.kind = 'PLATFORM'
		GROUP BY n.score ORDER BY n.score`, s.in.From, s.in.To)
	if sum.NPSAnswers, err = collect(rows(ctx, s.d, q, scanScoreCount)); err != nil {
		return sum, err
	}
	return sum, nil
}

// students yields the groups' students who were members during the
// period, by name, each with their questions of the period: one query, a
// row per question (or one for a student without any), folded into one
// StudentUsage per student.
func (s usageQueries) students(ctx context.Context) iter.Seq2[StudentUsage, error] {
	q := s.newQuery().add(`SELECT u.id, u.first_name, u.last_name, u.email, u.created_at, u.blocked_at, u.deleted_at,
		m.groups, d.id, d.name, sub.id, sub.name
	FROM `+s.members("group_students")+` m
	JOIN users u ON u.id = m.user_id
	LEFT JOIN questions q ON q.student_id = u.id AND`+inPeriod, s.in.From, s.in.To)
	if !s.reveal {
		q.add(` AND q.anonymous = ?`, false)
	}
	q.add(`
	LEFT JOIN disciplines d ON d.id = q.discipline_id
	LEFT JOIN subjects sub ON sub.id = q.subject_id
	WHERE`+memberDuring+`
	ORDER BY `+byText(s.d.Dialect, "u.first_name", "u.last_name")+`, u.id, q.created_at, q.id`, s.in.To, s.in.From)
	type row struct {
		student  StudentUsage
		question *UsageQuestion
	}
	flat := rows(ctx, s.d, q, func(rs rowScanner) (row, error) {
		var (
			r        row
			groups   sql.NullString
			discID   sql.NullInt64
			discName sql.NullString
			subjName sql.NullString
			subjID   *gid.SubjectID
		)
		st := &r.student
		err := rs.Scan(&st.ID, &st.FirstName, &st.LastName, &st.Email, &st.CreatedAt, &st.BlockedAt, &st.DeletedAt,
			&groups, &discID, &discName, &subjID, &subjName)
		if err != nil {
			return r, err
		}
		st.Groups = splitList(groups)
		if discID.Valid {
			r.question = &UsageQuestion{DisciplineID: gid.DisciplineID(discID.Int64), DisciplineName: discName.String,
				SubjectID: subjID, SubjectName: subjName.String}
		}
		return r, nil
	})
	return func(yield func(StudentUsage, error) bool) {
		var cur *StudentUsage
		for r, err := range flat {
			if err != nil {
				yield(StudentUsage{}, err)
				return
			}
			if cur != nil && cur.ID != r.student.ID {
				if !yield(*cur, nil) {
					return
				}
				cur = nil
			}
			if cur == nil {
				st := r.student
				st.Questions = []UsageQuestion{}
				cur = &st
			}
			if r.question != nil {
				cur.Questions = append(cur.Questions, *r.question)
				cur.Active = true
			}
		}
		if cur != nil {
			yield(*cur, nil)
		}
	}
}

// teachers yields the groups' teachers who were members during the
// period, those who answered most of the period's questions first, then by
// name. The legacy API's example supports that order (its teacher with 3
// answers, created first, comes before one with none whose name sorts
// first), and it puts a usage report's busiest teachers on top.
func (s usageQueries) teachers(ctx context.Context) iter.Seq2[TeacherUsage, error] {
	q := s.newQuery().add(`SELECT u.id, u.first_name, u.last_name, u.email, u.created_at, u.blocked_at, u.deleted_at,
		m.groups,
		(SELECT `+stringAgg(s.d.Dialect, "d.name", "d.name")+` FROM user_disciplines ud JOIN disciplines d ON d.id = ud.discipline_id
			WHERE ud.user_id = u.id),
		COALESCE(a.answered, 0), a.adjusted
	FROM `+s.members("group_teachers")+` m
	JOIN users u ON u.id = m.user_id
	LEFT JOIN (SELECT q.teacher_id, COUNT(*) AS answered, AVG(q.adjusted_response_minutes) AS adjusted
		FROM questions q WHERE q.answered_at IS NOT NULL AND`+inPeriod+`GROUP BY q.teacher_id) a ON a.teacher_id = u.id
	WHERE`+memberDuring+`
	ORDER BY COALESCE(a.answered, 0) DESC, `+byText(s.d.Dialect, "u.first_name", "u.last_name")+`, u.id`,
		s.in.From, s.in.To, s.in.To, s.in.From)
	return rows(ctx, s.d, q, func(rs rowScanner) (TeacherUsage, error) {
		var (
			t                   TeacherUsage
			groups, disciplines sql.NullString
			avg                 sql.NullFloat64
		)
		err := rs.Scan(&t.ID, &t.FirstName, &t.LastName, &t.Email, &t.CreatedAt, &t.BlockedAt, &t.DeletedAt,
			&groups, &disciplines, &t.AnsweredQuestions, &avg)
		t.Groups, t.Disciplines = splitList(groups), splitList(disciplines)
		t.Active = t.AnsweredQuestions > 0
		t.AverageResponseMinutes = round2(avg)
		return t, err
	})
}

// disciplines yields the disciplines asked about, most asked first, each
// with its subjects, most asked first.
func (s usageQueries) disciplines(ctx context.Context) iter.Seq2[DisciplineUsage, error] {
	return func(yield func(DisciplineUsage, error) bool) {
		// Subject counts are bounded by the catalogue of subjects, not by
		// the number of questions: they are held while disciplines stream.
		q := s.newQuery().add(`SELECT q.discipline_id, sub.name, COUNT(*) FROM questions q
			JOIN subjects sub ON sub.id = q.subject_id
			WHERE`+inPeriod+`GROUP BY q.discipline_id, sub.id, sub.name ORDER BY COUNT(*) DESC, `+byText(s.d.Dialect, "sub.name"),
			s.in.From, s.in.To)
		top := map[gid.DisciplineID][]NameCount{}
		for r, err := range rows(ctx, s.d, q, func(rs rowScanner) (struct {
			id gid.DisciplineID
			NameCount
		}, error) {
			var r struct {
				id gid.DisciplineID
				NameCount
			}
			err := rs.Scan(&r.id, &r.Name, &r.Count)
			return r, err
		}) {
			if err != nil {
				yield(DisciplineUsage{}, err)
				return
			}
			top[r.id] = append(top[r.id], r.NameCount)
		}
		// A discipline's average divides the answered questions' adjusted
		// minutes by all its questions (see DisciplineUsage).
		q = s.newQuery().add(`SELECT d.id, d.name, COUNT(*),
				SUM(q.adjusted_response_minutes) / CAST(COUNT(*) AS DOUBLE PRECISION)
			FROM questions q JOIN disciplines d ON d.id = q.discipline_id
			WHERE`+inPeriod+`GROUP BY d.id, d.name ORDER BY COUNT(*) DESC, `+byText(s.d.Dialect, "d.name"), s.in.From, s.in.To)
		for du, err := range rows(ctx, s.d, q, func(rs rowScanner) (DisciplineUsage, error) {
			var (
				du  DisciplineUsage
				avg sql.NullFloat64
			)
			err := rs.Scan(&du.ID, &du.Name, &du.TotalQuestions, &avg)
			du.AverageResponseMinutes = round2(avg)
			return du, err
		}) {
			if err == nil {
				du.TopSubjects = top[du.ID]
				if du.TopSubjects == nil {
					du.TopSubjects = []NameCount{}
				}
			}
			if !yield(du, err) || err != nil {
				return
			}
		}
	}
}

func scanNameCount(rs rowScanner) (NameCount, error) {
	var n NameCount
	err := rs.Scan(&n.Name, &n.Count)
	return n, err
}

func scanScoreCount(rs rowScanner) (ScoreCount, error) {
	var n ScoreCount
	err := rs.Scan(&n.Score, &n.Count)
	return n, err
}

// collect gathers a short aggregate (bounded by a catalogue, never by
// rows of a report) into a slice.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	out := []T{}
	for v, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// round2 rounds an average as Round does; nil when there was nothing to
// average.
func round2(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	r := Round(v.Float64)
	return &r
}

// Round rounds a figure of a report to two decimals, half away from zero,
// as the reports give averages: 43615.194 is 43615.19, 63.160000000000004
// is 63.16. Downloads of GraphQL results round their numbers so too.
func Round(v float64) float64 {
	return math.Round(v*100) / 100
}
