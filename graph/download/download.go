// Package download turns the result of a GraphQL query into a table, so
// that any report query can be downloaded as a spreadsheet (CSV or XLSX,
// written by package export).
//
// # Rows
//
// The operation selects exactly one top-level field (__typename aside). Its
// value is either a list, whose items are the rows, or a connection, an
// object selecting edges { node { … } }, whose nodes are the rows; the
// connection's other fields (totalCount, pageInfo, cursors) are left out. A
// null list or connection, or a missing edges list, has no rows. A null item
// or node is a row of nulls, so that no row disappears silently.
//
// # Columns
//
// The columns come from the document, not from the data, so they exist even
// when every value is null: one per leaf field selected under the row, named
// by the dotted path of response keys (an alias wins over the field name),
// such as "student.email" or "group.school.name". Column.Key and
// Column.Header are both that path, which a CSV file is headed by for the
// programs that read it. Column.Label is what a person reads, in a
// spreadsheet and in the Excel dialect of CSV, in Portuguese or English
// (labels.go): the label of the leaf, composed with those of the objects
// above it ("E-mail do aluno", "Student email"; "Escola da turma" for
// group.school.name, whose name stands for the school), an alias given by
// the client standing for the label of its field. Fields are collected as GraphQL
// execution collects them: fields with the same response key are merged
// (their columns follow the first occurrence), and inline fragments and
// fragment spreads are followed whatever their type condition, so a row of
// another type has nulls in those columns. A __typename field without an
// alias (which clients such as Apollo add everywhere) makes no column;
// "kind: __typename" does. A field or fragment with @skip(if: true) or
// @include(if: false) written literally is left out; a condition on a
// variable cannot be decided here (Table does not see the variables), so
// such a field keeps its column, null when the field was skipped.
//
// # Cells
//
// A cell is found by walking the row's JSON along the column's path:
//
//   - a null or absent object along the path is nil;
//   - a string stays a string and a boolean a bool (strings are not
//     sanitised here: the export encoders do it), but for a field of the
//     scalar Time, whose RFC 3339 text becomes an export.Time: the text as
//     it is for CSV, a date cell in the download's zone for XLSX (the date
//     alone for the start of a stats bucket that falls on midnight there);
//   - a number is an int64 when it is an integer that fits, else a float64
//     rounded to 2 decimals as the reports round their figures (the data
//     is decoded with json.Decoder.UseNumber, so ids and counts stay
//     exact);
//   - a list leaf, such as groups: [String!], is a []string of its items'
//     text: numbers formatted as in a cell, booleans as true/false, nulls
//     skipped, nested lists flattened;
//   - a list of objects in the middle of a path, such as
//     students { questions { discipline { name } } } under a row, makes the
//     cell a []string of the leaf values of all its items, in order (again
//     without nulls), so "students.questions.discipline.name" holds every
//     discipline name of every student's questions; an empty list is an
//     empty []string;
//   - a leaf whose value is a JSON object (a custom scalar serialised as an
//     object) is its compact JSON text, keys sorted.
//
// A value of the wrong shape (a string where the document selects an object)
// cannot come from a GraphQL server executing the same document; the row
// iterator then yields an error and stops.
package download

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/report"
)

// Table flattens the result of a GraphQL operation into a table: [Parse],
// then the columns with Portuguese labels and the rows of data in one call.
// doc is the parsed and validated operation document (gqlparser ast, with
// definitions bound to the schema, as graphql.OperationContext.Doc gives it),
// operationName selects the operation ("" when the document has one), data is
// the "data" member of the JSON result, and zone the time zone in which a
// spreadsheet shows its times (nil: the offset each is written with).
//
// The errors Table returns describe a query that cannot be downloaded, in
// sentences meant for the client (a 400 response). Errors of a single row,
// which a well-formed result never has, come from the Rows iterator.
func Table(doc *ast.QueryDocument, operationName string, data []byte, zone *time.Location) ([]export.Column, export.Rows, error) {
	p, err := Parse(doc, operationName)
	if err != nil {
		return nil, nil, err
	}
	rows, err := p.Rows(data, zone)
	if err != nil {
		return nil, nil, err
	}
	return p.Columns(Portuguese), rows, nil
}

// Plan is what an operation says about its download: where the rows are in
// its result, and their columns.
type Plan struct{ t *table }

// Parse reads the download of an operation (see Table for its arguments
// and errors).
func Parse(doc *ast.QueryDocument, operationName string) (*Plan, error) {
	t, err := plan(doc, operationName)
	if err != nil {
		return nil, err
	}
	return &Plan{t}, nil
}

// Field is the response key of the top-level field, which names the file.
func (p *Plan) Field() string { return p.t.field }

// Connection reports whether the rows are the nodes of a connection, which
// a download reads page by page; else they are the items of a list.
func (p *Plan) Connection() bool { return p.t.edges != "" }

// Columns are the table's columns: the Key and the Header of each are its
// path of response keys (student.email), which a CSV file is headed by for
// the programs that read it; the Label is what a person reads in lang, in
// a spreadsheet and in the Excel dialect of CSV (E-mail do aluno).
func (p *Plan) Columns(lang Language) []export.Column {
	cols := make([]export.Column, len(p.t.columns))
	for i, c := range p.t.columns {
		cols[i] = export.Column{Key: c.key, Header: c.key, Label: compose(c.steps, lang)}
		if cols[i].Label == "" {
			cols[i].Label = c.key
		}
	}
	return cols
}

// SheetName is the name of the report in lang, for its XLSX sheet: the
// label of the top-level field (Perguntas for questionsReport), or the alias
// the client gave it, made a name Excel accepts (sheetName).
func (p *Plan) SheetName(lang Language) string {
	return sheetName(p.t.root.text(lang))
}

// Rows returns the rows of data, the "data" member of the result of the
// operation: the items of its list, or the nodes of one page of its
// connection. Their times are shown in zone (nil: the offset each is
// written with).
func (p *Plan) Rows(data []byte, zone *time.Location) (export.Rows, error) {
	items, err := p.t.rows(data)
	if err != nil {
		return nil, err
	}
	return rowSeq(p.t.columns, items, zone), nil
}

// column is a leaf under the row and the response keys that lead to it.
type column struct {
	key   string
	path  []string
	steps []step // the fields along path, for its label
	time  bool   // the leaf is of the scalar Time
	day   bool   // the leaf is a time bucket's start, shown as a date
}

// dayFields are the fields of type Time holding the start of a day, a week
// or a month: a spreadsheet shows them as dates when they fall on midnight
// in the download's zone (the zone the buckets were asked in).
var dayFields = map[string]bool{
	"QuestionStatsBucket.bucketStart": true,
	"BookingStatsBucket.bucketStart":  true,
}

// table is what the document says about the download: where the rows are
// in the data and which columns they have.
type table struct {
	// doc and op are the document and its operation.
	doc *ast.QueryDocument
	op  *ast.OperationDefinition
	// field is the response key of the top-level field, root the field.
	field     string
	root      step
	rootGroup *group
	// edgesGroup is the connection's edges field; nil for a list.
	edgesGroup *group
	// edges and node are the response keys of a connection's edges and
	// node fields; both are empty for a list.
	edges, node string
	columns     []column
}

// plan reads the columns and the place of the rows from the operation.
func plan(doc *ast.QueryDocument, operationName string) (*table, error) {
	if doc == nil {
		return nil, errors.New("A download needs a GraphQL query.")
	}
	op := doc.Operations.ForName(operationName)
	if op == nil {
		switch {
		case operationName != "":
			return nil, fmt.Errorf("A download needs an operation named %q; this document has none.", operationName)
		case len(doc.Operations) == 0:
			return nil, errors.New("A download needs a GraphQL query; this document has no operation.")
		default:
			return nil, fmt.Errorf("A download needs an operation name; this document has %d operations.", len(doc.Operations))
		}
	}
	c := collector{doc: doc}
	var top []*group
	for _, g := range c.collect(op.SelectionSet) {
		if g.name() != "__typename" {
			top = append(top, g)
		}
	}
	if len(top) != 1 {
		return nil, fmt.Errorf("A download selects exactly one field; this query selects %d.", len(top))
	}
	root := top[0]
	t := &table{doc: doc, op: op, field: root.key, root: root.step(), rootGroup: root}
	def := root.fields[0].Definition
	rowKey, rowSel := root.key, root.selections()
	rowStep := t.root
	// A list is a list, whatever it selects; another field is a connection
	// when it selects edges { node }. A document not bound to a schema has
	// no types: a field without edges { node } is then taken for a list,
	// and the data must agree.
	if def == nil || def.Type == nil || def.Type.Elem == nil {
		edges, node, err := c.connection(root)
		if err != nil {
			return nil, err
		}
		if edges == nil {
			if def != nil {
				return nil, errors.New("A download needs a list or a connection.")
			}
		} else {
			t.edges, t.node, t.edgesGroup = edges.key, node.key, edges
			rowKey, rowSel = node.key, node.selections()
			rowStep = node.step()
		}
	}
	if len(rowSel) == 0 {
		// A list of scalars: one column, the field itself.
		t.columns = []column{{key: rowKey, steps: []step{rowStep}}}
		return t, nil
	}
	seen := map[string]bool{}
	c.columns(rowSel, nil, nil, seen, &t.columns)
	if len(t.columns) == 0 {
		return nil, errors.New("A download needs at least one field under each row.")
	}
	return t, nil
}

// group is the fields of one selection set sharing a response key, which
// GraphQL merges into one.
type group struct {
	key    string
	fields []*ast.Field
}

func (g *group) name() string { return g.fields[0].Name }

// step is the group's field as a step of a column's path.
func (g *group) step() step {
	f := g.fields[0]
	s := step{name: f.Name}
	if f.ObjectDefinition != nil {
		s.typ = f.ObjectDefinition.Name
	}
	if g.key != f.Name {
		s.alias = g.key
	}
	return s
}

// selections is the merged selection set of the group's fields.
func (g *group) selections() ast.SelectionSet {
	var sel ast.SelectionSet
	for _, f := range g.fields {
		sel = append(sel, f.SelectionSet...)
	}
	return sel
}

// leaf reports whether the group selects nothing below it.
func (g *group) leaf() bool {
	for _, f := range g.fields {
		if len(f.SelectionSet) > 0 {
			return false
		}
	}
	return true
}

// collector groups fields by response key, following fragments.
type collector struct {
	doc *ast.QueryDocument
	// active holds the fragments being expanded, against cycles in a
	// document that skipped validation.
	active []string
}

// collect groups the fields of sel by response key, in the order of their
// first occurrence, following inline fragments and fragment spreads.
func (c *collector) collect(sel ast.SelectionSet) []*group {
	var groups []*group
	index := map[string]*group{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if skipped(s.Directives) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if g := index[key]; g != nil {
					g.fields = append(g.fields, s)
					continue
				}
				g := &group{key: key, fields: []*ast.Field{s}}
				index[key] = g
				groups = append(groups, g)
			case *ast.InlineFragment:
				if !skipped(s.Directives) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if skipped(s.Directives) || slices.Contains(c.active, s.Name) {
					continue
				}
				def := s.Definition
				if def == nil {
					def = c.doc.Fragments.ForName(s.Name)
				}
				if def == nil {
					continue
				}
				c.active = append(c.active, s.Name)
				walk(def.SelectionSet)
				c.active = c.active[:len(c.active)-1]
			}
		}
	}
	walk(sel)
	return groups
}

// connection finds edges { node } under root: both nil when root selects no
// edges field.
func (c *collector) connection(root *group) (edges, node *group, err error) {
	for _, g := range c.collect(root.selections()) {
		if g.name() != "edges" {
			continue
		}
		if edges != nil {
			return nil, nil, errors.New("A download selects the edges of its connection once.")
		}
		edges = g
	}
	if edges == nil {
		return nil, nil, nil
	}
	for _, g := range c.collect(edges.selections()) {
		if g.name() != "node" {
			continue
		}
		if node != nil {
			return nil, nil, errors.New("A download selects the node of its connection once.")
		}
		node = g
	}
	if node == nil {
		return nil, nil, errors.New("A download of a connection selects edges { node { … } }.")
	}
	return edges, node, nil
}

// columns appends to cols a column for every leaf under sel, prefix being
// the path of sel's own field and steps its fields.
func (c *collector) columns(sel ast.SelectionSet, prefix []string, steps []step, seen map[string]bool, cols *[]column) {
	for _, g := range c.collect(sel) {
		if g.key == "__typename" && g.name() == "__typename" {
			continue
		}
		path := append(slices.Clip(prefix), g.key)
		here := append(slices.Clip(steps), g.step())
		if !g.leaf() {
			c.columns(g.selections(), path, here, seen, cols)
			continue
		}
		key := strings.Join(path, ".")
		if seen[key] {
			continue
		}
		seen[key] = true
		def := g.fields[0].Definition
		isTime := def != nil && def.Type != nil && def.Type.Elem == nil && def.Type.NamedType == "Time"
		leaf := here[len(here)-1]
		*cols = append(*cols, column{key: key, path: path, steps: here, time: isTime,
			day: isTime && dayFields[leaf.typ+"."+leaf.name]})
	}
}

// skipped reports whether @skip or @include leaves a selection out for any
// variables: only literal conditions are decided.
func skipped(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		var want string
		switch d.Name {
		case "skip":
			want = "true"
		case "include":
			want = "false"
		default:
			continue
		}
		if arg := d.Arguments.ForName("if"); arg != nil && arg.Value != nil &&
			arg.Value.Kind == ast.BooleanValue && arg.Value.Raw == want {
			return true
		}
	}
	return false
}

// rows decodes data and returns the row values it holds.
func (t *table) rows(data []byte) ([]any, error) {
	value, err := t.decode(data)
	if err != nil {
		return nil, err
	}
	return t.nodes(value)
}

// decode decodes data, the "data" member of a result, and returns the
// value of the top-level field.
func (t *table) decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("The result of the query is not valid JSON: %v.", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("The result of the query is not valid JSON: data after the value.")
	}
	if root == nil {
		return nil, errors.New("The result of the query has no data.")
	}
	obj, ok := root.(map[string]any)
	if !ok {
		return nil, errors.New("The data of the query result is not an object.")
	}
	return obj[t.field], nil
}

// nodes returns the rows of value, the top-level field's: the items of a
// list, or the nodes of a connection.
func (t *table) nodes(value any) ([]any, error) {
	if value == nil {
		return nil, nil
	}
	if t.edges == "" {
		items, ok := value.([]any)
		if !ok {
			return nil, fmt.Errorf("A download needs a list or a connection; %s is %s.", t.field, describe(value))
		}
		return items, nil
	}
	conn, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("A download of a connection needs an object; %s is %s.", t.field, describe(value))
	}
	var edges []any
	switch e := conn[t.edges].(type) {
	case nil:
		return nil, nil
	case []any:
		edges = e
	default:
		return nil, fmt.Errorf("The edges of %s are %s, not a list.", t.field, describe(e))
	}
	nodes := make([]any, len(edges))
	for i, e := range edges {
		switch e := e.(type) {
		case nil:
		case map[string]any:
			nodes[i] = e[t.node]
		default:
			return nil, fmt.Errorf("Edge %d of %s is %s, not an object.", i, t.field, describe(e))
		}
	}
	return nodes, nil
}

// rowSeq yields a row of cells for each item, times shown in zone.
func rowSeq(cols []column, items []any, zone *time.Location) export.Rows {
	return func(yield func([]any, error) bool) {
		for i, item := range items {
			row := make([]any, len(cols))
			for j, c := range cols {
				v, err := cell(item, c.path)
				if err != nil {
					yield(nil, fmt.Errorf("download: row %d, column %s: %w", i+1, c.key, err))
					return
				}
				if text, ok := v.(string); ok && c.time {
					v = timeCell(text, zone, c.day)
				}
				row[j] = v
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// cell is the value at path under v.
func cell(v any, path []string) (any, error) {
	if len(path) == 0 {
		return leaf(v)
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return cell(v[path[0]], path[1:])
	case []any:
		// A list of objects along the path: the leaves of all its items.
		texts := []string{}
		for _, item := range v {
			c, err := cell(item, path)
			if err != nil {
				return nil, err
			}
			texts = appendText(texts, c)
		}
		return texts, nil
	}
	return nil, fmt.Errorf("%s where an object with %s was expected", describe(v), path[0])
}

// leaf converts the JSON value of a leaf field to an export value.
func leaf(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, nil
	case json.Number:
		return number(v), nil
	case []any:
		texts := []string{}
		for _, item := range v {
			c, err := leaf(item)
			if err != nil {
				return nil, err
			}
			texts = appendText(texts, c)
		}
		return texts, nil
	case map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

// timeCell is the value of a Time written as text: an export.Time showing
// it in zone, a date alone when day is set and it falls on midnight there;
// or the text itself if it is not RFC 3339.
func timeCell(text string, zone *time.Location, day bool) any {
	t, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return text
	}
	if zone != nil {
		t = t.In(zone)
	}
	midnight := t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	return export.Time{At: t, Text: text, Date: day && midnight}
}

// number is n as an int64 when it is an integer that fits, else a float64
// rounded as the reports round their figures (report.Round: 2 decimals).
func number(n json.Number) any {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i
	}
	// Valid JSON numbers parse; one out of range becomes ±Inf, which the
	// encoders write as an empty cell.
	f, _ := strconv.ParseFloat(string(n), 64)
	if math.Abs(f) < 1e15 { // larger ones have no decimals to round
		f = report.Round(f)
	}
	return f
}

// appendText appends the text of the export value v (as leaf and cell
// return them) to texts; nil adds nothing and a []string all its items.
func appendText(texts []string, v any) []string {
	switch v := v.(type) {
	case nil:
		return texts
	case string:
		return append(texts, v)
	case bool:
		return append(texts, strconv.FormatBool(v))
	case int64:
		return append(texts, strconv.FormatInt(v, 10))
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return texts // as an empty cell would be
		}
		return append(texts, strconv.FormatFloat(v, 'f', -1, 64))
	case []string:
		return append(texts, v...)
	}
	return append(texts, fmt.Sprint(v))
}

// describe names the kind of a decoded JSON value, for error messages.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}
