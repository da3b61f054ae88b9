package graph

import (
	"context"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/ent"

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
		return "", apperr.InvalidField("id", "Invalid id %q.", id)
	}
	table, ok := nodeTables[typ]
	if !ok {
		return "", apperr.InvalidField("id", "Invalid id %q: no node type %q.", id, typ)
	}
	return table, nil
}

// MaxNodes is the most ids nodes(ids:) takes.
const MaxNodes = 100

// nodes resolves each id as node(id:) does: an id that does not exist or
// lies outside the token's scope is null. (ent's Noders matches the rows it
// loads by their marshaled, quoted ids, and so finds none of several.)
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]ent.Noder, error) {
	if len(ids) > MaxNodes {
		return nil, apperr.InvalidField("ids", "nodes takes at most %d ids.", MaxNodes)
	}
	out := make([]ent.Noder, len(ids))
	for i, id := range ids {
		n, err := r.Client.Noder(ctx, id, ent.WithNodeType(nodeType))
		switch {
		case ent.IsNotFound(err):
		case err != nil:
			return nil, err
		default:
			out[i] = n
		}
	}
	return out, nil
}
