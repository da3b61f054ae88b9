package playground

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// get performs a GET request for target against h and returns the response
// with its body read.
func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	return do(t, h, http.MethodGet, target)
}

func do(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, target, err)
	}
	return res, string(body)
}

var (
	scriptSrcRE = regexp.MustCompile(`<script src="([^"]*)"`)
	linkHrefRE  = regexp.MustCompile(`<link rel="stylesheet" href="([^"]*)"`)
	anyURLAttRE = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']?([^"'\s>]*)`)
)

func TestPage(t *testing.T) {
	h := Handler("/graphql")
	res, body := get(t, h, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200", res.StatusCode)
	}
	for _, c := range []struct{ header, want string }{
		{"Content-Type", "text/html; charset=utf-8"},
		{"Content-Security-Policy", ContentSecurityPolicy},
		{"X-Content-Type-Options", "nosniff"},
		{"Cache-Control", "no-cache"},
	} {
		if got := res.Header.Get(c.header); got != c.want {
			t.Errorf("GET /: %s = %q, want %q", c.header, got, c.want)
		}
	}
	for _, want := range []string{
		"<title>stift-reports GraphQL</title>",
		`var endpoint = "/graphql";`,
		"GraphiQL.createFetcher({ url: endpoint })",
		"isHeadersEditorEnabled: true",
		`defaultEditorToolsVisibility: "headers"`,
		"shouldPersistHeaders: true",
		`\"Authorization\": \"Bearer \"`,
		"Paste your API token into the Headers tab",
		"tokenName",
		"schools(first: 5)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /: page does not contain %q", want)
		}
	}
	for _, m := range anyURLAttRE.FindAllStringSubmatch(body, -1) {
		if u := m[1]; !strings.HasPrefix(u, AssetPrefix) && u != "data:," {
			t.Errorf("GET /: page references %q, want only %s... URLs (or the empty favicon data:,)", u, AssetPrefix)
		}
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("GET /: page contains an absolute http(s) URL")
	}
}

// TestPageAssets checks that every script and stylesheet the page references
// is served with the right content type and a long cache lifetime.
func TestPageAssets(t *testing.T) {
	h := Handler("/graphql")
	_, body := get(t, h, "/")

	type ref struct {
		url, contentType string
	}
	var refs []ref
	for _, m := range scriptSrcRE.FindAllStringSubmatch(body, -1) {
		refs = append(refs, ref{m[1], "text/javascript; charset=utf-8"})
	}
	for _, m := range linkHrefRE.FindAllStringSubmatch(body, -1) {
		refs = append(refs, ref{m[1], "text/css; charset=utf-8"})
	}
	if len(refs) != 4 {
		t.Fatalf("page references %d assets, want 4 (react, react-dom, graphiql js+css): %v", len(refs), refs)
	}
	for _, r := range refs {
		t.Run(r.url, func(t *testing.T) {
			if !strings.HasPrefix(r.url, AssetPrefix) {
				t.Fatalf("asset URL %q not under %s", r.url, AssetPrefix)
			}
			res, data := get(t, h, r.url)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want 200", res.StatusCode)
			}
			if got := res.Header.Get("Content-Type"); got != r.contentType {
				t.Errorf("Content-Type = %q, want %q", got, r.contentType)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := res.Header.Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") {
				t.Errorf("Cache-Control = %q, want a long max-age", got)
			}
			if len(data) < 1000 {
				t.Errorf("body is only %d bytes", len(data))
			}
			if strings.Contains(data, "sourceMappingURL=") {
				t.Errorf("asset refers to a source map that is not served")
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	h := Handler("/graphql")
	for _, tc := range []struct {
		method, target  string
		wantStatus      int
		wantContentType string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"HEAD", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/?foo=bar", 200, "text/html; charset=utf-8"},
		{"GET", "/playground/graphiql.min.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/playground/graphiql.min.css", 200, "text/css; charset=utf-8"},
		{"GET", "/playground/react.production.min.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/playground/react-dom.production.min.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/playground/LICENSE.graphiql", 200, "text/plain; charset=utf-8"},
		{"GET", "/playground/LICENSE.react", 200, "text/plain; charset=utf-8"},
		{"GET", "/playground/LICENSE.react-dom", 200, "text/plain; charset=utf-8"},
		{"GET", "/playground/nonexistent", 404, ""},
		{"GET", "/playground/", 404, ""},
		{"GET", "/playground", 404, ""},
		{"GET", "/playground/assets/graphiql.min.js", 404, ""},
		{"GET", "/playground/../playground.go", 404, ""},
		{"GET", "/index.html", 404, ""},
		{"GET", "/graphql", 404, ""},
		{"GET", "//", 404, ""},
		{"POST", "/", 405, ""},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			res, _ := do(t, h, tc.method, tc.target)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if tc.wantContentType != "" {
				if got := res.Header.Get("Content-Type"); got != tc.wantContentType {
					t.Errorf("Content-Type = %q, want %q", got, tc.wantContentType)
				}
			}
		})
	}
}

// TestMux checks the handler mounted the way the package documentation says.
func TestMux(t *testing.T) {
	h := Handler("/graphql")
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET /playground/", h)
	for _, tc := range []struct {
		method, target string
		wantStatus     int
	}{
		{"GET", "/", 200},
		{"GET", "/playground/graphiql.min.js", 200},
		{"GET", "/playground/nonexistent", 404},
		{"GET", "/other", 404},
		{"POST", "/", 405}, // by the mux
	} {
		res, _ := do(t, mux, tc.method, tc.target)
		if res.StatusCode != tc.wantStatus {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, res.StatusCode, tc.wantStatus)
		}
	}
}

// TestEndpointEscaping checks that a hostile endpoint string cannot break out
// of the inline script or add markup to the page.
func TestEndpointEscaping(t *testing.T) {
	_, base := get(t, Handler("/graphql"), "/")
	count := func(page, s string) int { return strings.Count(strings.ToLower(page), s) }

	for _, endpoint := range []string{
		`</script><script>alert(1)</script>`,
		`</SCRIPT ><img src=x onerror=alert(1)>`,
		`"; alert(1); "`,
		`'); alert(1); ('`,
		"\u2028\u2029<!--<script>",
		`\"</script>`,
	} {
		t.Run(endpoint, func(t *testing.T) {
			_, page := get(t, Handler(endpoint), "/")
			for _, s := range []string{"<script", "</script", "<img", "<!--"} {
				if got, want := count(page, s), count(base, s); got != want {
					t.Errorf("page has %d %q, want %d as with a plain endpoint", got, s, want)
				}
			}
			// The endpoint must appear only inside the JS string literal,
			// with every character that could end the string or the
			// script escaped.
			m := regexp.MustCompile(`var endpoint = ("(?:[^"\\]|\\.)*");`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("endpoint assignment not found in page")
			}
			if strings.ContainsAny(m[1], "<>\u2028\u2029") {
				t.Errorf("endpoint literal %s contains unescaped characters", m[1])
			}
			var got string
			if err := json.Unmarshal([]byte(m[1]), &got); err != nil || got != endpoint {
				t.Errorf("endpoint literal %s decodes to %q (err %v), want %q", m[1], got, err, endpoint)
			}
		})
	}
}
