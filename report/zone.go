package report

import (
	"context"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
)

// BookingsZone returns the time zone in which the bookings report of in
// gives all its dates: that of its schools when they share one, else UTC
// (each row's dates are in its own school's zone). The REST downloads name
// their files in it, so that the file's dates are the report's.
func BookingsZone(ctx context.Context, d *db.DB, p *auth.Principal, in BookingsInput) (*time.Location, error) {
	sel, err := selectBookings(ctx, d, p, in)
	if err != nil {
		return nil, err
	}
	var zone *time.Location
	for _, loc := range sel.zones {
		if zone != nil && loc.String() != zone.String() {
			return time.UTC, nil
		}
		zone = loc
	}
	if zone == nil {
		return time.UTC, nil
	}
	return zone, nil
}
