package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/apitoken"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestTokenCommands creates, lists and revokes a token through run, the
// way `go run . token …` does.
func TestTokenCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	env := func(k string) string {
		if k == "DEMO_DATA" {
			return "off"
		}
		return ""
	}
	cmd := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(args, "--db", dbPath), env, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if _, err := cmd("seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	out, err := cmd("token", "create", "--name", "painel", "--all", "--reveal-anonymous", "--expires", "90d")
	if err != nil {
		t.Fatal(err, out)
	}
	secret := regexp.MustCompile(`stift_\S+`).FindString(out)
	id := regexp.MustCompile(`token ([0-9a-f-]{36}) created`).FindStringSubmatch(out)
	if secret == "" || id == nil {
		t.Fatalf("create printed %q", out)
	}
	list, err := cmd("token", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, id[1]) || !strings.Contains(list, "painel") || strings.Contains(list, secret) {
		t.Errorf("list = %q", list)
	}
	if out, err := cmd("token", "revoke", id[1]); err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("revoke: %v %q", err, out)
	}
	if _, err := cmd("token", "revoke", id[1]); err == nil {
		t.Error("revoking twice succeeded")
	}
	for _, bad := range [][]string{
		{"token", "create", "--all"},                                                            // no name
		{"token", "create", "--name", "x", "--schools", "nope"},                                 // malformed id
		{"token", "create", "--name", "x", "--schools", "6f1c0c8e-0000-4000-8000-000000000000"}, // no such school
		{"token", "create", "--name", "x", "--all", "--expires", "soon"},
		{"token", "revoke", "nope"},
		{"nonsense"},
	} {
		if out, err := cmd(bad...); err == nil {
			t.Errorf("%v succeeded: %q", bad, out)
		}
	}
}

// TestImportCommand imports the example export through run, and refuses
// a directory with a bad record, naming the file, line and field.
func TestImportCommand(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "import.db")
	env := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"import", filepath.Join("testdata", "import", "example"), "--db", dbPath}, env, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "questions.ndjson") {
		t.Errorf("output %q", out.String())
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "schools.ndjson"), []byte(`{"id": "nope", "name": "X"}`+"\n"), 0o644)
	err := run(context.Background(), []string{"import", bad, "--db", dbPath}, env, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "schools.ndjson:1: id") {
		t.Errorf("bad import: %v", err)
	}
}

// cliDatabases returns, per kind of database the tests can reach, a
// function that makes a fresh one and returns what `--db` takes.
func cliDatabases() map[string]func(t *testing.T) string {
	kinds := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "cli.db") },
	}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		kinds["postgres"] = func(t *testing.T) string { return testdb.PostgresURL(t) }
	}
	return kinds
}

// TestTokenCreateChecks runs token create through run, as `stift-reports
// token create …` does, on each database: a scope must be asked for
// explicitly and never comes out empty; lifetimes and names are bounded;
// whatever is refused stores nothing; and token list prints a name stored
// raw (by hand, or before names were checked) escaped.
func TestTokenCreateChecks(t *testing.T) {
	for kind, newDB := range cliDatabases() {
		t.Run(kind, func(t *testing.T) {
			dbURL := newDB(t)
			env := func(k string) string {
				if k == "DEMO_DATA" {
					return "off"
				}
				return ""
			}
			cmd := func(args ...string) (string, error) {
				var out, errOut bytes.Buffer
				err := run(context.Background(), append(args, "--db", dbURL), env, &out, &errOut)
				return out.String() + errOut.String(), err
			}
			d, err := db.Open(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			ctx := auth.SystemContext(context.Background())
			if err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			sch := d.Client.School.Create().SetName("Escola").SaveX(ctx)
			grp := d.Client.Group.Create().SetName("Turma").SetSchoolID(sch.ID).SaveX(ctx)
			count := func() int { return d.Client.APIToken.Query().CountX(ctx) }

			unknown := "6f1c0c8e-0000-4000-8000-000000000000"
			var many []string
			for range auth.MaxScopeIDs + 1 {
				many = append(many, sch.ID.String())
			}
			create := []string{"token", "create", "--name", "x"}
			for _, tc := range []struct {
				args    []string
				wantErr string
			}{
				// Scope: exactly one of --all, --schools, --groups, never empty.
				{[]string{"--schools", ""}, "--schools lists no school id"},
				{[]string{"--schools", ","}, "--schools lists no school id"},
				{[]string{"--groups", " , "}, "--groups lists no group id"},
				{[]string{"--groups="}, "--groups lists no group id"},
				{nil, "give one of --all, --schools or --groups"},
				{[]string{"--all", "--schools", sch.ID.String()}, "not --all and --schools"},
				{[]string{"--schools", sch.ID.String(), "--groups", grp.ID.String()}, "not --schools and --groups"},
				{[]string{"--schools", "nope"}, `"nope" is not a school id`},
				{[]string{"--groups", grp.ID.String() + ",12"}, `"12" is not a group id`},
				{[]string{"--schools", unknown}, "some of the schools do not exist"},
				{[]string{"--groups", sch.ID.String()}, "some of the groups do not exist"},
				{[]string{"--schools", strings.Join(many, ",")}, "at most 1000 ids"},
				// Lifetime: above zero, at most ten years, never wrapped around.
				{[]string{"--all", "--expires", "200000d"}, "up to 3650d"},
				{[]string{"--all", "--expires", "9999999999999d"}, "up to 3650d"},
				{[]string{"--all", "--expires", "3651d"}, "up to 3650d"},
				{[]string{"--all", "--expires", "87625h"}, "up to 3650d"},
				{[]string{"--all", "--expires", "0d"}, "above zero"},
				{[]string{"--all", "--expires", "-1d"}, "above zero"},
				{[]string{"--all", "--expires", "1e9h"}, "above zero"},
				{[]string{"--all", "--expires", ""}, "above zero"},
				{[]string{"--all", "--expires", "soon"}, "above zero"},
			} {
				out, err := cmd(append(create, tc.args...)...)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("%q: err = %v (output %q), want one containing %q", tc.args, err, out, tc.wantErr)
				}
				if strings.Contains(out, "stift_") {
					t.Errorf("%q printed a secret: %q", tc.args, out)
				}
			}
			for _, name := range []string{
				"", "  ", "painel\nfalso", "\x1b[31mvermelho", "abc\u202Etxt.exe", "a\tb",
				strings.Repeat("n", auth.MaxNameLength+1),
			} {
				if out, err := cmd("token", "create", "--all", "--name", name); err == nil {
					t.Errorf("name %q accepted: %q", name, out)
				}
			}
			if n := count(); n != 0 {
				t.Fatalf("%d tokens stored by refused commands", n)
			}

			// What works: each scope, the longest lifetime, the longest name.
			for _, tc := range []struct {
				args  []string
				scope string
			}{
				{[]string{"--all", "--expires", "3650d"}, "ALL"},
				{[]string{"--schools", " " + sch.ID.String() + " ,"}, "SCHOOLS"},
				{[]string{"--groups", grp.ID.String()}, "GROUPS"},
				{[]string{"--all", "--name", strings.Repeat("é", auth.MaxNameLength)}, "ALL"},
			} {
				out, err := cmd(append(create, tc.args...)...)
				if err != nil || !strings.Contains(out, "created ("+tc.scope+")") || !strings.Contains(out, "stift_") {
					t.Errorf("%q: %v %q", tc.args, err, out)
				}
			}
			if n := count(); n != 4 {
				t.Errorf("%d tokens stored, want 4", n)
			}
			// 3650d lands ten years ahead (a day's margin either way), not
			// wrapped around into the past.
			tok := d.Client.APIToken.Query().Where(apitoken.ExpiresAtNotNil()).OnlyX(ctx)
			if want := tok.CreatedAt.AddDate(10, 0, 0); tok.ExpiresAt.Before(want.AddDate(0, 0, -4)) || tok.ExpiresAt.After(want.AddDate(0, 0, 1)) {
				t.Errorf("--expires 3650d: expires %v, created %v", tok.ExpiresAt, tok.CreatedAt)
			}

			// Names written raw into the database print escaped, one line each.
			raw := map[string]string{
				"linha\nforjada":   `"linha\nforjada"`,
				"\x1b[31mcor":      `"\x1b[31mcor"`,
				"abc\u202Etxt.exe": `"abc\u202etxt.exe"`,
				"col\tuna":         `"col\tuna"`,
				`"aspas"`:          `"\"aspas\""`,
			}
			for name := range raw {
				d.Client.APIToken.Create().SetName(name).SetSecretHash(auth.HashSecret(name)).SaveX(ctx)
			}
			list, err := cmd("token", "list")
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range raw {
				if !strings.Contains(list, want) {
					t.Errorf("token list does not show %q as %s:\n%s", name, want, list)
				}
			}
			if strings.ContainsAny(list, "\x1b\t\u202E") {
				t.Errorf("token list prints raw control characters:\n%q", list)
			}
			if lines := strings.Count(list, "\n"); lines != 1+4+len(raw) {
				t.Errorf("token list has %d lines, want %d:\n%s", lines, 1+4+len(raw), list)
			}
		})
	}
}
