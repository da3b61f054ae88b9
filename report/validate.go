package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/stift/stift-reports/apperr"
)

// The rules of the reports' inputs live here, once: every report function
// validates its input before it reads anything, so that the REST and the
// GraphQL adapters, which only parse their wire formats, cannot disagree
// about what a valid request is.

// InputError is a request for a report that breaks one of its rules.
//
// Field names the input at fault by its name in the GraphQL API (from,
// groupIds, timeBucket…); an adapter whose wire format names it otherwise
// renames it, in the message too, with Message. Unwrapped, it is the
// apperr.Error (Invalid, with Field) the adapters answer with: 400 in REST,
// BAD_USER_INPUT in GraphQL.
type InputError struct {
	Field string // the input at fault
	Other string // another input the message names, or ""
	// format is the message, with Field's name as %[1]s, Other's as
	// %[2]s and values from %[3]v on, so that a value that holds a
	// percent sign is never read as a verb.
	format string
	values []any
}

// inputError returns an InputError about field, whose message format
// names field as %[1]s, other as %[2]s and values from %[3]v on.
func inputError(field, other, format string, values ...any) *InputError {
	return &InputError{Field: field, Other: other, format: format, values: values}
}

// Message returns the message, with the inputs called what name returns
// for them (nil: their GraphQL names).
func (e *InputError) Message(name func(field string) string) string {
	if name == nil {
		name = func(f string) string { return f }
	}
	return fmt.Sprintf(e.format, append([]any{name(e.Field), name(e.Other)}, e.values...)...)
}

func (e *InputError) Error() string { return e.Message(nil) }

// Unwrap returns the error as package apperr knows it.
func (e *InputError) Unwrap() error {
	return &apperr.Error{Code: apperr.Invalid, Field: e.Field, Message: e.Message(nil)}
}

// Page sizes of the paged reports (QuestionsInput.Limit and
// BookingsInput.Limit, the GraphQL argument first).
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// PageLimit returns the Limit of a page of first rows (DefaultPageSize
// when first is nil): one row more than the page, so that the reader can
// tell whether another page follows.
func PageLimit(first *int) (int, error) {
	size := DefaultPageSize
	if first != nil {
		size = *first
	}
	if size < 0 || size > MaxPageSize {
		return 0, errPageSize()
	}
	return size + 1, nil
}

func errPageSize() *InputError {
	return inputError("first", "", "%[1]s must be between 0 and %[3]d.", MaxPageSize)
}

// LoadTimezone returns the time zone named name, an IANA name such as
// America/Sao_Paulo or UTC. "" and "Local" (the server's zone, which
// time.LoadLocation would give) name none.
func LoadTimezone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, inputError("timezone", "", "Unknown time zone %[3]q.", name)
	}
	return loc, nil
}

// Validate reports the first rule the input breaks: From and To are
// required, From not after To; Limit is a page's (see PageLimit);
// statuses must be known.
func (in *QuestionsInput) Validate() error {
	if err := validatePeriod(in.From, in.To); err != nil {
		return err
	}
	if err := validateLimit(in.Limit); err != nil {
		return err
	}
	return validateValues("statuses", in.Statuses, QuestionStatuses)
}

// Validate reports the first rule the input breaks, as QuestionsInput's.
func (in *BookingsInput) Validate() error {
	if err := validatePeriod(in.From, in.To); err != nil {
		return err
	}
	if err := validateLimit(in.Limit); err != nil {
		return err
	}
	return validateValues("statuses", in.Statuses, BookingStatuses)
}

// Validate reports the first rule the input breaks: From and To are
// required, From not after To; GroupIDs are required (nil: missing) and
// not empty.
func (in *GroupsUsageInput) Validate() error {
	if err := validatePeriod(in.From, in.To); err != nil {
		return err
	}
	switch {
	case in.GroupIDs == nil:
		return inputError("groupIds", "", "Missing %[1]s.")
	case len(in.GroupIDs) == 0:
		return inputError("groupIds", "", "%[1]s must not be empty.")
	}
	return nil
}

// Validate reports the first rule the options break: the time bucket
// must be known. (How many buckets a period makes depends on the time
// zones of the schools in scope: the stats check it once they are known.)
func (o StatsOptions) Validate() error {
	if o.TimeBucket != "" && !slices.Contains([]TimeBucket{BucketDay, BucketWeek, BucketMonth}, o.TimeBucket) {
		return inputError("timeBucket", "", "Unknown time bucket %[3]q.", string(o.TimeBucket))
	}
	return nil
}

// prepare validates the input and drops repeated ids: a list of ids is a
// set (the REST decoder drops repeats too), and the scope checks count
// the ids they find. The report functions take their input by value and
// run on what prepare leaves of it.
func (in *QuestionsInput) prepare() error {
	if err := in.Validate(); err != nil {
		return err
	}
	in.GroupIDs, in.SchoolIDs = distinct(in.GroupIDs), distinct(in.SchoolIDs)
	return nil
}

func (in *BookingsInput) prepare() error {
	if err := in.Validate(); err != nil {
		return err
	}
	in.GroupIDs, in.SchoolIDs = distinct(in.GroupIDs), distinct(in.SchoolIDs)
	return nil
}

func (in *GroupsUsageInput) prepare() error {
	if err := in.Validate(); err != nil {
		return err
	}
	in.GroupIDs = distinct(in.GroupIDs)
	return nil
}

// distinct returns ids without repeats, in their order (nil stays nil).
func distinct[T comparable](ids []T) []T {
	seen := make(map[T]bool, len(ids))
	return slices.DeleteFunc(slices.Clone(ids), func(id T) bool {
		dup := seen[id]
		seen[id] = true
		return dup
	})
}

// validatePeriod checks the bounds of a report's period. A zero time is a
// missing one: it is what an absent date decodes to, and as a date (the
// first instant of the year 1, UTC) no client means it.
func validatePeriod(from, to time.Time) error {
	switch {
	case from.IsZero():
		return inputError("from", "", "Missing %[1]s.")
	case to.IsZero():
		return inputError("to", "", "Missing %[1]s.")
	case from.After(to):
		return inputError("from", "to", "%[1]s is after %[2]s.")
	}
	return nil
}

// validateLimit checks the Limit of a page: at most a page and the row
// that tells whether another follows; 0 for no limit.
func validateLimit(limit int) error {
	if limit < 0 || limit > MaxPageSize+1 {
		return errPageSize()
	}
	return nil
}

// validateValues checks that each status of values is among known.
func validateValues[T comparable](field string, values, known []T) error {
	for _, v := range values {
		if !slices.Contains(known, v) {
			return inputError(field, "", "Unknown status %[3]q in %[1]s.", fmt.Sprint(v))
		}
	}
	return nil
}
