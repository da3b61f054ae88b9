package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/importer"
	"github.com/stift/stift-reports/metrics"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/seed"
	"github.com/stift/stift-reports/tracing"
)

const usage = `usage: stift-reports [command] [flags]

commands:
  serve                      serve the API (the default)
  migrate [up]               bring the database schema up to date
  migrate diff NAME --dev-url URL
                             write a new PostgreSQL migration from the ent schema
  seed --demo [--at TIME]    load the demo data into an empty database, as of now or TIME
  seed --scale N [--seed S]  generate a synthetic platform of N units into an empty database
  import DIR                 load a platform exported as NDJSON files (docs/import.md)
  token create --name NAME (--all | --schools ID,… | --groups ID,…) [--reveal-anonymous] [--unlimited] [--expires 90d]
  token list
  token revoke ID
  version                    print the version and VCS revision of this build

Every command takes --db URL (default: DATABASE_URL, else stift-reports.db).
"stift-reports COMMAND --help" lists a command's flags. The environment
variables are in README.md, "Configuration"; "serve --print-config" shows them.
`

// commands holds each command's synopsis and what it does, for its --help.
var commands = map[string]struct{ synopsis, about string }{
	"serve": {"serve [--addr ADDR] [--db URL] [--print-config]",
		"Serve the API: GraphQL, its playground and the legacy REST reports. The\n" +
			"environment variables (README.md, \"Configuration\") set the rest."},
	"migrate": {"migrate [up] [--db URL]\n       stift-reports migrate diff NAME --dev-url URL [--dir DIR]",
		"Bring the database schema up to date (up), or write a new PostgreSQL\n" +
			"migration from the ent schema (diff; see migrate diff --help)."},
	"migrate diff": {"migrate diff NAME --dev-url URL [--dir DIR]",
		"Write a new PostgreSQL migration NAME from the ent schema. Atlas replays\n" +
			"the existing migrations on --dev-url, an empty scratch PostgreSQL database."},
	"seed": {"seed (--demo [--at TIME] | --scale N [--seed S]) [--db URL]",
		"Load the demo data, or a synthetic platform of N units, into an empty database.\n" +
			"The demo's present is now (or --at): its year of data ends there, sessions are\n" +
			"booked in the weeks after it. The synthetic platform's is 15 June 2026 15:00 UTC."},
	"import": {"import DIR [--db URL]",
		"Load a platform exported as NDJSON files: validated first, all or nothing,\n" +
			"idempotent (docs/import.md)."},
	"token": {"token create|list|revoke …",
		"Manage API tokens in the server's database (which must exist: point --db\n" +
			"or DATABASE_URL at it). See token create --help, token list --help,\n" +
			"token revoke --help."},
	"token create": {"token create --name NAME (--all | --schools ID,… | --groups ID,…) [--reveal-anonymous] [--unlimited] [--expires 90d]",
		"Create an API token and print its secret, once."},
	"token list":   {"token list [--db URL]", "List the tokens, never their secrets."},
	"token revoke": {"token revoke ID [--db URL]", "Revoke a token: running servers refuse it within TOKEN_CACHE_TTL (default 5s)."},
	"version":      {"version", "Print the module version, VCS revision and Go version of this build."},
}

// errHelp says a command's help was asked for and printed: run returns nil.
var errHelp = errors.New("help printed")

// run is the whole program, testable: args without the program name,
// the environment through getenv, output to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return nil
		}
		if !strings.HasPrefix(args[0], "-") {
			cmd, args = args[0], args[1:]
		}
	}
	if cmd == "version" {
		return runVersion(args, stdout)
	}
	cfg, err := loadConfig(getenv)
	// The help needs no configuration: it works with a bad one, to help fix it.
	if err != nil && !asksHelp(args) {
		return fmt.Errorf("configuration:\n%w", err)
	}
	switch cmd {
	case "serve":
		err = runServe(ctx, cfg, args, stdout, stderr, nil)
	case "migrate":
		err = runMigrate(ctx, cfg, args, stdout)
	case "seed":
		err = runSeed(ctx, cfg, args, stdout, stderr)
	case "token":
		err = runToken(ctx, cfg, args, stdout)
	case "import":
		err = runImport(ctx, cfg, args, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %.40q", cmd)
	}
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// asksHelp reports whether args hold -h or --help before any "--".
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if _, err := parseArgs(fs, args, stdout); err != nil {
		return noHelpErr(err)
	}
	b := metrics.ReadBuild()
	fmt.Fprintf(stdout, "stift-reports %s\nrevision %s", b.Version, b.Revision)
	if b.Time != "" {
		fmt.Fprintf(stdout, " (%s)", b.Time)
	}
	fmt.Fprintf(stdout, "\n%s\n", b.GoVersion)
	return nil
}

func noHelpErr(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// flags returns a flag set for the command with the flags every command has.
// Parse it with parseArgs.
func flags(name string, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// parseArgs prints the help and the errors itself: the help on stdout.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.Func("db", "database: a SQLite file path or a postgres:// `URL` (default: DATABASE_URL, else stift-reports.db)", func(s string) error {
		cfg.DatabaseURL, cfg.dbFrom = s, "--db"
		return nil
	})
	return fs
}

// parseArgs parses args, whose flags may come before, between or after
// the positional arguments, which it returns. Asked for --help, it prints
// the command's help on stdout and returns errHelp.
func parseArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printHelp(fs, stdout)
			return nil, errHelp
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w (stift-reports %s --help lists its flags)", fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// noArgs refuses positional arguments to a command that takes none.
func noArgs(name string, positional []string) error {
	if len(positional) > 0 {
		return fmt.Errorf("%s: unexpected argument %.40q (stift-reports %s --help)", name, positional[0], name)
	}
	return nil
}

// printHelp writes the command's synopsis, what it does, and its flags.
func printHelp(fs *flag.FlagSet, w io.Writer) {
	c := commands[fs.Name()]
	fmt.Fprintf(w, "usage: stift-reports %s\n\n%s\n", c.synopsis, c.about)
	first := true
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprintln(tw, "\nflags:")
			first = false
		}
		arg, help := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			help += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(tw, "  --%s%s\t%s\n", f.Name, arg, help)
	})
	tw.Flush()
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

// open opens and migrates the configured database; mayCreate: see checkDB.
func open(ctx context.Context, cfg Config, mayCreate bool) (*db.DB, error) {
	if err := checkDB(cfg, mayCreate); err != nil {
		return nil, err
	}
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
	fs := flags("serve", &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (default: ADDR, else :8080)")
	printCfg := fs.Bool("print-config", false, "print the effective configuration, passwords hidden, and exit")
	positional, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := noArgs("serve", positional); err != nil {
		return err
	}
	if err := checkDB(cfg, true); err != nil {
		return err
	}
	if *printCfg {
		printConfig(stdout, cfg)
		return nil
	}
	log := newLogger(cfg, stderr)
	setGCPercent(os.Getenv)
	if err := cfg.loadOperations(); err != nil {
		return err
	}
	if cfg.tracing, err = tracing.Start(ctx, cfg.tracingConfig()); err != nil {
		return err
	}
	if cfg.tracing != nil {
		// The exporter's failures (a collector down) are the SDK's to report.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("opentelemetry", "err", err) }))
		log.Info("tracing on", "endpoint", redactURL(cfg.tracing.Endpoint))
	}
	d, err := db.Open(cfg.DatabaseURL, db.WithTracer(cfg.tracer()))
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
	if jc := cfg.jwtConfig(log); jc.Enabled() {
		// Discovery at start: a wrong issuer stops the start, naming it.
		if cfg.jwt, err = auth.NewJWTVerifier(ctx, jc, d.Client); err != nil {
			return err
		}
	}
	if cfg.ReplicaURL != "" {
		replica, err := db.Open(cfg.ReplicaURL, db.WithTracer(cfg.tracer()))
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
	// The demo as of the moment it is loaded, so that it has a present:
	// pending sessions, today's queue, this week's questions.
	start := time.Now()
	err := seed.DemoAt(ctx, d.Client, start)
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

func runMigrate(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "up":
		fs := flags("migrate", &cfg)
		positional, err := parseArgs(fs, args, stdout)
		if err != nil {
			return err
		}
		if err := noArgs("migrate", positional); err != nil {
			return err
		}
		d, err := open(ctx, cfg, true)
		if err != nil {
			return err
		}
		defer d.Close()
		fmt.Fprintln(stdout, "database schema is up to date")
		return nil
	case "diff":
		fs := flags("migrate diff", &cfg)
		devURL := fs.String("dev-url", "", "an empty PostgreSQL database (a postgres:// `URL`) for Atlas to replay the migrations on")
		dir := fs.String("dir", "db/migrations", "the migrations directory")
		positional, err := parseArgs(fs, args, stdout)
		if err != nil {
			return err
		}
		if len(positional) != 1 {
			return errors.New("migrate diff: give the migration one NAME (stift-reports migrate diff --help)")
		}
		name := positional[0]
		if *devURL == "" {
			return errors.New("migrate diff: --dev-url is required: a postgres:// URL of an empty scratch database")
		}
		if err := db.Diff(ctx, *devURL, *dir, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote migration %q into %s\n", name, *dir)
		return nil
	}
	return fmt.Errorf("unknown migrate command %.40q: say up or diff", sub)
}

func runSeed(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flags("seed", &cfg)
	demo := fs.Bool("demo", false, "load the demo data")
	scale := fs.Float64("scale", 0, "generate `N` units of synthetic data, above zero (fractions allowed)")
	seedValue := fs.Uint64("seed", 1, "the random seed of --scale")
	at := fs.String("at", "", "with --demo: load the demo as of this RFC 3339 `TIME` (default: now; the tests' demo is 2026-06-15T15:00:00Z)")
	positional, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := noArgs("seed", positional); err != nil {
		return err
	}
	scaleGiven := given(fs, "scale") != nil
	switch {
	case scaleGiven && (*scale <= 0 || math.IsNaN(*scale) || math.IsInf(*scale, 0)):
		return fmt.Errorf("seed: --scale must be a number above zero, got %v", *scale)
	case *demo && scaleGiven:
		return errors.New("seed: give --demo or --scale N, not both")
	case !*demo && !scaleGiven:
		return errors.New("seed: give --demo or --scale N (stift-reports seed --help)")
	case *at != "" && !*demo:
		return errors.New("seed: --at is for --demo")
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("seed: --at %.40q: give an RFC 3339 time, e.g. 2026-06-15T15:00:00Z", *at)
		}
	}
	d, err := open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer d.Close()
	if *demo {
		if err := seed.DemoAt(ctx, d.Client, now); err != nil {
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
	fs := flags("import", &cfg)
	dirs, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(dirs) != 1 {
		return errors.New("import: give the directory of NDJSON files")
	}
	// Like seed, import may fill a new SQLite file.
	d, err := open(ctx, cfg, true)
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

func runToken(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := flags("token", &cfg)
		if _, err := parseArgs(fs, args, stdout); err != nil {
			return err
		}
		return errors.New("token: say create, list or revoke")
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create", "list", "revoke":
	default:
		return fmt.Errorf("unknown token command %.40q: say create, list or revoke", sub)
	}
	fs := flags("token "+sub, &cfg)
	var spec auth.TokenSpec
	all := new(bool)
	if sub == "create" {
		all = fs.Bool("all", false, "let the token see every school")
		fs.String("schools", "", "limit the token to these school `IDs` (comma-separated)")
		fs.String("groups", "", "limit the token to these group `IDs` (comma-separated)")
		fs.String("expires", "", "expire the token after `DURATION`, e.g. 90d or 12h; at most 3650d")
		fs.StringVar(&spec.Name, "name", "", "the token's `NAME`")
		fs.BoolVar(&spec.RevealAnonymous, "reveal-anonymous", false, "show who asked anonymous questions")
		fs.BoolVar(&spec.Unlimited, "unlimited", false, "exempt the token from the rate limit")
	}
	positional, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if sub != "revoke" {
		if err := noArgs(fs.Name(), positional); err != nil {
			return err
		}
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
	d, err := open(ctx, cfg, false)
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
			return errors.New("token revoke: give one token ID (token list shows them)")
		}
		u, err := gid.ParseUUID(positional[0])
		if err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		if err := auth.RevokeToken(ctx, d.Client, gid.APITokenID(u), now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %s revoked; running servers refuse it within their TOKEN_CACHE_TTL (default 5s)\n", u)
		return nil
	}
	return fmt.Errorf("unknown token command %q", sub)
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

// defaultGCPercent is the server's garbage collection target when GOGC is
// not set: the heap may grow to three times what is live before a
// collection, not twice. A GraphQL page allocates about 190 objects per
// row, in gqlgen's execution mostly, so that at 100 the collector took
// about a fifth of the server's CPU under load; at 200 it takes about half
// of that, for some 7 MB more RSS during a 100,000-row CSV export
// (bench/NOTES.md).
const defaultGCPercent = 200

// setGCPercent applies defaultGCPercent unless GOGC says otherwise.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
