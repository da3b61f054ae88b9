package graph

import (
	"context"
	"errors"
	"log/slog"

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
)

// presentError gives every resolver error a code and a message safe to
// show: apperr errors keep their message, ent's not-found becomes a
// forbidden (an id out of scope looks like one that does not exist), bad
// ids and arguments are BAD_USER_INPUT, anything else is INTERNAL with a
// generic message, logged with its cause.
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
		case isInputError(err):
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
	case apperr.Invalid, apperr.NotAcceptable, apperr.TooLarge, apperr.NotFound, apperr.BadMethod:
		return CodeBadUserInput
	}
	return CodeInternal
}

// isInputError reports whether err is a validation error of gqlparser.
func isInputError(err error) bool {
	var gerr *gqlerror.Error
	return errors.As(err, &gerr) && gerr.Rule != ""
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
	if depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); depth > d.max {
		return &gqlerror.Error{
			Message:    "The query is nested too deeply.",
			Extensions: map[string]any{"code": CodeBadUserInput, "depth": depth, "maxDepth": d.max},
		}
	}
	return nil
}

// selectionDepth returns how deep fields nest in set, following fragments.
// Introspection (__schema, __type) is not counted: its depth is the
// schema's, not the client's doing, and playgrounds need it whole.
func selectionDepth(set ast.SelectionSet, fragments ast.FragmentDefinitionList, seen int) int {
	if seen > 100 { // cyclic fragments are refused by validation; stay safe
		return seen
	}
	max := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			d = 1 + selectionDepth(s.SelectionSet, fragments, seen+1)
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, fragments, seen+1)
		case *ast.FragmentSpread:
			if f := fragments.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, fragments, seen+1)
			}
		}
		if d > max {
			max = d
		}
	}
	return max
}
