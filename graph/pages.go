package graph

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sync/atomic"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stift/stift-reports/ent"
)

// Compiled pages: the root field questions (a page of the ent connection,
// the list frontends page through) is written without gqlgen's per-field
// execution when what it selects is plain data. gqlgen resolves every
// field of every row through its general machinery — a field context, a
// deferred group and its path, a field set, often a goroutine — which
// costs a 100-row page about 300 allocations a row, most of its CPU.
//
// The page itself is still read by the field's resolver (Query.questions:
// ent's Paginate, its privacy rules, eager loading and cursors), its
// arguments coerced by the generated code, and each nested object by the
// field's own resolver (Question.student with its masking, the ent edges
// group and discipline). Only the walk over the selection is compiled:
// scalars are written by the generated marshalers the executor would
// call, so the bytes are the executor's. Anything the writer does not know
// — another field, a @defer, a resolver's error, a null where the schema
// says non-null — abandons the compiled answer and the executor serves the
// field as usual, so an error is reported exactly as before.
type compiledPages struct {
	schema *executableSchema
	served *atomic.Int32 // counts the compiled answers, for tests; may be nil
}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = compiledPages{}

func (compiledPages) ExtensionName() string                   { return "CompiledPages" }
func (compiledPages) Validate(graphql.ExecutableSchema) error { return nil }

func (c compiledPages) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.ObjectDefinition == nil || rfc.Field.ObjectDefinition.Name != "Query" || rfc.Field.Name != "questions" {
		return next(ctx)
	}
	if m, ok := c.questions(ctx, rfc.Field); ok {
		if c.served != nil {
			c.served.Add(1)
		}
		return m
	}
	return next(ctx)
}

// questions answers the root field questions, or reports false when the
// executor must.
func (c compiledPages) questions(ctx context.Context, field graphql.CollectedField) (_ graphql.Marshaler, ok bool) {
	defer func() {
		// A panic is the executor's to report: it recovers it as a field error.
		if recover() != nil {
			ok = false
		}
	}()
	oc := graphql.GetOperationContext(ctx)
	if !compilable(oc, field.Selections, questionConnectionShape) {
		return nil, false
	}
	ec := newExecutionContext(oc, c.schema, nil)
	args, err := ec.field_Query_questions_args(ctx, field.ArgumentMap(oc.Variables))
	if err != nil {
		return nil, false
	}
	fc := &graphql.FieldContext{Object: "Query", Field: field, Args: args, IsMethod: true, IsResolver: true,
		Child: ec.childFields_QuestionConnection}
	ctx = graphql.WithFieldContext(ctx, fc)
	conn, err := ec.Resolvers.Query().Questions(ctx, args["after"].(*entgql.Cursor[string]), args["first"].(*int),
		args["before"].(*entgql.Cursor[string]), args["last"].(*int), args["orderBy"].([]*ent.QuestionOrder), args["where"].(*ent.QuestionWhereInput))
	if err != nil || conn == nil {
		return nil, false
	}
	w := &pageWriter{ec: ec, ctx: ctx, questions: ec.Resolvers.Question()}
	w.questionConnection(field.Selections, conn)
	if w.failed {
		return nil, false
	}
	return graphql.WriterFunc(func(out io.Writer) { _, _ = out.Write(w.buf.Bytes()) }), true
}

// pageShape is what a compiled page may select of an object type: its
// implementors, the plain fields it writes from a table and the objects
// nested in it.
type pageShape struct {
	implementors []string
	plain        func(name string) bool
	objects      map[string]*pageShape
}

func fieldsOf[T any](fields map[string]plainField[T]) func(string) bool {
	return func(name string) bool { _, ok := fields[name]; return ok }
}

func names(list ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(list, name) }
}

var questionConnectionShape = &pageShape{
	implementors: questionConnectionImplementors,
	plain:        names("totalCount"),
	objects: map[string]*pageShape{
		"pageInfo": {implementors: pageInfoImplementors, plain: names("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")},
		"edges": {implementors: questionEdgeImplementors, plain: names("cursor"), objects: map[string]*pageShape{
			"node": {implementors: questionImplementors, plain: fieldsOf(questionFields), objects: map[string]*pageShape{
				"student":    {implementors: userImplementors, plain: fieldsOf(userFields)},
				"group":      {implementors: groupImplementors, plain: fieldsOf(groupFields)},
				"discipline": {implementors: disciplineImplementors, plain: fieldsOf(disciplineFields)},
			}},
		}},
	},
}

// compilable reports whether sel selects only what s allows, so that a
// page is read once: a selection the writer does not know goes to the
// executor before the resolver runs.
func compilable(oc *graphql.OperationContext, sel ast.SelectionSet, s *pageShape) bool {
	for _, f := range graphql.CollectFields(oc, sel, s.implementors) {
		switch {
		case len(f.Deferrables) > 0:
			return false
		case f.Name == "__typename" || s.plain(f.Name):
		case s.objects[f.Name] != nil:
			if !compilable(oc, f.Selections, s.objects[f.Name]) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// pageWriter writes one compiled page; failed is set at the first thing it
// cannot write as the executor would.
type pageWriter struct {
	ec        *executionContext
	ctx       context.Context
	questions QuestionResolver
	buf       bytes.Buffer
	failed    bool
	// collected holds the fields collected from each selection set the
	// page writes: every row of a page has the same, and gqlgen's
	// CollectFields makes a string key for its cache on each call.
	collected map[selectionKey][]graphql.CollectedField
}

// selectionKey is a selection set's identity: where it starts and its
// length (a merged set can start where one of its parts does). A
// selection set belongs to one field, so to one object type.
type selectionKey struct {
	first *ast.Selection
	n     int
}

// collect is graphql.CollectFields(oc, sel, implementors), once a page.
func (w *pageWriter) collect(sel ast.SelectionSet, implementors []string) []graphql.CollectedField {
	if len(sel) == 0 {
		return nil
	}
	key := selectionKey{&sel[0], len(sel)}
	if fields, ok := w.collected[key]; ok {
		return fields
	}
	fields := graphql.CollectFields(w.ec.OperationContext, sel, implementors)
	if w.collected == nil {
		w.collected = map[selectionKey][]graphql.CollectedField{}
	}
	w.collected[key] = fields
	return fields
}

// object writes the fields collected from sel, each by field, which
// reports false for a field it does not know.
func (w *pageWriter) object(sel ast.SelectionSet, implementors []string, field func(f graphql.CollectedField) bool) {
	fields := w.collect(sel, implementors)
	w.buf.WriteByte('{')
	for i, f := range fields {
		if w.failed {
			return
		}
		if len(f.Deferrables) > 0 {
			w.failed = true
			return
		}
		if i > 0 {
			w.buf.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&w.buf)
		w.buf.WriteByte(':')
		if f.Name == "__typename" {
			graphql.MarshalString(f.ObjectDefinition.Name).MarshalGQL(&w.buf)
			continue
		}
		if !field(f) {
			w.failed = true
			return
		}
	}
	w.buf.WriteByte('}')
}

// write writes m; a null for a non-null field is the executor's to report.
func (w *pageWriter) write(m graphql.Marshaler, nonNull bool) bool {
	if nonNull && m == graphql.Null {
		return false
	}
	m.MarshalGQL(&w.buf)
	return true
}

// plainField marshals one field of a T read from the struct, as the
// generated _Type_field does (pages_fields.go, written by
// graph/internal/pagesgen); nonNull is the schema's "!".
type plainField[T any] struct {
	nonNull bool
	marshal func(ec *executionContext, ctx context.Context, f graphql.CollectedField, obj T) graphql.Marshaler
}

// plain writes the plain fields of obj: those in fields.
func plain[T any](w *pageWriter, sel ast.SelectionSet, implementors []string, fields map[string]plainField[T], obj T) {
	w.object(sel, implementors, func(f graphql.CollectedField) bool {
		p, ok := fields[f.Name]
		return ok && w.write(p.marshal(w.ec, w.ctx, f, obj), p.nonNull)
	})
}

func (w *pageWriter) questionConnection(sel ast.SelectionSet, conn *ent.QuestionConnection) {
	w.object(sel, questionConnectionImplementors, func(f graphql.CollectedField) bool {
		switch f.Name {
		case "totalCount":
			return w.write(w.ec.marshalNInt2int(w.ctx, f.Selections, conn.TotalCount), true)
		case "pageInfo":
			p := conn.PageInfo
			w.object(f.Selections, pageInfoImplementors, func(f graphql.CollectedField) bool {
				switch f.Name {
				case "hasNextPage":
					return w.write(w.ec.marshalNBoolean2bool(w.ctx, f.Selections, p.HasNextPage), true)
				case "hasPreviousPage":
					return w.write(w.ec.marshalNBoolean2bool(w.ctx, f.Selections, p.HasPreviousPage), true)
				case "startCursor":
					return w.write(w.ec.marshalOCursor2ᚖentgoᚗioᚋcontribᚋentgqlᚐCursor(w.ctx, f.Selections, p.StartCursor), false)
				case "endCursor":
					return w.write(w.ec.marshalOCursor2ᚖentgoᚗioᚋcontribᚋentgqlᚐCursor(w.ctx, f.Selections, p.EndCursor), false)
				}
				return false
			})
			return true
		case "edges":
			w.buf.WriteByte('[')
			for i, e := range conn.Edges {
				if i > 0 {
					w.buf.WriteByte(',')
				}
				if e == nil {
					w.buf.WriteString("null")
					continue
				}
				w.object(f.Selections, questionEdgeImplementors, func(f graphql.CollectedField) bool {
					switch f.Name {
					case "cursor":
						return w.write(w.ec.marshalNCursor2entgoᚗioᚋcontribᚋentgqlᚐCursor(w.ctx, f.Selections, e.Cursor), true)
					case "node":
						if e.Node == nil {
							w.buf.WriteString("null")
							return true
						}
						w.question(f.Selections, e.Node)
						return true
					}
					return false
				})
				if w.failed {
					return false
				}
			}
			w.buf.WriteByte(']')
			return true
		}
		return false
	})
}

func (w *pageWriter) question(sel ast.SelectionSet, q *ent.Question) {
	w.object(sel, questionImplementors, func(f graphql.CollectedField) bool {
		if p, ok := questionFields[f.Name]; ok {
			return w.write(p.marshal(w.ec, w.ctx, f, q), p.nonNull)
		}
		switch f.Name {
		case "student":
			u, err := w.questions.Student(w.ctx, q)
			return nestedObject(w, f, u, err, false, userImplementors, userFields)
		case "group":
			g, err := q.Group(w.ctx)
			return nestedObject(w, f, g, err, true, groupImplementors, groupFields)
		case "discipline":
			d, err := q.Discipline(w.ctx)
			return nestedObject(w, f, d, err, true, disciplineImplementors, disciplineFields)
		}
		return false
	})
}

// nestedObject writes obj, the value of an object field f its resolver gave:
// null when f is nullable; an error, or nil for a non-null f, is the
// executor's to report.
func nestedObject[T comparable](w *pageWriter, f graphql.CollectedField, obj T, err error, nonNull bool, implementors []string, fields map[string]plainField[T]) bool {
	var none T
	switch {
	case err != nil || obj == none && nonNull:
		return false
	case obj == none:
		w.buf.WriteString("null")
	default:
		plain(w, f.Selections, implementors, fields, obj)
	}
	return true
}
