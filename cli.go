package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/importer"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// Config is the service's configuration, from flags, else environment
// variables, else defaults. README.md has the table.
type Config struct {
	Addr            string        // ADDR, --addr
	DatabaseURL     string        // DATABASE_URL, --db
	DemoData        string        // DEMO_DATA: auto (SQLite only), on, off
	PortalURL       string        // PORTAL_URL: where question links point
	LogLevel        string        // LOG_LEVEL
	LogFormat       string        // LOG_FORMAT: json, text; default json unless a terminal
	Introspection   bool          // GRAPHQL_INTROSPECTION
	ComplexityLimit int           // GRAPHQL_COMPLEXITY_LIMIT
	DepthLimit      int           // GRAPHQL_DEPTH_LIMIT
	GraphQLTimeout  time.Duration // GRAPHQL_TIMEOUT
	RateLimit       float64       // RATE_LIMIT: requests per second per token; 0 turns it off
	RateBurst       int           // RATE_BURST
	ExportsPerToken int           // EXPORTS_PER_TOKEN: concurrent report downloads per token; 0: no cap
	CORSOrigins     []string      // CORS_ALLOWED_ORIGINS, comma-separated; none: CORS off
	ShutdownGrace   time.Duration // SHUTDOWN_GRACE

	// WRITE_STALL_TIMEOUT: how long a response may wait for its client to
	// read before the connection is closed; every write renews it; 0: for ever.
	WriteStallTimeout time.Duration
	// EXPORT_QUEUE_TIMEOUT: how long an export waits for one of the
	// server's export slots before it gets 503 (0: it does not wait).
	ExportQueueTimeout time.Duration

	ReplicaURL    string // REPLICA_DATABASE_URL: a streaming replica for report reads
	ReplicaStrict bool   // REPLICA_STRICT: 503 rather than read from the primary when the replica is down

	reads       *db.Reads    // where report reads go; nil: the primary
	xlsxMaxRows int          // rows per XLSX sheet; tests make it small
	migrated    *atomic.Bool // false until the schema is migrated; nil: migrated
}

const usage = `usage: stift-reports [command] [flags]

commands:
  serve                      serve the API (the default)
  migrate [up]               bring the database schema up to date
  migrate diff NAME --dev-url URL
                             write a new PostgreSQL migration from the ent schema
  seed --demo                load the demo data into an empty database
  seed --scale N [--seed S]  generate a synthetic platform of N units into an empty database
  import DIR                 load a platform exported as NDJSON files (docs/import.md)
  token create --name NAME (--all | --schools ID,… | --groups ID,…) [--reveal-anonymous] [--unlimited] [--expires 90d]
  token list
  token revoke ID

Every command takes --db URL (default: DATABASE_URL, else stift-reports.db).
`

// run is the whole program, testable: args without the program name,
// the environment through getenv, output to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg := defaults(getenv)
	switch cmd {
	case "serve":
		return runServe(ctx, cfg, args, stdout, stderr, nil)
	case "migrate":
		return runMigrate(ctx, cfg, args, stdout, stderr)
	case "seed":
		return runSeed(ctx, cfg, args, stdout, stderr)
	case "token":
		return runToken(ctx, cfg, args, stdout, stderr)
	case "import":
		return runImport(ctx, cfg, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func defaults(getenv func(string) string) Config {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	cfg := Config{
		Addr:          env("ADDR", ":8080"),
		DatabaseURL:   env("DATABASE_URL", "stift-reports.db"),
		DemoData:      env("DEMO_DATA", "auto"),
		PortalURL:     strings.TrimRight(env("PORTAL_URL", report.DefaultPortalURL), "/"),
		LogLevel:      env("LOG_LEVEL", "info"),
		LogFormat:     getenv("LOG_FORMAT"),
		Introspection: env("GRAPHQL_INTROSPECTION", "true") == "true",
	}
	cfg.ComplexityLimit, _ = strconv.Atoi(env("GRAPHQL_COMPLEXITY_LIMIT", strconv.Itoa(graph.DefaultComplexityLimit)))
	cfg.DepthLimit, _ = strconv.Atoi(env("GRAPHQL_DEPTH_LIMIT", "12"))
	cfg.ShutdownGrace, _ = time.ParseDuration(env("SHUTDOWN_GRACE", "30s"))
	cfg.GraphQLTimeout, _ = time.ParseDuration(env("GRAPHQL_TIMEOUT", "30s"))
	cfg.ReplicaURL = getenv("REPLICA_DATABASE_URL")
	cfg.ReplicaStrict = getenv("REPLICA_STRICT") == "true"
	cfg.RateLimit, _ = strconv.ParseFloat(env("RATE_LIMIT", "10"), 64)
	cfg.RateBurst, _ = strconv.Atoi(env("RATE_BURST", "20"))
	cfg.ExportsPerToken, _ = strconv.Atoi(env("EXPORTS_PER_TOKEN", "2"))
	cfg.WriteStallTimeout, _ = time.ParseDuration(env("WRITE_STALL_TIMEOUT", "30s"))
	cfg.ExportQueueTimeout, _ = time.ParseDuration(env("EXPORT_QUEUE_TIMEOUT", "30s"))
	for _, o := range strings.Split(getenv("CORS_ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	return cfg
}

// flags returns a flag set for the command with the flags every command has.
func flags(name string, cfg *Config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.StringVar(&cfg.DatabaseURL, "db", cfg.DatabaseURL, "database: a SQLite file path or a postgres:// URL")
	return fs
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// open opens and migrates the configured database.
func open(ctx context.Context, cfg Config) (*db.DB, error) {
	d, err := db.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func runServe(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	fs := flags("serve", &cfg, stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	d, err := db.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer d.Close()
	cfg.migrated = new(atomic.Bool)
	switch err := d.Migrate(ctx); {
	case err == nil:
		if err := loadDemo(ctx, cfg, d, stdout, log); err != nil {
			return err
		}
		cfg.migrated.Store(true)
	case db.IsUnreachable(err):
		// Serve anyway: /readyz and the API answer 503 until the database
		// answers and is migrated, then everything works without a restart.
		log.Warn("database unreachable at start; serving, and migrating once it answers", "err", err)
		go migrateLater(ctx, cfg, d, stdout, log)
	default:
		return err
	}
	if cfg.ReplicaURL != "" {
		replica, err := db.Open(cfg.ReplicaURL)
		if err != nil {
			return fmt.Errorf("replica: %w", err)
		}
		defer replica.Close()
		cfg.reads = db.NewReads(d, replica, cfg.ReplicaStrict)
		go cfg.reads.Watch(ctx, time.Second, func(healthy bool) {
			if healthy {
				log.Info("replica answers; reports read from it")
			} else {
				log.Warn("replica unreachable; reports read from the primary", "strict", cfg.ReplicaStrict)
			}
		})
	}
	return serve(ctx, cfg, d, log, stdout, ready)
}

// migrateLater retries the migration until the database answers, then
// loads the demo if due and marks the server ready.
func migrateLater(ctx context.Context, cfg Config, d *db.DB, stdout io.Writer, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
		err := d.Migrate(ctx)
		if err == nil {
			err = loadDemo(ctx, cfg, d, stdout, log)
		}
		if err == nil {
			log.Info("database reachable and migrated")
			cfg.migrated.Store(true)
			return
		}
		if !db.IsUnreachable(err) {
			log.Error("database migration failed; not ready", "err", err)
			return
		}
	}
}

// loadDemo loads the demo data and creates a demo token when the database
// is empty and demo data is on (by default, for SQLite only).
func loadDemo(ctx context.Context, cfg Config, d *db.DB, stdout io.Writer, log *slog.Logger) error {
	switch {
	case cfg.DemoData == "off", cfg.DemoData == "auto" && db.IsPostgres(cfg.DatabaseURL):
		return nil
	}
	start := time.Now()
	err := seed.Demo(ctx, d.Client)
	if errors.Is(err, seed.ErrNotEmpty) {
		return nil
	}
	if err != nil {
		return err
	}
	log.Info("loaded demo data", "duration", time.Since(start).String())
	_, secret, err := auth.CreateToken(ctx, d.Client, auth.TokenSpec{Name: "demo", RevealAnonymous: true, Unlimited: true})
	if err != nil {
		return err
	}
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "localhost" + addr
	}
	fmt.Fprintf(stdout, `Demo data loaded. Demo API token (shown only now; it sees everything):

  %s

Try it:

  curl -s http://%s/graphql -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"query":"{ schools(first: 5) { totalCount edges { node { id name } } } }"}'

Or open http://%s/ and paste the token into the Headers tab.
`, secret, addr, secret, addr)
	return nil
}

func runMigrate(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "up":
		fs := flags("migrate", &cfg, stderr)
		if err := fs.Parse(args); err != nil {
			return err
		}
		d, err := open(ctx, cfg)
		if err != nil {
			return err
		}
		defer d.Close()
		fmt.Fprintln(stdout, "database schema is up to date")
		return nil
	case "diff":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("migrate diff: give the migration a NAME")
		}
		name := args[0]
		fs := flags("migrate diff", &cfg, stderr)
		devURL := fs.String("dev-url", "", "an empty PostgreSQL database for Atlas to replay the migrations on")
		dir := fs.String("dir", "db/migrations", "the migrations directory")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := db.Diff(ctx, *devURL, *dir, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote migration %q into %s\n", name, *dir)
		return nil
	}
	return fmt.Errorf("unknown migrate command %q", sub)
}

func runSeed(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flags("seed", &cfg, stderr)
	demo := fs.Bool("demo", false, "load the demo data")
	scale := fs.Float64("scale", 0, "generate this many units of synthetic data (fractions allowed)")
	seedValue := fs.Uint64("seed", 1, "the random seed of --scale")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demo == (*scale > 0) {
		return errors.New("seed: say what to load: --demo, or --scale N")
	}
	d, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if *demo {
		if err := seed.Demo(ctx, d.Client); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "demo data loaded; create a token with: stift-reports token create --name NAME --all")
		return nil
	}
	start := time.Now()
	if err := seed.Scale(ctx, d, *scale, *seedValue, progress.New(stderr)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scale %v loaded in %v\n", *scale, time.Since(start).Round(time.Millisecond))
	return nil
}

func runImport(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flags("import", &cfg, stderr)
	dirs, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return errors.New("import: give the directory of NDJSON files")
	}
	d, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	sum, err := importer.Import(ctx, d, dirs[0], progress.New(stderr))
	if err != nil {
		return err
	}
	for _, f := range sum.Files {
		fmt.Fprintf(stdout, "%-24s %d records\n", f.File, f.Records)
	}
	return nil
}

func runToken(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("token: say create, list or revoke")
	}
	sub, args := args[0], args[1:]
	fs := flags("token "+sub, &cfg, stderr)
	var spec auth.TokenSpec
	all := fs.Bool("all", false, "let the token see every school")
	fs.String("schools", "", "limit the token to these school ids (comma-separated)")
	fs.String("groups", "", "limit the token to these group ids (comma-separated)")
	fs.String("expires", "", "expire the token after this long, e.g. 90d or 12h; at most 3650d")
	fs.StringVar(&spec.Name, "name", "", "the token's name")
	fs.BoolVar(&spec.RevealAnonymous, "reveal-anonymous", false, "show who asked anonymous questions")
	fs.BoolVar(&spec.Unlimited, "unlimited", false, "exempt the token from the rate limit")
	positional, err := parseMixed(fs, args)
	if err != nil {
		return err
	}
	now := time.Now()
	if sub == "create" {
		// Checked before the database is opened: a mistyped flag costs nothing.
		// A flag given empty (--schools '', --expires '') is an error, never
		// the same as leaving it out.
		if err := spec.ParseScope(*all, given(fs, "schools"), given(fs, "groups")); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		if expires := given(fs, "expires"); expires != nil {
			ttl, err := parseTTL(*expires)
			if err != nil {
				return fmt.Errorf("token create: --expires %w", err)
			}
			at := now.Add(ttl)
			spec.ExpiresAt = &at
		}
	}
	d, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	switch sub {
	case "create":
		tok, secret, err := auth.CreateToken(ctx, d.Client, spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s created (%s). Its secret, shown only now:\n\n  %s\n", tok.ID, tok.Scope, secret)
		return nil
	case "list":
		toks, err := auth.ListTokens(ctx, d.Client)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tIDS\tREVEAL ANONYMOUS\tUNLIMITED\tCREATED\tEXPIRES\tREVOKED")
		for _, t := range toks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%t\t%s\t%s\t%s\n", t.ID, printable(t.Name), t.Scope,
				printable(strings.Join(t.ScopeIds, ",")), t.RevealAnonymous, t.Unlimited, t.CreatedAt.UTC().Format(time.RFC3339),
				timeOrDash(t.ExpiresAt), timeOrDash(t.RevokedAt))
		}
		return tw.Flush()
	case "revoke":
		if len(positional) != 1 {
			return errors.New("token revoke: give one token ID")
		}
		u, err := gid.ParseUUID(positional[0])
		if err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		if err := auth.RevokeToken(ctx, d.Client, gid.APITokenID(u), now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked\n", u)
		return nil
	}
	return fmt.Errorf("unknown token command %q", sub)
}

// parseMixed parses args, whose flags may come before, between or after
// the positional arguments, which it returns.
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// given returns the value of the flag name, or nil when it was not given.
func given(fs *flag.FlagSet, name string) *string {
	var v *string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			s := f.Value.String()
			v = &s
		}
	})
	return v
}

// maxTTL bounds a token's lifetime at ten years, far below the 292 years
// where a time.Duration overflows (200000d once wrapped around to 1989).
const maxTTL = 3650 * 24 * time.Hour

// parseTTL parses a token's lifetime, in days ("90d") or as a Go duration
// ("12h"): more than zero and at most maxTTL.
func parseTTL(s string) (time.Duration, error) {
	// %.40q: a hostile value is not echoed whole.
	bad := fmt.Errorf("%.40q: give a lifetime above zero and up to 3650d (10 years), in days (90d) or hours and minutes (12h, 1h30m)", s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		// Bounded before multiplying, so a huge count cannot wrap around.
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n <= 0 || n > int64(maxTTL/(24*time.Hour)) {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s) // refuses an overflowing value itself
	if err != nil || d <= 0 || d > maxTTL {
		return 0, bad
	}
	return d, nil
}

// printable returns s as is, or quoted with Go escapes when printing it raw
// could move the cursor, change colours, reorder text or forge a line (or
// a column: tabs too): a token name stored before names were checked, or
// written into the database by hand, may hold anything. A name that starts
// with a quote is quoted too, so that a quoted name is never ambiguous.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.HasPrefix(s, `"`) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
