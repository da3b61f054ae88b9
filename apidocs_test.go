package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/rest/apidocs"
)

// TestAPIDocs: /docs, as the server serves it, needs no token, and every
// URL the page names is the server's own: its scripts with their types,
// and the OpenAPI document it renders.
func TestAPIDocs(t *testing.T) {
	t.Parallel()
	nonceRE := regexp.MustCompile(`<script src="[^"]*" nonce="([^"]*)"`)
	urlRE := regexp.MustCompile(`(?:src|href|data-spec-url)="([^"]*)"`)
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startReportServer(t, d, Config{})
		get := func(method, path, token string) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest(method, s.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := http.DefaultTransport.RoundTrip(req) // redirects not followed
			if err != nil {
				t.Fatal(err)
			}
			return resp, readAll(t, resp)
		}

		// Without a token, or with one refused: the page is public.
		for _, token := range []string{"", "stift_nope"} {
			resp, page := get("GET", "/docs", token)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("GET /docs (token %q): %d %q", token, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			m := nonceRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no script with a nonce in %s", page)
			}
			if got, want := resp.Header.Get("Content-Security-Policy"), apidocs.ContentSecurityPolicy(m[1]); got != want {
				t.Errorf("Content-Security-Policy = %q, want %q", got, want)
			}
			if resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", resp.Header)
			}
			if strings.Contains(page, "//") {
				t.Errorf("the page names a URL with a host")
			}
			urls := urlRE.FindAllStringSubmatch(page, -1)
			if len(urls) != 5 { // favicon, document (twice: Redoc, noscript), two scripts
				t.Errorf("the page names %d URLs, want 5: %v", len(urls), urls)
			}
			for _, u := range urls {
				want := map[bool]string{true: "text/javascript; charset=utf-8", false: "application/json"}[strings.HasSuffix(strings.Split(u[1], "?")[0], ".js")]
				switch {
				case u[1] == "data:,":
					continue
				case u[1] != "/openapi.json" && !strings.HasPrefix(u[1], apidocs.AssetPrefix):
					t.Errorf("the page names %q", u[1])
					continue
				}
				resp, body := get("GET", u[1], "")
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want || len(body) < 500 {
					t.Errorf("GET %s: %d %q, %d bytes", u[1], resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
				}
			}
		}

		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{"HEAD", "/docs", 200},
			{"GET", "/docs/", 301},
			{"GET", "/docs/VERSIONS", 200},
			{"GET", "/docs/missing.js", 404},
			{"GET", "/docs/assets/init.js", 404},
			{"GET", "/docs/%2e%2e/routes.go", 404},
			{"GET", "/docsx", 404},
			{"POST", "/docs", 404}, // the server's catch-all, as for POST /
		} {
			resp, body := get(tc.method, tc.path, "")
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: %d, want %d: %.200s", tc.method, tc.path, resp.StatusCode, tc.status, body)
			}
		}
	})
}
