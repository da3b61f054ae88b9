package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stift/stift-reports/ent/schema/gid"
)

// Limits on what one GraphQL request may ask for. Pages of connections
// share DefaultPageSize and MaxPageSize with the report connections.
const (
	// DefaultComplexityLimit is the complexity GRAPHQL_COMPLEXITY_LIMIT
	// should default to. A field costs 1 plus its selections, times the
	// page size on a connection: a page of 100 rows of a dozen fields and
	// a few nested objects costs a few thousand; a page of 1000 rows
	// nesting pages of 1000 costs millions.
	DefaultComplexityLimit = 50_000
	// MaxListLength is the most elements any list in an argument or a
	// variable may have.
	MaxListLength = 1000
	// MaxInputValues is the most values (objects, lists, scalars) one
	// argument or variable may hold: it bounds the bind parameters a
	// where filter turns into (SQLite allows 32,766).
	MaxInputValues = 5000
	// MaxInputFields is the most input-object fields one argument may
	// set: each field of a where filter is a predicate, and SQLite
	// refuses expressions nested deeper than 1000.
	MaxInputFields = 500
	// MaxInputDepth is the deepest nesting of objects and lists in an
	// argument.
	MaxInputDepth = 16
)

// argumentLimits is the handler extension that checks the arguments of
// an operation, with its variables, before it runs: page sizes, list
// lengths, the size and nesting of input objects (where filters); and
// what would otherwise fail as a server error, in gqlgen, entgql or the
// database: Time values without a zone or out of range (gqlgen would
// also read some as UTC), strings holding NUL, first with last, orders
// naming a field twice, cursors not made for the connection. It walks
// each field of the document once, and each variable's value once.
type argumentLimits struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &argumentLimits{}

func (*argumentLimits) ExtensionName() string { return "ArgumentLimits" }
func (l *argumentLimits) Validate(es graphql.ExecutableSchema) error {
	l.schema = es.Schema()
	return nil
}
func (l *argumentLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	vars := map[string]inputSize{}
	for _, def := range oc.Operation.VariableDefinitions {
		v, ok := oc.Variables[def.Variable]
		if !ok {
			continue
		}
		w := &inputWalk{name: "$" + def.Variable, schema: l.schema}
		if err := w.value(v, def.Type, 1); err != nil {
			return err
		}
		vars[def.Variable] = w.size
	}
	seen := map[string]bool{}
	var walk func(set ast.SelectionSet) *gqlerror.Error
	walk = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if err := l.checkArguments(sel, vars, oc.Variables); err != nil {
					return err
				}
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.InlineFragment:
				if err := walk(sel.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				if !seen[sel.Name] && sel.Definition != nil {
					seen[sel.Name] = true
					if err := walk(sel.Definition.SelectionSet); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return walk(oc.Operation.SelectionSet)
}

// checkArguments checks the arguments of field f.
func (l *argumentLimits) checkArguments(f *ast.Field, vars map[string]inputSize, values map[string]any) *gqlerror.Error {
	for _, a := range f.Arguments {
		if isPageArgument(f, a.Name) {
			if n, ok := intValue(a.Value, values); ok && (n < 0 || n > MaxPageSize) {
				return badInput(a.Name, "%s must be between 0 and %d.", a.Name, MaxPageSize)
			}
		}
		w := &inputWalk{name: a.Name, vars: vars}
		if err := w.literal(a.Value, 1); err != nil {
			return err
		}
	}
	// entgql answers both with an uncoded error, a server error.
	if isPageArgument(f, "last") && !isNull(f.Arguments.ForName("first"), values) &&
		!isNull(f.Arguments.ForName("last"), values) {
		return badInput("last", "Give first or last, not both.")
	}
	return l.checkOrder(f, values)
}

// isNull reports whether argument a is absent or null, variables read.
func isNull(a *ast.Argument, vars map[string]any) bool {
	if a == nil || a.Value == nil {
		return true
	}
	switch a.Value.Kind {
	case ast.NullValue:
		return true
	case ast.Variable:
		return vars[a.Value.Raw] == nil
	}
	return false
}

// MaxCursorBytes is the longest cursor accepted. Ours take some 100
// bytes (an id and the values of the order fields); a longer one was not
// made here, and decoding it could nest without bound.
const MaxCursorBytes = 2048

// checkOrder checks the order and the cursors of field f. ent's pagers
// compare a cursor's id and values with the columns of the order as
// they are: a cursor of another connection or order, or one tampered
// with, fails in the database or in entgql with a server error, so it is
// refused here; so is an order naming a field twice, on which entgql
// fails too. Report connections decode their own cursors and refuse bad
// ones themselves: only their length is checked here.
func (l *argumentLimits) checkOrder(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if f.Definition == nil {
		return nil
	}
	order, err := orderFields(f, vars)
	if err != nil {
		return err
	}
	node, _ := strings.CutSuffix(f.Definition.Type.Name(), "Connection")
	rawID := rawIDs[node]
	for _, name := range []string{"after", "before"} {
		def, a := f.Definition.Arguments.ForName(name), f.Arguments.ForName(name)
		if def == nil || def.Type.Name() != "Cursor" || a == nil {
			continue
		}
		v, _ := a.Value.Value(vars)
		s, ok := v.(string)
		switch {
		case !ok: // null, or refused by validation
		case len(s) > MaxCursorBytes:
			return badInput(name, "Invalid cursor: longer than %d bytes.", MaxCursorBytes)
		case rawID != nil && !l.cursorFits(s, node, rawID, order):
			return badInput(name, "Invalid cursor: not one of this connection with this orderBy.")
		}
	}
	return nil
}

// orderFields returns the names of the fields f is ordered by, refusing
// one named twice.
func orderFields(f *ast.Field, vars map[string]any) ([]string, *gqlerror.Error) {
	var v any
	if a := f.Arguments.ForName("orderBy"); a != nil {
		v, _ = a.Value.Value(vars)
	} else if def := f.Definition.Arguments.ForName("orderBy"); def != nil && def.DefaultValue != nil {
		v, _ = def.DefaultValue.Value(nil)
	}
	items, ok := v.([]any)
	if !ok && v != nil {
		items = []any{v} // one order given for the list
	}
	var order []string
	for _, item := range items {
		m, _ := item.(map[string]any)
		name, _ := m["field"].(string)
		if slices.Contains(order, name) {
			return nil, badInput("orderBy", "orderBy names %s twice.", name)
		}
		order = append(order, name)
	}
	return order, nil
}

// cursorFits reports whether cursor s can page a connection of node,
// ordered by order: its id is a raw id of node and its values, one per
// order field, have the type of their field. This is what ent's pagers
// write: see toCursor in ent/gql_pagination.go.
func (l *argumentLimits) cursorFits(s, node string, rawID func(string) bool, order []string) bool {
	var c entgql.Cursor[string]
	if c.UnmarshalGQL(s) != nil || !rawID(c.ID) {
		return false
	}
	if c.Value == nil {
		return true // entgql pages by the id alone
	}
	values, ok := c.Value.([]any)
	if !ok || len(values) != len(order) {
		return false
	}
	for i, v := range values {
		if v != nil && !l.fits(v, orderFieldType(l.schema, node, order[i])) {
			return false
		}
	}
	return true
}

// orderFieldType is the type of the field of node named by the value of
// its order enum: CREATED_AT orders by createdAt (entgql's naming).
func orderFieldType(schema *ast.Schema, node, value string) string {
	parts := strings.Split(strings.ToLower(value), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	if t := schema.Types[node]; t != nil {
		if f := t.Fields.ForName(strings.Join(parts, "")); f != nil {
			return f.Type.Name()
		}
	}
	return ""
}

// fits reports whether v, a value decoded from a cursor's msgpack, is one
// of the GraphQL type typ.
func (l *argumentLimits) fits(v any, typ string) bool {
	switch v.(type) {
	case time.Time:
		return typ == "Time"
	case string:
		t := l.schema.Types[typ]
		return typ == "String" || typ == "ID" || t != nil && t.Kind == ast.Enum
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return typ == "Int" || typ == "Float"
	case float32, float64:
		return typ == "Float"
	case bool:
		return typ == "Boolean"
	}
	return false
}

// rawIDs tells, for each node type, whether a string is one of its raw
// ids, as cursors hold them. (UnmarshalGQL also takes global ids: the
// canonical form must be the string itself.)
var rawIDs = map[string]func(string) bool{
	"School":           isRawID[gid.SchoolID],
	"Group":            isRawID[gid.GroupID],
	"User":             isRawID[gid.UserID],
	"Question":         isRawID[gid.QuestionID],
	"Booking":          isRawID[gid.BookingID],
	"BookingRoom":      isRawID[gid.BookingRoomID],
	"AvailabilitySlot": isRawID[gid.AvailabilitySlotID],
	"NPSAnswer":        isRawID[gid.NPSAnswerID],
	"Discipline":       isRawID[gid.DisciplineID],
	"Subject":          isRawID[gid.SubjectID],
}

func isRawID[T any, P interface {
	*T
	UnmarshalGQL(any) error
}](s string) bool {
	var id T
	return P(&id).UnmarshalGQL(s) == nil && fmt.Sprint(id) == s
}

// isPageArgument reports whether name is the first or last of a
// connection field.
func isPageArgument(f *ast.Field, name string) bool {
	return (name == "first" || name == "last") && f.Definition != nil && f.Definition.Arguments.ForName(name) != nil
}

// intValue returns the integer value of v, a literal or a variable; not
// ok when it is null or not an integer.
func intValue(v *ast.Value, vars map[string]any) (int64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case ast.Variable:
		return intOf(vars[v.Raw])
	case ast.IntValue:
		return intOf(v.Raw)
	}
	return 0, false
}

// intOf returns x as an integer: a literal's text, or a variable's or
// argument's value as decoded.
func intOf(x any) (int64, bool) {
	switch x := x.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil { // out of range for int64: surely out of bounds
			return math.MaxInt64, true
		}
		return n, true
	}
	return 0, false
}

// inputSize is the size of an argument's or a variable's value.
type inputSize struct{ values, fields, depth int }

// inputWalk measures one argument or variable, refusing it as soon as it
// passes a bound: its work is bounded by the bounds, whatever the value.
type inputWalk struct {
	name   string               // the argument or $variable, for messages
	vars   map[string]inputSize // the sizes of the operation's variables
	schema *ast.Schema          // the input types of variables
	size   inputSize
}

// add counts a value n levels deep holding size.
func (w *inputWalk) add(s inputSize, depth int) *gqlerror.Error {
	w.size.values += s.values
	w.size.fields += s.fields
	w.size.depth = max(w.size.depth, depth+s.depth-1)
	switch {
	case w.size.values > MaxInputValues:
		return badInput(w.name, "%s holds more than %d values.", w.name, MaxInputValues)
	case w.size.fields > MaxInputFields:
		return badInput(w.name, "%s sets more than %d input fields.", w.name, MaxInputFields)
	case w.size.depth > MaxInputDepth:
		return badInput(w.name, "%s nests more than %d levels deep.", w.name, MaxInputDepth)
	}
	return nil
}

// literal walks a value written in the query; variables in it count with
// the size measured once for them.
func (w *inputWalk) literal(v *ast.Value, depth int) *gqlerror.Error {
	if v == nil {
		return nil
	}
	if v.Kind == ast.Variable {
		return w.add(w.vars[v.Raw], depth)
	}
	if err := w.add(inputSize{values: 1, depth: 1}, depth); err != nil {
		return err
	}
	switch v.Kind {
	case ast.ListValue:
		if len(v.Children) > MaxListLength {
			return tooLong(w.name, len(v.Children))
		}
	case ast.ObjectValue:
		if err := w.add(inputSize{fields: len(v.Children)}, depth); err != nil {
			return err
		}
	case ast.StringValue, ast.BlockValue:
		if err := checkString(w.name, v.Raw); err != nil {
			return err
		}
		if isTime(v.ExpectedType) {
			return checkTime(w.name, v.Raw)
		}
	}
	for _, c := range v.Children {
		if err := w.literal(c.Value, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// value walks a variable's value, as decoded from JSON and coerced by
// gqlparser, with its declared type.
func (w *inputWalk) value(v any, typ *ast.Type, depth int) *gqlerror.Error {
	if err := w.add(inputSize{values: 1, depth: 1}, depth); err != nil {
		return err
	}
	switch v := v.(type) {
	case []any:
		if len(v) > MaxListLength {
			return tooLong(w.name, len(v))
		}
		var elem *ast.Type
		if typ != nil {
			elem = typ.Elem
		}
		for _, e := range v {
			if err := w.value(e, elem, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		if err := w.add(inputSize{fields: len(v)}, depth); err != nil {
			return err
		}
		var fields ast.FieldList
		if typ != nil && w.schema != nil {
			if def := w.schema.Types[typ.Name()]; def != nil {
				fields = def.Fields
			}
		}
		for k, e := range v {
			var ft *ast.Type
			if f := fields.ForName(k); f != nil {
				ft = f.Type
			}
			if err := w.value(e, ft, depth+1); err != nil {
				return err
			}
		}
	case string:
		if err := checkString(w.name, v); err != nil {
			return err
		}
		if typ != nil && typ.Elem != nil { // one value given for a list
			typ = typ.Elem
		}
		if isTime(typ) {
			return checkTime(w.name, v)
		}
	}
	return nil
}

func tooLong(name string, n int) *gqlerror.Error {
	return badInput(name, "A list in %s has %d elements; at most %d are accepted.", name, n, MaxListLength)
}

// checkString refuses a string holding NUL, which PostgreSQL cannot
// store or compare (a server error there) and no field of ours holds.
func checkString(name, s string) *gqlerror.Error {
	if strings.IndexByte(s, 0) >= 0 {
		return badInput(name, "%s holds a NUL character (\\u0000), which is not accepted.", name)
	}
	return nil
}

func isTime(t *ast.Type) bool { return t != nil && t.Elem == nil && t.NamedType == "Time" }

// checkTime refuses a Time that is not RFC 3339 with a zone: gqlgen would
// read "2026-01-01 00:00:00" as UTC and fail on "2026-01-01T00:00:00"
// or the year 10000 with a server error.
func checkTime(name, s string) *gqlerror.Error {
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return badInput(name, "Invalid Time %q in %s: use RFC 3339 with a time zone, e.g. 2026-01-01T00:00:00Z.", clip(s, 40), name)
	}
	return nil
}

// clip shortens s for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// pageDefaults is the handler extension that gives every connection field
// asked for without first or last (or with them null) a page of
// DefaultPageSize: first, or last when the page ends before a cursor.
//
// It rewrites the operation rather than the resolvers' arguments
// (fc.Args): ent's eager loading of nested connections reads first and
// last from the operation, so a default set on fc.Args would bound the
// answer but not the rows fetched. The rewrite copies the selections it
// changes and their parents; the document itself is shared through the
// query cache and is never changed.
type pageDefaults struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = pageDefaults{}

func (pageDefaults) ExtensionName() string                   { return "PageDefaults" }
func (pageDefaults) Validate(graphql.ExecutableSchema) error { return nil }
func (pageDefaults) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Doc == nil {
		return nil
	}
	r := &pageRewrite{vars: oc.Variables, fragments: map[string]*ast.FragmentDefinition{}}
	set, changed := r.set(oc.Operation.SelectionSet)
	if !changed {
		return nil
	}
	op := *oc.Operation
	op.SelectionSet = set
	doc := *oc.Doc
	doc.Operations = make(ast.OperationList, len(oc.Doc.Operations))
	for i, o := range oc.Doc.Operations {
		if o == oc.Operation {
			o = &op
		}
		doc.Operations[i] = o
	}
	doc.Fragments = make(ast.FragmentDefinitionList, len(oc.Doc.Fragments))
	for i, f := range oc.Doc.Fragments {
		if g := r.fragments[f.Name]; g != nil && g.Name == f.Name {
			f = g
		}
		doc.Fragments[i] = f
	}
	oc.Doc, oc.Operation = &doc, &op
	return nil
}

// pageRewrite rewrites one operation; fragments holds the rewritten
// fragments (the original when unchanged), each rewritten once.
type pageRewrite struct {
	vars      map[string]any
	fragments map[string]*ast.FragmentDefinition
}

// set returns set with default pages, and whether it changed.
func (r *pageRewrite) set(set ast.SelectionSet) (ast.SelectionSet, bool) {
	var out ast.SelectionSet
	for i, sel := range set {
		next := sel
		switch sel := sel.(type) {
		case *ast.Field:
			sub, changed := r.set(sel.SelectionSet)
			args, defaulted := r.arguments(sel)
			if changed || defaulted {
				f := *sel
				f.SelectionSet, f.Arguments = sub, args
				next = &f
			}
		case *ast.InlineFragment:
			if sub, changed := r.set(sel.SelectionSet); changed {
				f := *sel
				f.SelectionSet = sub
				next = &f
			}
		case *ast.FragmentSpread:
			if def := r.fragment(sel.Definition); def != sel.Definition {
				s := *sel
				s.Definition = def
				next = &s
			}
		}
		if next != sel && out == nil {
			out = make(ast.SelectionSet, len(set))
			copy(out, set[:i])
		}
		if out != nil {
			out[i] = next
		}
	}
	if out == nil {
		return set, false
	}
	return out, true
}

func (r *pageRewrite) fragment(f *ast.FragmentDefinition) *ast.FragmentDefinition {
	if f == nil {
		return nil
	}
	if g, ok := r.fragments[f.Name]; ok {
		return g
	}
	r.fragments[f.Name] = f // a spread of f inside f (refused by validation) stays
	if set, changed := r.set(f.SelectionSet); changed {
		g := *f
		g.SelectionSet = set
		r.fragments[f.Name] = &g
	}
	return r.fragments[f.Name]
}

// arguments returns f's arguments with a default page when f is a
// connection given neither first nor last, and whether it added one.
func (r *pageRewrite) arguments(f *ast.Field) (ast.ArgumentList, bool) {
	if f.Definition == nil || f.Definition.Arguments.ForName("first") == nil {
		return f.Arguments, false
	}
	if !r.null(f.Arguments.ForName("first")) || !r.null(f.Arguments.ForName("last")) {
		return f.Arguments, false
	}
	name := "first"
	if f.Definition.Arguments.ForName("last") != nil &&
		!r.null(f.Arguments.ForName("before")) && r.null(f.Arguments.ForName("after")) {
		name = "last" // the page that ends at the cursor
	}
	args := make(ast.ArgumentList, 0, len(f.Arguments)+1)
	for _, a := range f.Arguments {
		if a.Name != "first" && a.Name != "last" { // null ones
			args = append(args, a)
		}
	}
	def := f.Definition.Arguments.ForName(name)
	return append(args, &ast.Argument{
		Name:     name,
		Value:    &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(DefaultPageSize), ExpectedType: def.Type},
		Position: f.Position,
	}), true
}

// null reports whether argument a is absent or null, variables read.
func (r *pageRewrite) null(a *ast.Argument) bool { return isNull(a, r.vars) }

// pagedSchema is the executable schema with a complexity that multiplies
// the cost of a connection's selections by its page size (first or last,
// DefaultPageSize by default), and that of nodes(ids:) by the number of
// ids. gqlgen's complexity.Calculate calls Complexity for every field
// with the cost of its selections, so the product follows nesting and
// aliases.
type pagedSchema struct{ graphql.ExecutableSchema }

func (s pagedSchema) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	if c, ok := s.ExecutableSchema.Complexity(ctx, typeName, field, childComplexity, args); ok {
		return c, ok
	}
	t := s.Schema().Types[typeName]
	if t == nil {
		return 0, false
	}
	def := t.Fields.ForName(field)
	switch {
	case def == nil:
		return 0, false
	case def.Arguments.ForName("first") != nil:
		n := int64(DefaultPageSize)
		if m, ok := intOf(args["first"]); ok && m >= 0 {
			n = m
		} else if m, ok := intOf(args["last"]); ok && m >= 0 {
			n = m
		}
		return satAdd(1, satMul(int(min(n, math.MaxInt32)), childComplexity)), true
	case typeName == "Query" && field == "nodes":
		ids, _ := args["ids"].([]any)
		return satAdd(1, satMul(max(len(ids), 1), childComplexity)), true
	}
	return 0, false
}

// introspectionOff is the handler extension that refuses __schema and
// __type when introspection is off, before the operation runs: gqlgen
// would answer them with an uncoded error, a server error to clients.
type introspectionOff struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionOff{}

func (introspectionOff) ExtensionName() string                   { return "IntrospectionOff" }
func (introspectionOff) Validate(graphql.ExecutableSchema) error { return nil }
func (introspectionOff) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || !oc.DisableIntrospection {
		return nil
	}
	if name := introspectionField(oc.Operation.SelectionSet, map[string]bool{}); name != "" {
		return badInput(name, "Introspection (%s) is disabled on this server.", name)
	}
	return nil
}

// introspectionField returns __schema or __type if set selects it at the
// root, through fragments; "" otherwise.
func introspectionField(set ast.SelectionSet, seen map[string]bool) string {
	for _, sel := range set {
		var name string
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__schema" || sel.Name == "__type" {
				name = sel.Name
			}
		case *ast.InlineFragment:
			name = introspectionField(sel.SelectionSet, seen)
		case *ast.FragmentSpread:
			if !seen[sel.Name] && sel.Definition != nil {
				seen[sel.Name] = true
				name = introspectionField(sel.Definition.SelectionSet, seen)
			}
		}
		if name != "" {
			return name
		}
	}
	return ""
}
