package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// CodeOperationNotAllowed refuses, in the allow-list mode, an operation the
// frontend's build did not register.
const CodeOperationNotAllowed = "OPERATION_NOT_ALLOWED"

// Operations are the trusted operations of the allow-list mode, by the hex
// SHA-256 of their text.
type Operations map[string]string

// maxManifestBytes bounds an operations manifest.
const maxManifestBytes = 16 << 20

// ReadOperations reads a manifest of trusted operations: a JSON object
// mapping each operation's hex SHA-256 to its text, as persisted-query
// tooling writes it (graphql-codegen's persisted documents, Relay's
// persisted queries with sha256). Every hash must be its text's, and every
// text must be a valid document of the schema: a stale manifest stops the
// start rather than fail requests one at a time.
func ReadOperations(r io.Reader) (Operations, error) {
	var ops Operations
	dec := json.NewDecoder(io.LimitReader(r, maxManifestBytes))
	if err := dec.Decode(&ops); err != nil {
		return nil, fmt.Errorf("operations manifest: not a JSON object of hash to query text: %w", err)
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("operations manifest: no operations")
	}
	schema := NewSchema(&Resolver{}).Schema()
	for _, hash := range slices.Sorted(maps.Keys(ops)) {
		query := ops[hash]
		if sum := sha256Hex(query); sum != hash {
			return nil, fmt.Errorf("operations manifest: %.16s… is not the SHA-256 of its query (%.16s…)", hash, sum)
		}
		if _, errs := gqlparser.LoadQueryWithRules(schema, query, nil); len(errs) > 0 {
			return nil, fmt.Errorf("operations manifest: %.16s…: %s", hash, errs[0].Message)
		}
	}
	return ops, nil
}

// Names are the names of the operations, sorted, each once: the labels of
// the per-operation metrics in the allow-list mode.
func (o Operations) Names() []string {
	var names []string
	for _, query := range o {
		doc, err := parser.ParseQuery(&ast.Source{Input: query})
		if err != nil {
			continue // ReadOperations refuses such a manifest
		}
		for _, op := range doc.Operations {
			if op.Name != "" {
				names = append(names, op.Name)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// trustedOperations serves only the operations of a manifest: a request
// names one by the hash of its persisted-query extension, or sends its
// exact text. Any other text is refused before it is parsed.
type trustedOperations struct {
	ops Operations
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = trustedOperations{}

func (trustedOperations) ExtensionName() string { return "TrustedOperations" }

func (trustedOperations) Validate(graphql.ExecutableSchema) error { return nil }

func (t trustedOperations) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	hash := ""
	if ext, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = ext["sha256Hash"].(string)
	}
	if hash == "" && raw.Query != "" {
		hash = sha256Hex(raw.Query)
	}
	query, ok := t.ops[hash]
	if !ok || raw.Query != "" && raw.Query != query {
		err := gqlerror.Errorf("This server runs only the operations registered by the frontend's build; this one is not among them.")
		errcode.Set(err, CodeOperationNotAllowed)
		return err
	}
	raw.Query = query
	return nil
}
