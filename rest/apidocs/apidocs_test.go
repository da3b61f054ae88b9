package apidocs

import (
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// serve sends method target to h and returns the response, its body read.
func serve(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	body, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Result(), string(body)
}

var (
	nonceRE     = regexp.MustCompile(`nonce="([^"]*)"`)
	urlAttrRE   = regexp.MustCompile(`(?i)\b(?:src|href|data-spec-url)\s*=\s*["']?([^"'\s>]*)`)
	scriptRE    = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	scriptSrcRE = regexp.MustCompile(`<script src="([^"]*)"`)
)

// TestPage checks the page's headers and that it loads only its own
// scripts, by URL, with no inline script, under a fresh nonce each time.
func TestPage(t *testing.T) {
	h := Handler("/openapi.json")
	var nonces []string
	for range 2 {
		res, body := serve(t, h, "GET", "/docs")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /docs: status %d", res.StatusCode)
		}
		m := nonceRE.FindAllStringSubmatch(body, -1)
		if len(m) != 2 || m[0][1] != m[1][1] {
			t.Fatalf("page nonces %v, want one nonce on the <style> and on init.js", m)
		}
		nonce := m[0][1]
		if b, err := base64.RawURLEncoding.DecodeString(nonce); err != nil || len(b) != 16 || html.EscapeString(nonce) != nonce {
			t.Errorf("nonce %q is not 128 bits in base64url", nonce)
		}
		nonces = append(nonces, nonce)
		for _, c := range []struct{ header, want string }{
			{"Content-Type", "text/html; charset=utf-8"},
			{"Content-Security-Policy", ContentSecurityPolicy(nonce)},
			{"X-Content-Type-Options", "nosniff"},
			{"Cache-Control", "no-store"},
		} {
			if got := res.Header.Get(c.header); got != c.want {
				t.Errorf("%s = %q, want %q", c.header, got, c.want)
			}
		}
		for _, m := range urlAttrRE.FindAllStringSubmatch(body, -1) {
			if u := m[1]; !strings.HasPrefix(u, AssetPrefix) && u != "/openapi.json" && u != "data:," {
				t.Errorf("page references %q, want only %s…, /openapi.json (or the empty favicon data:,)", u, AssetPrefix)
			}
		}
		if strings.Contains(body, "//") {
			t.Errorf("page holds a URL with a host (//)")
		}
		for _, s := range scriptRE.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(s[1], "src=") || strings.TrimSpace(s[2]) != "" {
				t.Errorf("inline script: %s", s[0])
			}
		}
	}
	if nonces[0] == nonces[1] {
		t.Errorf("two pages got the same nonce %q", nonces[0])
	}
}

// TestCSP checks the policy against what it must never allow.
func TestCSP(t *testing.T) {
	csp := ContentSecurityPolicy("bm9uY2U=")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "'nonce-bm9uY2U='", "connect-src 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for _, never := range []string{"unsafe-inline", "unsafe-eval", "blob:", "http:", "https:", "*"} {
		if strings.Contains(csp, never) {
			t.Errorf("CSP %q allows %q", csp, never)
		}
	}
}

// TestAssets checks that the scripts the page loads are served with their
// type and a long cache lifetime, and are what update.sh promises.
func TestAssets(t *testing.T) {
	h := Handler("/openapi.json")
	_, page := serve(t, h, "GET", "/docs")
	srcs := scriptSrcRE.FindAllStringSubmatch(page, -1)
	if len(srcs) != 2 {
		t.Fatalf("page loads %d scripts, want redoc.standalone.js and init.js: %v", len(srcs), srcs)
	}
	for _, m := range srcs {
		res, body := serve(t, h, "GET", m[1])
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", m[1], res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", m[1], got)
		}
		if got := res.Header.Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q, want a long max-age", m[1], got)
		}
		if strings.Contains(body, "\n//# sourceMappingURL=") {
			t.Errorf("GET %s: refers to a source map that is not served", m[1])
		}
		if strings.Contains(body, "cdn.redoc.ly") {
			t.Errorf("GET %s: still loads Redocly's logo from its CDN", m[1])
		}
	}
}

func TestRoutes(t *testing.T) {
	h := Handler("/openapi.json")
	for _, tc := range []struct {
		method, target  string
		wantStatus      int
		wantContentType string
	}{
		{"GET", "/docs", 200, "text/html; charset=utf-8"},
		{"HEAD", "/docs", 200, "text/html; charset=utf-8"},
		{"GET", "/docs?x=<script>", 200, "text/html; charset=utf-8"},
		{"GET", "/docs/", 301, ""},
		{"GET", "/docs/redoc.standalone.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/docs/init.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/docs/LICENSE.redoc", 200, "text/plain; charset=utf-8"},
		{"GET", "/docs/redoc.standalone.js.LICENSE.txt", 200, "text/plain; charset=utf-8"},
		{"GET", "/docs/VERSIONS", 200, "text/plain; charset=utf-8"},
		{"GET", "/docs/nonexistent.js", 404, ""},
		{"GET", "/docs/assets/init.js", 404, ""},
		{"GET", "/docs/../apidocs.go", 404, ""},
		{"GET", "/docs/%2e%2e/apidocs.go", 404, ""},
		{"GET", "/docs.html", 404, ""},
		{"GET", "/", 404, ""},
		{"POST", "/docs", 405, ""},
		{"DELETE", "/docs/init.js", 405, ""},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			res, _ := serve(t, h, tc.method, tc.target)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if got := res.Header.Get("Content-Type"); tc.wantContentType != "" && got != tc.wantContentType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantContentType)
			}
			if tc.wantStatus == 301 && res.Header.Get("Location") != PagePath {
				t.Errorf("Location = %q, want %s", res.Header.Get("Location"), PagePath)
			}
		})
	}
}

// TestSpecURLEscaping checks that a hostile document URL cannot add markup
// or a script to the page, nor a javascript: link: it stays inside the
// data-spec-url attribute, which html/template escapes as a URL.
func TestSpecURLEscaping(t *testing.T) {
	_, base := serve(t, Handler("/openapi.json"), "GET", "/docs")
	count := func(page, s string) int { return strings.Count(strings.ToLower(page), s) }
	attrRE := regexp.MustCompile(`data-spec-url="([^"<>]*)"`)
	for _, spec := range []string{
		`"><script>alert(1)</script>`,
		`' onmouseover='alert(1)`,
		`javascript:alert(1)`,
		"</noscript><img src=x onerror=alert(1)>",
	} {
		t.Run(spec, func(t *testing.T) {
			_, page := serve(t, Handler(spec), "GET", "/docs")
			for _, s := range []string{"<", "\"", "'", `href="javascript:`} {
				if got, want := count(page, s), count(base, s); got != want {
					t.Errorf("page has %d %q, want %d as with a plain URL", got, s, want)
				}
			}
			m := attrRE.FindStringSubmatch(page)
			if m == nil || strings.ContainsAny(html.UnescapeString(m[1]), `<>"' `) ||
				strings.HasPrefix(strings.ToLower(m[1]), "javascript:") {
				t.Errorf("data-spec-url = %v, want %q escaped as a URL", m, spec)
			}
		})
	}
}
