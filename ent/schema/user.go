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

// User is a student, a teacher or a member of a school's staff.
// A user is active when neither blocked nor deleted.
type User struct{ ent.Schema }

func (User) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.UserID](),
		field.String("first_name").
			Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").Default("").
			Annotations(entgql.OrderField("LAST_NAME")),
		field.String("email").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("external_id").Default("").
			Comment("the id of the user in the school's own systems"),
		field.Enum("role").Values("STUDENT", "TEACHER", "STAFF"),
		field.Time("created_at").Default(time.Now).Immutable().
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("blocked_at").Optional().Nillable(),
		field.Time("deleted_at").Optional().Nillable(),
	}
}

func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("student_groups", Group.Type).Ref("students").Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.From("teacher_groups", Group.Type).Ref("teachers").Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("disciplines", Discipline.Type).Annotations(entgql.RelayConnection()).
			Comment("the disciplines a teacher answers"),
		edge.To("questions", Question.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("answered_questions", Question.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("bookings", Booking.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("teacher_bookings", Booking.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("availability_slots", AvailabilitySlot.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("nps_answers", NPSAnswer.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
	}
}

func (User) Indexes() []ent.Index {
	return []ent.Index{index.Fields("email"), index.Fields("role")}
}

func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
