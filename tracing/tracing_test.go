package tracing

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// TestConfigURL checks where spans go: off without an endpoint or when
// disabled; the traces endpoint as is; the base endpoint with /v1/traces
// appended to its path, as OpenTelemetry specifies for OTLP/HTTP.
func TestConfigURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, ""},
		{Config{Endpoint: "http://collector:4318", Disabled: true}, ""},
		{Config{Endpoint: "http://collector:4318"}, "http://collector:4318/v1/traces"},
		{Config{Endpoint: "https://collector.example/otlp/"}, "https://collector.example/otlp/v1/traces"},
		{Config{Endpoint: "http://a:4318", TracesEndpoint: "http://b:4318/traces"}, "http://b:4318/traces"},
		{Config{TracesEndpoint: "http://b:4318"}, "http://b:4318"},
	} {
		if got, err := tc.cfg.URL(); err != nil || got != tc.want {
			t.Errorf("%+v: %q, %v; want %q", tc.cfg, got, err, tc.want)
		}
	}
	if tr, err := Start(context.Background(), Config{}); tr != nil || err != nil {
		t.Errorf("Start without an endpoint: %v, %v; want nil, nil (tracing off)", tr, err)
	}
}

// TestPropagator checks OTEL_PROPAGATORS: the names it knows carry their
// headers; none carries nothing; any other is refused.
func TestPropagator(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names  []string
		fields []string
	}{
		{[]string{"tracecontext", "baggage"}, []string{"traceparent", "tracestate", "baggage"}},
		{[]string{"tracecontext"}, []string{"traceparent", "tracestate"}},
		{[]string{"none"}, nil},
	} {
		p, err := Propagator(tc.names)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Fields()
		slices.Sort(got)
		if slices.Sort(tc.fields); !slices.Equal(got, tc.fields) {
			t.Errorf("%q: fields %q, want %q", tc.names, got, tc.fields)
		}
	}
	if _, err := Propagator([]string{"tracecontext", "b3"}); err == nil {
		t.Error("b3 accepted")
	}
	// The default one reads a caller's trace context.
	h := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	ctx := New(nil).Propagator.Extract(context.Background(), propagation.HeaderCarrier(h))
	if got := trace.SpanContextFromContext(ctx).TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %q read from traceparent", got)
	}
}
