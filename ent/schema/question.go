package schema

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/hook"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/schema/hours"
)

// Question is asked by a student of a group and answered in writing by a
// teacher. The student may reply once to the answer, and the reply may be
// answered in turn.
type Question struct{ ent.Schema }

func (Question) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.QuestionID](),
		// Hidden from the generated GraphQL type, which would make it
		// non-null: graph/question.graphqls declares studentID and student
		// nullable, null where the asker is anonymous and hidden (see
		// auth.QuestionRule).
		field.UUID("student_id", gid.UserID{}).Annotations(entgql.Skip(entgql.SkipType)),
		field.UUID("group_id", gid.GroupID{}),
		field.Int("discipline_id").GoType(gid.DisciplineID(0)),
		field.Int("subject_id").GoType(gid.SubjectID(0)).Optional().Nillable(),
		field.Bool("anonymous").Default(false),
		field.Text("description").Default(""),
		field.Time("created_at").Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT")),

		field.UUID("teacher_id", gid.UserID{}).Optional().Nillable().
			Comment("the teacher who answered"),
		field.Time("answered_at").Optional().Nillable().
			Annotations(entgql.OrderField("ANSWERED_AT")),
		field.Text("answer_description").Optional().Nillable(),
		field.Float("response_minutes").Optional().Nillable().
			Comment("answered_at - created_at; filled in on write"),
		field.Float("adjusted_response_minutes").Optional().Nillable().
			Comment("the response minutes inside the school's service hours; filled in on write"),

		field.Text("reply_description").Optional().Nillable(),
		field.Time("reply_created_at").Optional().Nillable(),
		field.Text("reply_answer_description").Optional().Nillable(),
		field.Time("reply_answered_at").Optional().Nillable(),

		field.Int("answer_rating").Optional().Nillable().Range(1, 5),
		field.Bool("answer_understood").Optional().Nillable(),
		field.Text("answer_comment").Optional().Nillable(),
		field.Bool("has_seen_answer").Default(false),
		field.Time("cancelled_at").Optional().Nillable(),
	}
}

func (Question) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("student", User.Type).Ref("questions").Field("student_id").Unique().Required().
			Annotations(entgql.Skip(entgql.SkipType | entgql.SkipWhereInput)),
		edge.From("group", Group.Type).Ref("questions").Field("group_id").Unique().Required().Annotations(noEdgeFilter),
		edge.To("discipline", Discipline.Type).Field("discipline_id").Unique().Required(),
		edge.To("subject", Subject.Type).Field("subject_id").Unique(),
		edge.From("teacher", User.Type).Ref("answered_questions").Field("teacher_id").Unique().Annotations(noEdgeFilter),
	}
}

func (Question) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("group_id", "created_at"),
		index.Fields("created_at"),
		index.Fields("student_id"),
		index.Fields("teacher_id"),
	}
}

func (Question) Hooks() []ent.Hook {
	return []ent.Hook{hook.On(fillResponseTimes, ent.OpCreate|ent.OpUpdateOne)}
}

// fillResponseTimes sets a question's response times when it is answered,
// unless the writer set them: the adjusted one counts only the minutes in
// the service hours the school had then, in the school's time zone.
func fillResponseTimes(next ent.Mutator) ent.Mutator {
	return hook.QuestionFunc(func(ctx context.Context, m *gen.QuestionMutation) (ent.Value, error) {
		answered, ok := m.AnsweredAt()
		if _, set := m.AdjustedResponseMinutes(); !ok || set {
			return next.Mutate(ctx, m)
		}
		created, ok := m.CreatedAt()
		groupID, gok := m.GroupID()
		var err error
		if !ok {
			if created, err = m.OldCreatedAt(ctx); err != nil {
				return nil, err
			}
		}
		if !gok {
			if groupID, err = m.OldGroupID(ctx); err != nil {
				return nil, err
			}
		}
		sch, err := m.Client().Group.Query().Where(group.ID(groupID)).QuerySchool().Only(ctx)
		if err != nil {
			return nil, fmt.Errorf("question response time: school of group %s: %w", groupID, err)
		}
		loc, err := time.LoadLocation(sch.Timezone)
		if err != nil {
			return nil, fmt.Errorf("question response time: school %s: %w", sch.ID, err)
		}
		m.SetResponseMinutes(answered.Sub(created).Minutes())
		m.SetAdjustedResponseMinutes(hours.Minutes(sch.ServiceHours, loc, created, answered))
		return next.Mutate(ctx, m)
	})
}

// Interceptors: questionsLoaded.
func (Question) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{ent.InterceptFunc(questionsLoaded)}
}

type questionsLoadedKey struct{}

// OnQuestionsLoaded returns a context in which every question query hands
// the questions it read to f. The GraphQL layer notes their askers, to load
// the askers of a whole page in one query.
func OnQuestionsLoaded(ctx context.Context, f func([]*gen.Question)) context.Context {
	return context.WithValue(ctx, questionsLoadedKey{}, f)
}

func questionsLoaded(next ent.Querier) ent.Querier {
	return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
		v, err := next.Query(ctx, q)
		if f, ok := ctx.Value(questionsLoadedKey{}).(func([]*gen.Question)); ok && err == nil {
			if qs, ok := v.([]*gen.Question); ok {
				f(qs)
			}
		}
		return v, err
	})
}

func (Question) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
