package schema

import (
	"database/sql/driver"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"github.com/google/uuid"
)

// uuidID is the constraint of the typed UUID ids in package gid.
type uuidID interface {
	~[16]byte
	driver.Valuer
}

// idField declares the primary key of a UUID-keyed entity, random by default.
func idField[T uuidID]() ent.Field {
	var zero T
	return field.UUID("id", zero).Default(func() T { return T(uuid.New()) }).Immutable()
}
