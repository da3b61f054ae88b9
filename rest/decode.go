package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/report"
)

// MaxBodyBytes is the size of the largest request body the REST layer reads;
// a larger one is answered with 413.
const MaxBodyBytes = 1 << 20

// MaxNameLength is the longest name, in characters, of a groups-usage report.
// The spec sets no limit; the name is only echoed back, so a short one is
// all a client can mean and a long one is refused rather than cut.
const MaxNameLength = 200

// QuestionsRequest is the body of POST /reports/questions:
//
//	{"start_date": ms, "end_date": ms, "group_ids": ["<uuid>", ...]}
//
// The decoders read the wire format only: the rules of the values (dates
// required and in order, groups required by groups usage) are package
// report's, which checks them for REST and GraphQL alike. A date that is
// absent or null decodes to the zero time, which report calls missing.
type QuestionsRequest struct {
	StartDate time.Time // start_date; UTC
	EndDate   time.Time // end_date; UTC
	// GroupIDs (group_ids, optional) are the groups to report on, without
	// duplicates; none, when absent, null or [], means all the token may see.
	GroupIDs []gid.GroupID
	Ignored  []string // see IgnoredFields
}

// BookingsRequest is the body of POST /reports/bookings:
//
//	{"start_date": ms, "end_date": ms, "school_ids": ["<uuid>", ...]}
type BookingsRequest struct {
	StartDate time.Time // start_date; UTC
	EndDate   time.Time // end_date; UTC
	// SchoolIDs (school_ids, optional) are the schools to report on, without
	// duplicates; none, when absent, null or [], means all the token may see.
	SchoolIDs []gid.SchoolID
	Ignored   []string // see IgnoredFields
}

// WorkloadRequest is the body of POST /reports/bookings-workload:
//
//	{"school_ids": ["<uuid>", ...]}
//
// Every field is optional, so an empty body is the same as {}.
type WorkloadRequest struct {
	// SchoolIDs (school_ids, optional) are the schools to report on, without
	// duplicates; none, when absent, null or [], means all the token may see.
	SchoolIDs []gid.SchoolID
	Ignored   []string // see IgnoredFields
}

// GroupsUsageRequest is the body of POST /reports/groups-usage:
//
//	{"start_date": ms, "end_date": ms, "group_ids": ["<uuid>", ...],
//	 "name": "...", "show_disciplines": bool, "show_teachers": bool}
type GroupsUsageRequest struct {
	StartDate time.Time // start_date; UTC
	EndDate   time.Time // end_date; UTC
	// GroupIDs (group_ids) are the groups to report on, without
	// duplicates: nil when absent or null, empty for [] (report requires
	// at least one).
	GroupIDs        []gid.GroupID
	Name            string   // name, optional, at most MaxNameLength characters
	ShowDisciplines bool     // show_disciplines, optional
	ShowTeachers    bool     // show_teachers, optional
	Ignored         []string // see IgnoredFields
}

// IgnoredFields is how many names of unknown members a request's Ignored
// keeps, and MaxIgnoredName how many characters of each: legacy clients
// send members that no endpoint knows (start_date to bookings-workload,
// group_ids to bookings), which are ignored and only logged by name, so a
// body of a thousand long names cannot fill the log.
const (
	IgnoredFields  = 10
	MaxIgnoredName = 64
)

// The report inputs the requests ask for.
func (q QuestionsRequest) input() report.QuestionsInput {
	return report.QuestionsInput{From: q.StartDate, To: q.EndDate, GroupIDs: q.GroupIDs}
}
func (b BookingsRequest) input() report.BookingsInput {
	return report.BookingsInput{From: b.StartDate, To: b.EndDate, SchoolIDs: b.SchoolIDs}
}
func (g GroupsUsageRequest) input() report.GroupsUsageInput {
	return report.GroupsUsageInput{From: g.StartDate, To: g.EndDate, GroupIDs: g.GroupIDs,
		ShowTeachers: g.ShowTeachers, ShowDisciplines: g.ShowDisciplines}
}

// DecodeQuestions reads the body of a questions request.
func DecodeQuestions(r *http.Request) (QuestionsRequest, error) {
	f, ignored, err := readFields(r, "start_date", "end_date", "group_ids")
	if err != nil {
		return QuestionsRequest{}, err
	}
	q := QuestionsRequest{Ignored: ignored}
	if q.StartDate, q.EndDate, err = f.dateRange(); err != nil {
		return QuestionsRequest{}, err
	}
	if q.GroupIDs, err = ids[gid.GroupID](f, "group_ids", "Invalid group id."); err != nil {
		return QuestionsRequest{}, err
	}
	return q, nil
}

// DecodeBookings reads the body of a bookings request.
func DecodeBookings(r *http.Request) (BookingsRequest, error) {
	f, ignored, err := readFields(r, "start_date", "end_date", "school_ids")
	if err != nil {
		return BookingsRequest{}, err
	}
	b := BookingsRequest{Ignored: ignored}
	if b.StartDate, b.EndDate, err = f.dateRange(); err != nil {
		return BookingsRequest{}, err
	}
	if b.SchoolIDs, err = ids[gid.SchoolID](f, "school_ids", "Invalid school id."); err != nil {
		return BookingsRequest{}, err
	}
	return b, nil
}

// DecodeWorkload reads the body of a bookings-workload request.
func DecodeWorkload(r *http.Request) (WorkloadRequest, error) {
	f, ignored, err := readFields(r, "school_ids")
	if err != nil {
		return WorkloadRequest{}, err
	}
	w := WorkloadRequest{Ignored: ignored}
	if w.SchoolIDs, err = ids[gid.SchoolID](f, "school_ids", "Invalid school id."); err != nil {
		return WorkloadRequest{}, err
	}
	return w, nil
}

// DecodeGroupsUsage reads the body of a groups-usage request.
func DecodeGroupsUsage(r *http.Request) (GroupsUsageRequest, error) {
	f, ignored, err := readFields(r, "start_date", "end_date", "group_ids", "name", "show_disciplines", "show_teachers")
	if err != nil {
		return GroupsUsageRequest{}, err
	}
	g := GroupsUsageRequest{Ignored: ignored}
	if g.StartDate, g.EndDate, err = f.dateRange(); err != nil {
		return GroupsUsageRequest{}, err
	}
	if g.GroupIDs, err = ids[gid.GroupID](f, "group_ids", "Invalid group id."); err != nil {
		return GroupsUsageRequest{}, err
	}
	if g.Name, err = f.text("name", MaxNameLength); err != nil {
		return GroupsUsageRequest{}, err
	}
	if g.ShowDisciplines, err = f.bool("show_disciplines"); err != nil {
		return GroupsUsageRequest{}, err
	}
	if g.ShowTeachers, err = f.bool("show_teachers"); err != nil {
		return GroupsUsageRequest{}, err
	}
	return g, nil
}

// fields are the members of a request body's JSON object, by name, as raw
// JSON. An empty body has no fields.
type fields map[string]json.RawMessage

// readFields reads the body of r, at most MaxBodyBytes, and returns the
// members of the JSON object it holds whose names are among allowed,
// matched exactly (encoding/json would match "START_DATE" too); such a
// member given twice is refused. The other members are ignored: it returns
// the names of the first IgnoredFields of them, each cut to MaxIgnoredName
// characters, for the log.
//
// The body is read as JSON (UTF-8) whatever the Content-Type says: legacy
// clients send JSON as curl's default application/x-www-form-urlencoded,
// as text/plain, or with no type at all. A body that is not a JSON object
// is refused all the same. (Accepting these types opens no door to other
// sites: a browser sends no Authorization header across sites without a
// preflight the server does not grant.)
func readFields(r *http.Request, allowed ...string) (fields, []string, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, nil, err
	}

	// Decode one whole value first, so that any malformed body, truncated
	// or not, is reported as such before its content is looked at.
	dec := json.NewDecoder(bytes.NewReader(body))
	var obj json.RawMessage
	if err := dec.Decode(&obj); err == io.EOF {
		return fields{}, nil, nil // empty or blank body
	} else if err != nil {
		return nil, nil, &apperr.Error{Code: apperr.Invalid, Message: "Malformed JSON.", Err: err}
	}
	if obj[0] != '{' {
		return nil, nil, apperr.Errorf(apperr.Invalid, "The request body must be a JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, apperr.Errorf(apperr.Invalid, "Unexpected data after the JSON object.")
	}

	// Walk the members of the object, which is known to be well-formed.
	f := fields{}
	var ignored []string
	dec = json.NewDecoder(bytes.NewReader(obj))
	dec.Token() // {
	for dec.More() {
		tok, err := dec.Token()
		name, ok := tok.(string)
		var value json.RawMessage
		if err != nil || !ok || dec.Decode(&value) != nil {
			return nil, nil, apperr.Errorf(apperr.Invalid, "Malformed JSON.") // unreachable
		}
		switch _, dup := f[name]; {
		case !slices.Contains(allowed, name):
			if name = cut(name, MaxIgnoredName); len(ignored) < IgnoredFields && !slices.Contains(ignored, name) {
				ignored = append(ignored, name)
			}
		case dup:
			return nil, nil, apperr.InvalidField(name, "Duplicate field %q.", name)
		default:
			f[name] = value
		}
	}
	return f, ignored, nil
}

// cut returns s cut to max characters, with "…" for what was cut.
func cut(s string, max int) string {
	i, n := 0, 0
	for i = range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// readBody reads the body of r, refusing one over MaxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	var tooLarge *http.MaxBytesError // the caller may have limited the body already
	if len(body) > MaxBodyBytes || errors.As(err, &tooLarge) {
		return nil, apperr.Errorf(apperr.TooLarge, "Request body too large.")
	}
	if err != nil {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "Could not read the request body.", Err: err}
	}
	return body, nil
}

// get returns the raw value of the field name; a field that is absent or
// null is not there.
func (f fields) get(name string) (json.RawMessage, bool) {
	v, ok := f[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// dateRange returns start_date and end_date, the bounds of an inclusive
// range.
func (f fields) dateRange() (start, end time.Time, err error) {
	if start, err = f.date("start_date"); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if end, err = f.date("end_date"); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return start, end, nil
}

// The dates a request may name: the years 0 to 9999, in UTC.
var (
	minMillis = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	maxMillis = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli()
)

var (
	errNotInteger = errors.New("not an integer")
	errOutOfRange = errors.New("out of range")
)

// date returns the date field name, in milliseconds since the epoch: a
// JSON number that is an integer (1700000000000, also written 1.7e12 or
// 1700000000000.0; 1.5 is refused), or a string of decimal digits with an
// optional leading '-'. Absent or null, it is the zero time.
func (f fields) date(name string) (time.Time, error) {
	raw, ok := f.get(name)
	if !ok {
		return time.Time{}, nil
	}
	var s string
	switch c := raw[0]; {
	case c == '"':
		if json.Unmarshal(raw, &s) != nil || !isDigits(strings.TrimPrefix(s, "-")) {
			s = ""
		}
	case c == '-' || '0' <= c && c <= '9':
		s = string(raw)
	}
	ms, err := integer(s)
	if err == nil && (ms < minMillis || ms > maxMillis) {
		err = errOutOfRange
	}
	switch err {
	case nil:
		return time.UnixMilli(ms).UTC(), nil
	case errOutOfRange:
		return time.Time{}, apperr.InvalidField(name, "Invalid %s: out of range (years 0 to 9999).", name)
	default:
		return time.Time{}, apperr.InvalidField(name, "Invalid %s: expected milliseconds since the epoch.", name)
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// integer returns the value of s, a JSON number, if it is an integer, in any
// notation: exactly, without going through a float64. It returns
// errNotInteger for anything else, and errOutOfRange for an integer that
// does not fit in 18 digits.
func integer(s string) (int64, error) {
	if s == "" {
		return 0, errNotInteger
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			if !isDigits(strings.TrimLeft(s[i+1:], "+-")) {
				return 0, errNotInteger
			}
			// Beyond int: only the sign matters.
			e = 1e9
			if s[i+1] == '-' {
				e = -1e9
			}
		}
		exp = e
	}
	neg := strings.HasPrefix(mant, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(mant, "-"), ".")
	if !isDigits(whole) || frac != "" && !isDigits(frac) {
		return 0, errNotInteger
	}
	// The value is digits × 10^exp, digits without leading or trailing zeros.
	digits := strings.TrimLeft(whole+frac, "0")
	exp -= len(frac)
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	switch {
	case digits == "":
		return 0, nil
	case exp < 0:
		return 0, errNotInteger
	case len(digits)+exp > 18:
		return 0, errOutOfRange
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", exp), 10, 64)
	if err != nil {
		return 0, errOutOfRange // unreachable: 18 digits fit
	}
	if neg {
		n = -n
	}
	return n, nil
}

// ids returns the id array field name, without duplicates and in the
// order given; nil when it is absent or null, empty (not nil) when it is
// []. An element that is not a well-formed UUID string is an error with
// the message invalid.
func ids[T ~[16]byte](f fields, name, invalid string) ([]T, error) {
	raw, ok := f.get(name)
	if !ok {
		return nil, nil
	}
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, apperr.InvalidField(name, "%s must be an array of ids.", name)
	}
	out := []T{}
	seen := make(map[T]bool, len(elems))
	for _, e := range elems {
		var s string
		if e[0] != '"' || json.Unmarshal(e, &s) != nil {
			return nil, apperr.InvalidField(name, "%s", invalid)
		}
		u, err := gid.ParseUUID(s)
		if err != nil {
			return nil, &apperr.Error{Code: apperr.Invalid, Field: name, Message: invalid, Err: err}
		}
		if id := T(u); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// bool returns the optional boolean field name, false when absent or null:
// a JSON boolean, or a string that strconv.ParseBool reads ("true", "True",
// "TRUE", "t", "1" and their false twins), as legacy clients send
// booleans the way they send dates, as strings.
func (f fields) bool(name string) (bool, error) {
	raw, ok := f.get(name)
	if !ok {
		return false, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		if b, err := strconv.ParseBool(s); err == nil {
			return b, nil
		}
	}
	return false, apperr.InvalidField(name, "%s must be a boolean.", name)
}

// text returns the optional string field name, "" when absent or null, of
// at most max characters.
func (f fields) text(name string, max int) (string, error) {
	raw, ok := f.get(name)
	if !ok {
		return "", nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", apperr.InvalidField(name, "%s must be a string.", name)
	}
	if utf8.RuneCountInString(s) > max {
		return "", apperr.InvalidField(name, "%s must be at most %d characters.", name, max)
	}
	return s, nil
}
