package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

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

// The bounds of the values an import accepts, beyond those of the ent
// schema (ratings, scores, weekdays and minutes, which the parser checks
// with the same ranges). docs/import.md lists them all.
const (
	// maxMinCancelHours is a year: the bookings report subtracts
	// min_cancel_hours as an interval from scheduled_for, and a huge value
	// makes PostgreSQL fail the whole report ("interval out of range").
	maxMinCancelHours = 365 * 24
	// maxIntID bounds discipline and subject ids to a 32-bit integer: the
	// legacy reports print them as JSON numbers, and in this range every
	// client (JavaScript's doubles, spreadsheets' 15 digits) keeps them
	// exact. The platform's own ids are far below it.
	maxIntID = 1<<31 - 1
	// maxServiceWindows bounds a school's service hours (ten windows a
	// day): computing a question's adjusted response time visits every
	// window for every day the question waited.
	maxServiceWindows = 70
)

// minTime and maxTime bound every time of an import. Within them any two
// times are less than 292 years apart, so their difference fits in a
// time.Duration (the reports compute meeting lengths and response times
// that way, and a longer span would silently saturate), and a question's
// adjusted response time visits a bounded number of days.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// text returns a string field; ok is false when it is absent (reported if
// required) or not valid text (always reported).
func (p *parser) text(field string, t *text, required bool) (string, bool) {
	if t == nil {
		if required {
			p.fail(field, missing)
		}
		return "", false
	}
	if t.problem != "" {
		p.fail(field, "%s", t.problem)
		return "", false
	}
	return t.s, true
}

// uuid parses a UUID field; ok is false when it is absent or malformed.
func (p *parser) uuid(field string, t *text, required bool) (uuid.UUID, bool) {
	s, ok := p.text(field, t, required)
	if !ok {
		return uuid.Nil, false
	}
	u, err := gid.ParseUUID(s)
	if err != nil {
		p.fail(field, "malformed id %s (want a UUID)", clip(s))
		return uuid.Nil, false
	}
	return u, true
}

// int converts an integer field; ok is false when it is absent (reported
// if required) or not an integer (reported). A number beyond an int64
// comes back clamped to it, which every range of the fields excludes.
func (p *parser) int(field string, n *integer, required bool) (int64, bool) {
	if n == nil {
		if required {
			p.fail(field, missing)
		}
		return 0, false
	}
	v, err := strconv.ParseInt(string(*n), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		p.fail(field, "expected integer, got number %s", clipNumber(string(*n)))
		return 0, false
	}
	return v, true
}

// intID checks an integer id field: present (if required), positive and
// at most maxIntID.
func (p *parser) intID(field string, n *integer, required bool) (int64, bool) {
	v, ok := p.int(field, n, required)
	switch {
	case !ok:
		return 0, false
	case v <= 0:
		p.fail(field, "malformed id %s (want a positive integer)", clipNumber(string(*n)))
		return 0, false
	case v > maxIntID:
		p.fail(field, "id %s out of range [1, %d]", clipNumber(string(*n)), maxIntID)
		return 0, false
	}
	return v, true
}

// time parses an RFC 3339 time in [minTime, maxTime), returned in UTC and
// truncated to the microsecond (PostgreSQL's precision, so both databases
// store the same).
func (p *parser) time(field string, t *text, required bool) *time.Time {
	s, ok := p.text(field, t, required)
	if !ok {
		return nil
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		p.fail(field, "not an RFC 3339 time: %s", clip(s))
		return nil
	}
	if tm.Before(minTime) || !tm.Before(maxTime) {
		p.fail(field, "%s out of range [%s, %s)", clip(s), minTime.Format(time.RFC3339), maxTime.Format(time.RFC3339))
		return nil
	}
	tm = tm.UTC().Truncate(time.Microsecond)
	return &tm
}

// str returns a string field, "" when absent.
func (p *parser) str(field string, t *text, required, nonEmpty bool) string {
	s, ok := p.text(field, t, required)
	if ok && nonEmpty && strings.TrimSpace(s) == "" {
		p.fail(field, "must not be empty")
	}
	return s
}

// optStr returns a nullable text column's value.
func (p *parser) optStr(field string, t *text) any {
	s, ok := p.text(field, t, false)
	if !ok {
		return nil
	}
	return s
}

// enum returns an enum field, def when absent (def "" means required).
func (p *parser) enum(field string, t *text, def string, values ...string) string {
	if t == nil {
		if def == "" {
			p.fail(field, missing)
		}
		return def
	}
	s, ok := p.text(field, t, false)
	if !ok {
		return ""
	}
	for _, v := range values {
		if s == v {
			return v
		}
	}
	p.fail(field, "invalid value %s (want one of %s)", clip(s), strings.Join(values, ", "))
	return ""
}

// intIn checks an integer field lies in [lo, hi]; def is used when absent
// unless required.
func (p *parser) intIn(field string, n *integer, required bool, def, lo, hi int64) int64 {
	v, ok := p.int(field, n, required)
	if !ok {
		return def
	}
	if v < lo || v > hi {
		p.fail(field, "%s out of range [%d, %d]", clipNumber(string(*n)), lo, hi)
	}
	return v
}

// rating checks an optional 0–5 rating with at most one decimal.
func (p *parser) rating(field string, f *decimal) any {
	if f == nil {
		return nil
	}
	// Any JSON number parses; one beyond a float64 comes back as ±Inf,
	// out of range below.
	v, _ := strconv.ParseFloat(string(*f), 64)
	if v < 0 || v > 5 {
		p.fail(field, "%s out of range [0, 5]", clipNumber(string(*f)))
		return nil
	}
	if tenths := v * 10; math.Abs(tenths-math.Round(tenths)) > 1e-9 {
		p.fail(field, "%s has more than one decimal", clipNumber(string(*f)))
		return nil
	}
	return math.Round(v*10) / 10
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
		// The name is quoted by encoding/json; only its length needs a bound.
		name = strings.Trim(name, `"`)
		if len(name) > maxShown {
			name = truncate(name) + "…"
		}
		return &Error{Field: name, Message: "unknown field"}
	}
	return &Error{Message: "invalid JSON: " + strings.TrimPrefix(msg, "json: ")}
}

// jsonKind names the JSON value the decoder met.
func jsonKind(v string) string {
	if v == "bool" {
		return "boolean"
	}
	return v
}

// maxShown is the most bytes of a value an error message repeats: a
// hostile line may hold a 16 MiB string, and the messages are printed.
const maxShown = 64

// clip quotes s for a message, cut to maxShown bytes.
func clip(s string) string {
	if len(s) <= maxShown {
		return strconv.Quote(s)
	}
	return strconv.Quote(truncate(s)) + "…"
}

// clipNumber cuts a JSON number literal to maxShown bytes.
func clipNumber(n string) string {
	if len(n) <= maxShown {
		return n
	}
	return n[:maxShown] + "…"
}

// truncate cuts s to at most maxShown bytes, on a rune boundary.
func truncate(s string) string {
	if len(s) <= maxShown {
		return s
	}
	n := maxShown
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// text is a JSON string field. A string that is not valid text — invalid
// UTF-8 or an unpaired UTF-16 surrogate, which encoding/json would
// silently replace by U+FFFD, or a NUL, which PostgreSQL refuses in text
// columns with an error naming neither line nor field — is kept with its
// problem rather than failing the decoding, so that the parser reports it
// under the field's name and still checks the line's other fields.
type text struct {
	s       string
	problem string
}

var (
	stringType  = reflect.TypeFor[string]()
	integerType = reflect.TypeFor[int64]()
	decimalType = reflect.TypeFor[float64]()
)

// UnmarshalJSON takes a JSON string; null never reaches it (the field's
// pointer stays nil).
func (t *text) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: valueKind(b), Type: stringType}
	}
	raw := b[1 : len(b)-1]
	if t.problem = textProblem(raw); t.problem != "" {
		return nil
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		t.s = string(raw)
		return nil
	}
	return json.Unmarshal(b, &t.s)
}

// integer and decimal are JSON number fields, kept as written: the parser
// converts them, so that a number too large for an int64 or a float64 is
// reported with the field's range like any other value out of range,
// rather than as a line that cannot be decoded.
type (
	integer string
	decimal string
)

func (n *integer) UnmarshalJSON(b []byte) error { return numberLiteral((*string)(n), b, integerType) }
func (n *decimal) UnmarshalJSON(b []byte) error { return numberLiteral((*string)(n), b, decimalType) }

// numberLiteral stores the JSON number b in *s, or returns the type error
// encoding/json gives a field of type t for any other value.
func numberLiteral(s *string, b []byte, t reflect.Type) error {
	if len(b) == 0 || b[0] != '-' && (b[0] < '0' || b[0] > '9') {
		return &json.UnmarshalTypeError{Value: valueKind(b), Type: t}
	}
	*s = string(b)
	return nil
}

// valueKind names the kind of the JSON value b as encoding/json does in
// its type errors.
func valueKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "value"
	case b[0] == '"':
		return "string"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "number"
}

// textProblem returns what makes the body of a JSON string (between its
// quotes, escapes not yet decoded) unfit for a text column, or "". The
// decoder has already checked its syntax, escapes included.
func textProblem(raw []byte) string {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf && c != '\\' {
			i++
			continue
		}
		if c != '\\' {
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				return fmt.Sprintf("invalid UTF-8 at byte %d of the string", i)
			}
			i += size
			continue
		}
		if raw[i+1] != 'u' {
			i += 2
			continue
		}
		r := hex4(raw[i+2 : i+6])
		switch {
		case r == 0:
			return fmt.Sprintf(`NUL character (\u0000) at byte %d of the string`, i)
		case utf16.IsSurrogate(r):
			// A high surrogate must be followed by an escaped low one.
			if r < 0xdc00 && i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
				if lo := hex4(raw[i+8 : i+12]); lo >= 0xdc00 && lo <= 0xdfff {
					i += 12
					continue
				}
			}
			return fmt.Sprintf(`unpaired UTF-16 surrogate (\u%04x) at byte %d of the string`, r, i)
		}
		i += 6
	}
	return ""
}

// hex4 decodes the four hex digits of a \u escape, already checked by the
// decoder.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
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
