package download

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/export"
)

// testSchema mimics the report schema: a connection with edges, node,
// pageInfo and totalCount, nested objects, lists of strings, an interface
// and a union.
const testSchema = `
interface Node { id: ID! }
enum QuestionStatus { PENDING ANSWERED }
type School implements Node { id: ID! name: String! }
type Group implements Node { id: ID! name: String! school: School }
type Discipline { name: String! }
type Question implements Node {
  id: ID!
  text: String
  discipline: Discipline
  tags: [String!]
}
type Student implements Node {
  id: ID!
  name: String!
  email: String
  group: Group
  groups: [String!]!
  scores: [Int]
  questions: [Question!]!
}
type Teacher implements Node { id: ID! name: String! disciplines: [String!]! }
union Person = Student | Teacher
type PageInfo { hasNextPage: Boolean! endCursor: String }
type QuestionReportRow {
  id: ID!
  student: Student
  group: Group
  minutes: Int
  rating: Float
  status: QuestionStatus!
  answered: Boolean!
}
type QuestionReportEdge { node: QuestionReportRow! cursor: String! }
type QuestionReportConnection {
  edges: [QuestionReportEdge!]!
  pageInfo: PageInfo!
  totalCount: Int!
}
type UsageReport { students: [Student!]! groups: [String!]! }
type Query {
  questionsReport(first: Int): QuestionReportConnection!
  students: [Student!]!
  people: [Person!]!
  nodes: [Node]!
  usage: UsageReport!
  groupNames: [String!]!
  count: Int!
  school(id: ID!): School
}
`

func loadSchema(t testing.TB) *ast.Schema {
	t.Helper()
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: testSchema})
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	return schema
}

func loadQuery(t testing.TB, schema *ast.Schema, q string) *ast.QueryDocument {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, q, nil) // nil: the default rules
	if len(errs) > 0 {
		t.Fatalf("query %s: %v", q, errs)
	}
	return doc
}

// collect reads all rows, copying each.
func collect(rows export.Rows) ([][]any, error) {
	out := [][]any{}
	for row, err := range rows {
		if err != nil {
			return out, err
		}
		out = append(out, append([]any(nil), row...))
	}
	return out, nil
}

func keys(cols []export.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Key
	}
	return out
}

func TestTable(t *testing.T) {
	schema := loadSchema(t)
	tests := []struct {
		name  string
		query string
		op    string
		data  string
		cols  []string
		rows  [][]any
	}{
		{
			name: "connection with nested objects and aliases",
			query: `query Report {
				questionsReport(first: 2) {
					totalCount
					pageInfo { hasNextPage endCursor }
					edges {
						cursor
						node {
							id
							who: student { name email group { school { schoolName: name } } }
							minutes
							rating
							status
							answered
						}
					}
				}
			}`,
			data: `{"questionsReport": {
				"totalCount": 2,
				"pageInfo": {"hasNextPage": false, "endCursor": "c2"},
				"edges": [
					{"cursor": "c1", "node": {"id": "UTox", "who": {"name": "Ana", "email": "=HYPERLINK(\"x\")", "group": {"school": {"schoolName": "Escola A"}}},
						"minutes": 9007199254740993, "rating": 4.5, "status": "ANSWERED", "answered": true}},
					{"cursor": "c2", "node": {"id": "UToy", "who": {"name": "Bia", "email": null, "group": {"school": {"schoolName": "Escola B"}}},
						"minutes": -60, "rating": 5, "status": "PENDING", "answered": false}}
				]}}`,
			cols: []string{"id", "who.name", "who.email", "who.group.school.schoolName", "minutes", "rating", "status", "answered"},
			rows: [][]any{
				{"UTox", "Ana", `=HYPERLINK("x")`, "Escola A", int64(9007199254740993), 4.5, "ANSWERED", true},
				{"UToy", "Bia", nil, "Escola B", int64(-60), int64(5), "PENDING", false},
			},
		},
		{
			name:  "connection with aliased edges and node, in a fragment",
			query: `{ r: questionsReport { ... on QuestionReportConnection { e: edges { n: node { id } } } } }`,
			data:  `{"r": {"e": [{"n": {"id": "1"}}, {"n": {"id": "2"}}]}}`,
			cols:  []string{"id"},
			rows:  [][]any{{"1"}, {"2"}},
		},
		{
			name:  "empty connection",
			query: `{ questionsReport { edges { node { id minutes } } } }`,
			data:  `{"questionsReport": {"edges": []}}`,
			cols:  []string{"id", "minutes"},
			rows:  [][]any{},
		},
		{
			name:  "plain list",
			query: `{ students { id name email } }`,
			data:  `{"students": [{"id": "1", "name": "Ana", "email": "ana@x"}, {"id": "2", "name": "Bia", "email": "bia@x"}]}`,
			cols:  []string{"id", "name", "email"},
			rows:  [][]any{{"1", "Ana", "ana@x"}, {"2", "Bia", "bia@x"}},
		},
		{
			name:  "list of scalars",
			query: `{ names: groupNames }`,
			data:  `{"names": ["A", "B"]}`,
			cols:  []string{"names"},
			rows:  [][]any{{"A"}, {"B"}},
		},
		{
			name: "fragments on a union, spreads and inline",
			query: `query {
				people {
					__typename
					...StudentFields
					... on Teacher { name disciplines }
				}
			}
			fragment StudentFields on Student { name email group { name } }`,
			data: `{"people": [
				{"__typename": "Student", "name": "Ana", "email": "ana@x", "group": {"name": "G1"}},
				{"__typename": "Teacher", "name": "Carla", "disciplines": ["Math", "Physics"]}
			]}`,
			cols: []string{"name", "email", "group.name", "disciplines"},
			rows: [][]any{
				{"Ana", "ana@x", "G1", nil},
				{"Carla", nil, nil, []string{"Math", "Physics"}},
			},
		},
		{
			name: "fragments on an interface, nested spreads, aliased __typename",
			query: `{
				nodes {
					kind: __typename
					...NodeID
					... on Student { ...Named group { ...NodeID } }
				}
			}
			fragment NodeID on Node { id }
			fragment Named on Student { name }`,
			data: `{"nodes": [
				{"kind": "Student", "id": "s1", "name": "Ana", "group": {"id": "g1"}},
				{"kind": "School", "id": "sc1"},
				null
			]}`,
			cols: []string{"kind", "id", "name", "group.id"},
			rows: [][]any{
				{"Student", "s1", "Ana", "g1"},
				{"School", "sc1", nil, nil},
				{nil, nil, nil, nil},
			},
		},
		{
			name:  "fields with one response key merge; duplicate paths appear once",
			query: `{ students { group { name } id } students { id group { school { name } name } } }`,
			data:  `{"students": [{"group": {"name": "G", "school": {"name": "S"}}, "id": "1"}]}`,
			cols:  []string{"group.name", "group.school.name", "id"},
			rows:  [][]any{{"G", "S", "1"}},
		},
		{
			name:  "nulls along a path",
			query: `{ questionsReport { edges { node { id student { name group { school { name } } } } } } }`,
			data: `{"questionsReport": {"edges": [
				{"node": {"id": "1", "student": null}},
				{"node": {"id": "2", "student": {"name": "Ana", "group": null}}},
				{"node": {"id": "3", "student": {"name": "Bia", "group": {"school": null}}}},
				{"node": {"id": "4", "student": {"name": "Cia", "group": {}}}},
				{"node": null},
				{}
			]}}`,
			cols: []string{"id", "student.name", "student.group.school.name"},
			rows: [][]any{
				{"1", nil, nil},
				{"2", "Ana", nil},
				{"3", "Bia", nil},
				{"4", "Cia", nil},
				{nil, nil, nil},
				{nil, nil, nil},
			},
		},
		{
			name:  "list leaves",
			query: `{ students { name groups scores } }`,
			data: `{"students": [
				{"name": "Ana", "groups": ["G1", "G2"], "scores": [1, null, 30000000000, 2.5, true]},
				{"name": "Bia", "groups": [], "scores": null}
			]}`,
			cols: []string{"name", "groups", "scores"},
			rows: [][]any{
				{"Ana", []string{"G1", "G2"}, []string{"1", "30000000000", "2.5", "true"}},
				{"Bia", []string{}, nil},
			},
		},
		{
			name:  "nested lists of objects under a row",
			query: `{ people { ... on Student { name questions { id discipline { name } tags } } } }`,
			data: `{"people": [
				{"name": "Ana", "questions": [
					{"id": "q1", "discipline": {"name": "Math"}, "tags": ["a", "b"]},
					{"id": "q2", "discipline": null, "tags": null},
					{"id": "q3", "discipline": {"name": "Bio"}, "tags": ["c"]}
				]},
				{"name": "Bia", "questions": []},
				{}
			]}`,
			cols: []string{"name", "questions.id", "questions.discipline.name", "questions.tags"},
			rows: [][]any{
				{"Ana", []string{"q1", "q2", "q3"}, []string{"Math", "Bio"}, []string{"a", "b", "c"}},
				{"Bia", []string{}, []string{}, []string{}},
				{nil, nil, nil, nil},
			},
		},
		{
			name:  "columns exist when every value is null",
			query: `{ students { id group { name school { name } } } }`,
			data:  `{"students": null}`,
			cols:  []string{"id", "group.name", "group.school.name"},
			rows:  [][]any{},
		},
		{
			name:  "top-level __typename is ignored",
			query: `{ __typename students { __typename id } }`,
			data:  `{"__typename": "Query", "students": [{"__typename": "Student", "id": "1"}]}`,
			cols:  []string{"id"},
			rows:  [][]any{{"1"}},
		},
		{
			name:  "literal skip and include",
			query: `{ students { id email @skip(if: true) name @include(if: false) ... on Student @skip(if: true) { groups } group @include(if: true) { name } } count @skip(if: true) }`,
			data:  `{"students": [{"id": "1", "group": {"name": "G"}}]}`,
			cols:  []string{"id", "group.name"},
			rows:  [][]any{{"1", "G"}},
		},
		{
			name:  "variable conditions keep the column",
			query: `query($x: Boolean!) { students { id email @include(if: $x) } }`,
			data:  `{"students": [{"id": "1"}]}`,
			cols:  []string{"id", "email"},
			rows:  [][]any{{"1", nil}},
		},
		{
			name:  "operation chosen by name",
			query: `query A { count } query B { students { id } }`,
			op:    "B",
			data:  `{"students": [{"id": "1"}]}`,
			cols:  []string{"id"},
			rows:  [][]any{{"1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadQuery(t, schema, tt.query)
			cols, rows, err := Table(doc, tt.op, []byte(tt.data), nil)
			if err != nil {
				t.Fatalf("Table: %v", err)
			}
			if got := keys(cols); !reflect.DeepEqual(got, tt.cols) {
				t.Errorf("columns = %q, want %q", got, tt.cols)
			}
			for _, c := range cols {
				if c.Header != c.Key {
					t.Errorf("column %q has header %q", c.Key, c.Header)
				}
			}
			got, err := collect(rows)
			if err != nil {
				t.Fatalf("rows: %v", err)
			}
			if !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows =\n%#v\nwant\n%#v", got, tt.rows)
			}
		})
	}
}

func TestTableErrors(t *testing.T) {
	schema := loadSchema(t)
	tests := []struct {
		name  string
		query string
		op    string
		data  string
		want  string
	}{
		{
			name:  "two top-level fields",
			query: `{ students { id } count }`,
			data:  `{"students": [], "count": 0}`,
			want:  "A download selects exactly one field; this query selects 2.",
		},
		{
			name:  "three top-level fields through a fragment",
			query: `query { ...F count } fragment F on Query { students { id } c2: count }`,
			data:  `{}`,
			want:  "A download selects exactly one field; this query selects 3.",
		},
		{
			name:  "only __typename",
			query: `{ __typename }`,
			data:  `{"__typename": "Query"}`,
			want:  "A download selects exactly one field; this query selects 0.",
		},
		{
			name:  "a single object",
			query: `{ usage { students { name questions { discipline { name } } } } }`,
			data:  `{"usage": {"students": []}}`,
			want:  "A download needs a list or a connection.",
		},
		{
			name:  "a nullable single object",
			query: `{ school(id: "1") { name } }`,
			data:  `{"school": null}`,
			want:  "A download needs a list or a connection.",
		},
		{
			name:  "a scalar",
			query: `{ count }`,
			data:  `{"count": 3}`,
			want:  "A download needs a list or a connection.",
		},
		{
			name:  "a connection without its nodes",
			query: `{ questionsReport { totalCount edges { cursor } } }`,
			data:  `{"questionsReport": {"totalCount": 0, "edges": []}}`,
			want:  "A download of a connection selects edges { node { … } }.",
		},
		{
			name:  "a connection without its edges",
			query: `{ questionsReport { totalCount } }`,
			data:  `{"questionsReport": {"totalCount": 0}}`,
			want:  "A download needs a list or a connection.",
		},
		{
			name:  "edges twice",
			query: `{ questionsReport { a: edges { node { id } } b: edges { node { minutes } } } }`,
			data:  `{}`,
			want:  "A download selects the edges of its connection once.",
		},
		{
			name:  "no column",
			query: `{ students { __typename } }`,
			data:  `{"students": []}`,
			want:  "A download needs at least one field under each row.",
		},
		{
			name:  "operation name missing",
			query: `query A { students { id } } query B { students { id } }`,
			data:  `{}`,
			want:  "A download needs an operation name; this document has 2 operations.",
		},
		{
			name:  "unknown operation",
			query: `query A { students { id } }`,
			op:    "B",
			data:  `{}`,
			want:  `A download needs an operation named "B"; this document has none.`,
		},
		{
			name:  "null data",
			query: `{ students { id } }`,
			data:  `null`,
			want:  "The result of the query has no data.",
		},
		{
			name:  "invalid JSON",
			query: `{ students { id } }`,
			data:  `{"students": [`,
			want:  "The result of the query is not valid JSON",
		},
		{
			name:  "trailing data",
			query: `{ students { id } }`,
			data:  `{} {}`,
			want:  "The result of the query is not valid JSON: data after the value.",
		},
		{
			name:  "data not an object",
			query: `{ students { id } }`,
			data:  `[]`,
			want:  "The data of the query result is not an object.",
		},
		{
			name:  "a list that is not a list",
			query: `{ students { id } }`,
			data:  `{"students": {"id": "1"}}`,
			want:  "A download needs a list or a connection; students is an object.",
		},
		{
			name:  "a connection that is not an object",
			query: `{ questionsReport { edges { node { id } } } }`,
			data:  `{"questionsReport": []}`,
			want:  "A download of a connection needs an object; questionsReport is a list.",
		},
		{
			name:  "edges that are not a list",
			query: `{ questionsReport { edges { node { id } } } }`,
			data:  `{"questionsReport": {"edges": {}}}`,
			want:  "The edges of questionsReport are an object, not a list.",
		},
		{
			name:  "an edge that is not an object",
			query: `{ questionsReport { edges { node { id } } } }`,
			data:  `{"questionsReport": {"edges": [{"node": {"id": "1"}}, 7]}}`,
			want:  "Edge 1 of questionsReport is a number, not an object.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadQuery(t, schema, tt.query)
			cols, rows, err := Table(doc, tt.op, []byte(tt.data), nil)
			if err == nil {
				t.Fatalf("Table = %q, nil error; want %q", keys(cols), tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if cols != nil || rows != nil {
				t.Errorf("Table returned columns or rows with its error")
			}
		})
	}
}

func TestTableNilDocument(t *testing.T) {
	if _, _, err := Table(nil, "", []byte(`{}`), nil); err == nil {
		t.Fatal("Table(nil) did not fail")
	}
}

// A row whose JSON has the wrong shape (which a server executing the same
// document cannot produce) ends the rows with an error.
func TestTableRowError(t *testing.T) {
	schema := loadSchema(t)
	doc := loadQuery(t, schema, `{ students { id group { name } } }`)
	_, rows, err := Table(doc, "", []byte(`{"students": [{"id": "1", "group": {"name": "G"}}, {"id": "2", "group": "G"}, {"id": "3"}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(rows)
	if err == nil || !strings.Contains(err.Error(), "row 2, column group.name") {
		t.Fatalf("error = %v, want one about row 2, column group.name", err)
	}
	if want := [][]any{{"1", "G"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows before the error = %#v, want %#v", got, want)
	}
}

// The rows stop when the consumer stops, and can be read again.
func TestTableRowsStopAndRepeat(t *testing.T) {
	schema := loadSchema(t)
	doc := loadQuery(t, schema, `{ students { id } }`)
	_, rows, err := Table(doc, "", []byte(`{"students": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range rows {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("read %d rows before stopping, want 2", n)
	}
	all, err := collect(rows)
	if err != nil || len(all) != 3 {
		t.Errorf("second reading: %d rows, error %v; want 3 rows", len(all), err)
	}
}

// A leaf holding a JSON object (a custom scalar serialised as an object) is
// its JSON text, and one holding a list of lists is flattened.
func TestLeafShapes(t *testing.T) {
	tests := []struct {
		in   any
		want any
	}{
		{map[string]any{"b": true, "a": nil}, `{"a":null,"b":true}`},
		{[]any{[]any{"x", nil}, []any{}, "y"}, []string{"x", "y"}},
		{[]any{map[string]any{"a": "1"}}, []string{`{"a":"1"}`}},
	}
	for _, tt := range tests {
		got, err := leaf(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("leaf(%#v) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

// Integers stay exact: those that fit are int64, others float64 (written
// in list text as export writes a float64 cell; 1e400 is +Inf, dropped).
// Other numbers are rounded to 2 decimals, as the reports round theirs.
func TestNumbers(t *testing.T) {
	schema := loadSchema(t)
	doc := loadQuery(t, schema, `{ students { scores } }`)
	_, rows, err := Table(doc, "", []byte(`{"students": [
		{"scores": [9223372036854775807, 9223372036854775808, -0, 1e2, 1.25e-1, 1e400]}
	]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{[]string{"9223372036854775807", "9223372036854776000", "0", "100", "0.13"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %#v, want %#v", got, want)
	}
	for _, tt := range []struct {
		in   string
		want any
	}{
		{"9007199254740993", int64(9007199254740993)},
		{"-12", int64(-12)},
		{"1.5", 1.5},
		{"1e2", 100.0},
		{"9223372036854775808", 9223372036854775808.0},
		{"63.160000000000004", 63.16},
		{"1010.3666666666667", 1010.37},
		{"-0.125", -0.13},
		{"4.5", 4.5},
		{"1e300", 1e300},
	} {
		if got := number(json.Number(tt.in)); got != tt.want {
			t.Errorf("number(%s) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

// TestTimes checks that a leaf of the scalar Time becomes an export.Time:
// its text as GraphQL wrote it, its moment in the download's zone; a text
// that is not RFC 3339, or a list of times, stays text.
func TestTimes(t *testing.T) {
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "times.graphqls", Input: `
scalar Time
type Row { at: Time, day: String, ats: [Time!] }
type Query { rows: [Row!]! }`})
	if err != nil {
		t.Fatal(err)
	}
	doc := loadQuery(t, schema, `{ rows { at day ats } }`)
	data := []byte(`{"rows": [
		{"at": "2026-01-01T03:00:00Z", "day": "2026-01-01T03:00:00Z", "ats": ["2026-01-01T03:00:00Z"]},
		{"at": "2026-05-01T00:18:52.886-04:00", "day": null, "ats": []},
		{"at": "yesterday", "day": null, "ats": null},
		{"at": null, "day": null, "ats": null}
	]}`)
	saoPaulo := time.FixedZone("BRT", -3*3600)
	for _, tt := range []struct {
		zone *time.Location
		want []any // the at column
	}{
		{saoPaulo, []any{
			export.Time{At: time.Date(2026, 1, 1, 0, 0, 0, 0, saoPaulo), Text: "2026-01-01T03:00:00Z"},
			export.Time{At: time.Date(2026, 5, 1, 1, 18, 52, 886e6, saoPaulo), Text: "2026-05-01T00:18:52.886-04:00"},
			"yesterday", nil,
		}},
		{nil, []any{
			export.Time{At: time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), Text: "2026-01-01T03:00:00Z"},
			export.Time{At: time.Date(2026, 5, 1, 0, 18, 52, 886e6, time.FixedZone("", -4*3600)), Text: "2026-05-01T00:18:52.886-04:00"},
			"yesterday", nil,
		}},
	} {
		_, rows, err := Table(doc, "", data, tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(rows)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range got {
			want := tt.want[i]
			at, ok := row[0].(export.Time)
			if w, isTime := want.(export.Time); isTime != ok ||
				ok && (!at.At.Equal(w.At) || at.At.Format(time.DateTime) != w.At.Format(time.DateTime) || at.Text != w.Text || at.Date) ||
				!ok && row[0] != want {
				t.Errorf("zone %v, row %d: at = %#v, want %#v", tt.zone, i+1, row[0], want)
			}
		}
		if got[0][1] != "2026-01-01T03:00:00Z" || !reflect.DeepEqual(got[0][2], []string{"2026-01-01T03:00:00Z"}) {
			t.Errorf("a String and a list of times are text: %#v", got[0][1:])
		}
	}
}

// TestSheetName: the name of a download's sheet is one Excel accepts.
func TestSheetName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Perguntas", "Perguntas"},
		{"Estatísticas de agendamentos", "Estatísticas de agendamentos"},
		{"Perguntas: 2026/1 [a*b?] \\x", "Perguntas- 2026-1 (a-b-) -x"},
		{"'Alunos'", "Alunos"},
		{"''", "Planilha"},
		{"", "Planilha"},
		{"history", "history 1"},
		{strings.Repeat("a", 32), strings.Repeat("a", 31)},
		{strings.Repeat("🎓", 16), strings.Repeat("🎓", 15)}, // two UTF-16 units each
		{strings.Repeat("a", 29) + " 'b", strings.Repeat("a", 29)},
	} {
		if got := sheetName(tt.in); got != tt.want {
			t.Errorf("sheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
