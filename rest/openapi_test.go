package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/stift/stift-reports/apperr"
)

func TestOpenAPIHandler(t *testing.T) {
	h := OpenAPIHandler()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if rec.Code != 200 {
		t.Fatalf("GET: status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Error("GET does not serve the embedded document")
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Error("the document is not valid JSON")
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET If-None-Match: status %d, want 304", rec.Code)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("HEAD", "/openapi.json", nil))
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("HEAD: status %d, %d bytes, type %q", rec.Code, rec.Body.Len(), rec.Header().Get("Content-Type"))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/openapi.json", strings.NewReader("{}")))
	var e struct {
		Error struct {
			Code int `json:"code"`
		} `json:"error"`
	}
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" ||
		json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code != 405 {
		t.Errorf("POST: status %d, Allow %q, body %s", rec.Code, rec.Header().Get("Allow"), rec.Body)
	}

	// The accessor hands out a copy.
	doc := OpenAPIDocument()
	doc[0] = 'x'
	if openAPIDocument[0] == 'x' {
		t.Error("OpenAPIDocument returns the embedded slice itself")
	}
}

// TestOpenAPIDocument checks that the document is valid OpenAPI and that it
// describes what this package implements: every route under both prefixes,
// the formats, the body limits and the error messages.
func TestOpenAPIDocument(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The routes of Register, and nothing else, under both prefixes, with
	// the same request and responses.
	reports := []string{"questions", "bookings", "bookings-workload", "groups-usage"}
	var want []string
	for _, r := range reports {
		want = append(want, "/reports/"+r, "/v1/reports/"+r)
	}
	var got []string
	for path, item := range doc.Paths.Map() {
		got = append(got, path)
		if len(item.Operations()) != 1 || item.Post == nil {
			t.Errorf("%s: operations %v, want POST only", path, item.Operations())
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("paths = %v, want %v", got, want)
	}
	for _, r := range reports {
		a, b := doc.Paths.Value("/reports/"+r).Post, doc.Paths.Value("/v1/reports/"+r).Post
		if a.RequestBody.Ref != b.RequestBody.Ref {
			t.Errorf("%s: request bodies differ: %q, %q", r, a.RequestBody.Ref, b.RequestBody.Ref)
		}
		statuses := a.Responses.Map()
		if len(statuses) != b.Responses.Len() {
			t.Errorf("%s: %d responses under /reports, %d under /v1", r, len(statuses), b.Responses.Len())
		}
		for code, ref := range statuses {
			if other := b.Responses.Value(code); other == nil || other.Ref != ref.Ref {
				t.Errorf("%s: response %s differs between the prefixes", r, code)
			}
		}
		for _, code := range []string{"200", "400", "401", "403", "406", "413", "429", "500", "503"} {
			if statuses[code] == nil {
				t.Errorf("%s: no %s response", r, code)
			}
		}
		ok := statuses["200"].Value
		for _, f := range formats {
			if ok.Content.Get(f.mediaType) == nil {
				t.Errorf("%s: 200 has no %s", r, f.mediaType)
			}
		}
	}

	// The limits of decode.go.
	s := doc.Components.Schemas
	if got := s["GroupsUsageRequest"].Value.Properties["name"].Value.MaxLength; got == nil || *got != MaxNameLength {
		t.Errorf("name maxLength = %v, want %d", got, MaxNameLength)
	}
	millis := s["Millis"].Value.OneOf[0].Value
	if *millis.Min != float64(minMillis) || *millis.Max != float64(maxMillis) {
		t.Errorf("Millis range = [%v, %v], want [%d, %d]", *millis.Min, *millis.Max, minMillis, maxMillis)
	}
	if desc := doc.Components.RequestBodies["QuestionsRequest"].Value.Description; !strings.Contains(desc, "1 MiB") || MaxBodyBytes != 1<<20 {
		t.Errorf("the documented body limit is not MaxBodyBytes: %q", desc)
	}

	// The 406 example is the message Negotiate gives.
	ex := doc.Components.Responses["NotAcceptable"].Value.Content.Get("application/json").Example
	msg := ex.(map[string]any)["error"].(map[string]any)["message"]
	if want := apperr.Message(errNotAcceptable); msg != want {
		t.Errorf("406 example message %q, Negotiate says %q", msg, want)
	}
}
