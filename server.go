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
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/stift/stift-reports/db"
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
	mux     *http.ServeMux
}

// NewServer returns the HTTP handler of the whole service.
func NewServer(cfg Config, d *db.DB, log *slog.Logger, now func() time.Time) http.Handler {
	s := &Server{cfg: cfg, db: d, log: log, now: now, metrics: metrics.New(d.SQL, d.Dialect)}
	return s.routes()
}

// serve runs the HTTP server until ctx is done, then shuts it down
// gracefully, letting in-flight requests finish within the grace period.
// If ready is not nil, the listening address is sent on it.
func serve(ctx context.Context, cfg Config, d *db.DB, log *slog.Logger, stdout io.Writer, ready chan<- string) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           NewServer(cfg, d, log, time.Now),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", d.Dialect)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
