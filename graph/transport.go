package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// answering wraps a gqlgen transport (POST, GET) to change how it writes
// its JSON, never what the request means:
//
//   - The answer to a request refused with a 4xx status before its
//     operation ran (a parse or validation error, variables that do not
//     coerce) is a requestError, with no data member: gqlgen's Response
//     always has one, null when there is nothing. Requests refused with
//     200 (this package's limits, whose errors gqlgen does not count as
//     the protocol's) keep "data": null, since GraphQL over HTTP wants a
//     4xx status for a response without data.
//   - The answer of an operation is written around its data as the
//     executor wrote it (writeResponse). gqlgen's transports marshal the
//     whole Response with encoding/json, which validates and compacts the
//     data again, byte by byte: a tenth of the CPU of a page of rows.
//
// gqlgen's transports write the Response they were handed in one Write,
// right after DispatchError or the operation's ResponseHandler returns it;
// answerWriter writes its own encoding in place of that one Write.
type answering struct{ graphql.Transport }

func (t answering) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	aw := &answerWriter{ResponseWriter: w}
	t.Transport.Do(aw, r, noticeAnswers{GraphExecutor: exec, w: aw})
}

// noticeAnswers is the executor as an answering transport sees it: it
// hands each Response to the writer before the transport marshals it.
type noticeAnswers struct {
	graphql.GraphExecutor
	w *answerWriter
}

func (e noticeAnswers) DispatchError(ctx context.Context, list gqlerror.List) *graphql.Response {
	resp := e.GraphExecutor.DispatchError(ctx, list)
	e.w.refused = resp
	return resp
}

func (e noticeAnswers) DispatchOperation(ctx context.Context, oc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, oc)
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if resp == nil {
			return nil
		}
		e.w.answer = resp
		// What the transport marshals is dropped: a Response without
		// data, so that the work is no more than a few bytes.
		return &graphql.Response{}
	}, ctx
}

// answerWriter writes, in place of the transport's one Write, the refused
// request's requestError or the operation's answer it was handed.
type answerWriter struct {
	http.ResponseWriter
	status  int
	refused *graphql.Response
	answer  *graphql.Response
}

func (w *answerWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *answerWriter) Write(p []byte) (int, error) {
	var b []byte
	var err error
	switch {
	case w.answer != nil:
		b, err = writeResponse(w.answer)
		w.answer = nil
	case w.refused != nil && w.status >= 400:
		b, err = json.Marshal(requestError{Errors: w.refused.Errors, Extensions: w.refused.Extensions})
		w.refused = nil
	default:
		return w.ResponseWriter.Write(p)
	}
	if err != nil {
		return 0, err
	}
	if _, err := w.ResponseWriter.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// writeResponse is json.Marshal(resp), byte for byte, except that the data
// the executor wrote is not validated and compacted again: it is compact
// already. Its characters that encoding/json escapes for HTML (<, >, &,
// U+2028, U+2029) are escaped here too.
func writeResponse(resp *graphql.Response) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(resp.Data) + 64)
	b.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		b.WriteString(`"errors":`)
		b.Write(errs)
		b.WriteByte(',')
	}
	b.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		b.WriteString("null")
	} else {
		json.HTMLEscape(&b, resp.Data)
	}
	// The members after data, in the order and with the omissions of
	// graphql.Response's tags.
	rest, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	if err != nil {
		return nil, err
	}
	if len(rest) > 2 { // not {}
		b.WriteByte(',')
		b.Write(rest[1:]) // its members and the closing brace
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}
