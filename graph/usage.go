package graph

import (
	"context"
	"time"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/report"
)

// GroupsUsageReport is the typed groups usage report. Unlike the REST
// download it is assembled whole: GraphQL answers in one document, and a
// report covers the members of some groups, not a table's rows.
type GroupsUsageReport struct {
	report.UsageSummary
	From, To    time.Time
	Timezone    string
	Students    []*StudentUsage
	Teachers    []*TeacherUsage    // nil unless asked for
	Disciplines []*DisciplineUsage // nil unless asked for
}

// StudentUsage is a student of the groups and their questions.
type StudentUsage struct {
	id             gid.UserID
	nodes          *nodes
	Groups         []string
	Active         bool
	Questions      []*UsageQuestion
	QuestionsCount int
}

func (s *StudentUsage) Student(ctx context.Context) (*ent.User, error) {
	return s.nodes.student.get(ctx, s.id)
}

// UsageQuestion is a question of a student, by discipline and subject.
type UsageQuestion struct {
	q     report.UsageQuestion
	nodes *nodes
}

func (u *UsageQuestion) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return u.nodes.discipline.get(ctx, u.q.DisciplineID)
}
func (u *UsageQuestion) Subject(ctx context.Context) (*ent.Subject, error) {
	return u.nodes.subject.getOptional(ctx, u.q.SubjectID)
}

// TeacherUsage is a teacher of the groups and the questions they answered.
type TeacherUsage struct {
	report.TeacherUsage
	nodes *nodes
}

func (t *TeacherUsage) Teacher(ctx context.Context) (*ent.User, error) {
	return t.nodes.teacher.get(ctx, t.ID)
}

// DisciplineUsage is a discipline asked about in the period.
type DisciplineUsage struct {
	report.DisciplineUsage
	nodes *nodes
}

func (d *DisciplineUsage) Discipline(ctx context.Context) (*ent.Discipline, error) {
	return d.nodes.discipline.get(ctx, d.ID)
}

func (r *Resolver) groupsUsage(ctx context.Context, in report.GroupsUsageInput) (*GroupsUsageReport, error) {
	p, d, err := r.start(ctx)
	if err != nil {
		return nil, err
	}
	u, err := report.GroupsUsageReport(ctx, d, p, in)
	if err != nil {
		return nil, err
	}
	ns := newNodes(d.Client)
	out := &GroupsUsageReport{UsageSummary: u.Summary, From: u.From, To: u.To, Timezone: u.Location.String(),
		Students: []*StudentUsage{}}
	for st, err := range u.Students {
		if err != nil {
			return nil, err
		}
		ns.student.note(st.ID)
		su := &StudentUsage{id: st.ID, nodes: ns, Groups: st.Groups, Active: st.Active,
			Questions: make([]*UsageQuestion, len(st.Questions)), QuestionsCount: len(st.Questions)}
		for i, q := range st.Questions {
			ns.discipline.note(q.DisciplineID)
			ns.subject.noteOptional(q.SubjectID)
			su.Questions[i] = &UsageQuestion{q: q, nodes: ns}
		}
		out.Students = append(out.Students, su)
	}
	if u.Teachers != nil {
		out.Teachers = []*TeacherUsage{}
		for t, err := range u.Teachers {
			if err != nil {
				return nil, err
			}
			ns.teacher.note(t.ID)
			out.Teachers = append(out.Teachers, &TeacherUsage{TeacherUsage: t, nodes: ns})
		}
	}
	if u.Disciplines != nil {
		out.Disciplines = []*DisciplineUsage{}
		for d, err := range u.Disciplines {
			if err != nil {
				return nil, err
			}
			ns.discipline.note(d.ID)
			out.Disciplines = append(out.Disciplines, &DisciplineUsage{DisciplineUsage: d, nodes: ns})
		}
	}
	return out, nil
}
