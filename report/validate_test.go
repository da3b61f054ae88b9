package report

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// TestValidate checks that every report function refuses an input that
// breaks a rule before it reads anything (the database here is nil), with
// an InputError that apperr knows as Invalid on the same field.
func TestValidate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := &auth.Principal{Name: "all", Scope: auth.ScopeAll}
	jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := jan.AddDate(0, 1, 0)
	ok := QuestionsInput{From: jan, To: feb}
	okBookings := BookingsInput{From: jan, To: feb}
	group := []gid.GroupID{{1}}
	questions := func(in QuestionsInput) error {
		_, err := Questions(ctx, nil, p, in)
		if _, cerr := CountQuestions(ctx, nil, p, in); (cerr == nil) != (err == nil) {
			t.Errorf("Questions and CountQuestions disagree on %+v: %v, %v", in, err, cerr)
		}
		return err
	}
	bookings := func(in BookingsInput) error {
		_, err := Bookings(ctx, nil, p, in, feb)
		if _, cerr := CountBookings(ctx, nil, p, in, feb); (cerr == nil) != (err == nil) {
			t.Errorf("Bookings and CountBookings disagree on %+v: %v, %v", in, err, cerr)
		}
		return err
	}
	usage := func(in GroupsUsageInput) error {
		_, err := GroupsUsageReport(ctx, nil, p, in)
		return err
	}
	questionStats := func(in QuestionsInput, opts StatsOptions) error {
		_, err := QuestionStats(ctx, nil, p, in, nil, opts)
		return err
	}
	bookingStats := func(in BookingsInput, opts StatsOptions) error {
		_, err := BookingStats(ctx, nil, p, in, nil, opts, feb)
		return err
	}
	for _, tc := range []struct {
		name    string
		err     error
		field   string
		message string
	}{
		{"questions without from", questions(QuestionsInput{To: feb}), "from", "Missing from."},
		{"questions without to", questions(QuestionsInput{From: jan}), "to", "Missing to."},
		{"questions from after to", questions(QuestionsInput{From: feb, To: jan}), "from", "from is after to."},
		{"questions negative limit", questions(QuestionsInput{From: jan, To: feb, Limit: -1}), "first", "first must be between 0 and 1000."},
		{"questions limit over a page", questions(QuestionsInput{From: jan, To: feb, Limit: MaxPageSize + 2}), "first", "first must be between 0 and 1000."},
		{"questions unknown status", questions(QuestionsInput{From: jan, To: feb, Statuses: []QuestionStatus{"LOST"}}), "statuses",
			`Unknown status "LOST" in statuses.`},
		{"bookings without from", bookings(BookingsInput{To: feb}), "from", "Missing from."},
		{"bookings from after to", bookings(BookingsInput{From: feb, To: jan}), "from", "from is after to."},
		{"bookings unknown status", bookings(BookingsInput{From: jan, To: feb, Statuses: []BookingStatus{"ANSWERED"}}), "statuses",
			`Unknown status "ANSWERED" in statuses.`},
		{"usage without from", usage(GroupsUsageInput{To: feb, GroupIDs: group}), "from", "Missing from."},
		{"usage from after to", usage(GroupsUsageInput{From: feb, To: jan, GroupIDs: group}), "from", "from is after to."},
		{"usage without groups", usage(GroupsUsageInput{From: jan, To: feb}), "groupIds", "Missing groupIds."},
		{"usage with no groups", usage(GroupsUsageInput{From: jan, To: feb, GroupIDs: []gid.GroupID{}}), "groupIds", "groupIds must not be empty."},
		{"question stats from after to", questionStats(QuestionsInput{From: feb, To: jan}, StatsOptions{}), "from", "from is after to."},
		{"question stats unknown bucket", questionStats(ok, StatsOptions{TimeBucket: "YEAR"}), "timeBucket", `Unknown time bucket "YEAR".`},
		{"booking stats without to", bookingStats(BookingsInput{From: jan}, StatsOptions{}), "to", "Missing to."},
		{"booking stats unknown bucket", bookingStats(okBookings, StatsOptions{TimeBucket: "day"}), "timeBucket", `Unknown time bucket "day".`},
	} {
		var ie *InputError
		var ae *apperr.Error
		if !errors.As(tc.err, &ie) || !errors.As(tc.err, &ae) {
			t.Errorf("%s: %v (%T), want an InputError", tc.name, tc.err, tc.err)
			continue
		}
		if ie.Field != tc.field || ie.Error() != tc.message || ae.Code != apperr.Invalid || ae.Field != tc.field || ae.Message != tc.message {
			t.Errorf("%s: %q on %q (apperr %s %q on %q), want %q on %q", tc.name, ie.Error(), ie.Field, ae.Code, ae.Message, ae.Field,
				tc.message, tc.field)
		}
	}
}

// TestInputErrorNames: an adapter renames the inputs in the message, and a
// value that holds a percent sign stays as it is.
func TestInputErrorNames(t *testing.T) {
	t.Parallel()
	rest := func(f string) string {
		return map[string]string{"from": "start_date", "to": "end_date"}[f]
	}
	if got := inputError("from", "to", "%[1]s is after %[2]s.").Message(rest); got != "start_date is after end_date." {
		t.Errorf("renamed: %q", got)
	}
	if _, err := LoadTimezone("%s%d/x"); err == nil || err.Error() != `Unknown time zone "%s%d/x".` {
		t.Errorf("time zone with verbs: %v", err)
	}
}

// TestPageLimit: a page of first rows reads one more; the default and the
// bounds are the package's.
func TestPageLimit(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	for _, tc := range []struct {
		first *int
		want  int
		ok    bool
	}{{nil, DefaultPageSize + 1, true}, {n(0), 1, true}, {n(MaxPageSize), MaxPageSize + 1, true}, {n(-1), 0, false}, {n(MaxPageSize + 1), 0, false}} {
		got, err := PageLimit(tc.first)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("PageLimit(%v) = %d, %v", tc.first, got, err)
		}
		var ie *InputError
		if err != nil && (!errors.As(err, &ie) || ie.Field != "first") {
			t.Errorf("PageLimit(%v): %v", tc.first, err)
		}
	}
	for _, name := range []string{"", "Local", "Mars/Base"} {
		if _, err := LoadTimezone(name); err == nil {
			t.Errorf("LoadTimezone(%q) accepted", name)
		}
	}
	if loc, err := LoadTimezone("America/Sao_Paulo"); err != nil || loc.String() != "America/Sao_Paulo" {
		t.Errorf("LoadTimezone(America/Sao_Paulo) = %v, %v", loc, err)
	}
}
