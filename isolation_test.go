package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestTenantIsolation asks every REST endpoint and every GraphQL root field
// (node, nodes, the connections, the typed reports, the stats, a CSV
// download) the widest question it accepts, with a token of each scope kind
// (all; schools [A]; groups [G], G a group of A), and checks that
//
//   - no response holds a name of what the token must not see: the
//     "forbidden vocabulary" (names of schools, groups and booking rooms out
//     of scope, first and last names, full names and e-mails of the users
//     the token neither sees nor meets in a row it sees), computed from the
//     database, minus the names that are also legitimately visible
//     (disciplines and subjects are a shared catalogue; two schools may have
//     a group of the same name);
//   - the counts are those of the token's scope, computed from the database;
//   - every input that takes an id answers a real id out of scope exactly
//     as it answers a random id that does not exist: the same status and
//     body for REST, the same data and errors for GraphQL (node: null in
//     both cases; nodes, reports and stats: the same FORBIDDEN error;
//     connection filters: the same, empty, result).
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		w := loadIsoWorld(t, d)
		if len(w.schools) < 2 {
			t.Fatalf("the demo has %d schools, want 2", len(w.schools))
		}
		a, b := w.schools[0], w.schools[1]
		g := w.groupsOf(a.ID)[0]
		t.Logf("school A %q, school B %q, group G %q", a.Name, b.Name, g.Name)
		// A user in both schools is legitimately visible to a token of
		// either: such users are left out of the forbidden vocabulary (the
		// view below computes who is visible) and serve as probes of the
		// edges that lead from a visible row into the other tenant.
		for _, u := range w.sharedUsers(a.ID, b.ID) {
			t.Logf("shared by both schools: %s %s <%s>", u.FirstName, u.LastName, u.Email)
		}

		scopes := []struct {
			name string
			spec auth.TokenSpec
		}{
			{"all", auth.TokenSpec{Name: "iso-all", RevealAnonymous: true}},
			{"schools", auth.TokenSpec{Name: "iso-schools", Schools: []gid.SchoolID{a.ID}, RevealAnonymous: true}},
			{"groups", auth.TokenSpec{Name: "iso-groups", Groups: []gid.GroupID{g.ID}, RevealAnonymous: true}},
		}
		// The detector is not blind: the schools-scoped view finds B's
		// names in what the all-scope token is answered.
		t.Run("detector", func(t *testing.T) {
			c := &isoCase{s: s, w: w, v: w.view(scopes[0].spec), token: s.newToken(t, scopes[0].spec)}
			control := w.view(scopes[1].spec)
			body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(isoFrom), ms(isoTo))
			for _, accept := range []string{"", "text/csv"} {
				got := control.leaks(c.rest(t, "/reports/bookings", accept, body))
				for _, want := range []string{"school " + strconv.Quote(b.Name), "booking room", "user"} {
					if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, want) }) {
						t.Errorf("accept %q: no %s of B found in the all-scope bookings report (%d found)", accept, want, len(got))
					}
				}
			}
		})
		for _, sc := range scopes {
			t.Run(sc.name, func(t *testing.T) {
				c := &isoCase{s: s, w: w, v: w.view(sc.spec), token: s.newToken(t, sc.spec)}
				if len(c.v.questions) == 0 || len(c.v.bookings) == 0 || len(c.v.workload) == 0 {
					t.Fatalf("scope sees nothing to test: %d questions, %d bookings, %d workload rows",
						len(c.v.questions), len(c.v.bookings), len(c.v.workload))
				}
				t.Logf("in scope: %d schools, %d groups, %d users, %d rooms, %d questions, %d bookings, %d workload rows",
					len(c.v.schools), len(c.v.groups), len(c.v.users), len(c.v.rooms), len(c.v.questions), len(c.v.bookings), len(c.v.workload))
				if sc.spec.Schools != nil || sc.spec.Groups != nil {
					if len(c.v.forbidden) == 0 {
						t.Fatal("empty forbidden vocabulary")
					}
					t.Logf("%d forbidden names; left out as also visible: %q", len(c.v.forbidden), c.v.ambiguous)
				}
				for _, sf := range isoSurfaces {
					t.Run(sf.name, func(t *testing.T) { sf.run(t, c) })
				}
				if sc.spec.Schools == nil && sc.spec.Groups == nil {
					return // nothing is out of scope
				}
				for _, p := range isoProbes {
					for _, out := range c.v.outside[p.typ] {
						t.Run("out-of-scope/"+p.name+"/"+out.label, func(t *testing.T) { c.compareWithRandom(t, p, out) })
					}
				}
			})
		}
	})
}

// The period that covers the whole demo, for every report.
const (
	isoFrom = "2020-01-01T00:00:00Z"
	isoTo   = "2030-12-31T23:59:59Z"
)

// isoWorld is the whole demo as the system sees it (no privacy rules):
// what each token's view is computed from.
type isoWorld struct {
	schools   []*ent.School // by name
	groups    []*ent.Group  // by name, with their students and teachers
	users     []*ent.User
	rooms     []*ent.BookingRoom
	slots     []*ent.AvailabilitySlot
	questions []*ent.Question
	bookings  []*ent.Booking
	nps       []*ent.NPSAnswer
	catalogue []string // discipline and subject names: shared by all schools
	nCatalog  [2]int   // disciplines, subjects
}

// loadIsoWorld reads the whole database in a system context.
func loadIsoWorld(t *testing.T, d *db.DB) *isoWorld {
	t.Helper()
	ctx := auth.SystemContext(context.Background())
	c := d.Client
	w := &isoWorld{
		schools:   c.School.Query().Order(ent.Asc(school.FieldName)).AllX(ctx),
		groups:    c.Group.Query().WithStudents().WithTeachers().Order(ent.Asc(group.FieldName)).AllX(ctx),
		users:     c.User.Query().AllX(ctx),
		rooms:     c.BookingRoom.Query().AllX(ctx),
		slots:     c.AvailabilitySlot.Query().AllX(ctx),
		questions: c.Question.Query().AllX(ctx),
		bookings:  c.Booking.Query().AllX(ctx),
		nps:       c.NPSAnswer.Query().AllX(ctx),
	}
	disciplines := c.Discipline.Query().AllX(ctx)
	subjects := c.Subject.Query().AllX(ctx)
	for _, x := range disciplines {
		w.catalogue = append(w.catalogue, x.Name)
	}
	for _, x := range subjects {
		w.catalogue = append(w.catalogue, x.Name)
	}
	w.nCatalog = [2]int{len(disciplines), len(subjects)}
	return w
}

// groupsOf returns the groups of school s, by name.
func (w *isoWorld) groupsOf(s gid.SchoolID) []*ent.Group {
	var out []*ent.Group
	for _, g := range w.groups {
		if g.SchoolID == s {
			out = append(out, g)
		}
	}
	return out
}

// sharedUsers returns the users who are members of groups of both schools.
func (w *isoWorld) sharedUsers(a, b gid.SchoolID) []*ent.User {
	in := map[gid.SchoolID]map[gid.UserID]*ent.User{a: {}, b: {}}
	for _, g := range w.groups {
		if m := in[g.SchoolID]; m != nil {
			for _, u := range append(slices.Clone(g.Edges.Students), g.Edges.Teachers...) {
				m[u.ID] = u
			}
		}
	}
	var out []*ent.User
	for id, u := range in[a] {
		if in[b][id] != nil {
			out = append(out, u)
		}
	}
	return out
}

// isoID is an id in its two spellings: the GraphQL global id and the raw
// id that REST takes.
type isoID struct {
	label  string // what the id names, for test names
	global string
	raw    string
}

func newIsoID(label, typ, raw string) isoID {
	return isoID{label: label, global: gid.Encode(typ, raw), raw: raw}
}

// randomIsoID returns an id of type typ that names nothing.
func randomIsoID(typ string) isoID { return newIsoID("random", typ, uuid.NewString()) }

// isoView is what one token may see, computed from the database with the
// rules of auth/rules.go and report/scope.go written out again.
type isoView struct {
	schools   map[gid.SchoolID]bool
	groups    map[gid.GroupID]bool
	users     map[gid.UserID]bool // ent's rule: the members of the visible groups
	met       map[gid.UserID]bool // users named in a visible report row
	rooms     map[gid.BookingRoomID]bool
	slots     map[gid.AvailabilitySlotID]bool
	questions map[gid.QuestionID]bool
	bookings  map[gid.BookingID]bool
	nps       map[gid.NPSAnswerID]bool
	workload  map[string]bool // teacher id/discipline id of the workload rows

	questionsByGroup map[gid.GroupID]int
	bookingsBySchool map[gid.SchoolID]int

	allowed   map[string]bool   // every name the token may read
	forbidden map[string]string // name → what it names, out of scope
	ambiguous []string          // out-of-scope names also visible, not checked
	raw       []string          // forbidden names also searched for in raw bytes

	inside  map[string]isoID   // per node type, an id in scope
	outside map[string][]isoID // per node type, ids that exist out of scope
}

// view computes the view of a token of spec.
func (w *isoWorld) view(spec auth.TokenSpec) *isoView {
	v := &isoView{
		schools: map[gid.SchoolID]bool{}, groups: map[gid.GroupID]bool{}, users: map[gid.UserID]bool{},
		met: map[gid.UserID]bool{}, rooms: map[gid.BookingRoomID]bool{}, slots: map[gid.AvailabilitySlotID]bool{},
		questions: map[gid.QuestionID]bool{}, bookings: map[gid.BookingID]bool{}, nps: map[gid.NPSAnswerID]bool{},
		workload: map[string]bool{}, questionsByGroup: map[gid.GroupID]int{}, bookingsBySchool: map[gid.SchoolID]int{},
		allowed: map[string]bool{}, forbidden: map[string]string{},
		inside: map[string]isoID{}, outside: map[string][]isoID{},
	}
	all := spec.Schools == nil && spec.Groups == nil
	for _, g := range w.groups {
		if all || slices.Contains(spec.Schools, g.SchoolID) || slices.Contains(spec.Groups, g.ID) {
			v.groups[g.ID] = true
			v.schools[g.SchoolID] = true // a group-scoped token sees its groups' schools
		}
	}
	for _, s := range w.schools {
		if all {
			v.schools[s.ID] = true
		}
	}
	for _, u := range w.users {
		if all {
			v.users[u.ID] = true // staff too, who belong to no group
		}
	}
	teachesVisible := map[gid.UserID]bool{}
	for _, g := range w.groups {
		if !v.groups[g.ID] {
			continue
		}
		for _, u := range g.Edges.Students {
			v.users[u.ID] = true
		}
		for _, u := range g.Edges.Teachers {
			v.users[u.ID] = true
			teachesVisible[u.ID] = true
		}
	}
	for _, r := range w.rooms {
		if v.schools[r.SchoolID] {
			v.rooms[r.ID] = true
		}
	}
	gone := map[gid.UserID]bool{} // blocked or deleted: no workload rows
	for _, u := range w.users {
		gone[u.ID] = u.BlockedAt != nil || u.DeletedAt != nil
	}
	for _, sl := range w.slots {
		if v.rooms[sl.BookingRoomID] && (spec.Groups == nil || teachesVisible[sl.TeacherID]) {
			v.slots[sl.ID] = true
			if !gone[sl.TeacherID] {
				v.workload[sl.TeacherID.String()+"/"+fmt.Sprint(sl.DisciplineID)] = true
			}
			v.met[sl.TeacherID] = true
		}
	}
	for _, q := range w.questions {
		if v.groups[q.GroupID] {
			v.questions[q.ID] = true
			v.questionsByGroup[q.GroupID]++
			v.met[q.StudentID] = true
			if q.TeacherID != nil {
				v.met[*q.TeacherID] = true
			}
		}
	}
	for _, b := range w.bookings {
		if all || slices.Contains(spec.Schools, b.SchoolID) || slices.Contains(spec.Groups, b.GroupID) {
			v.bookings[b.ID] = true
			v.bookingsBySchool[b.SchoolID]++
			v.met[b.StudentID] = true
			for _, u := range []*gid.UserID{b.TeacherID, b.CancelledByID} {
				if u != nil {
					v.met[*u] = true
				}
			}
		}
	}
	for _, n := range w.nps {
		if v.users[n.UserID] {
			v.nps[n.ID] = true
		}
	}
	for id := range v.users {
		v.met[id] = true
	}
	v.vocabulary(w)
	v.pickIDs(w)
	return v
}

// vocabulary fills the allowed names and the forbidden ones.
func (v *isoView) vocabulary(w *isoWorld) {
	userNames := func(u *ent.User) []string {
		return []string{u.FirstName, u.LastName, strings.TrimSpace(u.FirstName + " " + u.LastName), u.Email}
	}
	out := map[string]string{}
	add := func(visible bool, what string, names ...string) {
		for _, n := range names {
			if n == "" {
				continue
			}
			if visible {
				v.allowed[n] = true
			} else {
				out[n] = what
			}
		}
	}
	for _, s := range w.schools {
		add(v.schools[s.ID], "school", s.Name)
	}
	for _, g := range w.groups {
		add(v.groups[g.ID], "group", g.Name)
	}
	for _, r := range w.rooms {
		add(v.rooms[r.ID], "booking room", r.Name)
	}
	for _, u := range w.users {
		add(v.met[u.ID], "user", userNames(u)...)
	}
	add(true, "", w.catalogue...)
	for n, what := range out {
		if v.allowed[n] {
			v.ambiguous = append(v.ambiguous, n)
			continue
		}
		v.forbidden[n] = what
		if len([]rune(n)) >= 8 && !v.insideAllowed(n) {
			v.raw = append(v.raw, n)
		}
	}
	sort.Strings(v.ambiguous)
	sort.Strings(v.raw)
}

// insideAllowed reports whether n is part of an allowed name, so that
// finding it in raw bytes proves nothing.
func (v *isoView) insideAllowed(n string) bool {
	for a := range v.allowed {
		if strings.Contains(a, n) {
			return true
		}
	}
	return false
}

// pickIDs chooses, per node type, an id in scope and the ids out of scope
// to probe with: the out-of-scope row most entangled with the scope first
// (a group sharing a member with it, a teacher), then one of another
// school if that is a different row.
func (v *isoView) pickIDs(w *isoWorld) {
	type cand struct {
		typ, raw, label string
		visible         bool
		score           int // higher: more entangled with the scope
	}
	var cands []cand
	for _, s := range w.schools {
		cands = append(cands, cand{"School", s.ID.String(), "school " + s.Name, v.schools[s.ID], 0})
	}
	for _, g := range w.groups {
		shared := 0
		for _, u := range append(slices.Clone(g.Edges.Students), g.Edges.Teachers...) {
			if v.users[u.ID] {
				shared++
			}
		}
		cands = append(cands, cand{"Group", g.ID.String(), "group " + g.Name, v.groups[g.ID], shared})
	}
	for _, u := range w.users {
		score := 0
		if u.Role == "TEACHER" {
			score = 1
		}
		cands = append(cands, cand{"User", u.ID.String(), "user " + u.Email, v.users[u.ID], score})
	}
	for _, q := range w.questions {
		cands = append(cands, cand{"Question", q.ID.String(), "question", v.questions[q.ID], 0})
	}
	for _, b := range w.bookings {
		cands = append(cands, cand{"Booking", b.ID.String(), "booking", v.bookings[b.ID], 0})
	}
	for _, r := range w.rooms {
		cands = append(cands, cand{"BookingRoom", r.ID.String(), "room " + r.Name, v.rooms[r.ID], 0})
	}
	for _, sl := range w.slots {
		cands = append(cands, cand{"AvailabilitySlot", sl.ID.String(), "slot", v.slots[sl.ID], 0})
	}
	for _, n := range w.nps {
		cands = append(cands, cand{"NPSAnswer", n.ID.String(), "nps answer", v.nps[n.ID], 0})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	otherSchool := v.otherSchoolRows(w)
	for _, c := range cands {
		id := newIsoID(c.label, c.typ, c.raw)
		switch {
		case c.visible:
			if _, ok := v.inside[c.typ]; !ok {
				v.inside[c.typ] = id
			}
		case len(v.outside[c.typ]) == 0:
			v.outside[c.typ] = []isoID{id}
		case len(v.outside[c.typ]) == 1 && otherSchool[c.raw] && !otherSchool[v.outside[c.typ][0].raw]:
			v.outside[c.typ] = append(v.outside[c.typ], id)
		}
	}
}

// otherSchoolRows returns the raw ids of the rows of schools the view
// does not see at all (a group-scoped token sees its school).
func (v *isoView) otherSchoolRows(w *isoWorld) map[string]bool {
	out := map[string]bool{}
	members := map[gid.UserID]bool{}
	for _, g := range w.groups {
		if v.schools[g.SchoolID] {
			continue
		}
		out[g.ID.String()] = true
		for _, u := range append(slices.Clone(g.Edges.Students), g.Edges.Teachers...) {
			members[u.ID] = true
		}
	}
	for _, u := range w.users {
		if members[u.ID] && !v.met[u.ID] {
			out[u.ID.String()] = true
		}
	}
	for _, q := range w.questions {
		out[q.ID.String()] = out[q.GroupID.String()]
	}
	for _, b := range w.bookings {
		out[b.ID.String()] = !v.schools[b.SchoolID]
	}
	for _, s := range w.schools {
		out[s.ID.String()] = !v.schools[s.ID]
	}
	return out
}

// assertNoLeak fails t when body, a JSON or CSV response, holds a
// forbidden name (see leaks).
func (v *isoView) assertNoLeak(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, l := range v.leaks(body) {
		t.Errorf("%s: LEAK of %s", what, l)
	}
}

// leaks returns the forbidden names body holds: as a whole string value
// (or CSV field), as an item of a list written into one value, or, for
// the longer names, anywhere in its bytes.
func (v *isoView) leaks(body []byte) []string {
	var values []string
	var doc any
	if err := json.Unmarshal(body, &doc); err == nil {
		values = jsonStrings(doc, values)
	} else {
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		recs, _ := r.ReadAll() // what is not CSV is searched in raw bytes only
		for _, rec := range recs {
			values = append(values, rec...)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, val := range values {
		for _, part := range isoParts(val) {
			if kind, ok := v.forbidden[part]; ok && !seen[part] {
				seen[part] = true
				out = append(out, fmt.Sprintf("%s %q (in value %.120q)", kind, part, val))
			}
		}
	}
	for _, n := range v.raw {
		if i := bytes.Index(body, []byte(n)); i >= 0 && !seen[n] {
			seen[n] = true
			out = append(out, fmt.Sprintf("%s %q in the raw body: …%s…", v.forbidden[n], n,
				body[max(0, i-80):min(len(body), i+len(n)+40)]))
		}
	}
	return out
}

// jsonStrings appends every string value of a decoded JSON document.
func jsonStrings(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = jsonStrings(e, out)
		}
	case map[string]any:
		for _, e := range x {
			out = jsonStrings(e, out)
		}
	}
	return out
}

// isoParts returns a value and, when it is a list written as text (the
// group names of a usage row, a list cell of a download), its items.
func isoParts(val string) []string {
	parts := []string{val}
	f := strings.FieldsFunc(val, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '\n' })
	if len(f) > 1 {
		for _, p := range f {
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	return parts
}

// isoCase is one token against the server, with its expected view.
type isoCase struct {
	s     *reportServer
	w     *isoWorld
	v     *isoView
	token string
}

// send posts body to path with the token and returns the status and body.
func (c *isoCase) send(t *testing.T, path, accept string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", c.s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// gqlBody is the JSON body of a GraphQL request.
func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// rest asks a REST report, checks the answer is 200 and leaks nothing,
// and returns its body.
func (c *isoCase) rest(t *testing.T, path, accept, body string) []byte {
	t.Helper()
	status, raw := c.send(t, path, accept, []byte(body))
	if status != 200 {
		t.Fatalf("%s: status %d: %.300s", path, status, raw)
	}
	c.v.assertNoLeak(t, path, raw)
	return raw
}

// gql runs a GraphQL query, checks it leaks nothing and has no errors, and
// decodes its data into out.
func (c *isoCase) gql(t *testing.T, query string, vars map[string]any, out any) []byte {
	t.Helper()
	status, raw := c.send(t, "/graphql", "", gqlBody(query, vars))
	c.v.assertNoLeak(t, "graphql", raw)
	var r struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(raw, &r); err != nil || status != 200 {
		t.Fatalf("status %d: %v: %.300s", status, err, raw)
	}
	if len(r.Errors) > 0 {
		t.Errorf("%d GraphQL errors, first: %s", len(r.Errors), r.Errors[0])
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// csvDownload runs a GraphQL query with Accept: text/csv, checks the table
// leaks nothing and returns its records (header first).
func (c *isoCase) csvDownload(t *testing.T, query string) [][]string {
	t.Helper()
	status, raw := c.send(t, "/graphql", "text/csv", gqlBody(query, nil))
	if status != 200 {
		t.Fatalf("status %d: %.300s", status, raw)
	}
	c.v.assertNoLeak(t, "csv download", raw)
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("%v: %.300s", err, raw)
	}
	return recs
}

// jsonRows decodes a REST report's JSON array and returns its length.
func jsonRows(t *testing.T, raw []byte) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatalf("%v: %.200s", err, raw)
	}
	return rows
}

// csvRows returns the number of data rows of a one-table CSV report.
func csvRows(t *testing.T, raw []byte) int {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) - 1
}

// wantCount reports a count that differs from the one computed for the scope.
func wantCount(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d (the token's scope)", what, got, want)
	}
}

// groupList returns the visible groups' raw and global ids, sorted.
func (c *isoCase) groupList() (raw, global []string) {
	for id := range c.v.groups {
		raw = append(raw, id.String())
	}
	sort.Strings(raw)
	for _, id := range raw {
		global = append(global, gid.Encode("Group", id))
	}
	return raw, global
}

// usageMembers returns how many distinct students and teachers the
// visible groups have.
func (c *isoCase) usageMembers() (students, teachers int) {
	st, te := map[gid.UserID]bool{}, map[gid.UserID]bool{}
	for _, g := range c.w.groups {
		if c.v.groups[g.ID] {
			for _, u := range g.Edges.Students {
				st[u.ID] = true
			}
			for _, u := range g.Edges.Teachers {
				te[u.ID] = true
			}
		}
	}
	return len(st), len(te)
}

// The GraphQL selections used throughout: every name-bearing field of each
// node type, with its edges one or two levels down.
const isoNodeFragment = `
fragment everything on Node {
  id
  ... on School { name timezone
    groups(first: 100) { totalCount edges { node { name } } }
    bookingRooms(first: 100) { totalCount edges { node { name } } }
    bookings(first: 1) { totalCount } }
  ... on Group { name school { name }
    students(first: 500) { totalCount edges { node { firstName lastName email } } }
    teachers(first: 500) { totalCount edges { node { firstName lastName email } } }
    questions(first: 1) { totalCount } bookings(first: 1) { totalCount } }
  ... on User { firstName lastName email externalID
    studentGroups(first: 1000) { edges { node { name school { name } } } }
    teacherGroups(first: 1000) { edges { node { name school { name } } } }
    disciplines(first: 1000) { edges { node { name } } }
    availabilitySlots(first: 1000) { edges { node { bookingRoom { name school { name } } } } }
    npsAnswers(first: 1000) { edges { node { comment } } }
    questions(first: 1000) { totalCount edges { node { group { name } } } }
    answeredQuestions(first: 1000) { totalCount edges { node { group { name school { name } } } } }
    bookings(first: 1000) { totalCount edges { node { school { name } } } }
    teacherBookings(first: 1000) { totalCount edges { node { school { name } group { name } bookingRoom { name } } } } }
  ... on Question { description asker: student { firstName lastName email } teacher { firstName lastName email }
    group { name school { name } } discipline { name } subject { name } }
  ... on Booking { school { name } group { name } student { firstName lastName email }
    teacher { firstName lastName email } cancelledBy { firstName lastName email } bookingRoom { name } discipline { name } }
  ... on BookingRoom { name school { name } disciplines(first: 1000) { edges { node { name } } }
    availabilitySlots(first: 1000) { edges { node { teacher { firstName lastName email } } } } }
  ... on AvailabilitySlot { slotTeacher: teacher { email } slotRoom: bookingRoom { name school { name } } discipline { name } }
  ... on NPSAnswer { comment user { firstName lastName email } }
  ... on Discipline { name disciplineTeachers: teachers(first: 1000) { edges { node { firstName lastName email } } }
    disciplineRooms: bookingRooms(first: 1000) { edges { node { name school { name } } } } subjects(first: 1000) { edges { node { name } } } }
  ... on Subject { name discipline { name disciplineTeachers: teachers(first: 1000) { edges { node { email } } }
    disciplineRooms: bookingRooms(first: 1000) { edges { node { name } } } } }
}`

// connPage is a page of a connection, decoded generically.
type connPage struct {
	TotalCount int
	PageInfo   struct {
		HasNextPage bool
		EndCursor   *string
	}
	Edges []struct{ Node json.RawMessage }
}

// pageThrough asks for the connection field of query page after page
// (first: size, after: $after) and returns the rows and the totalCount.
func (c *isoCase) pageThrough(t *testing.T, field, query string, vars map[string]any) (rows, total int) {
	t.Helper()
	var after any
	for pages := 0; ; pages++ {
		vs := map[string]any{"after": after}
		for k, v := range vars {
			vs[k] = v
		}
		var data map[string]connPage
		c.gql(t, query, vs, &data)
		p := data[field]
		rows += len(p.Edges)
		total = p.TotalCount
		if !p.PageInfo.HasNextPage || p.PageInfo.EndCursor == nil {
			return rows, total
		}
		after = *p.PageInfo.EndCursor
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
	}
}

// isoSurfaces are the requests every token makes, each with the counts
// its answer must have; every answer is also checked for leaks.
var isoSurfaces = []struct {
	name string
	run  func(t *testing.T, c *isoCase)
}{
	// REST, JSON and CSV, at both base paths.
	{"rest/questions", func(t *testing.T, c *isoCase) {
		body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(isoFrom), ms(isoTo))
		wantCount(t, "rows", len(jsonRows(t, c.rest(t, "/reports/questions", "", body))), len(c.v.questions))
		wantCount(t, "CSV rows", csvRows(t, c.rest(t, "/v1/reports/questions", "text/csv", body)), len(c.v.questions))
	}},
	{"rest/bookings", func(t *testing.T, c *isoCase) {
		body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(isoFrom), ms(isoTo))
		wantCount(t, "rows", len(jsonRows(t, c.rest(t, "/v1/reports/bookings", "", body))), len(c.v.bookings))
		wantCount(t, "CSV rows", csvRows(t, c.rest(t, "/reports/bookings", "text/csv", body)), len(c.v.bookings))
	}},
	{"rest/bookings-workload", func(t *testing.T, c *isoCase) {
		rows := jsonRows(t, c.rest(t, "/reports/bookings-workload", "", `{}`))
		wantCount(t, "rows", len(rows), len(c.v.workload))
		wantCount(t, "CSV rows", csvRows(t, c.rest(t, "/v1/reports/bookings-workload", "text/csv", `{}`)), len(c.v.workload))
	}},
	{"rest/groups-usage", func(t *testing.T, c *isoCase) {
		raw, _ := c.groupList()
		ids, _ := json.Marshal(raw)
		body := fmt.Sprintf(`{"start_date": %d, "end_date": %d, "group_ids": %s, "show_teachers": true, "show_disciplines": true}`,
			ms(isoFrom), ms(isoTo), ids)
		var u struct {
			TotalQuestions int `json:"total_questions"`
			Students       []any
			Teachers       []any
		}
		if err := json.Unmarshal(c.rest(t, "/reports/groups-usage", "", body), &u); err != nil {
			t.Fatal(err)
		}
		students, teachers := c.usageMembers()
		wantCount(t, "total_questions", u.TotalQuestions, len(c.v.questions))
		wantCount(t, "students", len(u.Students), students)
		wantCount(t, "teachers", len(u.Teachers), teachers)
		c.rest(t, "/v1/reports/groups-usage", "text/csv", body)
	}},

	// GraphQL root fields.
	{"graphql/viewer", func(t *testing.T, c *isoCase) {
		var data struct{ Viewer struct{ ScopeIds []string } }
		c.gql(t, `{ viewer { tokenName scope scopeIds revealAnonymous } }`, nil, &data)
		for _, id := range data.Viewer.ScopeIds {
			_, raw, _ := gid.Decode(id)
			if u, err := uuid.Parse(raw); err != nil || (!c.v.schools[gid.SchoolID(u)] && !c.v.groups[gid.GroupID(u)]) {
				t.Errorf("viewer scope id %s is not in scope", id)
			}
		}
	}},
	{"graphql/schools", func(t *testing.T, c *isoCase) {
		var data struct {
			Schools struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Groups   struct{ TotalCount int }
						Bookings struct{ TotalCount int }
					}
				}
			}
		}
		c.gql(t, `{ schools(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount", data.Schools.TotalCount, len(c.v.schools))
		groups, bookings := 0, 0
		for _, e := range data.Schools.Edges {
			groups += e.Node.Groups.TotalCount
			bookings += e.Node.Bookings.TotalCount
		}
		wantCount(t, "groups under schools", groups, len(c.v.groups))
		wantCount(t, "bookings under schools", bookings, len(c.v.bookings))
	}},
	{"graphql/groups", func(t *testing.T, c *isoCase) {
		var data struct {
			Groups struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						ID        string
						Questions struct{ TotalCount int }
					}
				}
			}
		}
		c.gql(t, `{ groups(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount", data.Groups.TotalCount, len(c.v.groups))
		questions := 0
		for _, e := range data.Groups.Edges {
			questions += e.Node.Questions.TotalCount
		}
		wantCount(t, "questions under groups", questions, len(c.v.questions))
	}},
	{"graphql/users", func(t *testing.T, c *isoCase) {
		var data struct{ Users struct{ TotalCount int } }
		c.gql(t, `{ users(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount", data.Users.TotalCount, len(c.v.users))
		rows, total := c.pageThrough(t, "users", `query($after: Cursor) { users(first: 7, after: $after) {
		  totalCount pageInfo { hasNextPage endCursor } edges { node { firstName lastName email } } } }`, nil)
		wantCount(t, "rows paged through", rows, len(c.v.users))
		wantCount(t, "totalCount (paged)", total, len(c.v.users))
	}},
	{"graphql/questions", func(t *testing.T, c *isoCase) {
		rows, total := c.pageThrough(t, "questions", `query($after: Cursor) { questions(first: 1000, after: $after) {
		  totalCount pageInfo { hasNextPage endCursor } edges { node { ...everything } } } }`+isoNodeFragment, nil)
		wantCount(t, "rows paged through", rows, len(c.v.questions))
		wantCount(t, "totalCount", total, len(c.v.questions))
	}},
	{"graphql/bookings", func(t *testing.T, c *isoCase) {
		rows, total := c.pageThrough(t, "bookings", `query($after: Cursor) { bookings(first: 150, after: $after) {
		  totalCount pageInfo { hasNextPage endCursor } edges { node { ...everything } } } }`+isoNodeFragment, nil)
		wantCount(t, "rows paged through", rows, len(c.v.bookings))
		wantCount(t, "totalCount", total, len(c.v.bookings))
	}},
	{"graphql/bookingRooms", func(t *testing.T, c *isoCase) {
		var data struct{ BookingRooms struct{ TotalCount int } }
		c.gql(t, `{ bookingRooms(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount", data.BookingRooms.TotalCount, len(c.v.rooms))
	}},
	{"graphql/disciplines", func(t *testing.T, c *isoCase) {
		var data struct{ Disciplines struct{ TotalCount int } }
		c.gql(t, `{ disciplines(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount (shared catalogue)", data.Disciplines.TotalCount, c.w.nCatalog[0])
	}},
	{"graphql/subjects", func(t *testing.T, c *isoCase) {
		var data struct{ Subjects struct{ TotalCount int } }
		c.gql(t, `{ subjects(first: 1000) { totalCount edges { node { ...everything } } } }`+isoNodeFragment, nil, &data)
		wantCount(t, "totalCount (shared catalogue)", data.Subjects.TotalCount, c.w.nCatalog[1])
	}},
	{"graphql/node", func(t *testing.T, c *isoCase) {
		for typ, id := range c.v.inside {
			var data struct{ Node *struct{ ID string } }
			c.gql(t, `query($id: ID!) { node(id: $id) { ...everything } }`+isoNodeFragment, map[string]any{"id": id.global}, &data)
			if data.Node == nil || data.Node.ID != id.global {
				t.Errorf("node(%s in scope) = %+v", typ, data.Node)
			}
		}
	}},
	{"graphql/nodes", func(t *testing.T, c *isoCase) {
		for typ, id := range c.v.inside {
			var data struct{ Nodes []*struct{ ID string } }
			c.gql(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ...everything } }`+isoNodeFragment, map[string]any{"ids": []string{id.global}}, &data)
			if len(data.Nodes) != 1 || data.Nodes[0] == nil || data.Nodes[0].ID != id.global {
				t.Errorf("nodes([%s in scope]) = %+v", typ, data.Nodes)
			}
		}
	}},
	// nodes with several ids takes another path in ent (Client.Noders →
	// noders), which matches the loaded rows to the ids asked for.
	{"graphql/nodes with several ids", func(t *testing.T, c *isoCase) {
		var ids []string
		for _, id := range c.v.inside {
			ids = append(ids, id.global)
		}
		sort.Strings(ids)
		var data struct{ Nodes []*struct{ ID string } }
		c.gql(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ...everything } }`+isoNodeFragment, map[string]any{"ids": ids}, &data)
		for i, n := range data.Nodes {
			if n == nil || n.ID != ids[i] {
				t.Errorf("nodes[%d] (in scope) = %+v", i, n)
			}
		}
	}},
	{"graphql/questionsReport", func(t *testing.T, c *isoCase) {
		rows, total := c.pageThrough(t, "questionsReport", `query($after: Cursor) {
		  questionsReport(input: {from: "`+isoFrom+`", to: "`+isoTo+`"}, first: 1000, after: $after) {
		    totalCount pageInfo { hasNextPage endCursor }
		    edges { node { question { id } school { name } group { name school { name } }
		      student { firstName lastName email studentGroups(first: 100) { edges { node { name } } } } teacher { firstName lastName email teacherGroups(first: 100) { edges { node { name } } } }
		      discipline { name } subject { name } statusLabel description link } } } }`, nil)
		wantCount(t, "rows paged through", rows, len(c.v.questions))
		wantCount(t, "totalCount", total, len(c.v.questions))
	}},
	{"graphql/bookingsReport", func(t *testing.T, c *isoCase) {
		rows, total := c.pageThrough(t, "bookingsReport", `query($after: Cursor) {
		  bookingsReport(input: {from: "`+isoFrom+`", to: "`+isoTo+`"}, first: 100, after: $after) {
		    totalCount pageInfo { hasNextPage endCursor }
		    edges { node { booking { id } school { name } group { name } student { firstName lastName email }
		      teacher { firstName lastName email } cancelledBy { firstName lastName email }
		      bookingRoom { name school { name } } discipline { name } statusLabel timezone } } } }`, nil)
		wantCount(t, "rows paged through", rows, len(c.v.bookings))
		wantCount(t, "totalCount", total, len(c.v.bookings))
	}},
	{"graphql/bookingsWorkload", func(t *testing.T, c *isoCase) {
		var data struct {
			BookingsWorkload []struct {
				Teacher    struct{ ID string }
				Discipline struct{ ID string }
			}
		}
		c.gql(t, `{ bookingsWorkload { teacher { id firstName lastName email teacherGroups(first: 100) { edges { node { name school { name } } } } } discipline { id name } weeklyMinutes } }`, nil, &data)
		wantCount(t, "rows", len(data.BookingsWorkload), len(c.v.workload))
		for _, r := range data.BookingsWorkload {
			_, teacher, _ := gid.Decode(r.Teacher.ID)
			_, disc, _ := gid.Decode(r.Discipline.ID)
			if !c.v.workload[teacher+"/"+disc] {
				t.Errorf("workload row of teacher %s, discipline %s is not in scope", teacher, disc)
			}
		}
	}},
	{"graphql/groupsUsage", func(t *testing.T, c *isoCase) {
		_, ids := c.groupList()
		var data struct {
			GroupsUsage struct {
				TotalQuestions int
				Students       []any
				Teachers       []any
			}
		}
		c.gql(t, `query($ids: [ID!]!) { groupsUsage(input: {from: "`+isoFrom+`", to: "`+isoTo+`", groupIds: $ids,
		    showTeachers: true, showDisciplines: true}) {
		  timezone totalQuestions questionsByDiscipline { name count }
		  students { student { firstName lastName email studentGroups(first: 100) { edges { node { name } } } } groups questionsCount
		    questions { discipline { name } subject { name } } }
		  teachers { teacher { firstName lastName email teacherGroups(first: 100) { edges { node { name } } } } groups disciplines answeredQuestions }
		  disciplines { discipline { name } totalQuestions topSubjects { name count } } } }`,
			map[string]any{"ids": ids}, &data)
		students, teachers := c.usageMembers()
		wantCount(t, "totalQuestions", data.GroupsUsage.TotalQuestions, len(c.v.questions))
		wantCount(t, "students", len(data.GroupsUsage.Students), students)
		wantCount(t, "teachers", len(data.GroupsUsage.Teachers), teachers)
	}},
	{"graphql/questionStats", func(t *testing.T, c *isoCase) {
		var data struct {
			QuestionStats []struct {
				School *struct{ ID string }
				Group  *struct{ ID string }
				Count  int
			}
		}
		c.gql(t, `{ questionStats(filter: {from: "`+isoFrom+`", to: "`+isoTo+`"}, groupBy: [SCHOOL, GROUP, TEACHER]) {
		  school { id name } group { id name school { name } } teacher { firstName lastName email teacherGroups(first: 100) { edges { node { name } } } }
		  count answeredCount avgRating } }`, nil, &data)
		byGroup := map[gid.GroupID]int{}
		for _, b := range data.QuestionStats {
			if b.School == nil || b.Group == nil {
				t.Errorf("a bucket of %d questions without its school or group (not visible?)", b.Count)
				continue
			}
			_, raw, _ := gid.Decode(b.Group.ID)
			u, _ := uuid.Parse(raw)
			byGroup[gid.GroupID(u)] += b.Count
		}
		for g, n := range byGroup {
			if !c.v.groups[g] {
				t.Errorf("%d questions of group %s out of scope", n, g)
			}
			wantCount(t, "questions of group "+g.String(), n, c.v.questionsByGroup[g])
		}
		var sum int
		for _, n := range byGroup {
			sum += n
		}
		wantCount(t, "sum of the buckets", sum, len(c.v.questions))

		var data2 struct{ QuestionStats []struct{ Count int } }
		c.gql(t, `{ questionStats(filter: {from: "`+isoFrom+`", to: "`+isoTo+`"}, groupBy: [DISCIPLINE, SUBJECT, STATUS], timeBucket: MONTH) {
		  discipline { name } subject { name } status bucketStart count } }`, nil, &data2)
		sum = 0
		for _, b := range data2.QuestionStats {
			sum += b.Count
		}
		wantCount(t, "sum of the monthly buckets", sum, len(c.v.questions))
	}},
	{"graphql/bookingStats", func(t *testing.T, c *isoCase) {
		var data struct {
			BookingStats []struct {
				School *struct{ ID string }
				Count  int
			}
		}
		c.gql(t, `{ bookingStats(filter: {from: "`+isoFrom+`", to: "`+isoTo+`"}, groupBy: [SCHOOL, GROUP, TEACHER, ROOM]) {
		  school { id name } group { name } teacher { firstName lastName email } bookingRoom { name school { name } }
		  count countByStatus { label count } } }`, nil, &data)
		bySchool := map[gid.SchoolID]int{}
		for _, b := range data.BookingStats {
			if b.School == nil {
				t.Errorf("a bucket of %d bookings without its school (not visible?)", b.Count)
				continue
			}
			_, raw, _ := gid.Decode(b.School.ID)
			u, _ := uuid.Parse(raw)
			bySchool[gid.SchoolID(u)] += b.Count
		}
		sum := 0
		for s, n := range bySchool {
			wantCount(t, "bookings of school "+s.String(), n, c.v.bookingsBySchool[s])
			sum += n
		}
		wantCount(t, "sum of the buckets", sum, len(c.v.bookings))

		var data2 struct{ BookingStats []struct{ Count int } }
		c.gql(t, `{ bookingStats(filter: {from: "`+isoFrom+`", to: "`+isoTo+`"}, groupBy: [DISCIPLINE, MODAL, STATUS],
		    timeBucket: WEEK, timezone: "America/Sao_Paulo") { discipline { name } modal status bucketStart count } }`, nil, &data2)
		sum = 0
		for _, b := range data2.BookingStats {
			sum += b.Count
		}
		wantCount(t, "sum of the weekly buckets", sum, len(c.v.bookings))
	}},

	// GraphQL downloads (Accept: text/csv) of each kind of root field.
	{"download/questionsReport", func(t *testing.T, c *isoCase) {
		recs := c.csvDownload(t, `{ questionsReport(input: {from: "`+isoFrom+`", to: "`+isoTo+`"}, first: 1000) {
		  edges { node { school { name } group { name } student { firstName lastName email studentGroups(first: 100) { edges { node { name } } } }
		    teacher { email teacherGroups(first: 100) { edges { node { name } } } } discipline { name } } } } }`)
		wantCount(t, "rows", len(recs)-1, min(1000, len(c.v.questions)))
	}},
	{"download/bookingsReport", func(t *testing.T, c *isoCase) {
		recs := c.csvDownload(t, `{ bookingsReport(input: {from: "`+isoFrom+`", to: "`+isoTo+`"}, first: 1000) {
		  edges { node { school { name } group { name } student { email } teacher { email } cancelledBy { email } bookingRoom { name } } } } }`)
		wantCount(t, "rows", len(recs)-1, min(1000, len(c.v.bookings)))
	}},
	{"download/bookingsWorkload", func(t *testing.T, c *isoCase) {
		recs := c.csvDownload(t, `{ bookingsWorkload { teacher { firstName lastName email teacherGroups(first: 100) { edges { node { name } } } } discipline { name } weeklyMinutes } }`)
		wantCount(t, "rows", len(recs)-1, len(c.v.workload))
	}},
	{"download/questionStats", func(t *testing.T, c *isoCase) {
		c.csvDownload(t, `{ questionStats(filter: {from: "`+isoFrom+`", to: "`+isoTo+`"}, groupBy: [SCHOOL, GROUP, TEACHER]) {
		  school { name } group { name } teacher { email } count } }`)
	}},
	{"download/users", func(t *testing.T, c *isoCase) {
		recs := c.csvDownload(t, `{ users(first: 1000) { edges { node { firstName lastName email
		  studentGroups(first: 100) { edges { node { name school { name } } } } teacherGroups(first: 100) { edges { node { name school { name } } } } availabilitySlots(first: 100) { edges { node { bookingRoom { name } } } }
		  answeredQuestions(first: 1000) { edges { node { group { name } } } } } } } }`)
		wantCount(t, "rows", len(recs)-1, len(c.v.users))
	}},
}

// isoProbe is a request that takes an id of type typ: build writes its
// body (REST) or query (GraphQL, path "/graphql") around the id x, next to
// an id of the same type in scope where the probe mixes both.
type isoProbe struct {
	name  string
	typ   string
	path  string
	build func(x, in isoID) string
}

// compareWithRandom sends probe p with the out-of-scope id out and with a
// random id of the same type, and requires the same answer (ids
// normalised), which must also leak nothing.
func (c *isoCase) compareWithRandom(t *testing.T, p isoProbe, out isoID) {
	in := c.v.inside[p.typ]
	if in.raw == "" {
		t.Skipf("no %s in scope", p.typ)
	}
	random := randomIsoID(p.typ)
	ask := func(x isoID) (int, string) {
		body := []byte(p.build(x, in))
		if p.path == "/graphql" {
			body = gqlBody(string(body), nil)
		}
		status, raw := c.send(t, p.path, "", body)
		c.v.assertNoLeak(t, p.name, raw)
		norm := strings.ReplaceAll(strings.ReplaceAll(string(raw), x.global, "<ID>"), x.raw, "<ID>")
		return status, norm
	}
	s1, b1 := ask(out)
	s2, b2 := ask(random)
	if s1 != s2 || b1 != b2 {
		t.Errorf("LEAK: %s answers an id that exists out of scope (%s) differently from one that does not exist:\n"+
			"  out of scope: %d %.400s\n  nonexistent:  %d %.400s", p.name, out.label, s1, b1, s2, b2)
	}
	if p.path != "/graphql" && s2 != http.StatusForbidden {
		t.Errorf("%s: status %d, want 403: %.200s", p.name, s2, b2)
	}
}

// restIDs writes a JSON list of raw ids.
func restIDs(ids ...isoID) string {
	var raw []string
	for _, id := range ids {
		raw = append(raw, id.raw)
	}
	b, _ := json.Marshal(raw)
	return string(b)
}

// gqlIDs writes a GraphQL list of global ids.
func gqlIDs(ids ...isoID) string {
	var g []string
	for _, id := range ids {
		g = append(g, id.global)
	}
	b, _ := json.Marshal(g)
	return string(b)
}

// isoReportInput is the period of the GraphQL report inputs.
const isoReportInput = `from: "` + isoFrom + `", to: "` + isoTo + `"`

// isoProbes are the inputs that take ids.
var isoProbes = func() []isoProbe {
	period := fmt.Sprintf(`"start_date": %d, "end_date": %d`, ms(isoFrom), ms(isoTo))
	ps := []isoProbe{
		// REST.
		{"rest/questions group_ids", "Group", "/reports/questions", func(x, in isoID) string {
			return `{` + period + `, "group_ids": ` + restIDs(x) + `}`
		}},
		{"rest/questions group_ids with one in scope", "Group", "/v1/reports/questions", func(x, in isoID) string {
			return `{` + period + `, "group_ids": ` + restIDs(in, x) + `}`
		}},
		{"rest/bookings school_ids", "School", "/reports/bookings", func(x, in isoID) string {
			return `{` + period + `, "school_ids": ` + restIDs(x) + `}`
		}},
		{"rest/bookings school_ids with one in scope", "School", "/v1/reports/bookings", func(x, in isoID) string {
			return `{` + period + `, "school_ids": ` + restIDs(in, x) + `}`
		}},
		{"rest/bookings-workload school_ids", "School", "/reports/bookings-workload", func(x, in isoID) string {
			return `{"school_ids": ` + restIDs(x) + `}`
		}},
		{"rest/groups-usage group_ids", "Group", "/reports/groups-usage", func(x, in isoID) string {
			return `{` + period + `, "group_ids": ` + restIDs(x) + `, "show_teachers": true}`
		}},
		{"rest/groups-usage group_ids with one in scope", "Group", "/v1/reports/groups-usage", func(x, in isoID) string {
			return `{` + period + `, "group_ids": ` + restIDs(in, x) + `, "show_disciplines": true}`
		}},

		// GraphQL reports and stats.
		{"questionsReport groupIds", "Group", "/graphql", func(x, in isoID) string {
			return `{ questionsReport(input: {` + isoReportInput + `, groupIds: ` + gqlIDs(in, x) + `}) { totalCount edges { node { group { name } } } } }`
		}},
		{"questionsReport schoolIds", "School", "/graphql", func(x, in isoID) string {
			return `{ questionsReport(input: {` + isoReportInput + `, schoolIds: ` + gqlIDs(x) + `}) { totalCount } }`
		}},
		{"questionsReport teacherIds", "User", "/graphql", func(x, in isoID) string {
			return `{ questionsReport(input: {` + isoReportInput + `, teacherIds: ` + gqlIDs(x) + `}) { totalCount edges { node { teacher { email } } } } }`
		}},
		{"bookingsReport schoolIds", "School", "/graphql", func(x, in isoID) string {
			return `{ bookingsReport(input: {` + isoReportInput + `, schoolIds: ` + gqlIDs(in, x) + `}) { totalCount } }`
		}},
		{"bookingsReport groupIds", "Group", "/graphql", func(x, in isoID) string {
			return `{ bookingsReport(input: {` + isoReportInput + `, groupIds: ` + gqlIDs(x) + `}) { totalCount } }`
		}},
		{"bookingsReport teacherIds", "User", "/graphql", func(x, in isoID) string {
			return `{ bookingsReport(input: {` + isoReportInput + `, teacherIds: ` + gqlIDs(x) + `}) { totalCount } }`
		}},
		{"bookingsWorkload schoolIds", "School", "/graphql", func(x, in isoID) string {
			return `{ bookingsWorkload(schoolIds: ` + gqlIDs(x) + `) { teacher { email } weeklyMinutes } }`
		}},
		{"groupsUsage groupIds", "Group", "/graphql", func(x, in isoID) string {
			return `{ groupsUsage(input: {` + isoReportInput + `, groupIds: ` + gqlIDs(in, x) + `, showTeachers: true}) {
			  totalQuestions students { student { email } } teachers { teacher { email } } } }`
		}},
		{"questionStats groupIds", "Group", "/graphql", func(x, in isoID) string {
			return `{ questionStats(filter: {` + isoReportInput + `, groupIds: ` + gqlIDs(x) + `}, groupBy: [GROUP]) { group { name } count } }`
		}},
		{"questionStats schoolIds", "School", "/graphql", func(x, in isoID) string {
			return `{ questionStats(filter: {` + isoReportInput + `, schoolIds: ` + gqlIDs(x) + `}, groupBy: [SCHOOL], timeBucket: MONTH) { school { name } count } }`
		}},
		{"questionStats teacherIds", "User", "/graphql", func(x, in isoID) string {
			return `{ questionStats(filter: {` + isoReportInput + `, teacherIds: ` + gqlIDs(x) + `}, groupBy: []) { count } }`
		}},
		{"bookingStats schoolIds", "School", "/graphql", func(x, in isoID) string {
			return `{ bookingStats(filter: {` + isoReportInput + `, schoolIds: ` + gqlIDs(x) + `}, groupBy: [SCHOOL]) { school { name } count } }`
		}},
		{"bookingStats groupIds", "Group", "/graphql", func(x, in isoID) string {
			return `{ bookingStats(filter: {` + isoReportInput + `, groupIds: ` + gqlIDs(x) + `}, groupBy: [GROUP], timeBucket: WEEK) { group { name } count } }`
		}},

		// Connection filters, on the ids of the rows and across edges.
		{"groups where schoolID", "School", "/graphql", func(x, in isoID) string {
			return `{ groups(where: {schoolID: "` + x.global + `"}) { totalCount edges { node { name } } } }`
		}},
		{"questions where groupID", "Group", "/graphql", func(x, in isoID) string {
			return `{ questions(where: {groupID: "` + x.global + `"}) { totalCount } }`
		}},
		{"bookings where schoolID", "School", "/graphql", func(x, in isoID) string {
			return `{ bookings(where: {schoolID: "` + x.global + `"}) { totalCount } }`
		}},
		{"users where id", "User", "/graphql", func(x, in isoID) string {
			return `{ users(where: {id: "` + x.global + `"}) { totalCount } }`
		}},
		{"schools where hasGroupsWith id", "Group", "/graphql", func(x, in isoID) string {
			return `{ schools(where: {hasGroupsWith: [{id: "` + x.global + `"}]}) { totalCount edges { node { name } } } }`
		}},
		{"users where hasStudentGroupsWith id", "Group", "/graphql", func(x, in isoID) string {
			return `{ users(where: {hasStudentGroupsWith: [{id: "` + x.global + `"}]}) { totalCount edges { node { email } } } }`
		}},
		{"users where hasTeacherGroupsWith id", "Group", "/graphql", func(x, in isoID) string {
			return `{ users(where: {hasTeacherGroupsWith: [{id: "` + x.global + `"}]}) { totalCount edges { node { email } } } }`
		}},
		{"users where hasAnsweredQuestionsWith groupID", "Group", "/graphql", func(x, in isoID) string {
			return `{ users(where: {hasAnsweredQuestionsWith: [{groupID: "` + x.global + `"}]}) { totalCount } }`
		}},
		{"disciplines where hasTeachersWith id", "User", "/graphql", func(x, in isoID) string {
			return `{ disciplines(where: {hasTeachersWith: [{id: "` + x.global + `"}]}) { totalCount edges { node { name } } } }`
		}},
		{"disciplines where hasBookingRoomsWith id", "BookingRoom", "/graphql", func(x, in isoID) string {
			return `{ disciplines(where: {hasBookingRoomsWith: [{id: "` + x.global + `"}]}) { totalCount } }`
		}},
		{"subjects where hasDisciplineWith hasTeachersWith id", "User", "/graphql", func(x, in isoID) string {
			return `{ subjects(where: {hasDisciplineWith: [{hasTeachersWith: [{id: "` + x.global + `"}]}]}) { totalCount } }`
		}},
	}
	// node and nodes, for every node type with a scope.
	for _, typ := range []string{"School", "Group", "User", "Question", "Booking", "BookingRoom", "AvailabilitySlot", "NPSAnswer"} {
		ps = append(ps,
			isoProbe{"node " + typ, typ, "/graphql", func(x, in isoID) string {
				return `{ node(id: "` + x.global + `") { id } }`
			}},
			isoProbe{"nodes " + typ, typ, "/graphql", func(x, in isoID) string {
				return `{ nodes(ids: ` + gqlIDs(x) + `) { id } }`
			}},
			isoProbe{"nodes " + typ + " with one in scope", typ, "/graphql", func(x, in isoID) string {
				return `{ nodes(ids: ` + gqlIDs(in, x) + `) { id } }`
			}},
		)
	}
	return ps
}()
