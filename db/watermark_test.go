package db_test

import (
	"context"
	"slices"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/migrate"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestWatchedTables: every table of the ent schema but api_tokens is
// watched, so a table added to the schema is either watched or left out
// here on purpose; and each watched table has its triggers, on both
// databases.
func TestWatchedTables(t *testing.T) {
	var all []string
	for _, tb := range migrate.Tables {
		if tb.Name != "api_tokens" {
			all = append(all, tb.Name)
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, db.WatchedTables) {
		t.Errorf("the tables of the schema, but api_tokens:\n%q\nthe watched tables (db.WatchedTables; add the new "+
			"table's triggers to a migration and to the list):\n%q", all, db.WatchedTables)
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		q := `SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'data_version_%'
			GROUP BY tbl_name HAVING COUNT(*) = 3`
		if d.Dialect == dialect.Postgres {
			// tgtype 60: INSERT (4), DELETE (8), UPDATE (16) and TRUNCATE
			// (32); not FOR EACH ROW (1), BEFORE (2) or INSTEAD OF (64).
			q = `SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'data_version'
				AND tgtype = 60`
		}
		rows, err := d.SQL.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var watched []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			watched = append(watched, name)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(watched)
		if !slices.Equal(watched, db.WatchedTables) {
			t.Errorf("tables with the data version's triggers:\n%q\nwant:\n%q", watched, db.WatchedTables)
		}
	})
}

// TestDataVersion: inserts, updates and deletes bump the version once
// committed; a rolled back change leaves it; a second migration keeps it.
func TestDataVersion(t *testing.T) {
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		version := func() int64 {
			t.Helper()
			var v int64
			if err := d.SQL.QueryRowContext(ctx, `SELECT version FROM data_version WHERE id = 1`).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		exec := func(q string) {
			t.Helper()
			if _, err := d.SQL.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		v := version()
		for _, q := range []string{
			`INSERT INTO disciplines (id, name) VALUES (1, 'Física')`,
			`UPDATE disciplines SET name = 'Química' WHERE id = 1`,
			`DELETE FROM disciplines WHERE id = 1`,
		} {
			exec(q)
			if next := version(); next <= v {
				t.Errorf("%s: version %d, before %d", q, next, v)
			} else {
				v = next
			}
		}

		tx, err := d.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO disciplines (id, name) VALUES (2, 'Artes')`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := version(); got != v {
			t.Errorf("after a rollback: version %d, want %d", got, v)
		}

		var salt string
		if err := d.SQL.QueryRowContext(ctx, `SELECT salt FROM data_version`).Scan(&salt); err != nil || len(salt) != 32 {
			t.Fatalf("salt %q: %v", salt, err)
		}
		if err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var again string
		if err := d.SQL.QueryRowContext(ctx, `SELECT salt FROM data_version`).Scan(&again); err != nil || again != salt || version() != v {
			t.Errorf("migrated again: salt %q (was %q), version %d (was %d): %v", again, salt, version(), v, err)
		}
	})
}
