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

// NPSAnswer is a user's net-promoter score, either for the platform or for
// the response time of answers.
type NPSAnswer struct{ ent.Schema }

func (NPSAnswer) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.NPSAnswerID](),
		field.UUID("user_id", gid.UserID{}),
		field.Enum("kind").Values("PLATFORM", "RESPONSE_TIME"),
		field.Int("score").Range(0, 10),
		field.Text("comment").Default(""),
		field.Time("created_at").Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT")),
	}
}

func (NPSAnswer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("user", User.Type).Ref("nps_answers").Field("user_id").Unique().Required().Annotations(noEdgeFilter),
	}
}

func (NPSAnswer) Indexes() []ent.Index {
	return []ent.Index{index.Fields("user_id", "created_at")}
}

func (NPSAnswer) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
