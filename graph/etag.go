package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/etag"
)

// untaggedErrors keeps an answer with errors from being tagged for
// revalidation (package etag): GraphQL answers errors with a 200 too, and
// an error (a timeout, a refusal) is no answer to keep.
type untaggedErrors struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = untaggedErrors{}

func (untaggedErrors) ExtensionName() string                   { return "UntaggedErrors" }
func (untaggedErrors) Validate(graphql.ExecutableSchema) error { return nil }

func (untaggedErrors) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) > 0 {
		etag.Refuse(ctx)
	}
	return resp
}
