package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/progress"
)

// sqliteMaxVars is SQLite's limit of variables per statement.
const sqliteMaxVars = 32766

// sqliteCacheKiB is the page cache Scale gives its connection while it
// loads (the default is 2 MiB): random UUID keys touch pages all over the
// indexes.
const sqliteCacheKiB = 64 << 10

// sqliteWriter loads SQLite through multi-row INSERT statements of up to
// batchSize rows, prepared once per table, in one transaction.
type sqliteWriter struct {
	tx *sql.Tx
}

func (w *sqliteWriter) load(ctx context.Context, d *db.DB, fill func(context.Context, putFunc) error) (err error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", sqliteCacheKiB)); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	// Multi-row INSERTs into tables with constraints keep a statement
	// journal; on disk it cost a third of the load.
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = DEFAULT")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: begin transaction: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil {
				err = errors.Join(err, fmt.Errorf("seed: rollback: %w", rerr))
			}
		}
	}()
	var exists int
	switch err := tx.QueryRowContext(ctx, "SELECT 1 FROM schools LIMIT 1").Scan(&exists); {
	case err == nil:
		return ErrNotEmpty
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("seed: check for schools: %w", err)
	}
	w.tx = tx
	if err := fill(ctx, w.put); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	return nil
}

// insertSQL returns an INSERT of rows rows into t.
func insertSQL(t scaleTable, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quote(t.name))
	b.WriteString(" (")
	for i, c := range t.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c))
	}
	b.WriteString(") VALUES ")
	row := "(?" + strings.Repeat(", ?", len(t.cols)-1) + ")"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

func (w *sqliteWriter) put(ctx context.Context, t scaleTable, prog *progress.Reporter) error {
	if bulkTables[t.name] {
		var indexes []string
		rows, err := w.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
			WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, t.name)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			names, indexes = append(names, name), append(indexes, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := w.tx.ExecContext(ctx, "DROP INDEX "+quote(name)); err != nil {
				return err
			}
		}
		if err := w.insert(ctx, t, prog); err != nil {
			return err
		}
		prog.Start(t.name+" indexes", int64(len(indexes)))
		defer prog.Done()
		for _, def := range indexes {
			if _, err := w.tx.ExecContext(ctx, def); err != nil {
				return err
			}
			prog.Add(1)
		}
		return nil
	}
	return w.insert(ctx, t, prog)
}

func (w *sqliteWriter) insert(ctx context.Context, t scaleTable, prog *progress.Reporter) error {
	prog.Start(t.name, t.total)
	defer prog.Done()
	perStmt := min(batchSize, sqliteMaxVars/len(t.cols))
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, perStmt*len(t.cols))
	flush := func() error {
		rows := len(args) / len(t.cols)
		if rows == 0 {
			return nil
		}
		var err error
		if rows == perStmt {
			if stmt == nil {
				if stmt, err = w.tx.PrepareContext(ctx, insertSQL(t, perStmt)); err != nil {
					return err
				}
			}
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = w.tx.ExecContext(ctx, insertSQL(t, rows), args...)
		}
		if err != nil {
			return err
		}
		prog.Add(int64(rows))
		args = args[:0]
		return nil
	}
	for {
		row, err := t.next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		for _, v := range row {
			args = append(args, sqliteValue(v))
		}
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// sqliteValue stores values as ent does on SQLite: UUIDs and JSON as text.
func sqliteValue(v any) any {
	switch v := v.(type) {
	case uuid.UUID:
		return v.String()
	case []byte:
		return string(v)
	}
	return v
}
