package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// The tables of asynchronous exports (package exports, docs/exports.md)
// are not ent's: they hold a job's request and its file, which nothing
// reads through GraphQL or the privacy rules. PostgreSQL gets them from
// the versioned migration 20261203090000_exports; SQLite, whose schema
// comes from ent, from these statements. River's own tables come from
// River's migrations (migrateRiver), on both.
const sqliteExports = `
CREATE TABLE IF NOT EXISTS exports (
  id TEXT NOT NULL PRIMARY KEY,
  owner_id TEXT NOT NULL,
  principal TEXT NOT NULL,
  report TEXT NOT NULL,
  format TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  raw_query TEXT NOT NULL DEFAULT '',
  header TEXT NOT NULL,
  body BLOB NOT NULL,
  state TEXT NOT NULL,
  row_count INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  chunk_size INTEGER NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  disposition TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  asked_at DATETIME NOT NULL,
  started_at DATETIME NULL,
  finished_at DATETIME NULL,
  expires_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS exports_owner_id_state ON exports (owner_id, state);
CREATE INDEX IF NOT EXISTS exports_expires_at ON exports (expires_at);
CREATE TABLE IF NOT EXISTS export_chunks (
  export_id TEXT NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (export_id, seq)
);`

// riverLock is the key of the PostgreSQL advisory lock under which River's
// migrations run, so that replicas starting together apply each once.
const riverLock = 0x5717_0e8e

// migrateRiver applies the River migrations the database lacks; River
// applies each in a transaction of its own (some cannot share one). On
// PostgreSQL a session holds riverLock meanwhile.
func (d *DB) migrateRiver(ctx context.Context) error {
	var driver riverdriver.Driver[*sql.Tx]
	if d.Dialect == dialect.Postgres {
		driver = riverdatabasesql.New(d.SQL)
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", riverLock); err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", riverLock) //nolint:errcheck // closing the session frees it anyway
	} else {
		driver = riversqlite.New(d.SQL)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate river: %w", err)
	}
	return nil
}

// OpenPgxPool opens a pgx pool of at most maxConns connections on d's
// PostgreSQL database, for what needs pgx itself rather than database/sql:
// River's workers (riverpgxv5), which listen for new jobs.
func (d *DB) OpenPgxPool(ctx context.Context, maxConns int32) (*pgxpool.Pool, error) {
	if d.Dialect != dialect.Postgres {
		return nil, errors.New("a pgx pool needs PostgreSQL")
	}
	cfg, err := pgxpool.ParseConfig(d.url)
	if err != nil {
		return nil, errors.New("the database URL does not parse") // never the URL: it holds a password
	}
	cfg.MaxConns = maxConns
	return pgxpool.NewWithConfig(ctx, cfg)
}
