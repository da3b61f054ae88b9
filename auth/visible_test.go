package auth

import (
	"testing"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// TestVisibleFailsClosed: every scope but ALL filters, whatever its lists
// hold, and a scope this code does not know sees nothing.
func TestVisibleFailsClosed(t *testing.T) {
	s, g := gid.SchoolID{1}, gid.GroupID{2}
	for _, tc := range []struct {
		name        string
		p           Principal
		all         bool
		sees        bool // school s
		groupsLimit bool
	}{
		{"all", Principal{Scope: ScopeAll}, true, true, false},
		{"schools", Principal{Scope: ScopeSchools, SchoolIDs: []gid.SchoolID{s}}, false, true, false},
		{"no schools", Principal{Scope: ScopeSchools}, false, false, false},
		{"groups", Principal{Scope: ScopeGroups, SchoolIDs: []gid.SchoolID{s}, GroupIDs: []gid.GroupID{g}}, false, true, true},
		{"no groups", Principal{Scope: ScopeGroups}, false, false, true},
		{"unknown scope", Principal{Scope: "EVERYTHING", SchoolIDs: []gid.SchoolID{s}}, false, false, true},
		{"empty scope", Principal{}, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.p.Visible()
			if v.All() != tc.all || v.SeesSchool(s) != tc.sees || (v.Groups() != nil) != tc.groupsLimit {
				t.Errorf("All %v, sees %v, groups %v; want %v, %v, limited %v", v.All(), v.SeesSchool(s), v.Groups(), tc.all, tc.sees, tc.groupsLimit)
			}
			filters := []bool{v.School() != nil, v.Group() != nil, v.User() != nil, v.Question() != nil,
				v.Booking() != nil, v.Room() != nil, v.Slot() != nil, v.NPSAnswer() != nil}
			for i, f := range filters {
				if f == tc.all {
					t.Errorf("predicate %d: filters %v with All %v", i, f, tc.all)
				}
			}
		})
	}
}
