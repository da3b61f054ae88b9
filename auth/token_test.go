package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
)

func ptr(s string) *string { return &s }

// TestParseScope checks what token create makes of --all, --schools and
// --groups: exactly one, and a list that names no id is an error, never a
// token that sees every school.
func TestParseScope(t *testing.T) {
	const a, b = "6f1c0c8e-3b1a-4c52-9d0e-2f4a6b8c0d1e", "0b7e1d2c-1111-4a2b-8c3d-4e5f6a7b8c9d"
	tooMany := strings.Repeat(a+",", auth.MaxScopeIDs) + a // 1,001 entries
	for _, tc := range []struct {
		name        string
		all         bool
		schools     *string
		groups      *string
		wantErr     string // a part of the error; "" when none
		wantSchools int
		wantGroups  int
		wantAll     bool
	}{
		{name: "all", all: true, wantAll: true},
		{name: "schools", schools: ptr(a + ", " + b), wantSchools: 2},
		{name: "repeated school", schools: ptr(a + "," + a + ","), wantSchools: 1},
		{name: "groups", groups: ptr(" " + b + " "), wantGroups: 1},
		{name: "nothing", wantErr: "give one of --all, --schools or --groups"},
		{name: "empty schools", schools: ptr(""), wantErr: "--schools lists no school id"},
		{name: "comma schools", schools: ptr(","), wantErr: "--schools lists no school id"},
		{name: "blank groups", groups: ptr(" , "), wantErr: "--groups lists no group id"},
		{name: "all and schools", all: true, schools: ptr(a), wantErr: "not --all and --schools"},
		{name: "all and empty schools", all: true, schools: ptr(""), wantErr: "not --all and --schools"},
		{name: "schools and groups", schools: ptr(a), groups: ptr(b), wantErr: "not --schools and --groups"},
		{name: "bad id", schools: ptr(a + ",nope"), wantErr: `"nope" is not a school id`},
		{name: "bad group id", groups: ptr("12345"), wantErr: `"12345" is not a group id`},
		{name: "long bad id", schools: ptr(strings.Repeat("x", 10000)), wantErr: "is not a school id"},
		{name: "too many", schools: ptr(tooMany), wantErr: "at most 1000 ids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var spec auth.TokenSpec
			err := spec.ParseScope(tc.all, tc.schools, tc.groups)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if len(err.Error()) > 200 {
					t.Errorf("the error echoes the input: %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.All != tc.wantAll || len(spec.Schools) != tc.wantSchools || len(spec.Groups) != tc.wantGroups {
				t.Errorf("spec = all %t, %d schools, %d groups; want %t, %d, %d",
					spec.All, len(spec.Schools), len(spec.Groups), tc.wantAll, tc.wantSchools, tc.wantGroups)
			}
		})
	}
}

// TestCreateTokenRefuses checks that a spec CreateToken refuses stores
// nothing: scopes that are given but empty, too long, contradictory or
// unknown, and names that cannot be printed as they are.
func TestCreateTokenRefuses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		sch := d.Client.School.Create().SetName("Escola").SaveX(ctx)
		grp := d.Client.Group.Create().SetName("Turma").SetSchoolID(sch.ID).SaveX(ctx)
		many := make([]gid.SchoolID, auth.MaxScopeIDs+1)
		for i := range many {
			many[i] = gid.SchoolID(uuid.New())
		}
		for _, tc := range []struct {
			name    string
			spec    auth.TokenSpec
			wantErr string
		}{
			{"empty schools", auth.TokenSpec{Name: "x", Schools: []gid.SchoolID{}}, "list of schools is empty"},
			{"empty groups", auth.TokenSpec{Name: "x", Groups: []gid.GroupID{}}, "list of groups is empty"},
			{"all and schools", auth.TokenSpec{Name: "x", All: true, Schools: []gid.SchoolID{sch.ID}}, "do not also list"},
			{"all and empty groups", auth.TokenSpec{Name: "x", All: true, Groups: []gid.GroupID{}}, "list of groups is empty"},
			{"schools and groups", auth.TokenSpec{Name: "x", Schools: []gid.SchoolID{sch.ID}, Groups: []gid.GroupID{grp.ID}}, "not both"},
			{"unknown school", auth.TokenSpec{Name: "x", Schools: []gid.SchoolID{sch.ID, gid.SchoolID(uuid.New())}}, "do not exist"},
			{"unknown group", auth.TokenSpec{Name: "x", Groups: []gid.GroupID{gid.GroupID(uuid.New())}}, "do not exist"},
			{"too many schools", auth.TokenSpec{Name: "x", Schools: many}, "at most 1000"},
			{"no name", auth.TokenSpec{All: true}, "name is empty"},
			{"blank name", auth.TokenSpec{Name: " \t", All: true}, "name is empty"},
			{"newline", auth.TokenSpec{Name: "painel\nfalso", All: true}, "U+000A"},
			{"escape code", auth.TokenSpec{Name: "\x1b[31mvermelho", All: true}, "U+001B"},
			{"bidi override", auth.TokenSpec{Name: "abc\u202Etxt.exe", All: true}, "U+202E"},
			{"invalid UTF-8", auth.TokenSpec{Name: "a\xffb", All: true}, "not valid UTF-8"},
			{"too long", auth.TokenSpec{Name: strings.Repeat("a", auth.MaxNameLength+1), All: true}, "at most 100"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, secret, err := auth.CreateToken(ctx, d.Client, tc.spec)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if secret != "" {
					t.Error("a secret came with the error")
				}
			})
		}
		if n := d.Client.APIToken.Query().CountX(ctx); n != 0 {
			t.Errorf("%d tokens stored by refused specs", n)
		}

		// What is accepted: the longest name, non-ASCII letters, each scope.
		for _, spec := range []auth.TokenSpec{
			{Name: strings.Repeat("é", auth.MaxNameLength), All: true},
			{Name: "Coordenação — Escola A", Schools: []gid.SchoolID{sch.ID, sch.ID}},
			{Name: "turma", Groups: []gid.GroupID{grp.ID}},
		} {
			tok, secret, err := auth.CreateToken(ctx, d.Client, spec)
			if err != nil {
				t.Fatalf("%q: %v", spec.Name, err)
			}
			p, err := auth.Authenticate(ctx, d.Client, secret, tok.CreatedAt)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case spec.All && p.Scope != auth.ScopeAll,
				spec.Schools != nil && (p.Scope != auth.ScopeSchools || len(p.SchoolIDs) != 1),
				spec.Groups != nil && (p.Scope != auth.ScopeGroups || len(p.GroupIDs) != 1):
				t.Errorf("%q: principal %+v", spec.Name, p)
			}
		}
	})
}
