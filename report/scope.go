package report

import (
	"context"
	"slices"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
)

// The hand-written SQL of the reports does not pass through ent's privacy
// policies, so the scope is resolved first into lists of ids that the SQL
// then filters on: from the principal's auth.Visible, the value the
// policies' predicates come from too, or through ent, where they apply.

// groupScope is the set of groups a question report covers: all groups, or
// those listed.
type groupScope struct {
	all bool
	ids []gid.GroupID
}

// checkGroups returns Forbidden unless p may see every group of ids; an
// id that does not exist is refused in the same way as one out of scope.
func checkGroups(ctx context.Context, d *db.DB, p *auth.Principal, ids []gid.GroupID) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := d.Client.Group.Query().Where(group.IDIn(ids...)).Count(auth.NewContext(ctx, p))
	if err != nil {
		return dbError(err)
	}
	if n != len(ids) {
		return errForbidden("groupIds")
	}
	return nil
}

// checkSchools is checkGroups for schools.
func checkSchools(ctx context.Context, d *db.DB, p *auth.Principal, ids []gid.SchoolID) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := d.Client.School.Query().Where(school.IDIn(ids...)).Count(auth.NewContext(ctx, p))
	if err != nil {
		return dbError(err)
	}
	if n != len(ids) {
		return errForbidden("schoolIds")
	}
	return nil
}

// resolveGroups returns the groups a report over groups covers: the
// requested ones (which must be in scope), else those of the requested
// schools (idem), else every group the token sees.
func resolveGroups(ctx context.Context, d *db.DB, p *auth.Principal, groups []gid.GroupID, schools []gid.SchoolID) (groupScope, error) {
	if err := checkGroups(ctx, d, p, groups); err != nil {
		return groupScope{}, err
	}
	if err := checkSchools(ctx, d, p, schools); err != nil {
		return groupScope{}, err
	}
	if len(schools) == 0 {
		if len(groups) > 0 {
			return groupScope{ids: groups}, nil
		}
		if p.Visible().All() {
			return groupScope{all: true}, nil
		}
	}
	q := d.Client.Group.Query()
	if len(groups) > 0 {
		q.Where(group.IDIn(groups...))
	}
	if len(schools) > 0 {
		q.Where(group.SchoolIDIn(schools...))
	}
	ids, err := q.IDs(auth.NewContext(ctx, p))
	if err != nil {
		return groupScope{}, dbError(err)
	}
	slices.SortFunc(ids, func(a, b gid.GroupID) int { return slices.Compare(a[:], b[:]) })
	return groupScope{ids: ids}, nil
}

// schoolScope is the part of the platform a report over schools covers.
type schoolScope struct {
	all     bool
	schools []gid.SchoolID // when set, only these schools
	groups  []gid.GroupID  // when set, only these groups (a group-scoped token)
}

// resolveSchools returns what a report over schools covers: the requested
// schools (which must be in scope) or all the token's schools; a
// group-scoped token is further limited to its groups.
func resolveSchools(ctx context.Context, d *db.DB, p *auth.Principal, schools []gid.SchoolID) (schoolScope, error) {
	if err := checkSchools(ctx, d, p, schools); err != nil {
		return schoolScope{}, err
	}
	v := p.Visible()
	s := schoolScope{all: v.All() && len(schools) == 0, schools: schools, groups: v.Groups()}
	if len(schools) == 0 && !v.All() {
		s.schools = v.Schools()
	}
	return s, nil
}
