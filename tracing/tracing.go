// Package tracing sets up OpenTelemetry tracing: an OTLP/HTTP exporter
// when an endpoint is configured, and nothing at all otherwise. The spans
// themselves are made where the work is: the HTTP request (package main),
// the GraphQL operation (package graph), each REST report (package rest),
// each PostgreSQL statement (package db). docs/observability.md lists them.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// ServiceName is the service.name of the spans unless OTEL_SERVICE_NAME
// (or service.name in OTEL_RESOURCE_ATTRIBUTES) says otherwise.
const ServiceName = "stift-reports"

// Scope is the instrumentation scope of the service's own spans.
const Scope = "github.com/stift/stift-reports"

// Config says whether and where spans go: the OTEL_* variables the server
// reads itself. The exporter and the SDK read the others (headers,
// timeouts, TLS files, compression, the sampler, the batch processor, the
// resource) from the process environment, as OpenTelemetry specifies.
type Config struct {
	Endpoint       string   // OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; /v1/traces is appended
	TracesEndpoint string   // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the traces URL, used as is; wins over Endpoint
	Protocol       string   // "http/protobuf" (the default) or "http/json"
	Disabled       bool     // OTEL_SDK_DISABLED, or OTEL_TRACES_EXPORTER=none
	Propagators    []string // tracecontext, baggage, none
	Version        string   // service.version
}

// URL is where spans are sent, "" when tracing is off.
func (c Config) URL() (string, error) {
	switch {
	case c.Disabled:
		return "", nil
	case c.TracesEndpoint != "":
		return c.TracesEndpoint, nil
	case c.Endpoint == "":
		return "", nil
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return "", err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v1/traces"
	return u.String(), nil
}

// Tracing is a tracer provider with the propagator that reads the callers'
// trace context from incoming requests.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	Endpoint   string // where spans go; "" for a provider given to New
	shutdown   func(context.Context) error
}

// New returns the tracing of tp, propagating W3C trace context and
// baggage; tests give it an SDK provider with an in-memory exporter.
func New(tp trace.TracerProvider) *Tracing {
	return &Tracing{Provider: tp, Propagator: propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{})}
}

// Start returns the tracing that cfg asks for: nil when tracing is off,
// so that callers install no instrumentation at all. Spans are batched
// and sent in the background; Shutdown sends what is left.
func Start(ctx context.Context, cfg Config) (*Tracing, error) {
	endpoint, err := cfg.URL()
	if err != nil || endpoint == "" {
		return nil, err
	}
	prop, err := Propagator(cfg.Propagators)
	if err != nil {
		return nil, err
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(endpoint)}
	if cfg.Protocol == "http/json" {
		opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	// Later detectors win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// over the defaults.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(ServiceName), semconv.ServiceVersion(cfg.Version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	// The sampler is the SDK's default, parent-based always-on, unless
	// OTEL_TRACES_SAMPLER names another.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Tracing{Provider: tp, Propagator: prop, Endpoint: endpoint, shutdown: tp.Shutdown}, nil
}

// Shutdown sends the spans not sent yet and stops the exporter. It is a
// no-op on nil and on a Tracing that New made.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.shutdown == nil {
		return nil
	}
	return t.shutdown(ctx)
}

// Propagator returns the propagator of OTEL_PROPAGATORS' names.
func Propagator(names []string) (propagation.TextMapPropagator, error) {
	var props []propagation.TextMapPropagator
	for _, name := range names {
		switch strings.TrimSpace(name) {
		case "tracecontext":
			props = append(props, propagation.TraceContext{})
		case "baggage":
			props = append(props, propagation.Baggage{})
		case "none", "":
		default:
			return nil, errors.New("OTEL_PROPAGATORS: " + name + " is not one this server knows: give tracecontext, baggage or none")
		}
	}
	return propagation.NewCompositeTextMapPropagator(props...), nil
}
