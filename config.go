package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/caarlos0/env/v11"
	"go.opentelemetry.io/otel/trace"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/metrics"
	"github.com/stift/stift-reports/tracing"
)

// Config is the service's configuration: environment variables, parsed
// once by loadConfig (github.com/caarlos0/env), then the flags --db and
// --addr. README.md, "Configuration", has the table.
//
// Each variable's `accept` tag says what it takes: a bad value stops the
// start with an error naming the variable and that form, so that a typo
// cannot silently turn a limit off. `secret` marks a value that is never
// printed whole (a database URL's password).
type Config struct {
	Addr            string        `env:"ADDR" envDefault:":8080" accept:"a listen address, host:port or :port (e.g. :8080)"`
	DatabaseURL     string        `env:"DATABASE_URL" envDefault:"stift-reports.db" secret:"url" accept:"a SQLite file path or a postgres:// URL"`
	DemoData        string        `env:"DEMO_DATA" envDefault:"auto" accept:"auto (SQLite only), on or off"`
	PortalURL       string        `env:"PORTAL_URL" envDefault:"https://portal.stift.com.br" accept:"an http:// or https:// URL"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info" accept:"debug, info, warn or error"`
	LogFormat       string        `env:"LOG_FORMAT" accept:"json or text (unset: json, or text on a terminal)"`
	Introspection   bool          `env:"GRAPHQL_INTROSPECTION" envDefault:"true" accept:"true or false"`
	ComplexityLimit int           `env:"GRAPHQL_COMPLEXITY_LIMIT" envDefault:"50000" accept:"a whole number, 0 or more (0: no limit)"`
	DepthLimit      int           `env:"GRAPHQL_DEPTH_LIMIT" envDefault:"12" accept:"a whole number, 0 or more (0: no limit)"`
	GraphQLTimeout  time.Duration `env:"GRAPHQL_TIMEOUT" envDefault:"30s" accept:"a duration with its unit, 0 or more, e.g. 30s, 2m, 1m30s (0: no timeout)"`
	RateLimit       float64       `env:"RATE_LIMIT" envDefault:"10" accept:"requests per second, a number 0 or more, e.g. 10 or 0.5 (0: off)"`
	RateBurst       int           `env:"RATE_BURST" envDefault:"20" accept:"a whole number, 1 or more"`
	ExportsPerToken int           `env:"EXPORTS_PER_TOKEN" envDefault:"2" accept:"a whole number, 0 or more (0: no cap)"`
	CORSOrigins     []string      `env:"CORS_ALLOWED_ORIGINS" accept:"comma-separated origins, each * or http(s)://host[:port], e.g. https://painel.example"`
	ShutdownGrace   time.Duration `env:"SHUTDOWN_GRACE" envDefault:"30s" accept:"a duration with its unit, 0 or more, e.g. 30s or 2m"`

	// TOKEN_CACHE_TTL: how long a server remembers a token it looked up;
	// a revoked token keeps working on a server for at most this long.
	TokenCacheTTL time.Duration `env:"TOKEN_CACHE_TTL" envDefault:"5s" accept:"a duration with its unit, 0 to 1m, e.g. 5s (0: look the token up on every request)"`

	// PPROF_ADDR: where to serve net/http/pprof, for profiling; unset:
	// nowhere. Only a loopback address is accepted: profiles show queries'
	// text and the heap.
	PprofAddr string `env:"PPROF_ADDR" accept:"a loopback listen address, e.g. 127.0.0.1:6060"`

	// WRITE_STALL_TIMEOUT: how long a response may wait for its client to
	// read before the connection is closed; every write renews it; 0: for ever.
	WriteStallTimeout time.Duration `env:"WRITE_STALL_TIMEOUT" envDefault:"30s" accept:"a duration with its unit, 0 or more, e.g. 30s (0: wait for ever)"`
	// EXPORT_QUEUE_TIMEOUT: how long an export waits for one of the
	// server's export slots before it gets 503 (0: it does not wait).
	ExportQueueTimeout time.Duration `env:"EXPORT_QUEUE_TIMEOUT" envDefault:"30s" accept:"a duration with its unit, 0 or more, e.g. 30s (0: no wait)"`

	// Asynchronous exports (docs/exports.md): how long one is kept, how
	// many jobs a server runs at once, how long one may run, and when River
	// runs again the job of a worker that died (unset: EXPORT_JOB_TIMEOUT
	// and 15 minutes more).
	ExportTTL         time.Duration `env:"EXPORT_TTL" envDefault:"24h" accept:"a duration with its unit, above 0, e.g. 24h or 90m"`
	ExportWorkers     int           `env:"EXPORT_WORKERS" envDefault:"2" accept:"a whole number, 1 to 16"`
	ExportJobTimeout  time.Duration `env:"EXPORT_JOB_TIMEOUT" envDefault:"1h" accept:"a duration with its unit, above 0, e.g. 1h or 30m"`
	ExportRescueAfter time.Duration `env:"EXPORT_RESCUE_AFTER" accept:"a duration with its unit, longer than EXPORT_JOB_TIMEOUT, e.g. 1h15m (unset: EXPORT_JOB_TIMEOUT + 15m)"`

	// A streaming replica for report reads, and whether to answer 503
	// rather than read from the primary while it is down.
	ReplicaURL    string `env:"REPLICA_DATABASE_URL" secret:"url" accept:"a postgres:// URL"`
	ReplicaStrict bool   `env:"REPLICA_STRICT" envDefault:"false" accept:"true or false"`

	// Sign-in tokens: JWTs from an OpenID Connect provider, accepted beside
	// API tokens when OIDC_ISSUER or OIDC_JWKS_URL is set. docs/auth.md.
	OIDCIssuer       string        `env:"OIDC_ISSUER" accept:"the provider's issuer URL, http(s)://…, as its tokens' iss says"`
	OIDCJWKSURL      string        `env:"OIDC_JWKS_URL" accept:"an http(s):// URL serving the provider's JWKS (for a provider without discovery)"`
	OIDCAudience     string        `env:"OIDC_AUDIENCE" accept:"the audience (aud) the tokens are issued for; required with OIDC_ISSUER or OIDC_JWKS_URL"`
	OIDCSchoolsClaim string        `env:"OIDC_SCHOOLS_CLAIM" envDefault:"school_ids" accept:"a claim name, or a dotted path into the claims; no spaces"`
	OIDCGroupsClaim  string        `env:"OIDC_GROUPS_CLAIM" envDefault:"group_ids" accept:"a claim name, or a dotted path into the claims; no spaces"`
	OIDCRolesClaim   string        `env:"OIDC_ROLES_CLAIM" envDefault:"roles" accept:"a claim name, or a dotted path into the claims (Keycloak: realm_access.roles); no spaces"`
	OIDCAllRole      string        `env:"OIDC_ALL_ROLE" accept:"the role that sees every school, no spaces (unset: no role does)"`
	OIDCRevealRole   string        `env:"OIDC_REVEAL_ROLE" accept:"the role that sees who asked anonymous questions, no spaces (unset: no role does)"`
	OIDCClockSkew    time.Duration `env:"OIDC_CLOCK_SKEW" envDefault:"30s" accept:"a duration with its unit, 0 to 5m, e.g. 30s"`

	// GRAPHQL_OPERATIONS=allowlist serves only the operations of the
	// manifest at GRAPHQL_OPERATIONS_MANIFEST (docs/graphql.md).
	GraphQLOperations string `env:"GRAPHQL_OPERATIONS" envDefault:"all" accept:"all or allowlist"`
	OperationsFile    string `env:"GRAPHQL_OPERATIONS_MANIFEST" accept:"the path of a JSON file mapping each operation's SHA-256 to its text; required with GRAPHQL_OPERATIONS=allowlist"`
	// METRICS_OPERATION_NAMES: how many distinct GraphQL operation names
	// get a label of their own in stift_graphql_operation_duration_seconds;
	// the allow-list's names when GRAPHQL_OPERATIONS=allowlist.
	OperationNames int `env:"METRICS_OPERATION_NAMES" envDefault:"100" accept:"a whole number, 0 to 1000 (0: every operation is other)"`

	// Tracing: OpenTelemetry spans go to an OTLP/HTTP collector when one of
	// the endpoints is set, and nowhere otherwise (docs/observability.md).
	// The SDK reads the other OTEL_* variables itself.
	OTLPEndpoint       string   `env:"OTEL_EXPORTER_OTLP_ENDPOINT" secret:"url" accept:"an http:// or https:// URL of an OTLP/HTTP collector, e.g. http://collector:4318"`
	OTLPTracesEndpoint string   `env:"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" secret:"url" accept:"an http:// or https:// URL taking OTLP/HTTP traces, e.g. http://collector:4318/v1/traces"`
	OTLPProtocol       string   `env:"OTEL_EXPORTER_OTLP_PROTOCOL" accept:"http/protobuf or http/json (this server's exporter speaks no gRPC)"`
	OTLPTracesProtocol string   `env:"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" accept:"http/protobuf or http/json (this server's exporter speaks no gRPC)"`
	OTELTracesExporter string   `env:"OTEL_TRACES_EXPORTER" envDefault:"otlp" accept:"otlp or none"`
	OTELSDKDisabled    bool     `env:"OTEL_SDK_DISABLED" envDefault:"false" accept:"true or false"`
	OTELPropagators    []string `env:"OTEL_PROPAGATORS" envDefault:"tracecontext,baggage" accept:"comma-separated, each tracecontext, baggage or none"`

	operations       graph.Operations  // the allow-list; nil: every operation
	tracing          *tracing.Tracing  // where spans go; nil: tracing is off
	jwt              *auth.JWTVerifier // verifies sign-in tokens; nil: API tokens only
	dbFrom           string            // where DatabaseURL came from, for errors: "--db", "DATABASE_URL" or ""
	reads            *db.Reads         // where report reads go; nil: the primary
	xlsxMaxRows      int               // rows per XLSX sheet; tests make it small
	downloadPageSize int               // rows per page of a GraphQL download; tests make it small
	migrated         *atomic.Bool      // false until the schema is migrated; nil: migrated

	// exportChunkSize is the chunk size of export files (0: the default);
	// exportAfterChunk is called after each chunk a job stores. Tests set
	// them to stop a job mid-export.
	exportChunkSize  int
	exportAfterChunk func(ctx context.Context, id string, seq int)
}

// loadConfig reads the configuration from the environment through getenv.
// An empty variable counts as unset. Every bad value is reported, each
// naming its variable and the form it takes.
func loadConfig(getenv func(string) string) (Config, error) {
	var cfg Config
	params, err := env.GetFieldParams(&cfg)
	if err != nil {
		return cfg, err
	}
	environ := map[string]string{}
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			environ[p.Key] = v
		}
	}
	var errs []error
	failed := map[string]bool{} // fields whose value did not parse
	err = env.ParseWithOptions(&cfg, env.Options{
		Environment: environ,
		// Only true and false: strconv.ParseBool's 1, t and F read as
		// guesses next to the true/false the documentation shows, and
		// before this check "1" quietly meant false.
		FuncMap: map[reflect.Type]env.ParserFunc{reflect.TypeFor[bool](): parseBool},
	})
	var agg env.AggregateError
	if errors.As(err, &agg) {
		for _, e := range agg.Errors {
			var pe env.ParseError
			if errors.As(e, &pe) {
				errs = append(errs, badVar(pe.Name, environ))
				failed[pe.Name] = true
				continue
			}
			errs = append(errs, e)
		}
	} else if err != nil {
		errs = append(errs, err)
	}
	cfg.PortalURL = strings.TrimRight(cfg.PortalURL, "/")
	var origins []string
	for _, o := range cfg.CORSOrigins {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	cfg.CORSOrigins = origins
	if getenv("DATABASE_URL") != "" {
		cfg.dbFrom = "DATABASE_URL"
	}
	errs = append(errs, cfg.check(environ, failed)...)
	if cfg.ExportRescueAfter == 0 {
		cfg.ExportRescueAfter = cfg.ExportJobTimeout + 15*time.Minute
	}
	return cfg, errors.Join(errs...)
}

func parseBool(s string) (any, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, errors.New("not true or false")
}

// check returns an error for each value out of its range. The fields in
// failed did not parse and are already reported.
func (c *Config) check(environ map[string]string, failed map[string]bool) []error {
	var errs []error
	bad := func(field string) {
		if !failed[field] {
			errs = append(errs, badVar(field, environ))
		}
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("Addr")
	}
	switch c.DemoData {
	case "auto", "on", "off":
	default:
		bad("DemoData")
	}
	if u, err := url.Parse(c.PortalURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PortalURL")
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("LogLevel")
	}
	switch c.LogFormat {
	case "", "json", "text":
	default:
		bad("LogFormat")
	}
	if c.ComplexityLimit < 0 {
		bad("ComplexityLimit")
	}
	if c.DepthLimit < 0 {
		bad("DepthLimit")
	}
	if c.GraphQLTimeout < 0 {
		bad("GraphQLTimeout")
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) {
		bad("RateLimit")
	}
	if c.RateBurst < 1 {
		bad("RateBurst")
	}
	if c.ExportsPerToken < 0 {
		bad("ExportsPerToken")
	}
	for _, o := range c.CORSOrigins {
		if !validOrigin(o) {
			errs = append(errs, fmt.Errorf("CORS_ALLOWED_ORIGINS: %.60q is not an origin: give %s", o, accept("CORSOrigins")))
		}
	}
	if c.ShutdownGrace < 0 {
		bad("ShutdownGrace")
	}
	if c.WriteStallTimeout < 0 {
		bad("WriteStallTimeout")
	}
	if c.ExportQueueTimeout < 0 {
		bad("ExportQueueTimeout")
	}
	if c.ExportTTL <= 0 {
		bad("ExportTTL")
	}
	if c.ExportWorkers < 1 || c.ExportWorkers > maxExports {
		bad("ExportWorkers")
	}
	if c.ExportJobTimeout <= 0 {
		bad("ExportJobTimeout")
	}
	if c.ExportRescueAfter < 0 || c.ExportRescueAfter > 0 && c.ExportRescueAfter <= c.ExportJobTimeout {
		bad("ExportRescueAfter")
	}
	if c.TokenCacheTTL < 0 || c.TokenCacheTTL > auth.MaxTokenCacheTTL {
		bad("TokenCacheTTL")
	}
	if c.PprofAddr != "" && !loopbackAddr(c.PprofAddr) {
		bad("PprofAddr")
	}
	if c.ReplicaURL != "" && !db.IsPostgres(c.ReplicaURL) {
		bad("ReplicaURL")
	}
	for field, u := range map[string]string{"OIDCIssuer": c.OIDCIssuer, "OIDCJWKSURL": c.OIDCJWKSURL,
		"OTLPEndpoint": c.OTLPEndpoint, "OTLPTracesEndpoint": c.OTLPTracesEndpoint} {
		if pu, err := url.Parse(u); u != "" && (err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "") {
			bad(field)
		}
	}
	switch enabled := c.jwtConfig(nil).Enabled(); {
	case enabled && c.OIDCAudience == "":
		errs = append(errs, fmt.Errorf("OIDC_AUDIENCE is unset: give %s", accept("OIDCAudience")))
	case !enabled && c.OIDCAudience != "":
		errs = append(errs, errors.New("OIDC_AUDIENCE is set without OIDC_ISSUER or OIDC_JWKS_URL: sign-in tokens would all be refused"))
	}
	for _, field := range []string{"OIDCSchoolsClaim", "OIDCGroupsClaim", "OIDCRolesClaim", "OIDCAllRole", "OIDCRevealRole"} {
		if strings.ContainsFunc(reflect.ValueOf(*c).FieldByName(field).String(), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			bad(field)
		}
	}
	switch {
	case c.GraphQLOperations != "all" && c.GraphQLOperations != "allowlist":
		bad("GraphQLOperations")
	case c.GraphQLOperations == "allowlist" && c.OperationsFile == "":
		errs = append(errs, fmt.Errorf("GRAPHQL_OPERATIONS_MANIFEST is unset: give %s", accept("OperationsFile")))
	case c.GraphQLOperations == "all" && c.OperationsFile != "":
		errs = append(errs, errors.New("GRAPHQL_OPERATIONS_MANIFEST is set but GRAPHQL_OPERATIONS is not allowlist: the manifest would be ignored"))
	}
	if c.OIDCClockSkew < 0 || c.OIDCClockSkew > 5*time.Minute {
		bad("OIDCClockSkew")
	}
	if c.OperationNames < 0 || c.OperationNames > metrics.MaxOperationNames {
		bad("OperationNames")
	}
	for _, field := range []string{"OTLPProtocol", "OTLPTracesProtocol"} {
		switch reflect.ValueOf(*c).FieldByName(field).String() {
		case "", "http/protobuf", "http/json":
		default:
			bad(field)
		}
	}
	if c.OTELTracesExporter != "otlp" && c.OTELTracesExporter != "none" {
		bad("OTELTracesExporter")
	}
	if _, err := tracing.Propagator(c.OTELPropagators); err != nil {
		bad("OTELPropagators")
	}
	return errs
}

// tracer is where spans go: nil when tracing is off.
func (c *Config) tracer() trace.TracerProvider {
	if c.tracing == nil {
		return nil
	}
	return c.tracing.Provider
}

// tracingConfig is the configuration of OpenTelemetry tracing.
func (c *Config) tracingConfig() tracing.Config {
	protocol := c.OTLPTracesProtocol
	if protocol == "" {
		protocol = c.OTLPProtocol
	}
	return tracing.Config{
		Endpoint: c.OTLPEndpoint, TracesEndpoint: c.OTLPTracesEndpoint, Protocol: protocol,
		Disabled:    c.OTELSDKDisabled || c.OTELTracesExporter == "none",
		Propagators: c.OTELPropagators, Version: metrics.ReadBuild().Version,
	}
}

// loadOperations reads the allow-list's manifest when the mode asks for it.
func (c *Config) loadOperations() error {
	if c.GraphQLOperations != "allowlist" {
		return nil
	}
	f, err := os.Open(c.OperationsFile)
	if err != nil {
		return fmt.Errorf("GRAPHQL_OPERATIONS_MANIFEST: %w", err)
	}
	defer f.Close()
	if c.operations, err = graph.ReadOperations(f); err != nil {
		return fmt.Errorf("GRAPHQL_OPERATIONS_MANIFEST %s: %w", c.OperationsFile, err)
	}
	return nil
}

// jwtConfig is the configuration of sign-in tokens.
func (c *Config) jwtConfig(log *slog.Logger) auth.JWTConfig {
	return auth.JWTConfig{
		Issuer: c.OIDCIssuer, JWKSURL: c.OIDCJWKSURL, Audience: c.OIDCAudience,
		SchoolsClaim: c.OIDCSchoolsClaim, GroupsClaim: c.OIDCGroupsClaim, RolesClaim: c.OIDCRolesClaim,
		AllRole: c.OIDCAllRole, RevealRole: c.OIDCRevealRole,
		Skew: c.OIDCClockSkew, CacheTTL: c.TokenCacheTTL, Log: log,
	}
}

// loopbackAddr reports whether addr is host:port with a loopback IP or
// localhost as the host.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validOrigin reports whether o is "*" or a browser origin: http(s), a
// host, and nothing after it. An origin with a path or without a scheme
// never matches a request, so CORS would be off without a word.
func validOrigin(o string) bool {
	if o == "*" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// configField returns the struct field of Config called name.
func configField(name string) reflect.StructField {
	f, _ := reflect.TypeFor[Config]().FieldByName(name)
	return f
}

func accept(field string) string { return configField(field).Tag.Get("accept") }

// badVar returns the error of the Config field's variable: its name, its
// value (cut short, and never a secret) and what it accepts.
func badVar(field string, environ map[string]string) error {
	f := configField(field)
	key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	if f.Tag.Get("secret") != "" {
		return fmt.Errorf("%s: give %s", key, f.Tag.Get("accept"))
	}
	// %.40q: a hostile or mistaken value is not echoed whole.
	return fmt.Errorf("%s=%.40q: give %s", key, environ[key], f.Tag.Get("accept"))
}

// printConfig writes the effective configuration as KEY=value lines, in
// the order of Config, with the passwords of database URLs redacted.
func printConfig(w io.Writer, cfg Config) {
	v := reflect.ValueOf(cfg)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if key == "" {
			continue
		}
		var s string
		switch x := v.Field(i).Interface().(type) {
		case []string:
			s = strings.Join(x, ",")
		case time.Duration:
			s = x.String()
		default:
			s = fmt.Sprint(x)
		}
		if f.Tag.Get("secret") != "" {
			s = redactURL(s)
		}
		fmt.Fprintf(w, "%s=%s\n", key, s)
	}
}

// redactURL hides a URL's password, in its user part or in a password
// query parameter (both work with pgx). A SQLite path has neither.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if db.IsPostgres(s) {
			return "(unparsable URL, hidden)"
		}
		return s
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
		return u.Redacted()
	}
	if _, ok := u.User.Password(); !ok {
		return s // nothing to hide: keep the path as typed
	}
	return u.Redacted()
}

// checkDB refuses a database URL of a kind the server does not speak, and
// a SQLite file that cannot be there: its directory missing, or, unless
// mayCreate, the file itself missing. Only serve, migrate, seed and import
// create a SQLite file; the token commands must work on the server's own
// database, and a new empty one would give tokens the server never sees.
func checkDB(cfg Config, mayCreate bool) error {
	u := cfg.DatabaseURL
	from := cfg.dbFrom
	if from == "" {
		from = "the default of --db and DATABASE_URL"
	}
	if db.IsPostgres(u) {
		return nil
	}
	if scheme, _, ok := strings.Cut(u, "://"); ok && scheme != "sqlite" {
		return fmt.Errorf("%s: %.20q is not a database this server speaks: give a SQLite file path or a postgres:// URL", from, scheme+"://")
	}
	path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "file:")
	path, query, _ := strings.Cut(path, "?")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if _, err := os.Stat(abs); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: SQLite file %s: %w", from, abs, err)
	}
	if !mayCreate {
		return fmt.Errorf("no database at %s (from %s), and this command does not create one: "+
			"point --db or DATABASE_URL at the server's database (its SQLite file, or its postgres:// URL)", abs, from)
	}
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: cannot create the SQLite file %s: no directory %s", from, abs, filepath.Dir(abs))
	}
	return nil
}
