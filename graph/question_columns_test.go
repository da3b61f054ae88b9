package graph

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// Every plain field of Question must map to its column, or a page that
// selects it with the asker reads every column again.
func TestQuestionColumnOfKnowsEveryField(t *testing.T) {
	for name := range questionFields {
		if _, ok := questionColumnOf[name]; !ok {
			t.Errorf("questionColumnOf has no column for the field %s", name)
		}
	}
	for name, want := range map[string]string{"id": "id", "groupID": "group_id", "adjustedResponseMinutes": "adjusted_response_minutes", "group": "group_id"} {
		if got := questionColumnOf[name]; got != want {
			t.Errorf("questionColumnOf[%q] = %q, want %q", name, got, want)
		}
	}
}

// A page that selects the asker reads only the columns its fields need
// (selectAskerColumns); its other fields must read as they do without it.
func TestQuestionPageWithTheAskerReadsEveryField(t *testing.T) {
	const fields = `id groupID disciplineID subjectID anonymous description createdAt teacherID answeredAt
		answerDescription responseMinutes adjustedResponseMinutes replyDescription replyCreatedAt
		replyAnswerDescription replyAnsweredAt answerRating answerUnderstood answerComment hasSeenAnswer cancelledAt
		group { name } discipline { name } subject { name } teacher { firstName }`
	cases := []struct{ name, without, with string }{
		{"every field", `{ questions(first: 60, orderBy: {field: ANSWERED_AT, direction: DESC}) { edges { node { ` + fields + ` } } } }`,
			`{ questions(first: 60, orderBy: {field: ANSWERED_AT, direction: DESC}) { edges { node { ` + fields + ` studentID student { id email } } } } }`},
		{"one field and the order's", `{ questions(first: 60) { edges { cursor node { description } } } }`,
			`{ questions(first: 60) { edges { cursor node { student { firstName } description } } } }`},
		{"fragments", `{ questions(last: 30) { edges { node { ...Q } } } } fragment Q on Question { answerComment g: group { name } }`,
			`{ questions(last: 30) { edges { node { ...Q ... on Question { student { email } } } } } } fragment Q on Question { answerComment g: group { name } }`},
		{"the asker in a repeated edges", `{ questions(first: 20) { edges { node { description answerRating } } } }`,
			`{ questions(first: 20) { edges { node { description answerRating } } edges { node { student { email } } } } }`},
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		if err := seed.Demo(context.Background(), d.Client); err != nil {
			t.Fatal(err)
		}
		h := newHandler(d, Options{Now: func() time.Time { return seed.Now }}, nil)
		for _, pr := range []*auth.Principal{
			{Name: "all", Scope: auth.ScopeAll, RevealAnonymous: true},
			{Name: "all, masked", Scope: auth.ScopeAll},
		} {
			for _, c := range cases {
				t.Run(pr.Name+"/"+c.name, func(t *testing.T) {
					want := questionNodes(t, h, pr, c.without)
					got := questionNodes(t, h, pr, c.with)
					if len(want) == 0 || len(got) != len(want) {
						t.Fatalf("%d nodes with the asker, %d without", len(got), len(want))
					}
					for i := range got {
						if got[i]["student"] == nil && got[i]["anonymous"] == false {
							t.Errorf("node %d: no student: %v", i, got[i])
						}
						delete(got[i], "student")
						delete(got[i], "studentID")
						if !reflect.DeepEqual(got[i], want[i]) {
							t.Fatalf("node %d with the asker:\n%v\nwithout:\n%v", i, got[i], want[i])
						}
					}
				})
			}
		}
	})
}

// questionNodes is the nodes of the first edges of query's questions.
func questionNodes(t *testing.T, h http.Handler, p *auth.Principal, query string) []map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	got, code := serveAs(h, p, body)
	var r struct {
		Data struct {
			Questions struct {
				Edges []struct {
					Cursor string
					Node   map[string]any
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(got, &r); err != nil || code != 200 || len(r.Errors) > 0 {
		t.Fatalf("%d %.500s: %v", code, got, err)
	}
	nodes := make([]map[string]any, len(r.Data.Questions.Edges))
	for i, e := range r.Data.Questions.Edges {
		nodes[i] = maps.Clone(e.Node)
		if e.Cursor != "" {
			nodes[i]["cursor"] = e.Cursor
		}
	}
	return nodes
}
