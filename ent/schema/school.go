package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/schema/hours"
)

// School is a tenant of the platform: it runs groups and booking rooms.
type School struct{ ent.Schema }

func (School) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.SchoolID](),
		field.String("name").NotEmpty().
			Annotations(entgql.OrderField("NAME")),
		field.String("timezone").Default("America/Sao_Paulo").
			Comment("IANA time zone of the school"),
		field.Int("min_cancel_hours").Default(24).NonNegative().
			Comment("a student cancelling at least this long before a booking is inside the schedule"),
		field.JSON("service_hours", []hours.Window{}).Default(hours.Default()).
			Annotations(entgql.Skip()).
			Comment("weekly windows in which questions are answered, school time"),
	}
}

func (School) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("groups", Group.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("booking_rooms", BookingRoom.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
		edge.To("bookings", Booking.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
	}
}

func (School) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
