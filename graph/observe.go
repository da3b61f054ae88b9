package graph

import (
	"context"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/stift/stift-reports/tracing"
)

// The attributes of a GraphQL operation's span besides semconv's name and
// type: its complexity as the complexity limit computed it (absent when
// GRAPHQL_COMPLEXITY_LIMIT is 0), how many errors it answered, and their
// codes (never their messages, which may quote the request).
const (
	attrComplexity = attribute.Key("graphql.operation.complexity")
	attrErrors     = attribute.Key("graphql.errors")
	attrErrorCodes = attribute.Key("graphql.error.codes")
)

// maxSpanName bounds the operation name in a span's name and attributes.
const maxSpanName = 100

// observeOperations times every operation that runs, for the
// per-operation histogram, and traces it as a span, the child of the HTTP
// request's, under which its resolvers' SQL statements nest. An operation
// refused before it runs (unparsable, invalid, too complex, not in the
// allow-list) has only the HTTP request's span.
type observeOperations struct {
	tracer  trace.Tracer
	observe func(name string, took time.Duration) // nil: no metrics
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = observeOperations{}

func newObserveOperations(tp trace.TracerProvider, observe func(string, time.Duration)) observeOperations {
	if tp == nil {
		return observeOperations{observe: observe}
	}
	return observeOperations{tracer: tp.Tracer(tracing.Scope), observe: observe}
}

func (observeOperations) ExtensionName() string                   { return "ObserveOperations" }
func (observeOperations) Validate(graphql.ExecutableSchema) error { return nil }

func (o observeOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name := oc.Operation.Name
	start := time.Now()
	var span trace.Span = noop.Span{}
	if o.tracer != nil {
		ctx, span = o.tracer.Start(ctx, operationSpanName(string(oc.Operation.Operation), name))
		if span.IsRecording() {
			span.SetAttributes(semconv.GraphQLOperationTypeKey.String(string(oc.Operation.Operation)))
			if name != "" {
				span.SetAttributes(semconv.GraphQLOperationName(clip(name, maxSpanName)))
			}
			if c := extension.GetComplexityStats(ctx); c != nil {
				span.SetAttributes(attrComplexity.Int(c.Complexity))
			}
		}
	}
	responses := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if done {
			return resp
		}
		done = true
		if o.observe != nil {
			o.observe(name, time.Since(start))
		}
		endOperationSpan(span, resp)
		return resp
	}
}

// operationSpanName is semconv's name of an operation's span: its type
// and, if it has one, its name.
func operationSpanName(typ, name string) string {
	if name == "" {
		return typ
	}
	return typ + " " + clip(name, maxSpanName)
}

// endOperationSpan ends the span of an operation that answered resp. The
// span is an error only when the server failed; the client's mistakes
// (bad input, forbidden ids) are counted, not flagged.
func endOperationSpan(span trace.Span, resp *graphql.Response) {
	if span.IsRecording() && resp != nil && len(resp.Errors) > 0 {
		var errCodes []string
		for _, e := range resp.Errors {
			if c, ok := e.Extensions["code"].(string); ok && !slices.Contains(errCodes, c) {
				errCodes = append(errCodes, c)
			}
		}
		span.SetAttributes(attrErrors.Int(len(resp.Errors)), attrErrorCodes.StringSlice(errCodes))
		if slices.Contains(errCodes, CodeInternal) || slices.Contains(errCodes, CodeUnavailable) {
			span.SetStatus(codes.Error, "the operation failed")
		}
	}
	span.End()
}
