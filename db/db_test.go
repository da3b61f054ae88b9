package db_test

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestMigrationsMatchSchema applies the versioned migrations to an empty
// PostgreSQL database and checks that ent finds nothing left to change.
func TestMigrationsMatchSchema(t *testing.T) {
	d := testdb.EmptyPostgres(t)
	ctx := context.Background()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrating twice: %v", err)
	}
	var buf bytes.Buffer
	if err := d.Client.Schema.WriteTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	var pending []string
	for _, line := range strings.Split(buf.String(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "BEGIN;" || line == "COMMIT;" || strings.HasPrefix(line, "--") {
			continue
		}
		pending = append(pending, line)
	}
	if len(pending) > 0 {
		t.Errorf("the migrations in db/migrations lag behind the ent schema; "+
			"run `go run . migrate diff NAME --dev-url postgres://…`. Missing:\n%s", strings.Join(pending, "\n"))
	}
}

func TestSQLitePragmas(t *testing.T) {
	d := testdb.SQLite(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1"} {
		var got string
		if err := d.SQL.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	// The file is read through a memory map, unless the URL says otherwise.
	var mapped int64
	if err := d.SQL.QueryRow("PRAGMA mmap_size").Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	if mapped < 1<<30 {
		t.Errorf("PRAGMA mmap_size = %d, want the file mapped", mapped)
	}
	own, err := db.Open(filepath.Join(t.TempDir(), "own.db") + "?_pragma=mmap_size(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	if err := own.SQL.QueryRow("PRAGMA mmap_size").Scan(&mapped); err != nil {
		t.Fatal(err)
	}
	if mapped != 0 {
		t.Errorf("PRAGMA mmap_size = %d with mmap_size(0) in the URL, want 0", mapped)
	}
}

// TestIsUnreachable: a connection lost in the middle of a statement is
// the database being unreachable (503), as is one that cannot be made; a
// statement the database refuses is not.
func TestIsUnreachable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("write: %w", net.ErrClosed), true},
		{driver.ErrBadConn, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{&pgconn.PgError{Code: "42601", Message: "syntax error"}, false},
		{errors.New("sql: no rows in result set"), false},
	} {
		if got := db.IsUnreachable(tc.err); got != tc.want {
			t.Errorf("IsUnreachable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestPostgresPlansForTheArguments: the pool's connections plan each run of
// a prepared statement for its arguments, unless the URL says otherwise.
func TestPostgresPlansForTheArguments(t *testing.T) {
	base := testdb.PostgresURL(t)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	for _, tc := range []struct{ name, url, want string }{
		{"default", base, "force_custom_plan"},
		{"set in the URL", base + sep + "plan_cache_mode=auto", "auto"},
	} {
		d, err := db.Open(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := d.SQL.QueryRow("SHOW plan_cache_mode").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: plan_cache_mode %s, want %s", tc.name, got, tc.want)
		}
		d.Close()
	}
}
