package seed

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/progress"
)

// postgresWriter loads PostgreSQL through COPY, in one transaction on one
// connection.
type postgresWriter struct {
	tx pgx.Tx
}

func (w *postgresWriter) load(ctx context.Context, d *db.DB, fill func(context.Context, putFunc) error) error {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("seed: connect: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) (err error) {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("seed: not a pgx connection: %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("seed: begin transaction: %w", err)
		}
		defer func() {
			if err != nil {
				if rerr := tx.Rollback(context.WithoutCancel(ctx)); rerr != nil {
					err = errors.Join(err, fmt.Errorf("seed: rollback: %w", rerr))
				}
			}
		}()
		var exists int
		switch err := tx.QueryRow(ctx, "SELECT 1 FROM schools LIMIT 1").Scan(&exists); {
		case err == nil:
			return ErrNotEmpty
		case !errors.Is(err, pgx.ErrNoRows) && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("seed: check for schools: %w", err)
		}
		// For building the indexes of the big tables after their load.
		if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		w.tx = tx
		if err := fill(ctx, w.put); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("seed: commit: %w", err)
		}
		return nil
	})
}

func (w *postgresWriter) put(ctx context.Context, t scaleTable, prog *progress.Reporter) error {
	if !bulkTables[t.name] {
		return w.copy(ctx, t, prog)
	}
	// The secondary indexes and foreign keys of t, to drop and create again.
	var drop, create []string
	rows, err := w.tx.Query(ctx, `SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid = $1::regclass AND NOT i.indisprimary AND NOT i.indisunique ORDER BY 1`, quote(t.name))
	if err != nil {
		return err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		drop, create = append(drop, "DROP INDEX "+quote(name)), append(create, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = w.tx.Query(ctx, `SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY 1`, quote(t.name))
	if err != nil {
		return err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		drop = append(drop, "ALTER TABLE "+quote(t.name)+" DROP CONSTRAINT "+quote(name))
		create = append(create, "ALTER TABLE "+quote(t.name)+" ADD CONSTRAINT "+quote(name)+" "+def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range drop {
		if _, err := w.tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	if err := w.copy(ctx, t, prog); err != nil {
		return err
	}
	prog.Start(t.name+" indexes and keys", int64(len(create)))
	defer prog.Done()
	for _, q := range create {
		if _, err := w.tx.Exec(ctx, q); err != nil {
			return err
		}
		prog.Add(1)
	}
	return nil
}

func (w *postgresWriter) copy(ctx context.Context, t scaleTable, prog *progress.Reporter) error {
	prog.Start(t.name, t.total)
	defer prog.Done()
	n := int64(0)
	src := pgx.CopyFromFunc(func() ([]any, error) {
		row, err := t.next()
		if row == nil || err != nil {
			return nil, err
		}
		for i, v := range row {
			if u, ok := v.(uuid.UUID); ok {
				row[i] = [16]byte(u)
			}
		}
		if n++; n%progressEvery == 0 {
			prog.Add(progressEvery)
		}
		return row, nil
	})
	if _, err := w.tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, src); err != nil {
		return err
	}
	prog.Add(n % progressEvery)
	return nil
}
