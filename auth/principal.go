// Package auth authenticates API tokens and limits what they see.
//
// A token's secret is shown once, at creation; only its SHA-256 is stored.
// Each request's token becomes a Principal in the request context, and the
// ent privacy policies of the schema (rules.go) limit every query to the
// principal's scope: everything, a list of schools, or a list of groups.
// Code that acts for the system (seeding, migrations, token management)
// uses SystemContext, which bypasses the policies.
package auth

import (
	"context"

	"github.com/stift/stift-reports/ent/privacy"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// Scope is what a token may see.
type Scope string

// The scopes, as stored in the api_tokens table.
const (
	ScopeAll     Scope = "ALL"
	ScopeSchools Scope = "SCHOOLS"
	ScopeGroups  Scope = "GROUPS"
	// ScopeNone is a sign-in token's that names no school, group or role
	// that sees everything: it sees nothing. API tokens never have it.
	ScopeNone Scope = "NONE"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	TokenID gid.APITokenID
	Name    string
	Scope   Scope
	// SchoolIDs are the token's schools with ScopeSchools; with ScopeGroups,
	// the schools of its groups (whose rooms and schedules it may see).
	SchoolIDs []gid.SchoolID
	// GroupIDs are the token's groups with ScopeGroups.
	GroupIDs []gid.GroupID
	// RevealAnonymous lets the token see who asked anonymous questions.
	RevealAnonymous bool
	// Unlimited exempts the token from the rate limit.
	Unlimited bool
}

type principalKey struct{}

// NewContext returns ctx carrying the principal p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal in ctx, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// SystemContext returns ctx with the privacy policies bypassed, for work the
// service does on its own behalf: seeding, importing, managing tokens.
func SystemContext(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}
