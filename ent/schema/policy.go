package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"

	"github.com/stift/stift-reports/auth"
)

// The privacy policies: every read is limited to the scope of the request's
// API token (see package auth); writes happen only in a system context.

func (School) Policy() ent.Policy           { return auth.ScopedPolicy(auth.SchoolRule()) }
func (Group) Policy() ent.Policy            { return auth.ScopedPolicy(auth.GroupRule()) }
func (User) Policy() ent.Policy             { return auth.ScopedPolicy(auth.UserRule()) }
func (Question) Policy() ent.Policy         { return auth.ScopedPolicy(auth.QuestionRule()) }
func (Booking) Policy() ent.Policy          { return auth.ScopedPolicy(auth.BookingRule()) }
func (BookingRoom) Policy() ent.Policy      { return auth.ScopedPolicy(auth.BookingRoomRule()) }
func (AvailabilitySlot) Policy() ent.Policy { return auth.ScopedPolicy(auth.AvailabilitySlotRule()) }
func (NPSAnswer) Policy() ent.Policy        { return auth.ScopedPolicy(auth.NPSAnswerRule()) }
func (Discipline) Policy() ent.Policy       { return auth.PublicPolicy() }
func (Subject) Policy() ent.Policy          { return auth.PublicPolicy() }
func (APIToken) Policy() ent.Policy         { return auth.SystemPolicy() }

// noEdgeFilter drops an edge from the GraphQL where inputs. A where filter
// across an edge (users(where: {hasTeacherGroupsWith: …})) is a plain SQL
// sub-query that the privacy rules, which filter the rows a query returns,
// never see: through it a scoped token could test facts about rows outside
// its scope. So every edge towards a scoped type is left out of the where
// inputs; edges to the shared catalogue (disciplines, subjects) stay. The
// edges themselves remain navigable, and their rows are filtered.
var noEdgeFilter = entgql.Skip(entgql.SkipWhereInput)
