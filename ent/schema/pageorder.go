package schema

import (
	"context"
	"reflect"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema/mixin"
)

// pageOrder keeps the order of nested GraphQL connection pages.
//
// When a GraphQL query pages an edge of many parents at once (groups →
// students(first: 3, orderBy: …)), entgql loads all pages in one query,
// numbering each parent's rows with ROW_NUMBER() OVER (… ORDER BY …) in a
// CTE called limited_query, but the outer SELECT has no ORDER BY, so the
// database may return a page's rows in any order. pageOrder adds, after
// every other modifier, an ORDER BY of that row number.
type pageOrder struct{ mixin.Schema }

func (pageOrder) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{ent.TraverseFunc(orderPages)}
}

// orderPages adds orderLimitedRows to the modifiers of q. Every query type
// has a Modify method (the sql/modifier feature); reflection reaches it
// without a switch over the generated types.
func orderPages(_ context.Context, q ent.Query) error {
	if modify := reflect.ValueOf(q).MethodByName("Modify"); modify.IsValid() {
		modify.Call([]reflect.Value{reflect.ValueOf(orderLimitedRows)})
	}
	return nil
}

// limitedQuery is the name entgql.LimitPerRow gives its numbered rows.
const limitedQuery = "limited_query"

func orderLimitedRows(s *sql.Selector) {
	if s.TableName() == limitedQuery {
		s.OrderBy(s.C("row_number"))
	}
}

func (School) Mixin() []ent.Mixin           { return []ent.Mixin{pageOrder{}} }
func (Group) Mixin() []ent.Mixin            { return []ent.Mixin{pageOrder{}} }
func (User) Mixin() []ent.Mixin             { return []ent.Mixin{pageOrder{}} }
func (Discipline) Mixin() []ent.Mixin       { return []ent.Mixin{pageOrder{}} }
func (Subject) Mixin() []ent.Mixin          { return []ent.Mixin{pageOrder{}} }
func (Question) Mixin() []ent.Mixin         { return []ent.Mixin{pageOrder{}} }
func (Booking) Mixin() []ent.Mixin          { return []ent.Mixin{pageOrder{}} }
func (BookingRoom) Mixin() []ent.Mixin      { return []ent.Mixin{pageOrder{}} }
func (AvailabilitySlot) Mixin() []ent.Mixin { return []ent.Mixin{pageOrder{}} }
func (NPSAnswer) Mixin() []ent.Mixin        { return []ent.Mixin{pageOrder{}} }
