package main

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/caarlos0/env/v11"

	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/report"
)

// TestConfigBadValues starts the server through run with each variable set
// to a bad value: the start stops with an error naming the variable and
// what it accepts, before the database is touched. Every variable of
// Config must have a case here.
func TestConfigBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key, value string
		want       string // in the error, besides the key
	}{
		{"ADDR", "8080", "host:port"},
		{"DATABASE_URL", "mysql://u:hunter2@x/db", "postgres://"},
		{"DEMO_DATA", "yes", "auto"},
		{"PORTAL_URL", "portal.stift.com.br", "https://"},
		{"LOG_LEVEL", "verbose", "debug, info, warn or error"},
		{"LOG_FORMAT", "xml", "json or text"},
		{"GRAPHQL_INTROSPECTION", "1", "true or false"},
		{"GRAPHQL_INTROSPECTION", "yes", "true or false"},
		{"GRAPHQL_COMPLEXITY_LIMIT", "1k", "whole number"},
		{"GRAPHQL_COMPLEXITY_LIMIT", "-1", "0 or more"},
		{"GRAPHQL_DEPTH_LIMIT", "twelve", "whole number"},
		{"GRAPHQL_DEPTH_LIMIT", "-3", "0 or more"},
		{"GRAPHQL_TIMEOUT", "30", "duration with its unit"},
		{"GRAPHQL_TIMEOUT", "-1s", "0 or more"},
		{"RATE_LIMIT", "ten", "requests per second"},
		{"RATE_LIMIT", "-1", "0 or more"},
		{"RATE_LIMIT", "NaN", "0 or more"},
		{"RATE_LIMIT", "+Inf", "0 or more"},
		{"RATE_BURST", "0", "1 or more"},
		{"RATE_BURST", "twenty", "1 or more"},
		{"EXPORTS_PER_TOKEN", "-1", "0 or more"},
		{"EXPORTS_PER_TOKEN", "99999999999999999999", "whole number"},
		{"CORS_ALLOWED_ORIGINS", "https://ok.example, painel.example", `"painel.example" is not an origin`},
		{"CORS_ALLOWED_ORIGINS", "https://painel.example/app", "http(s)://host[:port]"},
		{"SHUTDOWN_GRACE", "30", "duration with its unit"},
		{"SHUTDOWN_GRACE", "-30s", "0 or more"},
		{"WRITE_STALL_TIMEOUT", "1x", "duration with its unit"},
		{"EXPORT_QUEUE_TIMEOUT", "-5s", "0 or more"},
		{"EXPORT_TTL", "24", "duration with its unit"},
		{"EXPORT_TTL", "0s", "above 0"},
		{"EXPORT_WORKERS", "0", "1 to 16"},
		{"EXPORT_WORKERS", "17", "1 to 16"},
		{"EXPORT_JOB_TIMEOUT", "-1h", "above 0"},
		{"EXPORT_RESCUE_AFTER", "30m", "longer than EXPORT_JOB_TIMEOUT"},
		{"REPLICA_DATABASE_URL", "mysql://u:hunter2@x/db", "postgres://"},
		{"REPLICA_STRICT", "on", "true or false"},
		{"TOKEN_CACHE_TTL", "5", "duration with its unit"},
		{"TOKEN_CACHE_TTL", "2m", "0 to 1m"},
		{"PPROF_ADDR", ":6060", "loopback"},
		{"PPROF_ADDR", "0.0.0.0:6060", "loopback"},
		{"GRAPHQL_OPERATIONS", "trusted", "all or allowlist"},
		{"GRAPHQL_OPERATIONS_MANIFEST", "ops.json", "would be ignored"},
		{"OIDC_ISSUER", "idp.example", "http(s)://"},
		{"OIDC_JWKS_URL", "ftp://idp.example/keys", "http(s)://"},
		{"OIDC_AUDIENCE", "reports", "without OIDC_ISSUER"},
		{"OIDC_SCHOOLS_CLAIM", "school ids", "no spaces"},
		{"OIDC_GROUPS_CLAIM", "group\tids", "no spaces"},
		{"OIDC_ROLES_CLAIM", "realm roles", "no spaces"},
		{"OIDC_ALL_ROLE", "stift admin", "no spaces"},
		{"OIDC_REVEAL_ROLE", "reveal\n", "no spaces"},
		{"OIDC_CLOCK_SKEW", "10m", "0 to 5m"},
		{"METRICS_OPERATION_NAMES", "1001", "0 to 1000"},
		{"METRICS_OPERATION_NAMES", "many", "whole number"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "http:// or https://"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "grpc://u:hunter2@collector:4317", "http:// or https://"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "http/protobuf or http/json"},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http", "http/protobuf or http/json"},
		{"OTEL_TRACES_EXPORTER", "jaeger", "otlp or none"},
		{"OTEL_SDK_DISABLED", "1", "true or false"},
		{"OTEL_PROPAGATORS", "tracecontext,b3", "tracecontext, baggage or none"},
	}
	params, err := env.GetFieldParams(&Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		found := false
		for _, tc := range cases {
			found = found || tc.key == p.Key
		}
		if !found {
			t.Errorf("no bad value tried for %s", p.Key)
		}
	}
	dbPath := t.TempDir() + "/config.db"
	for _, tc := range cases {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == tc.key {
					return tc.value
				}
				return ""
			}
			args := []string{"serve", "--print-config"}
			if tc.key != "DATABASE_URL" {
				args = append(args, "--db", dbPath)
			}
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, getenv, &out, &errOut)
			if err == nil {
				t.Fatalf("started; printed %q", out.String())
			}
			if !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s and %q", err, tc.key, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows a password", err)
			}
			if out.Len() > 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

// TestConfigPrint checks --print-config: the defaults (those that are
// constants elsewhere too), values that are accepted, flags over
// variables, and the passwords of database URLs hidden.
func TestConfigPrint(t *testing.T) {
	t.Parallel()
	printCfg := func(t *testing.T, environ map[string]string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"serve", "--print-config"}, args...),
			func(k string) string { return environ[k] }, &out, &errOut)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut.String())
		}
		return out.String()
	}
	dbPath := t.TempDir() + "/print.db"

	defaults := printCfg(t, nil, "--db", dbPath)
	for _, want := range []string{
		"ADDR=:8080\n",
		"PORTAL_URL=" + report.DefaultPortalURL + "\n",
		"GRAPHQL_COMPLEXITY_LIMIT=" + strconv.Itoa(graph.DefaultComplexityLimit) + "\n",
		"GRAPHQL_INTROSPECTION=true\n",
		"GRAPHQL_TIMEOUT=30s\n",
		"RATE_LIMIT=10\n",
		"SHUTDOWN_GRACE=30s\n",
		"EXPORT_TTL=24h0m0s\n",
		"EXPORT_JOB_TIMEOUT=1h0m0s\n",
		"EXPORT_RESCUE_AFTER=1h15m0s\n",
		"DATABASE_URL=" + dbPath + "\n",
		"METRICS_OPERATION_NAMES=100\n",
		"OTEL_PROPAGATORS=tracecontext,baggage\n",
	} {
		if !strings.Contains(defaults, want) {
			t.Errorf("defaults lack %q:\n%s", want, defaults)
		}
	}

	set := printCfg(t, map[string]string{
		"ADDR":                        ":9000",
		"GRAPHQL_INTROSPECTION":       "FALSE",
		"RATE_LIMIT":                  "0.5",
		"GRAPHQL_TIMEOUT":             "0",
		"PORTAL_URL":                  "https://portal.example/",
		"CORS_ALLOWED_ORIGINS":        " https://a.example , ,https://*.b.example:8443",
		"DATABASE_URL":                "postgres://stift:hunter2@db.internal/stift?sslmode=require",
		"REPLICA_DATABASE_URL":        "postgres://stift@replica.internal/stift?password=hunter2",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel:hunter2@collector.example:4318",
	}, "--addr", "127.0.0.1:8081")
	for _, want := range []string{
		"ADDR=127.0.0.1:8081\n", // the flag wins
		"GRAPHQL_INTROSPECTION=false\n",
		"RATE_LIMIT=0.5\n",
		"GRAPHQL_TIMEOUT=0s\n",
		"PORTAL_URL=https://portal.example\n",
		"CORS_ALLOWED_ORIGINS=https://a.example,https://*.b.example:8443\n",
		"DATABASE_URL=postgres://stift:xxxxx@db.internal/stift?sslmode=require\n",
		"REPLICA_DATABASE_URL=postgres://stift@replica.internal/stift?password=xxxxx\n",
		"OTEL_EXPORTER_OTLP_ENDPOINT=https://otel:xxxxx@collector.example:4318\n",
	} {
		if !strings.Contains(set, want) {
			t.Errorf("output lacks %q:\n%s", want, set)
		}
	}
	if strings.Contains(set, "hunter2") {
		t.Errorf("a password printed:\n%s", set)
	}

	// The --db flag is redacted too: the test database's own URL.
	for kind, newDB := range cliDatabases() {
		dbURL := newDB(t)
		out := printCfg(t, nil, "--db", dbURL)
		if u, err := url.Parse(dbURL); err == nil {
			if pw, ok := u.User.Password(); ok && strings.Contains(out, ":"+pw+"@") {
				t.Errorf("%s: the password of --db printed:\n%s", kind, out)
			}
		}
	}
}
