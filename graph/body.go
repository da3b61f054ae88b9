package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stift/stift-reports/rest"
)

// MaxBodyBytes is the largest GraphQL request body read, the REST layer's.
const MaxBodyBytes = rest.MaxBodyBytes

// limitBody checks what gqlgen's transports would decode, before they
// do, and refuses with a coded error (gqlgen's own answers have no code,
// and quote the body): a POST body too large (413, read no further than
// MaxBodyBytes: gqlgen reads any body whole), not JSON, malformed, or a
// batch of operations (400); a GET whose variables or extensions are not
// JSON objects (400). Refusals are logged with the size and hash of what
// was refused, never its content.
func limitBody(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if msg := checkQueryString(r.URL.RawQuery); msg != "" {
				log.Info("graphql: malformed request", "query string", describe([]byte(r.URL.RawQuery)))
				writeBadRequest(w, r, http.StatusBadRequest, msg)
				return
			}
		case http.MethodPost:
			// Like the REST layer: a request without a Content-Type is
			// read as JSON; one that names another type is refused.
			ct := r.Header.Get("Content-Type")
			if ct == "" {
				r.Header.Set("Content-Type", "application/json")
			} else if media, _, _ := mime.ParseMediaType(ct); media != "application/json" {
				writeBadRequest(w, r, http.StatusBadRequest, "Content-Type must be application/json.")
				return
			}
			if r.Body == nil {
				break
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				log.Info("graphql: request body too large", "limit", MaxBodyBytes)
				writeBadRequest(w, r, http.StatusRequestEntityTooLarge,
					fmt.Sprintf("The request body is larger than %d bytes.", MaxBodyBytes))
				return
			case err != nil:
				writeBadRequest(w, r, http.StatusBadRequest, "Could not read the request body.")
				return
			}
			if msg := checkBody(body); msg != "" {
				log.Info("graphql: malformed request body", "body", describe(body))
				writeBadRequest(w, r, http.StatusBadRequest, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// checkBody returns why body is not one GraphQL request, or "". It
// decodes it as gqlgen's POST transport does, so that gqlgen's decoding
// cannot fail after it.
func checkBody(body []byte) string {
	if b := bytes.TrimLeft(body, " \t\r\n"); len(b) > 0 && b[0] == '[' {
		return "Batched requests are not supported: send one operation per request."
	}
	var p graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return "The request body is not a GraphQL request: a JSON object with a query string " +
			"and, optionally, an operationName string and variables and extensions objects."
	}
	return ""
}

// checkQueryString returns why the query string of a GET request is not
// one GraphQL request, or "". It decodes variables and extensions as
// gqlgen's GET transport does.
func checkQueryString(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "The query string is malformed."
	}
	for _, name := range []string{"variables", "extensions"} {
		if v := q.Get(name); v != "" {
			var m map[string]any
			dec := json.NewDecoder(strings.NewReader(v))
			dec.UseNumber()
			if dec.Decode(&m) != nil {
				return fmt.Sprintf("The %s parameter is not a JSON object.", name)
			}
		}
	}
	return ""
}

// writeBadRequest answers a request refused before it reached gqlgen in
// the GraphQL response shape, with no data member (requestError).
func writeBadRequest(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", errorMediaType(r))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(requestError{Errors: gqlerror.List{{
		Message:    msg,
		Extensions: map[string]any{"code": CodeBadUserInput},
	}}})
}
