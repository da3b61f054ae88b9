// Package testdb gives tests fresh, migrated databases: a SQLite file
// always, and a PostgreSQL database of its own when TEST_DATABASE_URL names
// a server (tests run in parallel packages against one server, so each test
// creates its own database and drops it afterwards).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stift/stift-reports/db"
)

// Each runs f as a subtest on every available database: "sqlite" always,
// "postgres" when TEST_DATABASE_URL is set.
func Each(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	EachKind(t, func(t *testing.T, open func(testing.TB) *db.DB) { f(t, open(t)) })
}

// EachParallel is Each with the subtests run in parallel (t.Parallel): a
// subtest opens its database only once it runs, so that paused subtests do
// not hold PostgreSQL connections. f must not use process-wide state: the
// environment, heap or allocation counts, or files another test writes.
func EachParallel(t *testing.T, f func(t *testing.T, d *db.DB)) {
	t.Helper()
	EachKind(t, func(t *testing.T, open func(testing.TB) *db.DB) {
		t.Parallel()
		f(t, open(t))
	})
}

// EachKind runs f as a subtest per kind of database, with a function that
// opens a fresh database of that kind, for tests that need several.
func EachKind(t *testing.T, f func(t *testing.T, open func(testing.TB) *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite) })
	if os.Getenv("TEST_DATABASE_URL") != "" {
		t.Run("postgres", func(t *testing.T) { f(t, Postgres) })
	}
}

// SQLite returns a migrated, empty SQLite database in a temporary file.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Postgres returns a migrated, empty PostgreSQL database created for the
// test on TEST_DATABASE_URL's server and dropped when the test ends. The
// test is skipped when TEST_DATABASE_URL is not set.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return PostgresWith(t)
}

// PostgresWith is Postgres with the database opened with opts.
func PostgresWith(t testing.TB, opts ...db.Option) *db.DB {
	t.Helper()
	d := emptyPostgres(t, opts...)
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// EmptyPostgres is Postgres without the migrations: a database with no tables.
func EmptyPostgres(t testing.TB) *db.DB {
	t.Helper()
	return emptyPostgres(t)
}

func emptyPostgres(t testing.TB, opts ...db.Option) *db.DB {
	t.Helper()
	dbURL := PostgresURL(t)
	d, err := db.Open(dbURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// PostgresURL creates an empty database for the test and returns its URL.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := os.Getenv("TEST_DATABASE_URL")
	if server == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "t_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// dropDatabase drops a test database. FORCE ends the test's own lingering
// connections, but a role that is not a superuser may not end an autovacuum
// worker that has started on the new tables (SQLSTATE 42501): an analyze of
// a million rows outlasts any sensible wait. A plain DROP DATABASE ends
// autovacuum workers itself, so on 42501 the test's own connections are
// ended by hand and the drop is made without FORCE; a connection that
// reconnects in between (55006) makes the loop try again.
func dropDatabase(t testing.TB, admin *sql.DB, name string) {
	t.Helper()
	ctx := context.Background()
	var err error
	for range 25 {
		if _, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
			return
		}
		if !isPgCode(err, "42501") {
			break
		}
		if _, err = admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()`, name); err != nil {
			break
		}
		if _, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err == nil {
			return
		}
		if !isPgCode(err, "55006") && !isPgCode(err, "42501") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("drop test database %s: %v", name, err)
}

func isPgCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
