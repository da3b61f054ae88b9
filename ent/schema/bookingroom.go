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

// BookingRoom is where a school's bookings take place. Its modal is stored
// as an enum; the Portuguese labels (Online, Presencial, Híbrido) are data
// of the report layer.
type BookingRoom struct{ ent.Schema }

func (BookingRoom) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.BookingRoomID](),
		field.String("name").NotEmpty().
			Annotations(entgql.OrderField("NAME")),
		field.UUID("school_id", gid.SchoolID{}),
		field.Enum("modal").Values("ONLINE", "PRESENCIAL", "HIBRIDO").Default("ONLINE"),
	}
}

func (BookingRoom) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("booking_rooms").Field("school_id").Unique().Required().Annotations(noEdgeFilter),
		edge.To("disciplines", Discipline.Type).Annotations(entgql.RelayConnection()),
		edge.To("availability_slots", AvailabilitySlot.Type).Annotations(noEdgeFilter, entgql.RelayConnection()),
	}
}

func (BookingRoom) Indexes() []ent.Index {
	return []ent.Index{index.Fields("school_id")}
}

func (BookingRoom) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}

// AvailabilitySlot is one weekly window of a teacher's schedule in a booking
// room for a discipline: the source of the workload report.
type AvailabilitySlot struct{ ent.Schema }

func (AvailabilitySlot) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.AvailabilitySlotID](),
		field.UUID("teacher_id", gid.UserID{}),
		field.UUID("booking_room_id", gid.BookingRoomID{}),
		field.Int("discipline_id").GoType(gid.DisciplineID(0)),
		field.Int("weekday").Range(0, 6).Comment("0 is Sunday"),
		field.Int("start_minute").Range(0, 24*60),
		field.Int("end_minute").Range(0, 24*60),
	}
}

func (AvailabilitySlot) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("teacher", User.Type).Ref("availability_slots").Field("teacher_id").Unique().Required().Annotations(noEdgeFilter),
		edge.From("booking_room", BookingRoom.Type).Ref("availability_slots").Field("booking_room_id").Unique().Required().Annotations(noEdgeFilter),
		edge.To("discipline", Discipline.Type).Field("discipline_id").Unique().Required(),
	}
}

func (AvailabilitySlot) Indexes() []ent.Index {
	return []ent.Index{index.Fields("teacher_id"), index.Fields("booking_room_id")}
}

func (AvailabilitySlot) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}
