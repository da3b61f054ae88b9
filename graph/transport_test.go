package graph

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeResponse must write what gqlgen's transports wrote (json.Marshal of
// the Response), byte for byte.
func TestWriteResponseIsJSONMarshal(t *testing.T) {
	yes := true
	cases := map[string]*graphql.Response{
		"empty":         {},
		"data":          {Data: json.RawMessage(`{"questions":{"edges":[{"node":{"id":"UXVlc3Rpb246MQ==","n":1.5,"b":true,"x":null}}]}}`)},
		"html":          {Data: json.RawMessage(`{"d":"<script>a && b > c</script>","f":"é ✓"}`)},
		"separators":    {Data: json.RawMessage("{\"e\":\"line\u2028sep\u2029par\"}")},
		"escaped":       {Data: json.RawMessage(`{"d":"quote \" backslash \\ tab \t \u0001"}`)},
		"null data":     {Data: json.RawMessage(`null`)},
		"errors":        {Errors: gqlerror.List{{Message: "no <way>", Path: ast.Path{ast.PathName("questions"), ast.PathIndex(3)}, Extensions: map[string]any{"code": CodeBadUserInput}}}, Data: json.RawMessage(`{"questions":null}`)},
		"errors only":   {Errors: gqlerror.List{{Message: "refused"}}},
		"extensions":    {Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"complexity": 3, "z": "<&>"}},
		"incremental":   {Data: json.RawMessage(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathName("a")}, HasNext: &yes},
		"empty objects": {Data: json.RawMessage(`{}`), Extensions: map[string]any{}},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			got, err := writeResponse(resp)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("writeResponse:\n got %s\nwant %s", got, want)
			}
		})
	}
}
