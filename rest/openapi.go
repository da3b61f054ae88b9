package rest

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// openAPIDocument is the OpenAPI 3.0 description of the report endpoints,
// written by hand; e2e/openapi lints it and the tests check the server
// against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// openAPIETag is the strong validator of the document, which changes only
// with the binary.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDocument)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// OpenAPIDocument returns a copy of the OpenAPI document of the report
// endpoints, as JSON.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

// OpenAPIHandler serves the OpenAPI document of the report endpoints as
// application/json, to GET and HEAD, with an ETag so that clients can
// revalidate their copy. It needs no authentication: the document holds no
// data.
func OpenAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// The API's error shape; apperr has no code for 405.
			h.Set("Allow", "GET, HEAD")
			h.Set("Content-Type", "application/json; charset=utf-8")
			h.Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Write([]byte(`{"error":{"code":405,"message":"Method not allowed."}}` + "\n"))
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", openAPIETag)
		h.Set("Cache-Control", "no-cache")
		// ServeContent answers conditional and range requests, and HEAD.
		http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(openAPIDocument))
	})
}
