package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/apitoken"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
)

// secretPrefix starts every token secret, so a leaked one is recognisable.
const secretPrefix = "stift_"

// ErrUnauthorized is the answer to a missing, unknown, expired or revoked token.
var ErrUnauthorized = apperr.Errorf(apperr.Unauthorized, "Unauthorized.")

// HashSecret returns the hex SHA-256 of a token secret: the only form in
// which a secret is stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token secret: %w", err)
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenSpec describes a token to create.
type TokenSpec struct {
	Name            string
	Schools         []gid.SchoolID // limits the token to these schools
	Groups          []gid.GroupID  // or to these groups
	RevealAnonymous bool
	Unlimited       bool // exempt from the rate limit
	ExpiresAt       *time.Time
}

// CreateToken stores a new token and returns it with its secret, which is
// not stored and cannot be recovered. The scope's ids must exist.
func CreateToken(ctx context.Context, client *ent.Client, spec TokenSpec) (*ent.APIToken, string, error) {
	ctx = SystemContext(ctx)
	if strings.TrimSpace(spec.Name) == "" {
		return nil, "", errors.New("create token: the name is empty")
	}
	scope, ids := apitoken.ScopeALL, []string(nil)
	switch {
	case len(spec.Schools) > 0 && len(spec.Groups) > 0:
		return nil, "", errors.New("create token: limit it to schools or to groups, not both")
	case len(spec.Schools) > 0:
		n, err := client.School.Query().Where(school.IDIn(spec.Schools...)).Count(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("create token: %w", err)
		}
		if n != len(distinct(spec.Schools)) {
			return nil, "", errors.New("create token: some of the schools do not exist")
		}
		scope, ids = apitoken.ScopeSCHOOLS, idStrings(spec.Schools)
	case len(spec.Groups) > 0:
		n, err := client.Group.Query().Where(group.IDIn(spec.Groups...)).Count(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("create token: %w", err)
		}
		if n != len(distinct(spec.Groups)) {
			return nil, "", errors.New("create token: some of the groups do not exist")
		}
		scope, ids = apitoken.ScopeGROUPS, idStrings(spec.Groups)
	}
	secret, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	tok, err := client.APIToken.Create().
		SetName(spec.Name).
		SetSecretHash(HashSecret(secret)).
		SetScope(scope).
		SetScopeIds(ids).
		SetRevealAnonymous(spec.RevealAnonymous).
		SetUnlimited(spec.Unlimited).
		SetNillableExpiresAt(spec.ExpiresAt).
		Save(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	return tok, secret, nil
}

// ListTokens returns every token, oldest first.
func ListTokens(ctx context.Context, client *ent.Client) ([]*ent.APIToken, error) {
	return client.APIToken.Query().Order(ent.Asc(apitoken.FieldCreatedAt)).All(SystemContext(ctx))
}

// RevokeToken revokes the token with the id; it is refused from the next request on.
func RevokeToken(ctx context.Context, client *ent.Client, id gid.APITokenID, now time.Time) error {
	n, err := client.APIToken.Update().
		Where(apitoken.ID(id), apitoken.RevokedAtIsNil()).
		SetRevokedAt(now).
		Save(SystemContext(ctx))
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("revoke token %s: no such token, or already revoked", id)
	}
	return nil
}

// Authenticate returns the principal of a token secret, or ErrUnauthorized
// when the token is unknown, revoked or expired.
func Authenticate(ctx context.Context, client *ent.Client, secret string, now time.Time) (*Principal, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return nil, ErrUnauthorized
	}
	ctx = SystemContext(ctx)
	hash := HashSecret(secret)
	tok, err := client.APIToken.Query().Where(apitoken.SecretHash(hash)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, ErrUnauthorized
	case err != nil:
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(tok.SecretHash), []byte(hash)) != 1 ||
		tok.RevokedAt != nil || (tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt)) {
		return nil, ErrUnauthorized
	}
	p := &Principal{
		TokenID:         tok.ID,
		Name:            tok.Name,
		Scope:           Scope(tok.Scope),
		RevealAnonymous: tok.RevealAnonymous,
		Unlimited:       tok.Unlimited,
	}
	switch p.Scope {
	case ScopeSchools:
		p.SchoolIDs, err = parseIDs[gid.SchoolID](tok.ScopeIds)
	case ScopeGroups:
		if p.GroupIDs, err = parseIDs[gid.GroupID](tok.ScopeIds); err == nil {
			var groups []*ent.Group
			groups, err = client.Group.Query().Where(group.IDIn(p.GroupIDs...)).
				Select(group.FieldSchoolID).All(ctx)
			for _, g := range groups {
				p.SchoolIDs = append(p.SchoolIDs, g.SchoolID)
			}
			p.SchoolIDs = distinct(p.SchoolIDs)
		}
	}
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	return p, nil
}

func distinct[T comparable](ids []T) []T {
	seen := make(map[T]bool, len(ids))
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func idStrings[T interface {
	comparable
	fmt.Stringer
}](ids []T) []string {
	out := make([]string, 0, len(ids))
	for _, id := range distinct(ids) {
		out = append(out, id.String())
	}
	return out
}

func parseIDs[T ~[16]byte](raw []string) ([]T, error) {
	out := make([]T, 0, len(raw))
	for _, s := range raw {
		u, err := uuid.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("token scope id %q: %w", s, err)
		}
		out = append(out, T(u))
	}
	return out, nil
}
