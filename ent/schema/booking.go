package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// Booking is a live tutoring session a student books with a teacher: either
// scheduled for a time, or taken from a queue (scheduled_for is then null).
// school_id repeats the group's school so reports can filter bookings by
// school and date on one index.
type Booking struct{ ent.Schema }

func (Booking) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.BookingID](),
		field.UUID("school_id", gid.SchoolID{}),
		field.UUID("group_id", gid.GroupID{}),
		field.UUID("student_id", gid.UserID{}),
		field.UUID("teacher_id", gid.UserID{}).Optional().Nillable(),
		field.Int("discipline_id").GoType(gid.DisciplineID(0)),
		field.UUID("booking_room_id", gid.BookingRoomID{}).Optional().Nillable(),
		field.Time("created_at").Default(time.Now).
			Annotations(entgql.OrderField("CREATED_AT")),
		field.Time("scheduled_for").Optional().Nillable().
			Annotations(entgql.OrderField("SCHEDULED_FOR")).
			Comment("null for queue bookings"),
		field.Time("meeting_started_at").Optional().Nillable(),
		field.Time("meeting_ended_at").Optional().Nillable(),
		field.Time("queued_at").Optional().Nillable(),
		field.Time("left_queue_at").Optional().Nillable(),
		field.Time("cancelled_at").Optional().Nillable(),
		field.UUID("cancelled_by_id", gid.UserID{}).Optional().Nillable(),
		field.Float("rating_by_student").Optional().Nillable().Range(0, 5),
		field.Float("rating_by_teacher").Optional().Nillable().Range(0, 5),
		field.Float("call_quality_rating_by_student").Optional().Nillable().Range(0, 5),
		field.Float("call_quality_rating_by_teacher").Optional().Nillable().Range(0, 5),
	}
}

func (Booking) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("school", School.Type).Ref("bookings").Field("school_id").Unique().Required().Annotations(noEdgeFilter),
		edge.From("group", Group.Type).Ref("bookings").Field("group_id").Unique().Required().Annotations(noEdgeFilter),
		edge.From("student", User.Type).Ref("bookings").Field("student_id").Unique().Required().Annotations(noEdgeFilter),
		edge.From("teacher", User.Type).Ref("teacher_bookings").Field("teacher_id").Unique().Annotations(noEdgeFilter),
		edge.To("discipline", Discipline.Type).Field("discipline_id").Unique().Required(),
		edge.To("booking_room", BookingRoom.Type).Field("booking_room_id").Unique().Annotations(noEdgeFilter),
		edge.To("cancelled_by", User.Type).Field("cancelled_by_id").Unique().Annotations(noEdgeFilter),
	}
}

func (Booking) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("school_id", "scheduled_for"),
		index.Fields("school_id", "created_at"),
		// A report's period bounds scheduled_for, or created_at for a
		// booking from the queue: with these two, all schools' bookings of
		// a short period are found by index (a BitmapOr on PostgreSQL).
		index.Fields("scheduled_for"),
		index.Fields("created_at").Annotations(entsql.IndexWhere("scheduled_for IS NULL")),
		index.Fields("group_id"),
		index.Fields("student_id"),
		index.Fields("teacher_id"),
	}
}

func (Booking) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(), entgql.RelayConnection(), entgql.MultiOrder(),
	}
}
