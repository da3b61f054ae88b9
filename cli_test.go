package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/apitoken"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/metrics"
)

// cliOn returns a runner of the CLI, as `go run . ARGS --db db` with
// DEMO_DATA=off, that returns what it printed (stdout, then stderr).
func cliOn(db string) func(args ...string) (string, error) {
	env := func(k string) string {
		if k == "DEMO_DATA" {
			return "off"
		}
		return ""
	}
	return func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append(args, "--db", db), env, &out, &errOut)
		return out.String() + errOut.String(), err
	}
}

// TestTokenCommands creates, lists and revokes a token through run, the
// way `go run . token …` does.
func TestTokenCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	cmd := cliOn(dbPath)
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
			cmd := cliOn(dbURL)
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

// TestHelp asks each command for its help: on stdout, exit 0, the
// command's own flags listed; even with a bad configuration, so that the
// help is there to fix it.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"usage: stift-reports [command]", "token create", "version"}},
		{[]string{"-h"}, []string{"usage: stift-reports [command]"}},
		{[]string{"help"}, []string{"usage: stift-reports [command]"}},
		{[]string{"serve", "--help"}, []string{"--addr ADDR", "--db URL", "--print-config"}},
		{[]string{"--addr", ":1", "-help"}, []string{"--print-config"}}, // serve is the default
		{[]string{"migrate", "--help"}, []string{"migrate diff NAME", "--db URL"}},
		{[]string{"migrate", "diff", "--help"}, []string{"--dev-url URL", "--dir", "(default db/migrations)"}},
		{[]string{"seed", "-h"}, []string{"--demo", "--scale N", "--seed", "--db URL"}},
		{[]string{"import", "--help"}, []string{"import DIR", "--db URL"}},
		{[]string{"token", "--help"}, []string{"token create --help"}},
		{[]string{"token", "create", "--help"}, []string{"--name NAME", "--all", "--expires DURATION", "--schools IDs", "--groups IDs", "--expires", "--reveal-anonymous", "--unlimited"}},
		{[]string{"token", "list", "--help"}, []string{"token list", "--db URL"}},
		{[]string{"token", "revoke", "--help"}, []string{"token revoke ID"}},
		{[]string{"version", "--help"}, []string{"usage: stift-reports version"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			badEnv := func(k string) string {
				if k == "RATE_LIMIT" {
					return "ten"
				}
				return ""
			}
			if err := run(context.Background(), tc.args, badEnv, &out, &errOut); err != nil {
				t.Fatalf("err = %v", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("help lacks %q:\n%s", want, out.String())
				}
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr: %q", errOut.String())
			}
		})
	}
	// token list has no --name: each command lists only its own flags.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "list", "--help"}, func(string) string { return "" }, &out, io.Discard); err != nil || strings.Contains(out.String(), "--name") {
		t.Errorf("token list --help: %v\n%s", err, out.String())
	}
}

// TestVersion checks the version command and the build_info metric agree
// on what debug.ReadBuildInfo says.
func TestVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	b := metrics.ReadBuild()
	for _, want := range []string{"stift-reports " + b.Version + "\n", "revision " + b.Revision, runtime.Version()} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version lacks %q:\n%s", want, out.String())
		}
	}
	h := NewServer(Config{}, testdb.SQLite(t), slog.New(slog.DiscardHandler), time.Now)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := fmt.Sprintf(`stift_build_info{goversion=%q,revision=%q,version=%q} 1`, b.GoVersion, b.Revision, b.Version)
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

// TestCLIErrors runs commands the way a new user gets them wrong: each
// error names the flag, file or variable to fix, and nothing is created.
func TestCLIErrors(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	cmd := func(args ...string) error {
		return run(context.Background(), args, noEnv, io.Discard, io.Discard)
	}
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "diff", "foo"}, "--dev-url is required"},
		{[]string{"migrate", "diff", "--dev-url", "postgres://x/y"}, "give the migration one NAME"},
		{[]string{"migrate", "sideways"}, `unknown migrate command "sideways"`},
		{[]string{"seed", "--scale", "-1", "--db", missing}, "--scale must be a number above zero, got -1"},
		{[]string{"seed", "--scale", "0", "--db", missing}, "--scale must be a number above zero"},
		{[]string{"seed", "--scale", "NaN", "--db", missing}, "--scale must be a number above zero"},
		{[]string{"seed", "--db", missing}, "give --demo or --scale N"},
		{[]string{"seed", "--demo", "--scale", "1", "--db", missing}, "not both"},
		{[]string{"seed", "--scale", "1", "--at", "2026-06-15T15:00:00Z", "--db", missing}, "--at is for --demo"},
		{[]string{"seed", "--demo", "--at", "yesterday", "--db", missing}, `--at "yesterday": give an RFC 3339 time`},
		{[]string{"serve", "--bogus"}, "serve: flag provided but not defined: -bogus (stift-reports serve --help"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"token", "list", "--name", "x"}, "flag provided but not defined: -name"},
		{[]string{"token", "frobnicate"}, `unknown token command "frobnicate"`},
		{[]string{"token"}, "say create, list or revoke"},
		// Token commands never create a database.
		{[]string{"token", "list", "--db", missing}, "no database at " + missing},
		{[]string{"token", "create", "--name", "me", "--all", "--db", missing}, "point --db or DATABASE_URL at the server's database"},
		{[]string{"token", "revoke", "6f1c0c8e-0000-4000-8000-000000000000", "--db", missing}, "no database at " + missing},
		// Databases of an unknown kind, or nowhere to create a file.
		{[]string{"token", "list", "--db", "mysql://x"}, `--db: "mysql://" is not a database`},
		{[]string{"serve", "--db", "mysql://x"}, `--db: "mysql://" is not a database`},
		{[]string{"migrate", "--db", "/nonexistent/x.db"}, "--db: cannot create the SQLite file /nonexistent/x.db: no directory /nonexistent"},
		{[]string{"serve", "--db", "/nonexistent/x.db"}, "no directory /nonexistent"},
		{[]string{"seed", "--demo", "--db", "/nonexistent/x.db"}, "no directory /nonexistent"},
	} {
		err := cmd(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want one containing %q", tc.args, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refused commands created %v", entries)
	}
}

// TestTokenNeedsDatabase runs a token command where the server's database
// is not, as from another folder: with the default --db it names the file
// it looked for, creating nothing; once the database exists, on each kind,
// the same command works.
func TestTokenNeedsDatabase(t *testing.T) {
	// Not parallel: it changes the working directory.
	dir := t.TempDir()
	t.Chdir(dir)
	noEnv := func(string) string { return "" }
	err := run(context.Background(), []string{"token", "create", "--name", "me", "--all"}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "stift-reports.db")) || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stift-reports.db")); err == nil {
		t.Error("token create created the database")
	}
	for kind, newDB := range cliDatabases() {
		t.Run(kind, func(t *testing.T) {
			dbURL := newDB(t)
			env := func(k string) string {
				if k == "DATABASE_URL" {
					return dbURL
				}
				return ""
			}
			if kind == "sqlite" {
				err := run(context.Background(), []string{"token", "list"}, env, io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "from DATABASE_URL") {
					t.Fatalf("token list on a missing file: %v", err)
				}
				if err := run(context.Background(), []string{"migrate"}, env, io.Discard, io.Discard); err != nil {
					t.Fatal(err)
				}
			}
			var out bytes.Buffer
			if err := run(context.Background(), []string{"token", "create", "--name", "me", "--all"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "stift_") {
				t.Errorf("token create: %v %q", err, out.String())
			}
		})
	}
}
