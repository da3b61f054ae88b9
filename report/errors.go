package report

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/stift/stift-reports/apperr"
)

// errForbidden answers a request naming an id the token may not see,
// whether or not the id exists.
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
	case unreachable(err):
		return &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	return &apperr.Error{Code: apperr.Internal, Message: "Internal server error.", Err: err}
}

// unreachable reports whether err says the database cannot be reached.
func unreachable(err error) bool {
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &netErr) || errors.As(err, &connectErr)
}
