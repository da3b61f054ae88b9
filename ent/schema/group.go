package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// Group is a class of a school; students and teachers are its members.
type Group struct{ ent.Schema }

func (Group) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.GroupID](),
		field.String("name").NotEmpty().
			Annotations(entgql.OrderField("NAME")),
		field.UUID("school_id", gid.SchoolID{}).Immutable(),
	}
}

func (Group) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("groups").Field("school_id").Unique().Required().Immutable().Annotations(noEdgeFilter),
		edge.To("students", User.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("teachers", User.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("questions", Question.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("bookings", Booking.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
	}
}

func (Group) Indexes() []ent.Index {
	return []ent.Index{index.Fields("school_id")}
}

func (Group) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
