// Package exports runs report requests asynchronously: a request sent with
// "Prefer: respond-async" is checked at once, then recorded — its method,
// path, the headers that choose its answer (Accept, Accept-Language,
// Content-Type), its body, and the principal that asked with its scope at
// that moment — and answered 202 Accepted with the export's Location. A
// job on River (github.com/riverqueue/river) later replays the request
// through the same handlers, as that principal, and stores the response's
// body in the database in chunks, where any replica can serve it with
// Range support. docs/exports.md tells the whole story and why.
//
// The report handlers do not know they are replayed: the job gives them a
// request as the client sent it and a response writer that stores what
// they write. Two small hooks tell them apart from a client's request:
// rest.ValidateOnly, for the check before the 202, and progress.Rows,
// which counts the rows of a running export for its status.
package exports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/metrics"
)

// The states of an export.
const (
	Queued  = "queued"  // waiting for a worker (also between attempts)
	Running = "running" // a worker is replaying it
	Done    = "done"    // its file is stored
	Failed  = "failed"  // it ended without a file; Reason says why
)

// DefaultChunkSize is the size of the chunks an export's file is stored
// in: what a job buffers before it writes, and what a download reads from
// the database at once.
const DefaultChunkSize = 1 << 20

// The River queues of the jobs, and how many times an export job is tried
// before it fails for good. A job stopped by its server's shutdown is
// resumed elsewhere without counting as a try.
const (
	queueExports = "exports"
	queueCleanup = "export_cleanup"
	maxAttempts  = 5
)

// CleanupEvery is how often the periodic cleanup job runs: it removes the
// exports past their expiry, and those of revoked or expired tokens.
const CleanupEvery = 10 * time.Minute

// maxPending is how many exports a principal may have queued or running
// at once; one more asked for gets 429.
const maxPending = 10

// progressEvery is how often a running job writes its row count into the
// export's status and checks that its token is not revoked, besides doing
// so after every chunk.
const progressEvery = time.Second

// Options configure a Service.
type Options struct {
	DB      *db.DB
	Log     *slog.Logger
	Metrics *metrics.Metrics
	Now     func() time.Time
	// TTL is how long an export is kept: from when it is asked for, then
	// from when it starts, and then from when its file is stored.
	TTL time.Duration
	// Workers is how many export jobs one server runs at once.
	Workers int
	// JobTimeout ends a job that runs longer (River's JobTimeout); the
	// export fails. RescueAfter is when River deems a job whose worker
	// died stuck and runs it again (RescueStuckJobsAfter); it must be
	// longer than JobTimeout.
	JobTimeout, RescueAfter time.Duration
	// Replay returns the handler a job replays its request through: the
	// report routes, with time standing at asked, and no authentication
	// (the request carries the principal that asked).
	Replay func(asked time.Time) http.Handler
	// Slot, when set, takes one of the server's export slots for a job,
	// waiting as long as ctx allows, and returns what gives it back.
	Slot func(ctx context.Context) (release func(), err error)
	// ChunkSize is the size of the file's chunks; 0: DefaultChunkSize.
	ChunkSize int
	// AfterChunk, when set, is called after a job stores each chunk of a
	// file (tests stop a job there, mid-export).
	AfterChunk func(ctx context.Context, id string, seq int)
}

// Service asks for exports, runs their jobs and serves their status and
// files.
type Service struct {
	opts     Options
	log      *slog.Logger
	riverLog *slog.Logger           // River's own lines: warnings and errors
	inserter *river.Client[*sql.Tx] // inserts jobs; works none

	mu     sync.Mutex
	worker *workers // the jobs' client, between Start and Stop
}

// New returns the Service of opts. It inserts jobs from then on; a server
// runs them only between Start and Stop.
func New(opts Options) (*Service, error) {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.Slot == nil {
		opts.Slot = func(context.Context) (func(), error) { return func() {}, nil }
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Inserting needs no workers, and goes through the server's own
	// database/sql pool, in the transaction that records the export.
	var driver riverdriver.Driver[*sql.Tx]
	if opts.DB.Dialect == dialect.Postgres {
		driver = riverdatabasesql.New(opts.DB.SQL)
	} else {
		driver = riversqlite.New(opts.DB.SQL)
	}
	s := &Service{opts: opts, log: log, riverLog: slog.New(minLevel{log.Handler(), slog.LevelWarn})}
	var err error
	if s.inserter, err = river.NewClient(driver, &river.Config{Logger: s.riverLog}); err != nil {
		return nil, fmt.Errorf("exports: %w", err)
	}
	return s, nil
}

// minLevel passes on the records of at least min: River logs each job's
// outcome and its producers' counts at info, which the exports' own log
// lines say better.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(as), h.min}
}
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// workers is a started River client that works the jobs, whatever its
// driver's transaction type.
type workers struct {
	stop          func(context.Context) error
	stopAndCancel func(context.Context) error
	close         func() // closes what the client was given to work with
}

// Start starts working export jobs, and the periodic cleanup, on this
// server. On PostgreSQL River works through a pgx pool of its own
// (riverpgxv5, which listens for new jobs); on SQLite through the
// server's database (riversqlite, which polls).
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.worker != nil {
		return errors.New("exports: already started")
	}
	ws := river.NewWorkers()
	river.AddWorker(ws, &exportWorker{s: s})
	river.AddWorker(ws, &cleanupWorker{s: s})
	cfg := &river.Config{
		JobTimeout:           s.opts.JobTimeout,
		RescueStuckJobsAfter: s.opts.RescueAfter,
		Logger:               s.riverLog,
		Queues: map[string]river.QueueConfig{
			queueExports: {MaxWorkers: s.opts.Workers},
			queueCleanup: {MaxWorkers: 1},
		},
		Workers: ws,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(CleanupEvery),
			func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
			&river.PeriodicJobOpts{ID: "export_cleanup", RunOnStart: true})},
	}
	w, err := s.startWorkers(ctx, cfg)
	if err != nil {
		return fmt.Errorf("exports: start the workers: %w", err)
	}
	s.worker = w
	return nil
}

// startWorkers creates and starts the River client that works jobs.
func (s *Service) startWorkers(ctx context.Context, cfg *river.Config) (*workers, error) {
	d := s.opts.DB
	if d.Dialect != dialect.Postgres {
		c, err := river.NewClient(riversqlite.New(d.SQL), cfg)
		if err != nil {
			return nil, err
		}
		return &workers{stop: c.Stop, stopAndCancel: c.StopAndCancel, close: func() {}}, c.Start(ctx)
	}
	pool, err := d.OpenPgxPool(ctx, riverConns)
	if err != nil {
		return nil, err
	}
	c, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &workers{stop: c.Stop, stopAndCancel: c.StopAndCancel, close: pool.Close}, nil
}

// riverConns bounds the PostgreSQL connections River's workers open on a
// server, besides the server's own pool: its listener holds one, fetching,
// completing and its leader's maintenance share the others. The reports
// the jobs replay read through the server's pool (or the replica).
const riverConns = 4

// Stop stops working jobs: the jobs running may finish until ctx is done;
// then they are cancelled, and River hands each to another server (or to
// this one restarted) without counting it as a failed try.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	w := s.worker
	s.worker = nil
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	defer w.close()
	err := w.stop(ctx)
	if ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return w.stopAndCancel(cctx)
}

// RemoveExpired queues a cleanup job now, besides the periodic ones: the
// exports past their expiry, and those of revoked tokens, are removed once
// a server works it.
func (s *Service) RemoveExpired(ctx context.Context) error {
	_, err := s.inserter.Insert(ctx, CleanupArgs{}, nil)
	return err
}
