package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestRateLimit: a token over its rate gets 429 with Retry-After, in
// GraphQL's error shape on /graphql (with the GraphQL-over-HTTP media type
// when asked for) and in the legacy shape on the REST endpoints; an
// unlimited token does not.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := newReportServer(t, testdb.SQLite(t), Config{RateLimit: 0.01, RateBurst: 2})
	limited := s.newToken(t, auth.TokenSpec{Name: "limited"})
	unlimited := s.newToken(t, auth.TokenSpec{Name: "free", Unlimited: true})
	const gqlType = "application/graphql-response+json"
	codes := func(token, path, body, shape, contentType string) []int {
		var out []int
		for range 3 {
			resp, got := s.post(t, path, token, gqlType, body)
			if path != "/graphql" {
				resp, got = s.post(t, path, token, "", body)
			}
			out = append(out, resp.StatusCode)
			if resp.StatusCode == http.StatusTooManyRequests {
				if resp.Header.Get("Retry-After") == "" || !strings.Contains(string(got), shape) ||
					!strings.HasPrefix(resp.Header.Get("Content-Type"), contentType) {
					t.Errorf("%s: 429 without Retry-After, %s or %s: %v %s", path, shape, contentType, resp.Header, got)
				}
			}
		}
		return out
	}
	gql := `{"query": "{ viewer { tokenName } }"}`
	if got := codes(limited, "/graphql", gql, `"extensions":{"code":"RATE_LIMITED"}`, gqlType); got[0] != 200 || got[1] != 200 || got[2] != 429 {
		t.Errorf("limited token: %v, want 200 200 429", got)
	}
	rest := s.newToken(t, auth.TokenSpec{Name: "limited-rest"})
	if got := codes(rest, "/reports/bookings-workload", `{}`, `{"error":{"code":429,`, "application/json"); got[2] != 429 {
		t.Errorf("limited token, REST: %v, want 200 200 429", got)
	}
	if got := codes(unlimited, "/graphql", gql, "", ""); got[2] != 200 {
		t.Errorf("unlimited token: %v", got)
	}
}

// TestExportCap: a token running its share of exports gets 429 for one
// more, and its slot comes back when an export ends.
func TestExportCap(t *testing.T) {
	t.Parallel()
	l := newLimits(Config{ExportsPerToken: 1}, 0, nil)
	started, release := make(chan struct{}), make(chan struct{})
	h := l.capExports(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
	}))
	p := &auth.Principal{Name: "t"}
	req := func() *http.Request {
		return httptest.NewRequest("POST", "/reports/questions", nil).WithContext(auth.NewContext(t.Context(), p))
	}
	done := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req())
		done <- w.Code
	}()
	<-started
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req())
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
		t.Errorf("second export: %d %v", w.Code, w.Header())
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("first export: %d", code)
	}
	go func() { <-started }()
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req())
	if w.Code != http.StatusOK {
		t.Errorf("after the first ended: %d", w.Code)
	}
}

// TestExportTotalCap: with the server running its total of exports, an
// export of any other token gets 503 with Retry-After; requests that are
// not exports still pass, and a slot comes back when an export ends.
func TestExportTotalCap(t *testing.T) {
	t.Parallel()
	const total = 3
	l := newLimits(Config{ExportsPerToken: 2}, total, nil)
	started, release := make(chan struct{}), make(chan struct{})
	h := l.capExportsIf(func(r *http.Request) bool { return r.URL.Path != "/graphql" },
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/graphql" {
				started <- struct{}{}
				<-release
			}
		}))
	serve := func(token, path string) *httptest.ResponseRecorder {
		p := &auth.Principal{Name: token, TokenID: gid.APITokenID(uuid.NewSHA1(uuid.Nil, []byte(token)))}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("POST", path, nil).WithContext(auth.NewContext(t.Context(), p)))
		return w
	}
	done := make(chan int, total)
	for i := range total { // tokens a, a, b: within each token's share
		go func() { done <- serve(string(rune('a'+i/2)), "/reports/questions").Code }()
		<-started
	}
	if w := serve("c", "/reports/bookings"); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" ||
		!strings.Contains(w.Body.String(), `"code":503`) {
		t.Errorf("an export over the total: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := serve("c", "/graphql"); w.Code != http.StatusOK {
		t.Errorf("a request that is not an export: %d", w.Code)
	}
	release <- struct{}{}
	if code := <-done; code != http.StatusOK {
		t.Errorf("an export within the total: %d", code)
	}
	go func() { <-started; close(release) }()
	if w := serve("c", "/reports/bookings"); w.Code != http.StatusOK {
		t.Errorf("after an export ended: %d", w.Code)
	}
	for range total - 1 {
		if code := <-done; code != http.StatusOK {
			t.Errorf("an export within the total: %d", code)
		}
	}
}

// TestExportQueue: an export over the server's total waits for a running
// one to end and then runs; one that waits longer than the queue timeout
// gets 503.
func TestExportQueue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		wait time.Duration
		want int
	}{
		{"a slot frees while it waits", time.Minute, http.StatusOK},
		{"no slot frees in time", time.Millisecond, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimits(Config{ExportQueueTimeout: tc.wait}, 1, nil)
			started, release := make(chan string), make(chan struct{})
			h := l.capExports(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				started <- r.URL.Path
				<-release
			}))
			serve := func(path string) int {
				p := &auth.Principal{Name: path, TokenID: gid.APITokenID(uuid.NewSHA1(uuid.Nil, []byte(path)))}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("POST", path, nil).WithContext(auth.NewContext(t.Context(), p)))
				return w.Code
			}
			first := make(chan int)
			go func() { first <- serve("/reports/questions") }()
			<-started
			second := make(chan int)
			go func() { second <- serve("/reports/bookings") }()
			var code int
			if tc.want == http.StatusOK {
				select {
				case p := <-started:
					t.Fatalf("%s started while the only slot was taken", p)
				case <-time.After(50 * time.Millisecond):
				}
				release <- struct{}{} // the first ends
				<-started             // and the second runs
				release <- struct{}{}
				code = <-second
			} else {
				code = <-second
				release <- struct{}{}
			}
			if first := <-first; first != http.StatusOK {
				t.Errorf("the first export: %d", first)
			}
			if code != tc.want {
				t.Errorf("the export that waited: %d, want %d", code, tc.want)
			}
		})
	}
}
