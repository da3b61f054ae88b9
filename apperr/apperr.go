// Package apperr is the application's one error type. An *Error carries a
// code that says what kind of failure it is and a message safe to show the
// client; Status maps codes to HTTP statuses in one place, and Write renders
// any error in the public API's shape:
//
//	{"error":{"code":400,"message":"Invalid school id.","field":"school_ids"}}
//
// Errors that are not *Error are internal: the client sees a generic message.
package apperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is the kind of an error.
type Code string

// The error codes.
const (
	Invalid       Code = "invalid"        // the request is malformed or fails validation
	Unauthorized  Code = "unauthorized"   // no valid API token
	Forbidden     Code = "forbidden"      // the token may not see what was asked for
	NotFound      Code = "not_found"      // no such route or resource
	Conflict      Code = "conflict"       // the resource is not ready for that: an export still running
	NotAcceptable Code = "not_acceptable" // no supported media type in Accept
	BadMethod     Code = "bad_method"     // the route exists, not for this method
	TooLarge      Code = "too_large"      // the request body is too large
	TooMany       Code = "too_many"       // too many requests: the client should retry later
	Unavailable   Code = "unavailable"    // the database cannot be reached
	Internal      Code = "internal"       // a bug or an unexpected failure
)

// Error is an error with a code and a message for the client.
type Error struct {
	Code    Code
	Message string
	Field   string // the request parameter at fault, if any
	Err     error  // the underlying cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns an Invalid error about the request parameter field.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err: Internal unless err wraps an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Status returns the HTTP status of err.
func Status(err error) int {
	switch CodeOf(err) {
	case Invalid:
		return http.StatusBadRequest
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case NotAcceptable:
		return http.StatusNotAcceptable
	case BadMethod:
		return http.StatusMethodNotAllowed
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case TooMany:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Message returns the message of err that is safe to show a client.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "Internal server error."
}

type body struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// A Shaper is a response writer whose protocol has its own error shape
// (GraphQL's): Write asks it for the body of err, keeping err's status.
// Write finds it behind writers that wrap it (Unwrap).
type Shaper interface {
	ShapeError(err error) (contentType string, body any)
}

// shaper returns the Shaper w is or wraps, if any.
func shaper(w http.ResponseWriter) Shaper {
	for w != nil {
		if s, ok := w.(Shaper); ok {
			return s
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

// Write writes err to w in the public API's error shape, or the shape of
// the Shaper w wraps, with its status.
func Write(w http.ResponseWriter, err error) {
	var b body
	b.Error.Code = Status(err)
	b.Error.Message = Message(err)
	var e *Error
	if errors.As(err, &e) {
		b.Error.Field = e.Field
	}
	h := w.Header()
	var out any = b
	h.Set("Content-Type", "application/json; charset=utf-8")
	if s := shaper(w); s != nil {
		var ct string
		ct, out = s.ShapeError(err)
		h.Set("Content-Type", ct)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Disposition")
	if b.Error.Code == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="stift-reports"`)
	}
	w.WriteHeader(b.Error.Code)
	json.NewEncoder(w).Encode(out)
}
