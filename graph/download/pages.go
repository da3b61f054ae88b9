package download

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/stift/stift-reports/export"
)

// Pages. A download of a connection holds every row its arguments select,
// not one page: the server follows the pages itself, as a client paging
// by hand would, running for each an operation of its own (Paging.Doc)
// through the same resolvers and privacy rules as any query. That
// operation is the client's, but for its top-level field:
//
//   - first and after are variables of the download's (Paging.FirstVar
//     and Paging.AfterVar): each page asks for a page's worth of rows
//     after the end cursor of the one before. The client's first is the
//     most rows the download holds (Paging.First; none: every row), its
//     after the cursor the first page starts after (Paging.After). last
//     and before are refused: a download reads forwards.
//   - it selects the connection's edges as the client did, and pageInfo
//     { hasNextPage endCursor } under a key of its own (Paging.PageInfo);
//     the connection's other fields (totalCount) are left out, since no
//     row shows them and each would cost a query per page.
//
// Variables the client's operation no longer uses, and fragments it no
// longer spreads, are left out too, so that the operation is valid; it is
// validated against the schema, as the client's was.

// Paging is how a download reads every row of a connection, page by page.
type Paging struct {
	// Doc is the document of the operation that reads one page; Op is
	// its operation.
	Doc *ast.QueryDocument
	Op  *ast.OperationDefinition
	// FirstVar and AfterVar name its variables: the size of the page and
	// the cursor it starts after.
	FirstVar, AfterVar string
	// PageInfo is the response key of the connection's pageInfo in its
	// result.
	PageInfo string
	// First and After are the client's arguments, as the request's
	// variables give them: the most rows the download holds (nil: every
	// row), and the cursor its first page starts after (nil: the
	// connection's start).
	First, After any
}

// Paging returns how to read every row of the plan's connection, for the
// variables of the request (as validation coerced them), with schema the
// schema to validate the operation of a page against. Its errors are the
// client's: a download with last or before.
func (p *Plan) Paging(vars map[string]any, schema *ast.Schema) (*Paging, error) {
	t := p.t
	if t.edges == "" {
		return nil, errors.New("A download reads the pages of a connection only.")
	}
	root := t.rootGroup.fields[0]
	if root.Definition == nil {
		return nil, errors.New("A download of a connection needs a query validated against the schema.")
	}
	args := root.ArgumentMap(vars)
	for _, name := range []string{"last", "before"} {
		if args[name] != nil {
			return nil, fmt.Errorf("A download reads its connection from the start forwards, every row its arguments select: give first (the most rows) and after, not %s.", name)
		}
	}
	pg := &Paging{First: args["first"], After: args["after"]}
	firstDef, afterDef := root.Definition.Arguments.ForName("first"), root.Definition.Arguments.ForName("after")
	if firstDef == nil || afterDef == nil {
		return nil, fmt.Errorf("A download of a connection needs first and after arguments; %s has none.", t.field)
	}

	// The variables of the page, named apart from the client's.
	taken := map[string]bool{}
	for _, v := range t.op.VariableDefinitions {
		taken[v.Variable] = true
	}
	pg.FirstVar, pg.AfterVar = unused("downloadFirst", taken), unused("downloadAfter", taken)

	// The top-level field: the client's arguments but first and after,
	// the edges it selected, and pageInfo under a key of its own.
	field := &ast.Field{Alias: root.Alias, Name: root.Name, Directives: root.Directives}
	for _, a := range root.Arguments {
		if a.Name != "first" && a.Name != "after" {
			field.Arguments = append(field.Arguments, a)
		}
	}
	field.Arguments = append(field.Arguments,
		&ast.Argument{Name: "first", Value: &ast.Value{Kind: ast.Variable, Raw: pg.FirstVar}},
		&ast.Argument{Name: "after", Value: &ast.Value{Kind: ast.Variable, Raw: pg.AfterVar}})
	for _, f := range t.edgesGroup.fields {
		field.SelectionSet = append(field.SelectionSet, f)
	}
	pg.PageInfo = unused("downloadPageInfo", map[string]bool{t.edges: true})
	field.SelectionSet = append(field.SelectionSet, &ast.Field{Alias: pg.PageInfo, Name: "pageInfo",
		SelectionSet: ast.SelectionSet{&ast.Field{Name: "hasNextPage"}, &ast.Field{Name: "endCursor"}}})

	op := &ast.OperationDefinition{Operation: ast.Query, Name: t.op.Name, Directives: t.op.Directives,
		SelectionSet: ast.SelectionSet{field}}
	u := &uses{doc: t.doc, vars: map[string]bool{}, fragments: map[string]bool{}}
	u.selections(op.SelectionSet)
	u.directives(op.Directives)
	for _, v := range t.op.VariableDefinitions {
		if u.vars[v.Variable] {
			op.VariableDefinitions = append(op.VariableDefinitions, v)
		}
	}
	op.VariableDefinitions = append(op.VariableDefinitions,
		&ast.VariableDefinition{Variable: pg.FirstVar, Type: firstDef.Type},
		&ast.VariableDefinition{Variable: pg.AfterVar, Type: afterDef.Type})
	doc := &ast.QueryDocument{Operations: ast.OperationList{op}}
	for _, f := range t.doc.Fragments {
		if u.fragments[f.Name] {
			doc.Fragments = append(doc.Fragments, f)
		}
	}

	// Written out and read again, the operation is validated and bound
	// to the schema as the client's was.
	var text strings.Builder
	formatter.NewFormatter(&text).FormatQueryDocument(doc)
	bound, errs := gqlparser.LoadQueryWithRules(schema, text.String(), nil) // nil: the default rules
	if len(errs) > 0 {
		return nil, fmt.Errorf("This query cannot be downloaded page by page: %s", errs[0].Message)
	}
	pg.Doc, pg.Op = bound, bound.Operations[0]
	return pg, nil
}

// Vars returns the variables of the page of at most size rows after the
// cursor after (nil: the first), vars holding the client's.
func (pg *Paging) Vars(vars map[string]any, size int, after any) map[string]any {
	out := make(map[string]any, len(vars)+2)
	for k, v := range vars {
		out[k] = v
	}
	out[pg.FirstVar], out[pg.AfterVar] = size, after
	return out
}

// Page is one page of a connection's download.
type Page struct {
	nodes []any
	// End is the cursor of its last row; More whether rows follow it.
	End  any
	More bool
}

// Len is the number of rows of the page.
func (p *Page) Len() int { return len(p.nodes) }

// Page reads one page of the connection from data, the "data" member of
// the result of pg.Doc.
func (p *Plan) Page(data []byte, pg *Paging) (*Page, error) {
	value, err := p.t.decode(data)
	if err != nil {
		return nil, err
	}
	nodes, err := p.t.nodes(value)
	if err != nil {
		return nil, err
	}
	page := &Page{nodes: nodes}
	conn, _ := value.(map[string]any)
	info, _ := conn[pg.PageInfo].(map[string]any)
	if more, _ := info["hasNextPage"].(bool); more && info["endCursor"] != nil {
		page.End, page.More = info["endCursor"], true
	}
	return page, nil
}

// PageRows returns the rows of page, their times shown in zone.
func (p *Plan) PageRows(page *Page, zone *time.Location) export.Rows {
	return rowSeq(p.t.columns, page.nodes, zone)
}

// unused returns name, or name followed by the first number that makes it
// one not in taken.
func unused(name string, taken map[string]bool) string {
	for i := 2; taken[name]; i++ {
		name = strings.TrimRight(name, "0123456789") + strconv.Itoa(i)
	}
	return name
}

// uses collects the variables and the fragments a selection set uses,
// through the fragments it spreads.
type uses struct {
	doc             *ast.QueryDocument
	vars, fragments map[string]bool
}

func (u *uses) selections(set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			for _, a := range sel.Arguments {
				u.value(a.Value)
			}
			u.directives(sel.Directives)
			u.selections(sel.SelectionSet)
		case *ast.InlineFragment:
			u.directives(sel.Directives)
			u.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			u.directives(sel.Directives)
			if u.fragments[sel.Name] {
				continue
			}
			u.fragments[sel.Name] = true
			if def := u.doc.Fragments.ForName(sel.Name); def != nil {
				u.directives(def.Directives)
				u.selections(def.SelectionSet)
			}
		}
	}
}

func (u *uses) directives(dirs ast.DirectiveList) {
	for _, d := range dirs {
		for _, a := range d.Arguments {
			u.value(a.Value)
		}
	}
}

func (u *uses) value(v *ast.Value) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		u.vars[v.Raw] = true
	}
	for _, c := range v.Children {
		u.value(c.Value)
	}
}
