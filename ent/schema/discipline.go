package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// Discipline is a field of study (Matemática, Física, …), shared by all schools.
type Discipline struct{ ent.Schema }

func (Discipline) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").GoType(gid.DisciplineID(0)).Immutable(),
		field.String("name").NotEmpty().
			Annotations(entgql.OrderField("NAME")),
	}
}

func (Discipline) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("subjects", Subject.Type).Annotations(entgql.RelayConnection()),
		edge.From("teachers", User.Type).Ref("disciplines").Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.From("booking_rooms", BookingRoom.Type).Ref("disciplines").Annotations(noEdgeFilter, entgql.RelayConnection()),
	}
}

func (Discipline) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// Subject is a topic within a discipline (Álgebra within Matemática).
type Subject struct{ ent.Schema }

func (Subject) Fields() []ent.Field {
	return []ent.Field{
		field.Int("id").GoType(gid.SubjectID(0)).Immutable(),
		field.String("name").NotEmpty().
			Annotations(entgql.OrderField("NAME")),
		field.Int("discipline_id").GoType(gid.DisciplineID(0)),
	}
}

func (Subject) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("discipline", Discipline.Type).Ref("subjects").Field("discipline_id").Unique().Required(),
	}
}

func (Subject) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
