package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/bookingroom"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/user"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestReportsSortPortuguese: the reports list people, and a student's
// groups, in the order a Brazilian reader expects
// (testdb.PortugueseOrder: "Ícaro" before "Valentina", "ana" before "Ana",
// equal names by id), through the REST handler, the same on both
// databases.
func TestReportsSortPortuguese(t *testing.T) {
	t.Parallel()
	names := testdb.PortugueseOrder()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		c.Discipline.Create().SetID(1).SetName("Matemática").ExecX(ctx)
		school := c.School.Create().SetName("Escola").SaveX(ctx)
		room := c.BookingRoom.Create().SetName("Sala").SetSchool(school).SetModal(bookingroom.ModalONLINE).SaveX(ctx)
		// The student of the first name is in these groups too; their
		// list comes sorted ("Turma Zeta" before "Turma Ímpar" in bytes).
		var groups []gid.GroupID
		for _, name := range []string{"Turma Zeta", "Turma Única", "Turma acesso", "Turma Ímpar", "Turma Ação"} {
			groups = append(groups, c.Group.Create().SetName(name).SetSchool(school).SaveX(ctx).ID)
		}
		wantGroups := []string{"Turma Ação", "Turma acesso", "Turma Ímpar", "Turma Única", "Turma Zeta"}
		// People are created in reverse; ids ascend in the expected order,
		// so that equal names tie as they should.
		joined := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
		for i := len(names) - 1; i >= 0; i-- {
			teacher := c.User.Create().SetID(orderedID(1, i)).SetFirstName(names[i]).SetLastName("Silva").
				SetEmail(fmt.Sprintf("t%02d@stift.com.br", i)).SetRole(user.RoleTEACHER).SetCreatedAt(joined).
				AddDisciplineIDs(1).SaveX(ctx)
			c.AvailabilitySlot.Create().SetTeacher(teacher).SetBookingRoom(room).SetDisciplineID(1).
				SetWeekday(1).SetStartMinute(600).SetEndMinute(660).ExecX(ctx)
			student := c.User.Create().SetID(orderedID(2, i)).SetFirstName(names[i]).SetLastName("Silva").
				SetEmail(fmt.Sprintf("s%02d@stift.com.br", i)).SetRole(user.RoleSTUDENT).SetCreatedAt(joined).SaveX(ctx)
			memberOf := groups[:1]
			if i == 0 {
				memberOf = groups
			}
			for _, g := range memberOf {
				c.Group.UpdateOneID(g).AddStudentIDs(student.ID).ExecX(ctx)
			}
		}
		s := startReportServer(t, d, Config{})
		emails := func(prefix string) []string {
			out := make([]string, len(names))
			for i := range names {
				out[i] = fmt.Sprintf("%s%02d@stift.com.br", prefix, i)
			}
			return out
		}

		resp, body := s.post(t, "/reports/bookings-workload", s.token, "", `{}`)
		if resp.StatusCode != 200 {
			t.Fatalf("workload: %d %s", resp.StatusCode, body)
		}
		var workload []struct {
			TeacherEmail string `json:"teacher_email"`
		}
		if err := json.Unmarshal(body, &workload); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range workload {
			got = append(got, r.TeacherEmail)
		}
		if want := emails("t"); !slices.Equal(got, want) {
			t.Errorf("workload teachers:\n got %q\nwant %q (names %q)", got, want, names)
		}

		groupIDs, _ := json.Marshal(groups)
		resp, body = s.post(t, "/reports/groups-usage", s.token, "", fmt.Sprintf(
			`{"start_date": %d, "end_date": %d, "group_ids": %s}`, ms("2026-01-01T00:00:00Z"), ms("2026-06-15T00:00:00Z"), groupIDs))
		if resp.StatusCode != 200 {
			t.Fatalf("groups usage: %d %s", resp.StatusCode, body)
		}
		var usage struct {
			Students []struct {
				Email  string   `json:"email"`
				Groups []string `json:"groups"`
			} `json:"students"`
		}
		if err := json.Unmarshal(body, &usage); err != nil {
			t.Fatal(err)
		}
		got = got[:0]
		for _, st := range usage.Students {
			got = append(got, st.Email)
		}
		if want := emails("s"); !slices.Equal(got, want) {
			t.Fatalf("groups usage students:\n got %q\nwant %q (names %q)", got, want, names)
		}
		if g := usage.Students[0].Groups; !slices.Equal(g, wantGroups) {
			t.Errorf("groups of %s: %q, want %q", usage.Students[0].Email, g, wantGroups)
		}
	})
}

// orderedID returns a user id whose order (as bytes and as text) follows
// kind, then i.
func orderedID(kind, i int) gid.UserID {
	return gid.UserID(uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%04x%08x", kind, i)))
}

// TestGraphQLSortsPortuguese: a GraphQL connection ordered by a name sorts
// it as the reports do (testdb.PortugueseOrder), ascending and descending,
// equal names by id, and its cursors page through that order without
// skipping or repeating a row, on both databases.
func TestGraphQLSortsPortuguese(t *testing.T) {
	t.Parallel()
	names := testdb.PortugueseOrder()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := auth.SystemContext(context.Background())
		c := d.Client
		school := c.School.Create().SetName("Escola").SaveX(ctx)
		groupNames := []string{"Turma Zeta", "Turma Única", "Turma acesso", "Turma Ímpar", "Turma Ação"}
		for _, name := range groupNames {
			c.Group.Create().SetName(name).SetSchool(school).ExecX(ctx)
		}
		wantGroups := []string{"Turma Ação", "Turma acesso", "Turma Ímpar", "Turma Única", "Turma Zeta"}
		// Created in reverse; ids ascend in the expected order, so that
		// equal names tie as they should.
		for i := len(names) - 1; i >= 0; i-- {
			c.User.Create().SetID(orderedID(1, i)).SetFirstName(names[i]).SetLastName(names[len(names)-1-i]).
				SetEmail(fmt.Sprintf("t%02d@stift.com.br", i)).SetRole(user.RoleTEACHER).
				SetCreatedAt(time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)).ExecX(ctx)
		}
		s := startReportServer(t, d, Config{})

		// pages reads a connection of query in pages of 3 and returns the
		// values of its nodes' field.
		pages := func(t *testing.T, query, field string) []string {
			t.Helper()
			var got []string
			var after any
			for page := 0; ; page++ {
				var data map[string]struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node map[string]string }
				}
				if errs := s.gql(t, s.token, query, map[string]any{"after": after}, &data); len(errs) > 0 {
					t.Fatalf("page %d: %v", page, errs)
				}
				for _, conn := range data {
					for _, e := range conn.Edges {
						got = append(got, e.Node[field])
					}
					if !conn.PageInfo.HasNextPage {
						return got
					}
					after = conn.PageInfo.EndCursor
				}
				if page > 100 {
					t.Fatal("no last page")
				}
			}
		}
		emails := func(order []int) []string {
			out := make([]string, len(order))
			for i, n := range order {
				out[i] = fmt.Sprintf("t%02d@stift.com.br", n)
			}
			return out
		}
		// rank is the place of a name in the order, equal names sharing
		// the first; users are sorted by ranks, then by id (i).
		rank := func(name string) int { return slices.Index(names, name) }
		order := func(key func(i int) []int) []int {
			out := make([]int, len(names))
			for i := range out {
				out[i] = i
			}
			slices.SortStableFunc(out, func(a, b int) int { return slices.Compare(key(a), key(b)) })
			return out
		}
		last := func(i int) string { return names[len(names)-1-i] }
		ascending := order(func(i int) []int { return []int{rank(names[i]), i} })
		descending := order(func(i int) []int { return []int{-rank(names[i]), i} })
		byLast := order(func(i int) []int { return []int{rank(last(i)), rank(names[i]), i} })

		for _, tc := range []struct {
			name, query, field string
			want               []string
		}{
			{"users by first name", `query($after: Cursor) { users(first: 3, after: $after, orderBy: {field: FIRST_NAME}) {
				pageInfo { hasNextPage endCursor } edges { node { email } } } }`, "email", emails(ascending)},
			{"users by first name, descending", `query($after: Cursor) { users(first: 3, after: $after, orderBy: {field: FIRST_NAME, direction: DESC}) {
				pageInfo { hasNextPage endCursor } edges { node { email } } } }`, "email", emails(descending)},
			{"users by last name, then first name", `query($after: Cursor) { users(first: 3, after: $after, orderBy: [{field: LAST_NAME}, {field: FIRST_NAME}]) {
				pageInfo { hasNextPage endCursor } edges { node { email } } } }`, "email", emails(byLast)},
			{"groups by name", `query($after: Cursor) { groups(first: 2, after: $after, orderBy: {field: NAME}) {
				pageInfo { hasNextPage endCursor } edges { node { name } } } }`, "name", wantGroups},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := pages(t, tc.query, tc.field); !slices.Equal(got, tc.want) {
					t.Errorf("\n got %q\nwant %q", got, tc.want)
				}
			})
		}
		// The order keeps the token's scope, the count and the nodes
		// nested in the rows.
		other := c.School.Create().SetName("Outra escola").SaveX(ctx)
		c.Group.Create().SetName("Turma Aberta").SetSchool(other).ExecX(ctx)
		scoped := s.newToken(t, auth.TokenSpec{Name: "one school", Schools: []gid.SchoolID{school.ID}})
		var data struct {
			Groups struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Name   string
						School struct{ Name string }
					}
				}
			}
		}
		if errs := s.gql(t, scoped, `{ groups(orderBy: {field: NAME, direction: DESC}) { totalCount edges { node { name school { name } } } } }`, nil, &data); len(errs) > 0 {
			t.Fatal(errs)
		}
		var got []string
		for _, e := range data.Groups.Edges {
			if e.Node.School.Name != "Escola" {
				t.Errorf("group %q of %q, outside the token's school", e.Node.Name, e.Node.School.Name)
			}
			got = append(got, e.Node.Name)
		}
		want := slices.Clone(wantGroups)
		slices.Reverse(want)
		if data.Groups.TotalCount != len(wantGroups) || !slices.Equal(got, want) {
			t.Errorf("one school's groups: %d, %q; want %d, %q", data.Groups.TotalCount, got, len(wantGroups), want)
		}
		if slices.Index(names, "Ícaro") > slices.Index(names, "Valentina") {
			t.Fatal("the names do not put Ícaro before Valentina")
		}
	})
}
