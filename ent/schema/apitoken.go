package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// APIToken grants access to the API. Only the SHA-256 of its secret is
// stored. Its scope is everything, or a list of schools, or a list of groups.
type APIToken struct{ ent.Schema }

func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		idField[gid.APITokenID](),
		field.String("name").NotEmpty(),
		field.String("secret_hash").Unique().Sensitive().Immutable().
			Comment("hex SHA-256 of the secret"),
		field.Enum("scope").Values("ALL", "SCHOOLS", "GROUPS").Default("ALL"),
		field.Strings("scope_ids").Optional().
			Comment("school or group ids, by scope"),
		field.Bool("reveal_anonymous").Default(false),
		field.Bool("unlimited").Default(false).
			Comment("exempt from the per-token rate limit (the demo token)"),
		field.Time("created_at").Default(time.Now).Immutable(),
		field.Time("expires_at").Optional().Nillable(),
		field.Time("revoked_at").Optional().Nillable(),
	}
}

func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
