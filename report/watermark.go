package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/db"
)

// Watermark is what a report's answer depends on besides its request and
// its principal: the data, and for the reports that read it, the clock.
// Two reads of equal watermarks see the same answer to the same request.
type Watermark struct {
	// Version counts the changes to the tables reports read (the data
	// version, db/watermark.go).
	Version int64
	// Salt is the database's own random secret, to key what is made of
	// the watermark (ETags): the same on every server of the database.
	Salt string
	// Clock is what the current time contributes to the answers of the
	// reports that read it, "" unless asked for (see ReadWatermark).
	Clock string
}

// ReadWatermark reads the watermark of d in one statement; with clock, it
// includes what now contributes to the reports that read it.
//
// Of the reports, only the bookings (the REST report, bookingsReport and
// bookingStats) read the clock, through the status of each booking at now
// (bookingStatusSQL) and the bookings that have passed (scheduled_for <
// now). Their answer changes with time only when now passes a booking's
// scheduled_for (PENDING becomes NO_SHOW, the booking counts as passed) or
// midnight in a school's time zone (today's queue becomes NOT_REALIZED).
// So Clock is the latest scheduled_for before now and today's date in the
// zone of every school: it changes at those moments and at no others, and
// an answer revalidated in between is the one the report would give.
func ReadWatermark(ctx context.Context, d *db.DB, now time.Time, clock bool) (Watermark, error) {
	var w Watermark
	q := newQuery(d.Dialect).add(`SELECT v.version, v.salt`)
	if clock {
		zones := `group_concat(DISTINCT s.timezone)`
		if d.Dialect == dialect.Postgres {
			zones = `string_agg(DISTINCT s.timezone, ',')`
		}
		// The bookings' index on scheduled_for finds the latest in one step.
		q.add(`, (SELECT b.scheduled_for FROM bookings b WHERE b.scheduled_for < ?
			ORDER BY b.scheduled_for DESC LIMIT 1), (SELECT `+zones+` FROM schools s)`, now)
	}
	q.add(` FROM data_version v WHERE v.id = 1`)
	dest := []any{&w.Version, &w.Salt}
	var passed, zones any
	if clock {
		dest = append(dest, &passed, &zones)
	}
	if err := d.SQL.QueryRowContext(ctx, q.b.String(), q.args...).Scan(dest...); err != nil {
		return w, fmt.Errorf("report: read the data version: %w", err)
	}
	if clock {
		w.Clock = clockKey(now, passed, zones)
	}
	return w, nil
}

// clockKey writes what now contributes to the bookings' answers: passed,
// the latest scheduled_for before now as the database gives it (a time on
// PostgreSQL, text on SQLite), and the date at now in each of zones, the
// comma-separated time zones of the schools.
func clockKey(now time.Time, passed, zones any) string {
	var b strings.Builder
	switch v := passed.(type) {
	case time.Time:
		b.WriteString(v.UTC().Format(time.RFC3339Nano))
	case nil:
	default:
		fmt.Fprintf(&b, "%s", v)
	}
	var names []string
	switch v := zones.(type) {
	case string:
		names = strings.Split(v, ",")
	case []byte:
		names = strings.Split(string(v), ",")
	}
	slices.Sort(names)
	for _, name := range names {
		b.WriteString(";")
		b.WriteString(name)
		// A zone that does not load fails the report itself.
		if loc, err := time.LoadLocation(name); err == nil {
			b.WriteString("=")
			b.WriteString(now.In(loc).Format(time.DateOnly))
		}
	}
	return b.String()
}
