package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
	out, err := cmd("token", "create", "--name", "painel", "--reveal-anonymous", "--expires", "90d")
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
		{"token", "create"}, // no name
		{"token", "create", "--name", "x", "--schools", "nope"},                                 // malformed id
		{"token", "create", "--name", "x", "--schools", "6f1c0c8e-0000-4000-8000-000000000000"}, // no such school
		{"token", "create", "--name", "x", "--expires", "soon"},
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
