package download

import (
	"reflect"
	"testing"
)

// fuzzQuery selects a connection whose rows have nested objects, list
// leaves, a list of objects along a path and fragments.
const fuzzQuery = `query Fuzz {
	questionsReport(first: 10) {
		totalCount
		pageInfo { hasNextPage }
		edges {
			node {
				id
				student {
					name
					groups
					scores
					questions { discipline { name } tags }
					...GroupOf
				}
				minutes
				rating
				answered
			}
		}
	}
}
fragment GroupOf on Student { g: group { school { name } } }`

var fuzzColumns = []string{
	"id", "student.name", "student.groups", "student.scores",
	"student.questions.discipline.name", "student.questions.tags",
	"student.g.school.name", "minutes", "rating", "answered",
}

// FuzzTable feeds random data to Table for a fixed query: it never panics,
// its columns do not depend on the data, and it returns either an error or
// rows as long as the columns, of the types package export accepts.
func FuzzTable(f *testing.F) {
	for _, seed := range []string{
		`{"questionsReport": {"totalCount": 1, "pageInfo": {"hasNextPage": false}, "edges": [{"node": {"id": "1", "student": {"name": "Ana", "groups": ["G"], "scores": [1, null, 2.5], "questions": [{"discipline": {"name": "Math"}, "tags": ["a"]}, {"discipline": null, "tags": null}], "g": {"school": {"name": "S"}}}, "minutes": 12, "rating": 4.5, "answered": true}}]}}`,
		`{"questionsReport": {"edges": [{"node": null}, null, {}, {"node": {"student": null}}]}}`,
		`{"questionsReport": {"edges": [{"node": {"student": {"questions": [[{"discipline": {"name": "x"}}]], "groups": [[1, [true]], {"a": 1}]}}}]}}`,
		`{"questionsReport": {"edges": [{"node": {"student": "oops"}}]}}`,
		`{"questionsReport": {"edges": [{"node": {"id": {"x": [1]}, "minutes": 1e400, "rating": -0.0, "answered": "yes"}}]}}`,
		`{"questionsReport": {"edges": 3}}`,
		`{"questionsReport": []}`,
		`{"questionsReport": null}`,
		`{}`,
		`null`,
		`[]`,
		`"x"`,
		`{"questionsReport": {"edges": [`,
		``,
	} {
		f.Add([]byte(seed))
	}
	schema := loadSchema(f)
	doc := loadQuery(f, schema, fuzzQuery)
	f.Fuzz(func(t *testing.T, data []byte) {
		cols, rows, err := Table(doc, "Fuzz", data, nil)
		if err != nil {
			if cols != nil || rows != nil {
				t.Fatalf("error %v with columns or rows", err)
			}
			return
		}
		if got := keys(cols); !reflect.DeepEqual(got, fuzzColumns) {
			t.Fatalf("columns = %q, want %q", got, fuzzColumns)
		}
		for row, err := range rows {
			if err != nil {
				return
			}
			if len(row) != len(cols) {
				t.Fatalf("row of %d values, want %d", len(row), len(cols))
			}
			for i, v := range row {
				switch v := v.(type) {
				case nil, string, bool, int64, float64:
				case []string:
					if v == nil {
						t.Fatalf("column %s: nil []string", cols[i].Key)
					}
				default:
					t.Fatalf("column %s: value of type %T", cols[i].Key, v)
				}
			}
		}
	})
}
