package graph

import (
	"slices"

	"entgo.io/ent/dialect/sql"

	"github.com/stift/stift-reports/db"
)

// Text order of ent connections. ent orders a connection by a column as
// the database compares it, byte by byte ("Ícaro" after "Valentina"), in
// its ORDER BY and in the comparisons that start a page after a cursor
// (name > $1 OR name = $1 AND id > $2). The reports sort names in
// Portuguese (db.TextCollation), and so must a connection ordered by a
// name: it reads its table through a subquery that gives the name columns
// that collation,
//
//	SELECT … FROM (SELECT id, name COLLATE stift_pt_br AS name, … FROM schools) AS schools
//
// so that both the order and the cursors' comparisons follow it (a
// subquery's column keeps the collation of its expression, on PostgreSQL
// as on SQLite), and a page starts exactly after the row its cursor
// names. The collation is deterministic (equal only for equal strings), so
// equality and the id that breaks ties are unchanged.
//
// The top-level connections (schools, groups, users, …) are ordered so.
// The connections nested in a node (School.groups, Group.students, …) are
// loaded by ent's generated code, which offers no place for the subquery
// before its own: they still sort names byte by byte.

// textOrders are the values of the order enums that name text: the names
// of schools, groups, disciplines, subjects and rooms, and of users. An
// e-mail address sorts as bytes, as the identifier it is.
var textOrders = []string{"NAME", "FIRST_NAME", "LAST_NAME"}

// textOrder returns the query modifier that reads table, of columns,
// through a subquery giving its columns text the collation
// db.TextCollation, when orders name a text field (field gives the name
// of an order's enum value); none otherwise.
func textOrder[O any](orders []O, field func(O) string, table string, columns []string, text ...string) []func(*sql.Selector) {
	if !slices.ContainsFunc(orders, func(o O) bool { return slices.Contains(textOrders, field(o)) }) {
		return nil
	}
	return []func(*sql.Selector){func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		t := b.Table(table)
		sub := b.Select()
		for _, c := range columns {
			if slices.Contains(text, c) {
				sub.AppendSelectExprAs(sql.Expr(t.C(c)+" COLLATE "+db.TextCollation), c)
			} else {
				sub.AppendSelect(t.C(c))
			}
		}
		s.From(sub.From(t).As(table))
	}}
}
