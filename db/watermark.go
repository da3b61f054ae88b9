package db

import (
	"context"
	"fmt"
)

// The data version is one row, data_version (id 1), whose version counts
// the changes to the tables reports read, WatchedTables: every INSERT,
// UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) on them bumps it, by a
// trigger, in the transaction that made the change, so that whoever sees
// the change sees the new version and nobody sees the version before the
// change commits. Reading it is one primary-key lookup: the HTTP layer
// reads it to tell whether a report's answer may have changed (ETags).
// The row also holds salt, a random secret drawn once when the table is
// created, which keys the hashes made of the version so that clients
// cannot compute them.
//
//   - PostgreSQL: a migration creates the table and, on each watched table,
//     one FOR EACH STATEMENT trigger: a COPY of a million rows bumps it once.
//     The bump locks the row until the transaction ends, so transactions
//     that write watched tables run one after another at their commit; the
//     only writers are the importer and the seed, one transaction each.
//   - SQLite: triggers are FOR EACH ROW only, so each written row bumps
//     it; Migrate creates the table and triggers (ent's migration, which
//     SQLite uses, knows neither). SQLite writes one transaction at a time
//     anyway.

// WatchedTables are the tables reports read: all the tables of the ent
// schema but api_tokens, whose scopes are part of each answer's key
// already (and whose lookups must not look like data changes).
var WatchedTables = []string{
	"availability_slots",
	"booking_room_disciplines",
	"booking_rooms",
	"bookings",
	"disciplines",
	"group_students",
	"group_teachers",
	"groups",
	"nps_answers",
	"questions",
	"schools",
	"subjects",
	"user_disciplines",
	"users",
}

// createSQLiteDataVersion creates the data version's table, its row and
// the triggers of each watched table, those that do not exist yet. ent
// rebuilds a SQLite table (and so drops its triggers) to change some of
// its columns: this runs after each migration and puts them back.
func (d *DB) createSQLiteDataVersion(ctx context.Context) error {
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS data_version (
			id INTEGER PRIMARY KEY CHECK (id = 1),
			version INTEGER NOT NULL,
			salt TEXT NOT NULL)`,
		`INSERT OR IGNORE INTO data_version (id, version, salt) VALUES (1, 0, lower(hex(randomblob(16))))`,
	}
	for _, t := range WatchedTables {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER IF NOT EXISTS "data_version_%[1]s_%[2]s"
				AFTER %[2]s ON "%[1]s" FOR EACH ROW
				BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END`, t, op))
		}
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("migrate sqlite: data version: %w", err)
		}
	}
	return nil
}
