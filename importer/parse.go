package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// parser turns the fields of one record into column values, reporting
// what is wrong with them. In the validation pass (v set) it also defines
// the record's id and resolves its references; in the write pass (v nil)
// the record is known to be valid and those are skipped.
type parser struct {
	v    *validator
	file string
	line int
	ok   bool
}

func (p *parser) fail(field, format string, args ...any) {
	p.ok = false
	if p.v != nil {
		p.v.errs.add(Error{File: p.file, Line: p.line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
}

const missing = "required field is missing"

// uuid parses a UUID field; ok is false when it is absent or malformed.
func (p *parser) uuid(field string, s *string, required bool) (uuid.UUID, bool) {
	if s == nil {
		if required {
			p.fail(field, missing)
		}
		return uuid.Nil, false
	}
	u, err := gid.ParseUUID(*s)
	if err != nil {
		p.fail(field, "malformed id %q (want a UUID)", *s)
		return uuid.Nil, false
	}
	return u, true
}

// intID checks an integer id field: present (if required) and positive.
func (p *parser) intID(field string, n *int64, required bool) (int64, bool) {
	if n == nil {
		if required {
			p.fail(field, missing)
		}
		return 0, false
	}
	if *n <= 0 {
		p.fail(field, "malformed id %d (want a positive integer)", *n)
		return 0, false
	}
	return *n, true
}

// time parses an RFC 3339 time, returned in UTC and truncated to the
// microsecond (PostgreSQL's precision, so both databases store the same).
func (p *parser) time(field string, s *string, required bool) *time.Time {
	if s == nil {
		if required {
			p.fail(field, missing)
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		p.fail(field, "not an RFC 3339 time: %q", *s)
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

// str returns a string field, "" when absent.
func (p *parser) str(field string, s *string, required, nonEmpty bool) string {
	if s == nil {
		if required {
			p.fail(field, missing)
		}
		return ""
	}
	if nonEmpty && strings.TrimSpace(*s) == "" {
		p.fail(field, "must not be empty")
	}
	return *s
}

// optStr returns a nullable text column's value.
func optStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// enum returns an enum field, def when absent (def "" means required).
func (p *parser) enum(field string, s *string, def string, values ...string) string {
	if s == nil {
		if def == "" {
			p.fail(field, missing)
		}
		return def
	}
	for _, v := range values {
		if *s == v {
			return v
		}
	}
	p.fail(field, "invalid value %q (want one of %s)", *s, strings.Join(values, ", "))
	return ""
}

// intIn checks an integer field lies in [lo, hi]; def is used when absent
// unless required.
func (p *parser) intIn(field string, n *int64, required bool, def, lo, hi int64) int64 {
	if n == nil {
		if required {
			p.fail(field, missing)
		}
		return def
	}
	if *n < lo || *n > hi {
		p.fail(field, "%d out of range [%d, %d]", *n, lo, hi)
	}
	return *n
}

// rating checks an optional 0–5 rating with at most one decimal.
func (p *parser) rating(field string, f *float64) any {
	if f == nil {
		return nil
	}
	if *f < 0 || *f > 5 || math.IsNaN(*f) {
		p.fail(field, "%v out of range [0, 5]", *f)
		return nil
	}
	if tenths := *f * 10; math.Abs(tenths-math.Round(tenths)) > 1e-9 {
		p.fail(field, "%v has more than one decimal", *f)
		return nil
	}
	return math.Round(*f*10) / 10
}

// notBefore reports t (field) lying before other (otherField).
func (p *parser) notBefore(field string, t *time.Time, otherField string, other *time.Time) {
	if t != nil && other != nil && t.Before(*other) {
		p.fail(field, "before %s", otherField)
	}
}

// requires reports field set while otherField, which it follows, is not.
func (p *parser) requires(field string, set bool, otherField string, otherSet bool) {
	if set && !otherSet {
		p.fail(field, "set without %s", otherField)
	}
}

// timeValue returns a nullable time column's value.
func timeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// uuidValue returns a nullable UUID column's value.
func uuidValue(u uuid.UUID, ok bool) any {
	if !ok {
		return nil
	}
	return u
}

// decode decodes one line into rec strictly: one JSON object, no unknown
// fields. It returns the problem as an Error without file and line.
func decode(b []byte, rec any) *Error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(rec); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Message: "unexpected data after the JSON object"}
	}
	return nil
}

func decodeError(err error) *Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{Message: "invalid JSON: " + strings.TrimPrefix(syn.Error(), "json: ")}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Message: "invalid JSON: unexpected end of line"}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &Error{Message: "expected a JSON object, got " + jsonKind(typ.Value)}
		}
		return &Error{Field: typ.Field, Message: "expected " + jsonType(typ.Type) + ", got " + jsonKind(typ.Value)}
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &Error{Field: strings.Trim(name, `"`), Message: "unknown field"}
	}
	return &Error{Message: "invalid JSON: " + strings.TrimPrefix(msg, "json: ")}
}

// jsonKind names the JSON value the decoder met ("number 1.5" stays as is).
func jsonKind(v string) string {
	if v == "bool" {
		return "boolean"
	}
	return v
}

// jsonType names the JSON type a Go field of type t wants.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "integer"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Slice:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return t.String()
}
