package db

import (
	"context"
	"database/sql"
	"fmt"

	"ariga.io/atlas/sql/sqltool"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/stift/stift-reports/ent/migrate"
)

// Diff writes a new versioned PostgreSQL migration called name into dir,
// with the statements that take the schema of dir's migrations to the ent
// schema. Atlas replays dir on devURL, an empty PostgreSQL database, to
// compute the difference. The files are in golang-migrate's format, which
// Migrate applies.
func Diff(ctx context.Context, devURL, dir, name string) error {
	if !IsPostgres(devURL) {
		return fmt.Errorf("migrate diff: the dev database must be PostgreSQL, got %q", devURL)
	}
	d, err := sqltool.NewGolangMigrateDir(dir)
	if err != nil {
		return fmt.Errorf("migrate diff: %w", err)
	}
	sdb, err := sql.Open("pgx", devURL)
	if err != nil {
		return fmt.Errorf("migrate diff: %w", err)
	}
	defer sdb.Close()
	m, err := schema.NewMigrate(entsql.OpenDB(dialect.Postgres, sdb),
		schema.WithDir(d),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithFormatter(sqltool.GolangMigrateFormatter),
	)
	if err != nil {
		return fmt.Errorf("migrate diff: %w", err)
	}
	if err := m.NamedDiff(ctx, name, migrate.Tables...); err != nil {
		return fmt.Errorf("migrate diff: %w", err)
	}
	return nil
}
