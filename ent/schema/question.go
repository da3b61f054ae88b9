package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// Question is asked by a student of a group and answered in writing by a
// teacher. The student may reply once to the answer, and the reply may be
// answered in turn.
type Question struct{ ent.Schema }

func (Question) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.QuestionID](),
		field.UUID("student_id", gid.UserID{}),
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
		edge.From("student", User.Type).Ref("questions").Field("student_id").Unique().Required(),
		edge.From("group", Group.Type).Ref("questions").Field("group_id").Unique().Required(),
		edge.To("discipline", Discipline.Type).Field("discipline_id").Unique().Required(),
		edge.To("subject", Subject.Type).Field("subject_id").Unique(),
		edge.From("teacher", User.Type).Ref("answered_questions").Field("teacher_id").Unique(),
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

func (Question) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
