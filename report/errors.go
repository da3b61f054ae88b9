package report

import (
	"context"
	"errors"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/db"
)

// errForbidden answers a request naming an id the token may not see,
// whether or not the id exists; field is the input's GraphQL name, as
// InputError's.
func errForbidden(field string) error {
	return &apperr.Error{Code: apperr.Forbidden, Message: "Forbidden.", Field: field}
}

// dbError classifies a database failure: a cancelled request stays a
// context error; a database that cannot be reached is "unavailable";
// anything else is internal. The cause is kept for the logs only.
func dbError(err error) error {
	var e *apperr.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &e):
		return err
	case db.IsUnreachable(err):
		return &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "Internal server error.", Err: err}
}
