package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/question"
)

// selectAskerColumns makes a page of questions read only the columns its
// nodes select when they select the asker (studentID, student).
//
// entgql reads only the columns a selection needs, unless it meets a field
// it does not know; then it reads every column, since a hand-written
// resolver might need any. The asker fields are this package's
// (question.graphqls: masked, so not ent's), and with them a page of
// questions read all 22 columns, its long texts included, to write three.
// Here every field of the nodes is mapped to its column the way entgql
// maps them (questionColumnOf), the asker fields to student_id, and the
// page selects those: entgql's own selection, had it known the two fields.
// A field neither knows leaves the query alone, reading every column.
func selectAskerColumns(ctx context.Context, q *ent.QuestionQuery) {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return
	}
	var columns []string
	asker := false
	for _, edges := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(oc, edges.Selections, nil) {
			if node.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(oc, node.Selections, questionImplementors) {
				switch c, ok := questionColumnOf[f.Name]; {
				case f.Name == "studentID" || f.Name == "student":
					asker = true
					columns = append(columns, question.FieldStudentID)
				case ok:
					columns = append(columns, c)
				case f.Name == "__typename":
				default:
					return
				}
			}
		}
	}
	if asker {
		// Without the asker fields entgql selects the columns itself.
		q.Select(dedupe(columns)...)
	}
}

// questionColumnOf is the column each field of Question reads, as entgql
// names them: a column's name in lower camel case with "ID" for "id", or
// an edge's name for its foreign key.
var questionColumnOf = func() map[string]string {
	m := map[string]string{
		"group":      question.GroupColumn,
		"discipline": question.DisciplineColumn,
		"subject":    question.SubjectColumn,
		"teacher":    question.TeacherColumn,
	}
	for _, c := range question.Columns {
		if c != question.FieldStudentID { // skipped in the GraphQL type
			m[lowerCamel(c)] = c
		}
	}
	return m
}()

// lowerCamel is entgql's GraphQL name of a column: group_id is groupID.
func lowerCamel(column string) string {
	parts := strings.Split(column, "_")
	for i, p := range parts {
		switch {
		case p == "id" && i > 0:
			parts[i] = "ID"
		case i > 0:
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
