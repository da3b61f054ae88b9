package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/rest"
)

// The tests below hold the server to its OpenAPI document (rest/openapi.json):
// every example request of the document is sent to the real server over the
// demo, in every format, and the responses are validated against the
// document by kin-openapi; so are the answers to bad requests.

// openAPIDoc fetches the document from rest.OpenAPIHandler, as a client
// would, and loads and validates it. raw is the document's bytes.
func openAPIDoc(t *testing.T) (doc *openapi3.T, raw []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	rest.OpenAPIHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	raw = rec.Body.Bytes()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	registerOpenAPIDecoders()
	return doc, raw
}

var registerOnce sync.Once

// registerOpenAPIDecoders teaches kin-openapi the bodies it cannot read as
// the server writes them: CSV with sections of different widths (its own
// decoder wants one width), and XLSX (a zip archive).
func registerOpenAPIDecoders() {
	registerOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder("text/csv", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			if err != nil {
				return nil, err
			}
			r := csv.NewReader(bytes.NewReader(b))
			r.FieldsPerRecord = -1
			if _, err := r.ReadAll(); err != nil {
				return nil, fmt.Errorf("not RFC 4180 CSV: %w", err)
			}
			return string(b), nil
		})
		openapi3filter.RegisterBodyDecoder(xlsxType, func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			if err != nil {
				return nil, err
			}
			if !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
				return nil, errors.New("not a zip archive")
			}
			return string(b), nil
		})
	})
}

// openAPIClient sends requests to a report server and validates them, and
// the answers, against the document.
type openAPIClient struct {
	s      *reportServer
	router routers.Router
}

func newOpenAPIClient(t *testing.T, doc *openapi3.T, s *reportServer) *openAPIClient {
	t.Helper()
	// The document's server is "/", relative: route against the test
	// server's address instead.
	local := *doc
	local.Servers = openapi3.Servers{{URL: s.URL}}
	router, err := legacy.NewRouter(&local)
	if err != nil {
		t.Fatal(err)
	}
	return &openAPIClient{s: s, router: router}
}

type exchange struct {
	resp *http.Response
	body []byte
	in   *openapi3filter.RequestValidationInput
}

// do sends a POST and returns the answer; reqErr is what validating the
// request against the document said (nil: the document allows it).
func (c *openAPIClient) do(t *testing.T, path string, header http.Header, body []byte) (ex exchange, reqErr error) {
	t.Helper()
	req, _ := http.NewRequest("POST", c.s.URL+path, bytes.NewReader(body))
	req.Header = header.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s: no route in the document: %v", path, err)
	}
	ex.in = &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			MultiError: true,
			// The server checks the token; the document only says it is a
			// bearer token.
			AuthenticationFunc: func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
		},
	}
	reqErr = openapi3filter.ValidateRequest(context.Background(), ex.in)
	// Validation read the body, and may have replaced it with one of
	// another length (defaults filled in): send the original.
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))

	ex.resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.resp.Body.Close()
	if ex.body, err = io.ReadAll(ex.resp.Body); err != nil {
		t.Fatal(err)
	}
	return ex, reqErr
}

// validate checks the answer against the document: a documented status,
// its headers, its media type and its body's schema.
func (c *openAPIClient) validate(t *testing.T, ex exchange) {
	t.Helper()
	err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: ex.in,
		Status:                 ex.resp.StatusCode,
		Header:                 ex.resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(ex.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		t.Errorf("%s %s → %d %s: the response does not match the document: %v\nbody: %.300s",
			ex.in.Request.Method, ex.in.Request.URL.Path, ex.resp.StatusCode, ex.resp.Header.Get("Content-Type"), err, ex.body)
	}
}

func headers(token, accept string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return h
}

// docExample is an example request of the document.
type docExample struct {
	name, path string
	body       []byte
}

// requestExamples returns every example request body in the document.
func requestExamples(t *testing.T, doc *openapi3.T) []docExample {
	t.Helper()
	var out []docExample
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				t.Errorf("%s %s has no request body", method, path)
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || len(mt.Examples) == 0 {
				t.Errorf("%s %s has no example request", method, path)
				continue
			}
			for name, ex := range mt.Examples {
				b, err := json.Marshal(ex.Value.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, docExample{name: op.OperationID + "/" + name, path: path, body: b})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) < 8 {
		t.Fatalf("%d example requests, want one per operation (8)", len(out))
	}
	return out
}

// TestOpenAPIExamples sends every example request of the document to the
// real server in JSON, CSV and XLSX, and validates the answers against the
// document; the JSON keys must also come in the documented order.
func TestOpenAPIExamples(t *testing.T) {
	t.Parallel()
	doc, raw := openAPIDoc(t)
	examples := requestExamples(t, doc)
	keyOrder := documentedKeyOrder(t, raw)
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		c := newOpenAPIClient(t, doc, s)
		for _, e := range examples {
			for _, accept := range []string{"application/json", "text/csv", xlsxType} {
				t.Run(e.name+"/"+accept, func(t *testing.T) {
					ex, reqErr := c.do(t, e.path, headers(s.token, accept), e.body)
					if reqErr != nil {
						t.Errorf("the document's own example breaks its schema: %v", reqErr)
					}
					if ex.resp.StatusCode != 200 {
						t.Fatalf("status %d: %.300s", ex.resp.StatusCode, ex.body)
					}
					c.validate(t, ex)
					mt, _, _ := mime.ParseMediaType(ex.resp.Header.Get("Content-Type"))
					if mt != accept {
						t.Errorf("Content-Type %q, asked for %s", ex.resp.Header.Get("Content-Type"), accept)
					}
					cd := ex.resp.Header.Get("Content-Disposition")
					if (accept == "application/json") != (cd == "") {
						t.Errorf("Content-Disposition %q with %s", cd, accept)
					}
					if accept == "application/json" {
						checkKeyOrder(t, e.path, ex.body, keyOrder)
					}
				})
			}
		}
	})
}

// documentedKeyOrder returns the properties of the document's response
// schemas in the order the document lists them (kin-openapi keeps them in
// maps), and checks them against the public API's key lists.
func documentedKeyOrder(t *testing.T, raw []byte) map[string][]string {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{ // spec_keys.json's names → the document's schemas
		"questions":                "QuestionRow",
		"bookings":                 "BookingRow",
		"bookings-workload":        "WorkloadRow",
		"groups-usage":             "GroupsUsage",
		"groups-usage.students":    "StudentUsage",
		"groups-usage.teachers":    "TeacherUsage",
		"groups-usage.disciplines": "DisciplineUsage",
	}
	b, err := os.ReadFile("export/testdata/spec_keys.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string][]string
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	order := map[string][]string{}
	for key, schema := range names {
		props := doc.Components.Schemas[schema].Properties
		if props == nil {
			t.Fatalf("no schema %s with properties", schema)
		}
		order[key] = objectKeys(t, props)
		if !slices.Equal(order[key], spec[key]) {
			t.Errorf("schema %s lists %v, the public API %v", schema, order[key], spec[key])
		}
	}
	return order
}

// checkKeyOrder checks the keys of a JSON report against the documented order.
func checkKeyOrder(t *testing.T, path string, body []byte, order map[string][]string) {
	t.Helper()
	report := path[strings.LastIndex(path, "/")+1:]
	check := func(what string, obj json.RawMessage, want []string) {
		t.Helper()
		if got := objectKeys(t, obj); !slices.Equal(got, want) {
			t.Errorf("%s keys %v, documented %v", what, got, want)
		}
	}
	if report != "groups-usage" {
		var rows []json.RawMessage
		if err := json.Unmarshal(body, &rows); err != nil || len(rows) == 0 {
			t.Fatalf("%s: %v, %d rows: the example should return some", report, err, len(rows))
		}
		for _, r := range rows {
			check(report, r, order[report])
		}
		return
	}
	// The example asks for teachers and disciplines, so every key is there.
	check(report, body, order[report])
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"students", "teachers", "disciplines"} {
		var items []json.RawMessage
		json.Unmarshal(top[section], &items)
		if len(items) == 0 {
			t.Errorf("groups-usage: no %s in the example's answer", section)
		}
		for _, it := range items {
			check(report+"."+section, it, order[report+"."+section])
		}
	}
}

// TestOpenAPIErrors sends bad requests and validates the errors against
// the document; where the fault is in the body, the document must refuse
// the request too.
func TestOpenAPIErrors(t *testing.T) {
	t.Parallel()
	doc, _ := openAPIDoc(t)
	const (
		questions = "/reports/questions"
		usage     = "/v1/reports/groups-usage"
		workload  = "/reports/bookings-workload"
		okDates   = `"start_date": 1779667200000, "end_date": 1781535600000`
		noGroup   = "7c9e6679-7425-40de-944b-e07fc1f0e29d" // well-formed, not in the demo
	)
	cases := []struct {
		name, path, token, accept, contentType, body string
		status                                       int
		field                                        string
		docRefuses                                   bool // the document's schema refuses the body too
	}{
		{name: "no token", path: questions, body: "{" + okDates + "}", status: 401},
		{name: "unknown token", path: questions, token: "stift_nope", body: "{" + okDates + "}", status: 401},
		{name: "html only", path: questions, accept: "text/html", body: "{" + okDates + "}", status: 406},
		{name: "csv refused by q=0", path: workload, accept: "text/csv;q=0, application/json;q=0", body: "{}", status: 406},
		{name: "bad date", path: questions, body: `{"start_date": "yesterday", "end_date": 1781535600000}`,
			status: 400, field: "start_date", docRefuses: true},
		{name: "fractional date", path: questions, body: `{"start_date": 1779667200000.5, "end_date": 1781535600000}`,
			status: 400, field: "start_date", docRefuses: true},
		{name: "date out of range", path: questions, body: `{"start_date": 1779667200000, "end_date": 253402300800000}`,
			status: 400, field: "end_date", docRefuses: true},
		{name: "missing date", path: questions, body: `{"end_date": 1781535600000}`,
			status: 400, field: "start_date", docRefuses: true},
		{name: "bad id", path: questions, body: `{` + okDates + `, "group_ids": ["42"]}`,
			status: 400, field: "group_ids", docRefuses: true},
		{name: "empty group_ids", path: usage, body: `{` + okDates + `, "group_ids": []}`,
			status: 400, field: "group_ids", docRefuses: true},
		{name: "long name", path: usage, body: `{` + okDates + `, "group_ids": ["` + noGroup + `"], "name": "` + strings.Repeat("é", 201) + `"}`,
			status: 400, field: "name", docRefuses: true},
		{name: "show_teachers not a boolean", path: usage, body: `{` + okDates + `, "group_ids": ["` + noGroup + `"], "show_teachers": "yes"}`,
			status: 400, field: "show_teachers", docRefuses: true},
		{name: "not an object", path: workload, body: `[]`, status: 400, docRefuses: true},
		{name: "malformed JSON", path: questions, body: `{"start_date": `, status: 400, docRefuses: true},
		{name: "dates reversed", path: questions, body: `{"start_date": 1781535600000, "end_date": 1779667200000}`,
			status: 400, field: "start_date"}, // not expressible in the schema
		{name: "text/plain body not JSON", path: workload, contentType: "text/plain", body: `yes please`, status: 400, docRefuses: true},
		{name: "show_teachers a sentence", path: usage, body: `{` + okDates + `, "group_ids": ["` + noGroup + `"], "show_teachers": "yes please"}`,
			status: 400, field: "show_teachers", docRefuses: true},
		{name: "too large", path: workload, body: `{"school_ids": [` + strings.Repeat(`"`+noGroup+`",`, 30000) + `"` + noGroup + `"]}`,
			status: 413},
		{name: "unknown group", path: usage, body: `{` + okDates + `, "group_ids": ["` + noGroup + `"]}`,
			status: 403, field: "group_ids"},
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		c := newOpenAPIClient(t, doc, s)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				token := s.token
				if tc.status == 401 {
					token = tc.token
				}
				h := headers(token, tc.accept)
				if tc.contentType != "" {
					h.Set("Content-Type", tc.contentType)
				}
				ex, reqErr := c.do(t, tc.path, h, []byte(tc.body))
				if ex.resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %.300s", ex.resp.StatusCode, tc.status, ex.body)
				}
				c.validate(t, ex)
				checkErrorBody(t, ex, tc.field)
				if tc.docRefuses && reqErr == nil {
					t.Errorf("the server refuses the request (%s) but the document allows it", ex.body)
				}
			})
		}
	})
}

// TestOpenAPILegacyBodies: what legacy clients send and the server accepts,
// members it does not know and booleans as strings, the document allows
// too; and the answers match it, the download named after the report.
func TestOpenAPILegacyBodies(t *testing.T) {
	t.Parallel()
	doc, _ := openAPIDoc(t)
	examples := requestExamples(t, doc)
	s := newReportServer(t, testdb.SQLite(t), Config{})
	c := newOpenAPIClient(t, doc, s)
	for _, e := range examples {
		var body map[string]any
		if err := json.Unmarshal(e.body, &body); err != nil {
			t.Fatal(err)
		}
		body["legacy_member"] = map[string]any{"nested": []any{1, "x"}}
		if _, ok := body["show_teachers"]; ok {
			body["show_teachers"], body["show_disciplines"] = "1", "True"
		}
		b, _ := json.Marshal(body)
		for _, accept := range []string{"json", "csv", "xlsx"} {
			ex, reqErr := c.do(t, e.path, headers(s.token, accept), b)
			if reqErr != nil {
				t.Errorf("%s: the document refuses %s: %v", e.name, b, reqErr)
			}
			if ex.resp.StatusCode != 200 {
				t.Fatalf("%s: status %d: %.300s", e.name, ex.resp.StatusCode, ex.body)
			}
			c.validate(t, ex)
		}
	}
}

// checkErrorBody checks what the schema cannot: the code repeats the status,
// and field names the parameter at fault.
func checkErrorBody(t *testing.T, ex exchange, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    int     `json:"code"`
			Message string  `json:"message"`
			Field   *string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(ex.body, &e); err != nil {
		t.Fatalf("error body: %v: %s", err, ex.body)
	}
	if e.Error.Code != ex.resp.StatusCode {
		t.Errorf("error code %d, status %d", e.Error.Code, ex.resp.StatusCode)
	}
	got := ""
	if e.Error.Field != nil {
		got = *e.Error.Field
	}
	if got != field {
		t.Errorf("field %q, want %q (%s)", got, field, e.Error.Message)
	}
}

// TestOpenAPIUnavailableAndTooMany validates the 429 of a token over its
// rate, and the 503 of a database gone, against the document.
func TestOpenAPIUnavailableAndTooMany(t *testing.T) {
	t.Parallel()
	doc, _ := openAPIDoc(t)
	body := []byte(`{"school_ids": null}`)

	t.Run("429", func(t *testing.T) {
		s := newReportServer(t, testdb.SQLite(t), Config{RateLimit: 0.001, RateBurst: 1})
		c := newOpenAPIClient(t, doc, s)
		first, _ := c.do(t, "/reports/bookings-workload", headers(s.token, ""), body)
		c.validate(t, first)
		ex, _ := c.do(t, "/reports/bookings-workload", headers(s.token, ""), body)
		if ex.resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("second request: status %d, want 429: %s", ex.resp.StatusCode, ex.body)
		}
		c.validate(t, ex)
		checkErrorBody(t, ex, "")
	})

	t.Run("503", func(t *testing.T) {
		d := testdb.SQLite(t)
		s := newReportServer(t, d, Config{})
		c := newOpenAPIClient(t, doc, s)
		d.Close()
		ex, _ := c.do(t, "/v1/reports/bookings-workload", headers(s.token, ""), body)
		if ex.resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503: %s", ex.resp.StatusCode, ex.body)
		}
		c.validate(t, ex)
		checkErrorBody(t, ex, "")
	})
}
