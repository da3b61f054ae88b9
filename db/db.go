// Package db opens the database — the embedded SQLite file or PostgreSQL —
// and brings its schema up to date.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/stift/stift-reports/ent"
	_ "github.com/stift/stift-reports/ent/runtime" // hooks, defaults and privacy policies
)

// Migrations holds the versioned PostgreSQL migrations, generated from the
// ent schema by Atlas (`go run . migrate diff NAME`).
//
//go:embed migrations/*.sql
var Migrations embed.FS

// MaxPostgresConns is the most connections one server opens to PostgreSQL.
const MaxPostgresConns = 20

// DB is an open database: the ent client and the *sql.DB beneath it, for
// the report engine's hand-written SQL.
type DB struct {
	*ent.Client
	SQL     *sql.DB
	Dialect string // dialect.SQLite or dialect.Postgres
	url     string
}

// IsPostgres reports whether url names a PostgreSQL database.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// Option tunes how Open opens a database.
type Option func(*options)

type options struct {
	tracer trace.TracerProvider
}

// WithTracer traces each PostgreSQL statement as a span of tp (see
// newQueryTracer). SQLite statements are not traced: package rest's
// report spans stand for them.
func WithTracer(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp }
}

// Open opens url: a postgres:// URL, or else the path of a SQLite file
// (created if missing), opened with WAL, foreign keys and a busy timeout.
// A PostgreSQL pool keeps its statements prepared per connection and plans
// them for their arguments on every run (see openPostgres).
// Open does not connect; use Ping to check the database is reachable.
func Open(url string, opts ...Option) (*DB, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if IsPostgres(url) {
		sdb, err := openPostgres(url, o)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Bound the pool: replicas share the server's connection limit, and
		// a burst of requests should queue here rather than be refused there.
		sdb.SetMaxOpenConns(MaxPostgresConns)
		// Idle connections are kept up to the same bound: a pool that closes
		// what it cannot keep idle opens a new connection (a backend, a TLS
		// handshake, an empty prepared-statement cache) for most requests of
		// a burst wider than its idle bound. MaxIdleTime closes them after.
		sdb.SetMaxIdleConns(MaxPostgresConns)
		sdb.SetConnMaxIdleTime(5 * time.Minute)
		return wrap(sdb, dialect.Postgres, url), nil
	}
	sdb, err := sql.Open("sqlite", sqliteDSN(url))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", url, err)
	}
	return wrap(sdb, dialect.SQLite, url), nil
}

// openPostgres opens the pool of url, its statements traced when o says so.
//
// Its connections plan every run of a prepared statement for its arguments
// (plan_cache_mode force_custom_plan, unless url sets it), so statements
// are prepared once per connection, parsed once, and still planned for
// their values: a report's period may be a day or a year, and a generic
// plan, which PostgreSQL may keep after five runs, guesses a few hundred
// rows (the daily stats of a year of a million questions took twice as
// long with it). Planning is a fraction of a millisecond; parsing a
// report's statement on every run cost a little more. A connection keeps
// at most preparedStatements of them (unless url sets
// statement_cache_capacity): a report's statement holds some 100 kB of
// the server's memory, and its text varies with the lengths of the id
// lists it is filtered by.
func openPostgres(url string, o options) (*sql.DB, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if _, ok := cc.RuntimeParams["plan_cache_mode"]; !ok {
		cc.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	if !strings.Contains(url, "statement_cache_capacity=") {
		cc.StatementCacheCapacity = preparedStatements
	}
	if o.tracer != nil {
		cc.Tracer = newQueryTracer(o.tracer)
	}
	return stdlib.OpenDB(*cc), nil
}

// preparedStatements bounds the statements a connection keeps prepared.
const preparedStatements = 64

// sqliteMmapSize is how many bytes of a SQLite file a connection reads
// through a memory map (PRAGMA mmap_size) instead of a read(2) per page;
// SQLite caps it at just under 2 GiB, and reads the rest of a larger file
// as before. A report reads hundreds of thousands of pages, and each read
// through modernc.org/sqlite is a system call: exporting half a million
// questions took 40% less time mapped (bench/NOTES.md). The map is
// address space, not memory of the process's own: the pages are the
// kernel's page cache, shared and reclaimable, though the kernel counts
// those a connection has touched in the process's resident size (VmRSS).
// A URL whose query sets mmap_size (0 turns the map off) keeps its own.
const sqliteMmapSize = 2 << 30

func sqliteDSN(path string) string {
	path = strings.TrimPrefix(path, "sqlite://")
	if !strings.HasPrefix(path, "file:") {
		path = "file:" + path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	dsn := path + sep + "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_txlock=immediate" +
		"&_time_format=sqlite&_timezone=UTC"
	if _, query, _ := strings.Cut(path, "?"); !strings.Contains(query, "mmap_size") {
		dsn += fmt.Sprintf("&_pragma=mmap_size(%d)", sqliteMmapSize)
	}
	return dsn
}

// SQLiteDSN returns the data source name Open uses for the SQLite file at path.
func SQLiteDSN(path string) string { return sqliteDSN(path) }

// FromSQL wraps an open *sql.DB of the dialect (dialect.SQLite or
// dialect.Postgres); url is the database's URL, used by Migrate on
// PostgreSQL. Open is the usual way in; this one lets tests wrap drivers.
func FromSQL(sdb *sql.DB, dialectName, url string) *DB { return wrap(sdb, dialectName, url) }

func wrap(sdb *sql.DB, name, url string) *DB {
	drv := entsql.OpenDB(name, sdb)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: sdb, Dialect: name, url: url}
}

// IsUnreachable reports whether err says the database cannot be reached
// (as opposed to refusing a statement): no connection could be made, or
// the one in use was lost in the middle of a statement (the server went
// away: io.ErrUnexpectedEOF), which database/sql does not retry.
func IsUnreachable(err error) bool {
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.As(err, &connectErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.SQL.PingContext(ctx) }

// Close closes the database.
func (d *DB) Close() error { return d.Client.Close() }

// sqliteMaskedStudentIndex indexes the student id as a token that may not
// reveal anonymous askers reads it (auth.maskAnonymousAskers), so that
// filters on it (where studentID, User.questions) stay indexed. The
// expression must be the one the mask selects, or the planners ignore it.
const sqliteMaskedStudentIndex = `CREATE INDEX IF NOT EXISTS question_masked_student_id
  ON questions (CASE WHEN anonymous THEN NULL ELSE student_id END)`

var sqliteSchemaMu sync.Mutex

// Migrate brings the schema up to date: SQLite is migrated automatically
// from the ent schema; PostgreSQL applies the versioned migrations (under
// an advisory lock, so replicas starting together do not race). Both then
// apply River's migrations (the job queue of asynchronous exports).
func (d *DB) Migrate(ctx context.Context) error {
	if d.Dialect == dialect.SQLite {
		// ent's migration writes to its package-level table definitions,
		// so two databases migrated at once (parallel tests) race.
		sqliteSchemaMu.Lock()
		err := d.Client.Schema.Create(ctx)
		sqliteSchemaMu.Unlock()
		if err != nil {
			return fmt.Errorf("migrate sqlite: %w", err)
		}
		// ent's schema cannot declare an index on an expression; the
		// PostgreSQL migrations create this one too.
		if _, err := d.SQL.ExecContext(ctx, sqliteMaskedStudentIndex); err != nil {
			return fmt.Errorf("migrate sqlite: %w", err)
		}
		if err := d.createSQLiteDataVersion(ctx); err != nil {
			return err
		}
		if _, err := d.SQL.ExecContext(ctx, sqliteExports); err != nil {
			return fmt.Errorf("migrate sqlite: %w", err)
		}
		return d.migrateRiver(ctx)
	}
	// The migrator closes the database it is given, so it gets its own.
	mdb, err := sql.Open("pgx", d.url)
	if err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	src, err := iofs.New(Migrations, "migrations")
	if err != nil {
		mdb.Close()
		return fmt.Errorf("read migrations: %w", err)
	}
	target, err := pgxmigrate.WithInstance(mdb, &pgxmigrate.Config{})
	if err != nil {
		mdb.Close()
		return fmt.Errorf("migrate postgres: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", target)
	if err != nil {
		mdb.Close()
		return fmt.Errorf("migrate postgres: %w", err)
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return d.migrateRiver(ctx)
}
