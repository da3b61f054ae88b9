package graph

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent"
)

// The error codes of GraphQL errors, in extensions.code.
const (
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeBadUserInput    = "BAD_USER_INPUT"
	CodeInternal        = "INTERNAL"
	CodeRateLimited     = "RATE_LIMITED"
	CodeUnavailable     = "SERVICE_UNAVAILABLE"
)

// presentError gives every resolver error a code and a message safe to
// show: apperr errors keep their message, ent's not-found becomes a
// forbidden (an id out of scope looks like one that does not exist), bad
// ids and arguments are BAD_USER_INPUT, anything else is INTERNAL with a
// generic message, logged with its cause. Errors about the request
// itself, raised before any resolver runs, are the client's: they are
// BAD_USER_INPUT and logged by size and hash only, since their message
// may quote the request. A resolver failing because its client hung up
// (the request's context cancelled) is logged at INFO, not as a failure.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if gerr.Extensions != nil && gerr.Extensions["code"] != nil {
			return gerr // parse and validation errors, already coded
		}
		var ae *apperr.Error
		switch {
		case errors.As(err, &ae) && ae.Code != apperr.Internal && ae.Code != apperr.Unavailable:
			gerr.Message = ae.Message
			gerr.Extensions = map[string]any{"code": codeOf(ae.Code)}
			if ae.Field != "" {
				gerr.Extensions["field"] = ae.Field
			}
		case ent.IsNotFound(err):
			gerr.Message = "Forbidden."
			gerr.Extensions = map[string]any{"code": CodeForbidden}
		case isInputError(err) || isArgumentError(ctx):
			gerr.Message = clip(gerr.Message, 200)
			gerr.Extensions = map[string]any{"code": CodeBadUserInput}
		case errors.Is(ctx.Err(), context.Canceled):
			// The client hung up (or a download stopped reading
			// pages): whatever the resolver met, nothing went wrong
			// here, and no one reads this answer.
			log.Info("graphql: request cancelled by the client", "path", gerr.Path.String(), "err", err)
			gerr.Message = "Request cancelled."
			gerr.Extensions = map[string]any{"code": CodeBadUserInput}
		case ae == nil && len(gerr.Path) == 0:
			log.Warn("graphql: request refused", "error", describe([]byte(gerr.Message)))
			gerr.Message = "Bad request."
			gerr.Extensions = map[string]any{"code": CodeBadUserInput}
		default:
			log.Error("graphql: resolver failed", "path", gerr.Path.String(), "err", err)
			gerr.Message = "Internal server error."
			gerr.Extensions = map[string]any{"code": CodeInternal}
		}
		return gerr
	}
}

func codeOf(c apperr.Code) string {
	switch c {
	case apperr.Unauthorized:
		return CodeUnauthenticated
	case apperr.Forbidden:
		return CodeForbidden
	case apperr.Invalid, apperr.NotAcceptable, apperr.TooLarge, apperr.NotFound, apperr.BadMethod, apperr.Conflict:
		return CodeBadUserInput
	case apperr.TooMany:
		return CodeRateLimited
	case apperr.Unavailable:
		return CodeUnavailable
	}
	return CodeInternal
}

// ErrorShape makes the errors that the layers around the GraphQL handler
// answer before it runs (a missing or refused token, the rate limit, the
// export cap, a database not yet migrated) and the download errors come
// in GraphQL's shape, {"errors": [{"message", "extensions": {"code"}}]},
// with their HTTP status; the REST endpoints keep the legacy shape. The
// media type is the one errorMediaType gives.
func ErrorShape(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&errorShape{ResponseWriter: w, contentType: errorMediaType(r)}, r)
	})
}

const graphqlResponseType = "application/graphql-response+json"

// errorMediaType is the Content-Type of an error answered to r before its
// operation ran: application/graphql-response+json when r accepts it
// (GraphQL over HTTP), else application/json.
func errorMediaType(r *http.Request) string {
	if strings.Contains(r.Header.Get("Accept"), graphqlResponseType) {
		return graphqlResponseType + "; charset=utf-8"
	}
	return "application/json; charset=utf-8"
}

// requestError is the body of a GraphQL request refused before its
// operation ran: errors and no data member, not even a null one. GraphQL
// says so ("If an error was raised before execution begins, the data
// entry should not be present in the result"), and so does GraphQL over
// HTTP for application/graphql-response+json.
type requestError struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// errorShape is an apperr.Shaper.
type errorShape struct {
	http.ResponseWriter
	contentType string
}

func (w *errorShape) ShapeError(err error) (string, any) {
	gerr := &gqlerror.Error{Message: apperr.Message(err), Extensions: map[string]any{"code": codeOf(apperr.CodeOf(err))}}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Field != "" {
		gerr.Extensions["field"] = ae.Field
	}
	return w.contentType, requestError{Errors: gqlerror.List{gerr}}
}

func (w *errorShape) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// isInputError reports whether err is a validation error of gqlparser.
func isInputError(err error) bool {
	var gerr *gqlerror.Error
	return errors.As(err, &gerr) && gerr.Rule != ""
}

// isArgumentError reports whether the error being presented was raised
// while gqlgen read the field's arguments: the generated code leaves
// fc.Args nil when that fails, and runs the resolver, which might fail
// on its own, only once they are read.
func isArgumentError(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Args == nil && fc.Field.Field != nil &&
		fc.Field.Definition != nil && len(fc.Field.Definition.Arguments) > 0
}

// describe is a request body, or text quoting it, as logs may hold it:
// its size and the start of its SHA-256, never its content (it can be
// megabytes long and hold personal data in variables).
func describe(b []byte) string {
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%d bytes, sha256 %x", len(b), sum[:8])
}

// recoverPanic turns a resolver panic into an INTERNAL error, logged.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.Error("graphql: panic", "panic", v)
		return &apperr.Error{Code: apperr.Internal, Message: "Internal server error."}
	}
}

// depthLimit refuses operations nested deeper than max fields.
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	if depth := (&depthWalk{memo: map[string]int{}}).depth(oc.Operation.SelectionSet); depth > d.max {
		return &gqlerror.Error{
			Message:    "The query is nested too deeply.",
			Extensions: map[string]any{"code": CodeBadUserInput, "depth": depth, "maxDepth": d.max},
		}
	}
	return nil
}

// depthWalk measures how deep fields nest, following fragments. A
// fragment's depth does not depend on where it is spread, so it is
// measured once: fragments that each spread the next twice would
// otherwise cost 2ⁿ visits.
type depthWalk struct {
	memo   map[string]int // the depth of each fragment measured
	visits int            // selections visited, for tests
}

// depth returns how deep fields nest in set. Introspection (__schema,
// __type) is not counted: its depth is the schema's, not the client's
// doing, and playgrounds need it whole.
func (w *depthWalk) depth(set ast.SelectionSet) int {
	max := 0
	for _, sel := range set {
		w.visits++
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			d = 1 + w.depth(s.SelectionSet)
		case *ast.InlineFragment:
			d = w.depth(s.SelectionSet)
		case *ast.FragmentSpread:
			d = w.fragment(s)
		}
		if d > max {
			max = d
		}
	}
	return max
}

func (w *depthWalk) fragment(s *ast.FragmentSpread) int {
	if d, ok := w.memo[s.Name]; ok {
		return d
	}
	if s.Definition == nil {
		return 0
	}
	w.memo[s.Name] = 0 // cyclic spreads are refused by validation; stop here
	d := w.depth(s.Definition.SelectionSet)
	w.memo[s.Name] = d
	return d
}
