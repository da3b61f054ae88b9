package graph

import (
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// An alias on a part of a connection would be answered wrongly (no rows, a
// count of 0, fields left null), so it is refused; aliases elsewhere are
// answered.
func TestConnectionAliases(t *testing.T) {
	refused := map[string]string{
		"edges":                  `{ questions(first: 2) { rows: edges { node { id } } } }`,
		"edges beside edges":     `{ questions(first: 2) { edges { node { description } } more: edges { node { answerRating } } } }`,
		"totalCount":             `{ questions(first: 2) { n: totalCount } }`,
		"pageInfo":               `{ questions(first: 2) { p: pageInfo { hasNextPage } } }`,
		"node":                   `{ questions(first: 2) { edges { q: node { id } } } }`,
		"in a named fragment":    `{ questions(first: 2) { ...Page } } fragment Page on QuestionConnection { e: edges { cursor } }`,
		"in an inline fragment":  `{ questions(first: 2) { ... on QuestionConnection { c: totalCount } } }`,
		"in a nested connection": `{ groups(first: 2) { edges { node { questions(first: 2) { e: edges { node { id } } } } } } }`,
		"in a report connection": `{ questionsReport(input: {from: "2025-01-01T00:00:00Z", to: "2026-12-31T00:00:00Z"}, first: 2) { r: edges { cursor } } }`,
	}
	answered := map[string]string{
		"the connection field": `{ a: questions(first: 2) { edges { node { id } } } b: questions(first: 3) { totalCount } }`,
		"a node's fields":      `{ questions(first: 2) { edges { node { key: id text: description g: group { n: name } } } } }`,
		"a field named alike":  `{ questions(first: 2) { edges: edges { node: node { id } } totalCount: totalCount } }`,
	}
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		s := newTestServer(t, d, Options{ComplexityLimit: DefaultComplexityLimit, DepthLimit: 12})
		for name, q := range refused {
			t.Run("refused/"+name, func(t *testing.T) {
				r := s.query(t, q, nil, nil)
				if r.code() != CodeBadUserInput || !strings.Contains(r.Errors[0].Message, "alias the connection field instead") {
					t.Errorf("%d %+v, want %s", r.status, r.Errors, CodeBadUserInput)
				}
				if len(r.Data) > 0 && string(r.Data) != "null" {
					t.Errorf("data %s", r.Data)
				}
			})
		}
		for name, q := range answered {
			t.Run("answered/"+name, func(t *testing.T) {
				if r := s.query(t, q, nil, nil); len(r.Errors) > 0 || r.status != 200 {
					t.Errorf("%d %+v", r.status, r.Errors)
				}
			})
		}
		if logs := s.errorLogs(); len(logs) > 0 {
			t.Errorf("logged at ERROR: %q", logs)
		}
	})
}
