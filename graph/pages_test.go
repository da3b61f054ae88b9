package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// TestCompiledPagesAnswerAsTheExecutor sends the same requests to a handler
// with compiled pages and to one where the executor serves every field,
// as principals that see more and less, and wants the same bytes; and
// that the pages meant to be compiled were.
func TestCompiledPagesAnswerAsTheExecutor(t *testing.T) {
	const allFields = `id groupID disciplineID subjectID anonymous description createdAt teacherID answeredAt
		answerDescription responseMinutes adjustedResponseMinutes replyDescription replyCreatedAt
		replyAnswerDescription replyAnsweredAt answerRating answerUnderstood answerComment hasSeenAnswer cancelledAt
		student { id firstName lastName email externalID role createdAt blockedAt deletedAt }
		group { id name schoolID } discipline { id name }`
	cases := []struct {
		name     string
		query    string
		vars     map[string]any
		compiled bool // served as a compiled page
	}{
		{"the benchmark's page", `{ questions(first: 100, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node {
			id description createdAt student { firstName lastName email } group { name } discipline { name } } } } }`, nil, true},
		{"every plain field, cursors, page info, count", `{ questions(first: 50) { totalCount
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			edges { cursor node { ` + allFields + ` } } } }`, nil, true},
		{"aliases, __typename, fragments, skip and include", `query Q($yes: Boolean!, $no: Boolean!) {
			page: questions(first: 20, orderBy: {field: CREATED_AT, direction: DESC}) { __typename
			edges { __typename node { ...Q who: student { __typename name: firstName } g: group @include(if: $yes) { name }
			discipline @skip(if: $yes) { name } anonymous @include(if: $no) } } } }
			fragment Q on Question { __typename key: id text: description }`, map[string]any{"yes": true, "no": false}, true},
		{"fields merged from repeated selections", `{ questions(first: 6) { edges { node { id student { email } } }
			edges { node { description student { firstName } group { name } } } edges { cursor } } }`, nil, true},
		{"a filter and the page after a cursor", `query($after: Cursor) { questions(first: 7, after: $after,
			where: {anonymous: true}) { pageInfo { endCursor } edges { node { id anonymous student { email } } } } }`, nil, true},
		{"the last page before the end", `{ questions(last: 5) { edges { cursor node { id createdAt } } } }`, nil, true},
		{"a field the writer does not know (an edge it does not write)", `{ questions(first: 10) { edges { node { id teacher { firstName } } } } }`, nil, false},
		{"a resolver field it does not know", `{ questions(first: 10) { edges { node { id studentID } } } }`, nil, false},
		{"two root fields", `{ a: questions(first: 3) { edges { node { id } } } b: questions(first: 2) { totalCount } }`, nil, true},
		{"a bad cursor: the executor's error", `{ questions(first: 3, after: "not a cursor") { edges { node { id } } } }`, nil, false},
		{"a page too large: the executor's error", `{ questions(first: 5000) { edges { node { id } } } }`, nil, false},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		if err := seed.Demo(context.Background(), d.Client); err != nil {
			t.Fatal(err)
		}
		all := &auth.Principal{Name: "all", Scope: auth.ScopeAll, RevealAnonymous: true}
		groups, err := d.Client.Group.Query().Order(ent.Asc(group.FieldName)).Limit(2).All(auth.NewContext(context.Background(), all))
		if err != nil || len(groups) < 2 {
			t.Fatalf("groups %v: %v", groups, err)
		}
		principals := []*auth.Principal{
			all,
			{Name: "all, masked", Scope: auth.ScopeAll},
			{Name: "two groups", Scope: auth.ScopeGroups, GroupIDs: []gid.GroupID{groups[0].ID, groups[1].ID},
				SchoolIDs: []gid.SchoolID{groups[0].SchoolID, groups[1].SchoolID}},
			{Name: "no school", Scope: auth.ScopeSchools},
			{Name: "none", Scope: auth.ScopeNone},
		}
		opts := Options{Now: func() time.Time { return seed.Now }}
		p := &probe{}
		compiled := newHandler(d, opts, p)
		opts.executorOnly = true
		executor := newHandler(d, opts, nil)
		for _, pr := range principals {
			for _, c := range cases {
				t.Run(pr.Name+"/"+c.name, func(t *testing.T) {
					vars := c.vars
					if c.name == "a filter and the page after a cursor" {
						vars = map[string]any{"after": firstEndCursor(t, executor, pr)}
					}
					body, err := json.Marshal(map[string]any{"query": c.query, "variables": vars})
					if err != nil {
						t.Fatal(err)
					}
					before := p.compiled.Load()
					got, gotCode := serveAs(compiled, pr, body)
					want, wantCode := serveAs(executor, pr, body)
					if gotCode != wantCode || !bytes.Equal(got, want) {
						t.Fatalf("compiled %d:\n%.2000s\nexecutor %d:\n%.2000s", gotCode, got, wantCode, want)
					}
					if n := p.compiled.Load() - before; (n > 0) != c.compiled {
						t.Errorf("compiled root fields: %d, want compiled %v; answer %.300s", n, c.compiled, got)
					}
					if c.name == "the benchmark's page" && pr.Name == "all" && !bytes.Contains(got, []byte(`"student":{"firstName"`)) {
						t.Errorf("no student in %.300s", got)
					}
				})
			}
		}
	})
}

// serveAs sends a GraphQL POST of body to h as principal p.
func serveAs(h http.Handler, p *auth.Principal, body []byte) ([]byte, int) {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req.WithContext(auth.NewContext(req.Context(), p)))
	return w.Body.Bytes(), w.Code
}

// firstEndCursor is the end cursor of p's first page of anonymous
// questions, or null when p sees none.
func firstEndCursor(t *testing.T, h http.Handler, p *auth.Principal) any {
	body, _ := json.Marshal(map[string]any{"query": `{ questions(first: 7, where: {anonymous: true}) { pageInfo { endCursor } } }`})
	got, _ := serveAs(h, p, body)
	var r struct {
		Data struct {
			Questions struct{ PageInfo struct{ EndCursor any } }
		}
	}
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	return r.Data.Questions.PageInfo.EndCursor
}
