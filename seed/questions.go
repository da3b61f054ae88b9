package seed

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/schema/hours"
)

// questionCount is the number of demo questions.
const questionCount = 2400

// Activity peaks, in school time: by hour of day, by weekday (Sunday
// first) and by month (school holidays in July and December–January).
var (
	hourWeights    = []int{1, 0, 0, 0, 0, 1, 2, 4, 5, 6, 7, 7, 5, 6, 9, 11, 12, 11, 9, 10, 12, 10, 6, 3}
	weekdayWeights = [7]int{4, 10, 10, 10, 10, 8, 5}
	monthWeights   = [13]int{0, 2, 7, 10, 10, 10, 9, 3, 10, 10, 10, 11, 4}
)

const maxDayWeight = 10 * 11 // max weekday weight × max month weight

// answerDelays are how long teachers take to answer, in minutes: ranges and
// their weights.
var answerDelays = []struct{ lo, hi, weight int }{
	{5, 30, 15}, {30, 180, 35}, {180, 720, 20}, {720, 2880, 20}, {2880, 7200, 10},
}

// askQuestions creates the questions: first one per group, so that every
// group has a student who asks, then the rest from students drawn by their
// activity weight. A few descriptions are then replaced by the tricky ones.
func (g *generator) askQuestions() {
	for _, gr := range g.groups {
		if p := g.askerOf(gr); p != nil {
			g.ask(p, gr)
		}
	}
	weights := make([]int, len(g.students))
	for i, p := range g.students {
		if g.canAsk(p) {
			weights[i] = p.weight
		}
	}
	for len(g.questions) < questionCount {
		p := g.students[g.pick(weights)]
		g.ask(p, one(g, p.groups))
	}
	for i, text := range trickyDescriptions {
		g.questions[(i*271+13)%len(g.questions)].Description = text
	}
}

// askerOf returns the first student of gr who asks questions, or else the
// first who could.
func (g *generator) askerOf(gr *group) *person {
	var fallback *person
	for _, p := range gr.students {
		if !g.canAsk(p) {
			continue
		}
		if p.weight > 0 {
			return p
		}
		if fallback == nil {
			fallback = p
		}
	}
	return fallback
}

// canAsk reports whether p was active for at least a week of the demo year.
func (g *generator) canAsk(p *person) bool {
	return p.activeUntil(g.now).Sub(later(g.from, p.created)) >= 7*day
}

// ask creates one question of p in gr and plays out what happened to it.
func (g *generator) ask(p *person, gr *group) {
	d := g.pickDiscipline(gr)
	q := &ent.Question{
		ID:           gid.QuestionID(g.uuid()),
		StudentID:    p.id,
		GroupID:      gr.id,
		DisciplineID: d,
		Anonymous:    g.chance(10),
		Description:  g.describe(d),
		CreatedAt:    g.activityTime(gr.school, later(g.from, p.created), p.activeUntil(g.now)),
	}
	if !g.chance(12) {
		q.SubjectID = ptr(one(g, subjectsOf(d)))
	}
	g.resolve(q, gr)
	if q.AnsweredAt != nil {
		// What ent's question hook would compute, without its per-row lookup.
		response := q.AnsweredAt.Sub(q.CreatedAt).Minutes()
		adjusted := hours.Minutes(gr.school.hours, gr.school.loc, q.CreatedAt, *q.AnsweredAt)
		q.ResponseMinutes, q.AdjustedResponseMinutes = &response, &adjusted
	}
	g.questions = append(g.questions, q)
}

// pickDiscipline draws one of the disciplines taught in gr by popularity.
func (g *generator) pickDiscipline(gr *group) gid.DisciplineID {
	ds := groupDisciplines(gr)
	weights := make([]int, len(ds))
	for i, d := range ds {
		weights[i] = disciplineSpecs[d-1].weight
	}
	return ds[g.pick(weights)]
}

// subjectsOf returns the subject ids of discipline d: subjects are numbered
// in the order of disciplineSpecs.
func subjectsOf(d gid.DisciplineID) []gid.SubjectID {
	next := 1
	for i, spec := range disciplineSpecs {
		if gid.DisciplineID(i+1) == d {
			ids := make([]gid.SubjectID, len(spec.subjects))
			for j := range ids {
				ids[j] = gid.SubjectID(next + j)
			}
			return ids
		}
		next += len(spec.subjects)
	}
	return nil
}

// describe returns a question text of discipline d, sometimes with an
// opening.
func (g *generator) describe(d gid.DisciplineID) string {
	text := one(g, questionTexts[int(d)])
	if g.chance(25) {
		text = one(g, questionOpenings) + lowerFirst(text)
	}
	return text
}

// activityTime draws an instant in [from, to) following the activity peaks
// of school time. The span must be at least a day.
func (g *generator) activityTime(s *school, from, to time.Time) time.Time {
	first := localDate(from, s.loc)
	days := int(to.Sub(first)/day) + 1
	for {
		d := first.AddDate(0, 0, g.rng.IntN(days))
		if g.rng.IntN(maxDayWeight) >= weekdayWeights[d.Weekday()]*monthWeights[d.Month()] {
			continue
		}
		t := at(d, g.pick(hourWeights)*60+g.rng.IntN(60)).
			Add(time.Duration(g.rng.IntN(60))*time.Second + g.millis())
		if !t.Before(from) && t.Before(to) {
			return t
		}
	}
}

// resolve plays out a question up to now: cancelled, left unanswered, or
// answered by a teacher of the group, maybe rated, maybe replied to.
func (g *generator) resolve(q *ent.Question, gr *group) {
	if g.chance(6) {
		if c := q.CreatedAt.Add(g.minutes(2, 2*24*60)); c.Before(g.now) {
			q.CancelledAt = &c
		}
		return
	}
	if g.chance(3) {
		return // forgotten: pending for good
	}
	answered := g.answerTime(gr.school, q.CreatedAt)
	teachers := teachersOf(gr, q.DisciplineID, answered)
	if !answered.Before(g.now) || len(teachers) == 0 {
		return
	}
	t := one(g, teachers)
	q.TeacherID, q.AnsweredAt = &t.id, &answered
	q.AnswerDescription = ptr(one(g, answerTexts))
	g.feedback(q)
	g.reply(q, gr.school, t)
}

// answerTime returns when a question asked at asked gets answered: after a
// delay, usually moved to the next service window when it falls outside
// service hours (asked on Friday night, answered on Monday morning), but
// not always.
func (g *generator) answerTime(s *school, asked time.Time) time.Time {
	weights := make([]int, len(answerDelays))
	for i, d := range answerDelays {
		weights[i] = d.weight
	}
	d := answerDelays[g.pick(weights)]
	t := asked.Add(g.minutes(d.lo, d.hi))
	if !s.inService(t) && g.chance(65) {
		t = s.nextService(t).Add(g.minutes(3, 90))
	}
	return t.Add(g.millis())
}

// feedback sets what the student did with the answer: seen it, rated it,
// said whether it was understood, commented.
func (g *generator) feedback(q *ent.Question) {
	if !g.chance(80) {
		return
	}
	q.HasSeenAnswer = true
	if g.chance(45) {
		q.AnswerRating = ptr(1 + g.pick([]int{3, 5, 12, 30, 50}))
		if g.chance(30) {
			q.AnswerComment = ptr(one(g, answerComments))
		}
	}
	if g.chance(50) {
		understood := g.chance(85)
		if q.AnswerRating != nil {
			understood = *q.AnswerRating >= 3 && g.chance(90)
		}
		q.AnswerUnderstood = &understood
	}
}

// reply sometimes adds the student's reply and, usually, the teacher's
// answer to it.
func (g *generator) reply(q *ent.Question, s *school, t *person) {
	if !g.chance(18) {
		return
	}
	replied := q.AnsweredAt.Add(g.minutes(10, 24*60) + g.millis())
	if !replied.Before(g.now) {
		return
	}
	q.ReplyCreatedAt, q.ReplyDescription = &replied, ptr(one(g, replyTexts))
	if !g.chance(75) {
		return
	}
	if answered := g.answerTime(s, replied); answered.Before(g.now) && t.activeAt(answered) {
		q.ReplyAnsweredAt, q.ReplyAnswerDescription = &answered, ptr(one(g, replyAnswerTexts))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
