package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/ent/user"
)

type schoolNode struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Groups conn[struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Students conn[struct {
			FirstName string `json:"firstName"`
			Email     string `json:"email"`
		}] `json:"students"`
	}] `json:"groups"`
}

func TestGraphQLNavigation(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *testServer) {
		ctx := auth.SystemContext(context.Background())
		var data struct {
			Schools conn[schoolNode] `json:"schools"`
		}
		s.query(t, s.demoToken, `{
		  schools(first: 10, orderBy: [{field: NAME}]) {
		    totalCount pageInfo { hasNextPage endCursor }
		    edges { cursor node { id name
		      groups(first: 50, orderBy: [{field: NAME, direction: DESC}]) {
		        totalCount
		        edges { cursor node { id name
		          students(first: 3, orderBy: [{field: EMAIL}]) {
		            totalCount pageInfo { hasNextPage endCursor }
		            edges { cursor node { firstName email } } } } } } } } } }`, nil, &data)

		schools := s.db.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx)
		if got := data.Schools.TotalCount; got != len(schools) || len(data.Schools.Edges) != len(schools) {
			t.Fatalf("schools: totalCount %d, %d edges; want %d", got, len(data.Schools.Edges), len(schools))
		}
		if data.Schools.PageInfo.HasNextPage || data.Schools.PageInfo.EndCursor != data.Schools.Edges[len(schools)-1].Cursor {
			t.Errorf("schools pageInfo = %+v", data.Schools.PageInfo)
		}
		for i, sn := range data.Schools.nodes() {
			if sn.Name != schools[i].Name || sn.ID != gid.Encode("School", schools[i].ID.String()) {
				t.Errorf("school %d = %s %q, want %s %q", i, sn.ID, sn.Name, schools[i].ID, schools[i].Name)
			}
			groups := schools[i].QueryGroups().Order(ent.Desc(group.FieldName)).AllX(ctx)
			if sn.Groups.TotalCount != len(groups) || len(groups) == 0 {
				t.Fatalf("school %q: %d groups, want %d (>0)", sn.Name, sn.Groups.TotalCount, len(groups))
			}
			for j, gn := range sn.Groups.nodes() {
				if gn.Name != groups[j].Name {
					t.Errorf("group %d of %q = %q, want %q (name descending)", j, sn.Name, gn.Name, groups[j].Name)
				}
				students := groups[j].QueryStudents().Order(ent.Asc(user.FieldEmail)).AllX(ctx)
				if gn.Students.TotalCount != len(students) {
					t.Errorf("group %q: %d students, want %d", gn.Name, gn.Students.TotalCount, len(students))
				}
				for k, st := range gn.Students.nodes() {
					if st.Email != students[k].Email {
						t.Errorf("group %q student %d = %s, want %s", gn.Name, k, st.Email, students[k].Email)
					}
				}
				if want := len(students) > 3; gn.Students.PageInfo.HasNextPage != want {
					t.Errorf("group %q students hasNextPage = %v, want %v", gn.Name, !want, want)
				}
			}
		}
	})
}

// TestGraphQLPaginationAndFilters walks a filtered, ordered connection to
// its end with cursors and compares it with the database.
func TestGraphQLPaginationAndFilters(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *testServer) {
		ctx := auth.SystemContext(context.Background())
		want := s.db.Client.User.Query().
			Where(user.RoleEQ(user.RoleSTUDENT), user.EmailContains("ar")).
			Order(ent.Asc(user.FieldEmail)).AllX(ctx)
		var emails []string
		after := any(nil)
		for page := 0; ; page++ {
			var data struct {
				Users conn[struct {
					Email string `json:"email"`
				}] `json:"users"`
			}
			s.query(t, s.demoToken, `query($after: Cursor) {
			  users(first: 7, after: $after, orderBy: [{field: EMAIL}], where: {role: STUDENT, emailContains: "ar"}) {
			    totalCount pageInfo { hasNextPage endCursor } edges { node { email } } } }`,
				map[string]any{"after": after}, &data)
			if data.Users.TotalCount != len(want) {
				t.Fatalf("page %d: totalCount %d, want %d", page, data.Users.TotalCount, len(want))
			}
			for _, u := range data.Users.nodes() {
				emails = append(emails, u.Email)
			}
			if !data.Users.PageInfo.HasNextPage {
				break
			}
			after = data.Users.PageInfo.EndCursor
			if page > len(want) {
				t.Fatal("pagination does not end")
			}
		}
		if len(emails) != len(want) || len(want) < 8 {
			t.Fatalf("walked %d users, want %d (and more than one page)", len(emails), len(want))
		}
		for i := range want {
			if emails[i] != want[i].Email {
				t.Fatalf("user %d = %s, want %s", i, emails[i], want[i].Email)
			}
		}
		if !slices.IsSorted(emails) {
			t.Error("users not ordered by email")
		}
	})
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *testServer) {
		revoked := s.token(t, auth.TokenSpec{})
		toks, err := auth.ListTokens(context.Background(), s.db.Client)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.RevokeToken(context.Background(), s.db.Client, toks[len(toks)-1].ID, toks[0].CreatedAt); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ name, header string }{
			{"no header", ""},
			{"wrong scheme", "Basic " + s.demoToken},
			{"empty bearer", "Bearer "},
			{"unknown token", "Bearer stift_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
			{"not a token", "Bearer hello"},
			{"revoked token", "Bearer " + revoked},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", s.base+"/graphql", strings.NewReader(`{"query":"{ viewer { tokenName } }"}`))
				req.Header.Set("Content-Type", "application/json")
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body := readAll(t, resp)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", resp.StatusCode)
				}
				// GraphQL's error shape, not the REST layer's.
				if want := `{"errors":[{"message":"Unauthorized.","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n"; body != want {
					t.Errorf("body %q, want %q", body, want)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
		// The demo token works, and the playground loads without a token.
		var v struct {
			Viewer struct{ TokenName, Scope string }
		}
		s.query(t, s.demoToken, `{ viewer { tokenName scope } }`, nil, &v)
		if v.Viewer.TokenName != "demo" || v.Viewer.Scope != "ALL" {
			t.Errorf("viewer = %+v", v.Viewer)
		}
		resp, err := http.Get(s.base + "/")
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "/graphql") {
			t.Errorf("GET / = %d", resp.StatusCode)
		}
	})
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TestScope checks that a school-scoped and a group-scoped token see only
// their own rows in every connection, and null for others' nodes.
func TestScope(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *testServer) {
		ctx := auth.SystemContext(context.Background())
		schools := s.db.Client.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx)
		mine, other := schools[0], schools[1]
		myGroup := mine.QueryGroups().Order(ent.Asc(group.FieldName)).FirstX(ctx)
		otherGroup := other.QueryGroups().FirstX(ctx)

		cases := []struct {
			name      string
			spec      auth.TokenSpec
			schools   int
			groups    int
			questions int
			bookings  int
		}{
			{
				name:      "school",
				spec:      auth.TokenSpec{Schools: []gid.SchoolID{mine.ID}},
				schools:   1,
				groups:    mine.QueryGroups().CountX(ctx),
				questions: s.db.Client.Question.Query().Where(question.HasGroupWith(group.SchoolID(mine.ID))).CountX(ctx),
				bookings:  s.db.Client.Booking.Query().Where(booking.SchoolID(mine.ID)).CountX(ctx),
			},
			{
				name:      "group",
				spec:      auth.TokenSpec{Groups: []gid.GroupID{myGroup.ID}},
				schools:   1,
				groups:    1,
				questions: myGroup.QueryQuestions().CountX(ctx),
				bookings:  myGroup.QueryBookings().CountX(ctx),
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if tc.questions == 0 || tc.bookings == 0 {
					t.Fatal("the fixture has no questions or bookings in scope")
				}
				tok := s.token(t, tc.spec)
				var data struct {
					Schools conn[idName] `json:"schools"`
					Groups  conn[struct {
						ID     string `json:"id"`
						School idName `json:"school"`
					}] `json:"groups"`
					Questions conn[struct {
						Group struct {
							ID     string `json:"id"`
							School idName `json:"school"`
						} `json:"group"`
					}] `json:"questions"`
					Bookings conn[struct {
						School idName `json:"school"`
					}] `json:"bookings"`
					Users conn[struct {
						Email string `json:"email"`
					}] `json:"users"`
					Mine  *idName `json:"mine"`
					Other *idName `json:"other"`
				}
				s.query(t, tok, `query($mine: ID!, $other: ID!) {
				  schools(first: 100) { totalCount edges { node { id name } } }
				  groups(first: 100) { totalCount edges { node { id school { id name } } } }
				  questions(first: 1000) { totalCount edges { node { group { id school { id name } } } } }
				  bookings(first: 1000) { totalCount edges { node { school { id name } } } }
				  users(first: 1000) { totalCount edges { node { email } } }
				  mine: node(id: $mine) { ... on Group { id name } }
				  other: node(id: $other) { ... on Group { id name } }
				}`, map[string]any{
					"mine":  gid.Encode("Group", myGroup.ID.String()),
					"other": gid.Encode("Group", otherGroup.ID.String()),
				}, &data)

				mineID := gid.Encode("School", mine.ID.String())
				if data.Schools.TotalCount != tc.schools || data.Schools.Edges[0].Node.ID != mineID {
					t.Errorf("schools: %d, first %v", data.Schools.TotalCount, data.Schools.nodes())
				}
				if data.Groups.TotalCount != tc.groups {
					t.Errorf("groups: %d, want %d", data.Groups.TotalCount, tc.groups)
				}
				for _, g := range data.Groups.nodes() {
					if g.School.ID != mineID {
						t.Errorf("group %s of school %s is visible", g.ID, g.School.Name)
					}
				}
				if data.Questions.TotalCount != tc.questions {
					t.Errorf("questions: %d, want %d", data.Questions.TotalCount, tc.questions)
				}
				for _, q := range data.Questions.nodes() {
					if q.Group.School.ID != mineID {
						t.Errorf("a question of school %s is visible", q.Group.School.Name)
					}
				}
				if data.Bookings.TotalCount != tc.bookings {
					t.Errorf("bookings: %d, want %d", data.Bookings.TotalCount, tc.bookings)
				}
				for _, b := range data.Bookings.nodes() {
					if b.School.ID != mineID {
						t.Errorf("a booking of school %s is visible", b.School.Name)
					}
				}
				if data.Users.TotalCount == 0 {
					t.Error("no users visible")
				}
				for _, u := range data.Users.nodes() {
					if s.db.Client.User.Query().Where(user.Email(u.Email),
						user.Or(user.HasStudentGroupsWith(group.SchoolID(mine.ID)), user.HasTeacherGroupsWith(group.SchoolID(mine.ID)))).
						CountX(ctx) == 0 {
						t.Errorf("user %s, not of school %s, is visible", u.Email, mine.Name)
					}
				}
				if data.Mine == nil || data.Mine.Name != myGroup.Name {
					t.Errorf("node(own group) = %v", data.Mine)
				}
				if data.Other != nil {
					t.Errorf("node(other school's group) = %v, want null", data.Other)
				}
			})
		}
	})
}
