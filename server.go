// Command stift-reports serves the reporting API of an education platform:
// GraphQL with a playground, and the legacy REST report endpoints. With no
// arguments it serves on :8080 from an embedded SQLite file, loading demo
// data on first start. See README.md for the configuration and subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/exports"
	"github.com/stift/stift-reports/metrics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "stift-reports:", err)
		os.Exit(1)
	}
}

// Server is the HTTP server's dependencies.
type Server struct {
	cfg     Config
	db      *db.DB
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics.Metrics
	limits  *limits
	exports *exports.Service
	mux     *http.ServeMux
}

// NewServer returns the HTTP handler of the whole service. It queues
// asynchronous exports; their jobs run on the servers whose workers run
// (serve starts them; see newServer).
func NewServer(cfg Config, d *db.DB, log *slog.Logger, now func() time.Time) http.Handler {
	s, err := newServer(cfg, d, log, now)
	if err != nil {
		panic(err) // River refused a configuration loadConfig checked: a bug
	}
	return s.routes()
}

// newServer returns the server of cfg over d, its export workers not
// started (s.exports.Start).
func newServer(cfg Config, d *db.DB, log *slog.Logger, now func() time.Time) (*Server, error) {
	m := metrics.New(d.SQL, d.Dialect, metrics.Options{OperationNames: cfg.OperationNames, Operations: cfg.operations.Names()})
	s := &Server{cfg: cfg, db: d, log: log, now: now, metrics: m, limits: newLimits(cfg, maxExports, m)}
	var err error
	s.exports, err = exports.New(exports.Options{
		DB: d, Log: log, Metrics: m, Now: now,
		TTL: cfg.ExportTTL, Workers: cfg.ExportWorkers,
		JobTimeout: cfg.ExportJobTimeout, RescueAfter: cfg.ExportRescueAfter,
		Replay: s.replayRoutes, Slot: s.limits.holdSlot,
		ChunkSize: cfg.exportChunkSize, AfterChunk: cfg.exportAfterChunk,
	})
	return s, err
}

// writeDeadlines gives each write of a response a deadline: stall from the
// write before it. A response a client has stopped reading fills the
// socket's buffers, and the next write blocks; without a deadline it would
// block until the client hangs up, holding the export's database
// connection, its export slot and a goroutine all that time. With one, the
// write fails, net/http closes the connection and cancels the request's
// context, and the report's query ends and gives its connection back.
//
// http.Server.WriteTimeout cannot do this: it bounds the whole response,
// and a large export to a client that reads steadily may rightly take many
// minutes. The deadline here is renewed as long as writes go through.
func writeDeadlines(stall time.Duration, next http.Handler) http.Handler {
	if stall <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}
		dw.renew()
		// What the handler leaves buffered is written after it returns.
		defer func() {
			dw.renewed = time.Time{}
			dw.renew()
		}()
		next.ServeHTTP(dw, r)
	})
}

// deadlineWriter renews its connection's write deadline as it writes.
type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	stall   time.Duration
	renewed time.Time // when the deadline was last set
}

// renew sets the deadline stall from now. Exports write thousands of
// times a second, so it is moved at most every stall/8: each write still
// has at least 7/8 of stall to go through.
func (w *deadlineWriter) renew() {
	now := time.Now()
	if now.Sub(w.renewed) < w.stall/8 {
		return
	}
	w.renewed = now
	// A writer that is not a connection (a test's recorder) has no
	// deadline to set: ignore the error that says so.
	_ = w.rc.SetWriteDeadline(now.Add(w.stall))
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.renew()
	return w.ResponseWriter.Write(p)
}

// FlushError sends what was written so far, under a renewed deadline.
func (w *deadlineWriter) FlushError() error {
	w.renew()
	return w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// traceFlushTimeout bounds the sending of the last spans at shutdown, after
// the grace period: a collector that is down must not hold the exit up.
const traceFlushTimeout = 5 * time.Second

// serve runs the HTTP server until ctx is done, then shuts it down
// gracefully, letting in-flight requests finish within the grace period.
// If ready is not nil, the listening address is sent on it.
func serve(ctx context.Context, cfg Config, d *db.DB, log *slog.Logger, stdout io.Writer, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s, err := newServer(cfg, d, log, time.Now)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if cfg.PprofAddr != "" {
		stop, err := servePprof(cfg.PprofAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", d.Dialect)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	stopExports, err := s.runExports(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
		defer cancel()
		stopExports(sctx)
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	// The export jobs running may end within the grace too; then they are
	// cancelled, and River runs them again on another server.
	exportsStopped := make(chan struct{})
	go func() {
		defer close(exportsStopped)
		if err := stopExports(sctx); err != nil {
			log.Warn("export workers stopped", "err", err)
		}
	}()
	defer func() { <-exportsStopped }()
	err = srv.Shutdown(sctx)
	// The spans of the requests that just ended are sent now, or never.
	fctx, fcancel := context.WithTimeout(context.Background(), traceFlushTimeout)
	defer fcancel()
	if ferr := cfg.tracing.Shutdown(fctx); ferr != nil {
		log.Warn("sending the last spans failed", "err", ferr)
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-exportsStopped
	log.Info("stopped")
	return nil
}

// runExports starts the workers of asynchronous exports: at once when the
// database is migrated, else once it is (the server may start before its
// database answers). stop stops them: the jobs running may end until its
// context is done, then they are cancelled.
func (s *Server) runExports(ctx context.Context) (stop func(context.Context) error, err error) {
	// The jobs outlive ctx, the signal to stop: stop ends them.
	ctx = context.WithoutCancel(ctx)
	if s.migrated() {
		if err := s.exports.Start(ctx); err != nil {
			return nil, err
		}
		return s.exports.Stop, nil
	}
	quit, started := make(chan struct{}), make(chan bool, 1)
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for !s.migrated() {
			select {
			case <-quit:
				started <- false
				return
			case <-t.C:
			}
		}
		err := s.exports.Start(ctx)
		if err != nil {
			s.log.Error("export workers not started; asynchronous exports wait for another server", "err", err)
		}
		started <- err == nil
	}()
	return func(ctx context.Context) error {
		close(quit)
		if !<-started {
			return nil
		}
		return s.exports.Stop(ctx)
	}, nil
}

// servePprof serves net/http/pprof's handlers on addr, a loopback
// address, apart from the API (no token, no limits), until stop is called.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("PPROF_ADDR: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving pprof", "addr", ln.Addr().String())
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at stop
	return func() { srv.Close() }, nil
}
