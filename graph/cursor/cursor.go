// Package cursor marshals the Relay Cursor scalar of the GraphQL schema.
//
// entgql keys a cursor with the node's id as marshaled for GraphQL, and
// compares that value with the id column when a page starts after it. Our
// ids marshal to opaque global ids, which are not what the column holds, so
// the cursor is written with the raw id instead. Cursors stay opaque to
// clients either way: they are base64 of a msgpack record.
package cursor

import (
	"io"
	"strconv"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// MarshalCursor writes c with its id made raw.
func MarshalCursor(c entgql.Cursor[string]) graphql.Marshaler {
	if s, err := strconv.Unquote(c.ID); err == nil {
		if _, raw, err := gid.Decode(s); err == nil {
			c.ID = raw
		}
	}
	return graphql.WriterFunc(func(w io.Writer) { c.MarshalGQL(w) })
}

// UnmarshalCursor reads a cursor written by MarshalCursor.
func UnmarshalCursor(v any) (entgql.Cursor[string], error) {
	var c entgql.Cursor[string]
	if err := c.UnmarshalGQL(v); err != nil {
		return c, &apperr.Error{Code: apperr.Invalid, Message: "Invalid cursor.", Field: "after", Err: err}
	}
	return c, nil
}
