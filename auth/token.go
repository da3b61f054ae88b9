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
	"unicode"
	"unicode/utf8"

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
	Name            string         // at most MaxNameLength printable characters
	All             bool           // sees every school
	Schools         []gid.SchoolID // or only these schools
	Groups          []gid.GroupID  // or only these groups
	RevealAnonymous bool
	Unlimited       bool // exempt from the rate limit
	ExpiresAt       *time.Time
}

// MaxNameLength bounds a token's name, in characters: it is a label for
// people, printed by token list.
const MaxNameLength = 100

// MaxScopeIDs bounds the ids of a token's scope, well below the number of
// parameters SQLite and PostgreSQL accept in the IN list that checks them.
const MaxScopeIDs = 1000

// ParseScope sets the spec's scope from what a person typed for token
// create: all, or comma-separated school ids, or comma-separated group ids;
// schools and groups are nil when not given. Exactly one must be given, and
// a given list must name at least one well-formed id, so that a list that
// comes out empty (an empty --schools, or --groups " , ") is an error
// rather than a token that sees every school. Errors name the options as
// token create spells them.
func (spec *TokenSpec) ParseScope(all bool, schools, groups *string) error {
	var given []string
	if all {
		given = append(given, "--all")
	}
	if schools != nil {
		given = append(given, "--schools")
	}
	if groups != nil {
		given = append(given, "--groups")
	}
	switch len(given) {
	case 0:
		return errors.New("say what the token sees: give one of --all, --schools or --groups")
	case 1:
	default:
		return fmt.Errorf("give only one of --all, --schools or --groups, not %s", strings.Join(given, " and "))
	}
	var err error
	spec.All, spec.Schools, spec.Groups = all, nil, nil
	if schools != nil {
		spec.Schools, err = parseIDList[gid.SchoolID]("--schools", "school", *schools)
	}
	if groups != nil {
		spec.Groups, err = parseIDList[gid.GroupID]("--groups", "group", *groups)
	}
	return err
}

// parseIDList parses comma-separated ids, ignoring blanks around them and
// repeated ids; it refuses a list without ids, since an empty list must
// never widen a token to everything.
func parseIDList[T ~[16]byte](option, kind, s string) ([]T, error) {
	// Count before splitting, so an absurd list costs no allocation.
	if strings.Count(s, ",") >= MaxScopeIDs {
		return nil, fmt.Errorf("%s has more than %d entries; give at most %d ids", option, MaxScopeIDs, MaxScopeIDs)
	}
	var ids []T
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		u, err := gid.ParseUUID(part)
		if err != nil {
			// %.40q: a hostile entry is not echoed whole.
			return nil, fmt.Errorf("%s: %.40q is not a %s id (a UUID like 6f1c0c8e-3b1a-4c52-9d0e-2f4a6b8c0d1e)", option, part, kind)
		}
		ids = append(ids, T(u))
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s lists no %s id", option, kind)
	}
	return distinct(ids), nil
}

// checkName refuses a name that could not be printed as is: control
// characters (newlines, terminal escape codes), invisible formatting
// characters such as bidirectional overrides, invalid UTF-8, or a name too
// long to read.
func checkName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("the name is empty")
	}
	if !utf8.ValidString(name) {
		return errors.New("the name is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return fmt.Errorf("the name has %d characters; at most %d", n, MaxNameLength)
	}
	for _, r := range name {
		if !unicode.IsGraphic(r) {
			return fmt.Errorf("the name contains %U, a control or invisible character; use letters, digits, punctuation and spaces", r)
		}
	}
	return nil
}

// checkIDs refuses a list that is given but empty, or too long.
func checkIDs[T any](kind string, ids []T) error {
	switch {
	case ids == nil:
		return nil
	case len(ids) == 0:
		return fmt.Errorf("the list of %ss is empty; set All for a token that sees every school", kind)
	case len(ids) > MaxScopeIDs:
		return fmt.Errorf("the list of %ss has %d ids; at most %d", kind, len(ids), MaxScopeIDs)
	}
	return nil
}

// CreateToken stores a new token and returns it with its secret, which is
// not stored and cannot be recovered. The scope is All, or Schools, or
// Groups, whose ids must exist; a list that is given but empty is an error.
// A spec with no scope at all sees every school, as if All were set: the
// callers written before All existed rely on it (see ParseScope for input
// typed by a person, which must say --all).
func CreateToken(ctx context.Context, client *ent.Client, spec TokenSpec) (*ent.APIToken, string, error) {
	ctx = SystemContext(ctx)
	if err := checkName(spec.Name); err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	if err := checkIDs("school", spec.Schools); err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	if err := checkIDs("group", spec.Groups); err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	scope, ids := apitoken.ScopeALL, []string(nil)
	switch {
	case spec.All && (spec.Schools != nil || spec.Groups != nil):
		return nil, "", errors.New("create token: All sees every school; do not also list schools or groups")
	case spec.Schools != nil && spec.Groups != nil:
		return nil, "", errors.New("create token: limit it to schools or to groups, not both")
	case spec.Schools != nil:
		n, err := client.School.Query().Where(school.IDIn(spec.Schools...)).Count(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("create token: %w", err)
		}
		if n != len(distinct(spec.Schools)) {
			return nil, "", errors.New("create token: some of the schools do not exist")
		}
		scope, ids = apitoken.ScopeSCHOOLS, idStrings(spec.Schools)
	case spec.Groups != nil:
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
	p, _, err := authenticate(ctx, client, secret, now)
	return p, err
}

// authenticate is Authenticate, also returning the token's expiry.
func authenticate(ctx context.Context, client *ent.Client, secret string, now time.Time) (*Principal, *time.Time, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return nil, nil, ErrUnauthorized
	}
	ctx = SystemContext(ctx)
	hash := HashSecret(secret)
	tok, err := client.APIToken.Query().Where(apitoken.SecretHash(hash)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, nil, ErrUnauthorized
	case err != nil:
		return nil, nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	if subtle.ConstantTimeCompare([]byte(tok.SecretHash), []byte(hash)) != 1 ||
		tok.RevokedAt != nil || (tok.ExpiresAt != nil && !now.Before(*tok.ExpiresAt)) {
		return nil, nil, ErrUnauthorized
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
			p.SchoolIDs, err = schoolsOf(ctx, client, p.GroupIDs)
		}
	}
	if err != nil {
		return nil, nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	return p, tok.ExpiresAt, nil
}

// schoolsOf returns the schools of groups, whose rooms and schedules a
// caller who sees the groups sees too.
func schoolsOf(ctx context.Context, client *ent.Client, groups []gid.GroupID) ([]gid.SchoolID, error) {
	found, err := client.Group.Query().Where(group.IDIn(groups...)).Select(group.FieldSchoolID).All(SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	schools := make([]gid.SchoolID, 0, len(found))
	for _, g := range found {
		schools = append(schools, g.SchoolID)
	}
	return distinct(schools), nil
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
