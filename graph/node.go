package graph

import (
	"context"
	"fmt"

	"github.com/stift/stift-reports/ent/availabilityslot"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/discipline"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/npsanswer"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/ent/subject"
	"github.com/stift/stift-reports/ent/user"
)

// nodeTables maps the type name inside a global id to the node's table.
var nodeTables = map[string]string{
	"School":           school.Table,
	"Group":            group.Table,
	"User":             user.Table,
	"Discipline":       discipline.Table,
	"Subject":          subject.Table,
	"Question":         question.Table,
	"Booking":          booking.Table,
	"BookingRoom":      bookingroom.Table,
	"AvailabilitySlot": availabilityslot.Table,
	"NPSAnswer":        npsanswer.Table,
}

// nodeType resolves the table of a global id, for ent's Noder.
func nodeType(_ context.Context, id string) (string, error) {
	typ, _, err := gid.Decode(id)
	if err != nil {
		return "", err
	}
	table, ok := nodeTables[typ]
	if !ok {
		return "", fmt.Errorf("invalid id %q: no node type %q", id, typ)
	}
	return table, nil
}
