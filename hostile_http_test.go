package main

// Hostile HTTP clients against the real handler, on every test database:
// readers that stop reading, GraphQL downloads counted as exports,
// invented methods and paths in the metrics, and request bodies kept out
// of the logs. Nothing here measures time: a wait is bounded by what the
// server reports (exports running, connections in use), with a generous
// limit only so that a bug fails the test instead of hanging it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// socketBuffer is the size of the socket buffers between a stalling client
// and the server: a response its client does not read blocks the server
// after some kilobytes, instead of the megabytes Linux's autotuning lets
// a loopback connection buffer. It stands in for a slow network; every
// export of the demo data is larger.
const socketBuffer = 4 << 10

// smallBuffers is a listener whose connections have a send buffer of
// socketBuffer bytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(socketBuffer)
	}
	return c, err
}

// startHostileServer is startReportServer with small socket buffers and a
// log that keeps debug lines too. It loads the demo when seedDemo is set.
func startHostileServer(t *testing.T, d *db.DB, cfg Config, seedDemo bool) *reportServer {
	t.Helper()
	if seedDemo {
		if err := seed.Demo(context.Background(), d.Client); err != nil {
			t.Fatal(err)
		}
	}
	if cfg.PortalURL == "" {
		cfg.PortalURL = report.DefaultPortalURL
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewUnstartedServer(NewServer(cfg, d, log, func() time.Time { return seed.Now }))
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)
	s := &reportServer{Server: srv, db: d, logs: logs}
	s.token = s.newToken(t, auth.TokenSpec{Name: "all", All: true, RevealAnonymous: true})
	return s
}

// tokens creates n tokens that see everything.
func (s *reportServer) tokens(t *testing.T, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = s.newToken(t, auth.TokenSpec{Name: fmt.Sprintf("%s %d", t.Name(), i), All: true})
	}
	return out
}

// exportRequest is a REST export of every demo question as CSV.
func (s *reportServer) exportRequest(token string) *http.Request {
	req, _ := http.NewRequest("POST", s.URL+"/reports/questions", strings.NewReader(wholeDemo))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/csv")
	return req
}

// downloadQuery selects a page of questions large enough to stall: some
// 300 KB as CSV, where a stalled connection holds under 100 KB.
const downloadQuery = `{ questions(first: 1000) { edges { node {
	id groupID disciplineID createdAt description answerDescription } } } }`

// graphqlRequest is a GraphQL request of query, answered as accept.
func (s *reportServer) graphqlRequest(token, accept, query string) *http.Request {
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

// hangGuard bounds every request and wait of these tests: far longer than
// any of them takes, it only turns a server that hangs into a failure.
const hangGuard = time.Minute

// send sends req and returns the status and the body, read whole.
func send(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), hangGuard)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// openStalling sends req from a client that reads the response's headers and then
// stops reading, through a receive buffer of socketBuffer bytes. The
// response is returned with its body unread; the connection closes when
// the body is closed, or when the test ends.
func openStalling(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	tr := &http.Transport{
		DisableKeepAlives:     true, // so that closing the body closes the connection
		ResponseHeaderTimeout: hangGuard,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(socketBuffer)
			}
			return c, err
		},
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// mustStall checks that resp is an export under way (200, of the media
// type accept) and returns it.
func mustStall(t *testing.T, resp *http.Response, accept string) *http.Response {
	t.Helper()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode != http.StatusOK || mt != accept {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		t.Fatalf("an export to stall: %d %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return resp
}

// stall starts the export req and stops reading it.
func stall(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	return mustStall(t, openStalling(t, req), req.Header.Get("Accept"))
}

// scrape returns the text of /metrics.
func (s *reportServer) scrape(t *testing.T) string {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/metrics", nil)
	code, _, body := send(t, req)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	return body
}

var exportsRunningRE = regexp.MustCompile(`(?m)^stift_exports_running (\S+)$`)

// exportsRunning is the server's count of exports (and downloads) running.
func (s *reportServer) exportsRunning(t *testing.T) int {
	t.Helper()
	m := exportsRunningRE.FindStringSubmatch(s.scrape(t))
	if m == nil {
		t.Fatal("no stift_exports_running in /metrics")
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// eventually waits until cond holds, failing after hangGuard.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(hangGuard); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStalledReadersLeaveRoom: exports whose clients stop reading, from
// several tokens, each within its share, as many as the database pool has
// connections: the first fill the server's total of exports and hold their
// connections; the others, and a GraphQL download, are refused with 503
// rather than left to wait for a connection. The connections kept free
// answer a fresh token's query and /readyz. There is no write deadline
// here, so nothing but the cap can be what leaves room: without it this
// test hangs on a pool held whole by readers that never read.
func TestStalledReadersLeaveRoom(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		const perToken = 2
		s := startHostileServer(t, d, Config{ExportsPerToken: perToken, ExportQueueTimeout: 100 * time.Millisecond}, true)
		tokens := s.tokens(t, db.MaxPostgresConns/perToken+2)
		fresh, late := tokens[len(tokens)-2], tokens[len(tokens)-1]

		var stalled []*http.Response
		for i := range db.MaxPostgresConns {
			resp := openStalling(t, s.exportRequest(tokens[i/perToken]))
			if i < maxExports {
				stalled = append(stalled, mustStall(t, resp, "text/csv"))
				continue
			}
			mustBeBusy(t, resp)
		}
		mustBeBusy(t, openStalling(t, s.graphqlRequest(late, "text/csv", downloadQuery)))
		if n := s.exportsRunning(t); n != maxExports {
			t.Fatalf("%d exports running, want %d: an export finished though its client does not read", n, maxExports)
		}
		if inUse := d.SQL.Stats().InUse; inUse < maxExports {
			t.Fatalf("the stalled exports hold %d database connections, want %d: the test proves nothing", inUse, maxExports)
		}

		code, _, body := send(t, s.graphqlRequest(fresh, "", `{ schools { edges { node { name } } } }`))
		if code != http.StatusOK || !strings.Contains(body, `"name"`) || strings.Contains(body, `"errors"`) {
			t.Errorf("a fresh token's query while exports stall: %d %s", code, body)
		}
		req, _ := http.NewRequest("GET", s.URL+"/readyz", nil)
		if code, _, body := send(t, req); code != http.StatusOK {
			t.Errorf("/readyz while exports stall: %d %s", code, body)
		}

		for _, resp := range stalled {
			resp.Body.Close()
		}
		eventually(t, "the exports end once their clients hang up", func() bool { return s.exportsRunning(t) == 0 })
		if code, _, body := send(t, s.exportRequest(late)); code != http.StatusOK {
			t.Errorf("an export after the stalled ones ended: %d %.200s", code, body)
		}
		s.noErrorLogs(t)
	})
}

// mustBeBusy checks that resp is the answer to an export over the
// server's total: 503 in the error shape, with Retry-After.
func mustBeBusy(t *testing.T, resp *http.Response) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	shape := `"code":503` // REST's error shape; GraphQL's for a download
	if resp.Request.URL.Path == "/graphql" {
		shape = `"extensions":{"code":"SERVICE_UNAVAILABLE"}`
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), shape) {
		t.Errorf("an export over the server's total: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// TestStalledExportsAreCut: with a write stall timeout, exports and
// downloads whose clients stop reading end by themselves: their slots and
// database connections come back, and each client sees its transfer cut
// (an error, never a complete-looking file). The clients never hang up.
func TestStalledExportsAreCut(t *testing.T) {
	// Not parallel: its one-second write stall timeout must not cut the
	// clients that do read, which other tests' load could delay.
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		// Long enough that clients which do read are never cut on a busy
		// machine, short enough to wait for.
		s := startHostileServer(t, d, Config{ExportsPerToken: 2, WriteStallTimeout: time.Second}, true)
		if got, _, body := send(t, s.graphqlRequest(s.token, "text/csv", downloadQuery)); got != http.StatusOK || len(body) < 200<<10 {
			t.Fatalf("the download to stall: %d, %d bytes; want 200 and some 300 KB", got, len(body))
		}
		tokens := s.tokens(t, 3)
		var stalled []*http.Response
		for _, token := range tokens {
			stalled = append(stalled,
				stall(t, s.exportRequest(token)),
				stall(t, s.graphqlRequest(token, "text/csv", downloadQuery)))
		}
		eventually(t, "the stalled exports end", func() bool { return s.exportsRunning(t) == 0 })
		eventually(t, "the stalled exports give their connections back", func() bool { return d.SQL.Stats().InUse == 0 })
		// Read together: each read waits for the server's kernel to probe
		// the client's closed window again, at intervals that double.
		var wg sync.WaitGroup
		for i, resp := range stalled {
			wg.Go(func() {
				n, err := io.Copy(io.Discard, resp.Body)
				if err == nil {
					t.Errorf("stalled response %d: read %d bytes to a clean end; want the transfer cut", i, n)
				}
			})
		}
		wg.Wait()
		// Their slots are free: each token runs its share again.
		for _, token := range tokens {
			for _, req := range []*http.Request{s.exportRequest(token), s.graphqlRequest(token, "text/csv", downloadQuery)} {
				if code, _, body := send(t, req); code != http.StatusOK {
					t.Errorf("%s after the stalled exports: %d %.200s", req.URL.Path, code, body)
				}
			}
		}
		if got := len(s.logEntries(t, "report cancelled by the client")); got == 0 {
			t.Error("no stalled export was logged as cancelled by its client")
		}
		s.noErrorLogs(t)
	})
}

// TestGraphQLDownloadsShareTheExportCap: with one export per token, a
// GraphQL download in progress makes the token's REST export and next
// download get 429, and a REST export in progress does the same to a
// download; a GraphQL query answered as JSON is not an export and passes.
func TestGraphQLDownloadsShareTheExportCap(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startHostileServer(t, d, Config{ExportsPerToken: 1}, true)
		token := s.tokens(t, 1)[0]
		for _, busy := range []struct {
			name string
			req  *http.Request
		}{
			{"a GraphQL CSV download", s.graphqlRequest(token, "text/csv", downloadQuery)},
			{"a REST export", s.exportRequest(token)},
		} {
			resp := stall(t, busy.req)
			for _, c := range []struct {
				name string
				req  *http.Request
				want int
			}{
				{"a REST export", s.exportRequest(token), http.StatusTooManyRequests},
				{"a GraphQL CSV download", s.graphqlRequest(token, "text/csv", downloadQuery), http.StatusTooManyRequests},
				{"a GraphQL XLSX download", s.graphqlRequest(token, xlsxType, downloadQuery), http.StatusTooManyRequests},
				{"a GraphQL query as JSON", s.graphqlRequest(token, "", downloadQuery), http.StatusOK},
			} {
				code, hdr, body := send(t, c.req)
				if code != c.want {
					t.Errorf("%s while %s runs: %d, want %d: %.200s", c.name, busy.name, code, c.want, body)
				}
				shape := `"code":429` // REST's error shape; GraphQL's for a download
				if c.req.URL.Path == "/graphql" {
					shape = `"extensions":{"code":"RATE_LIMITED"}`
				}
				if code == http.StatusTooManyRequests && (hdr.Get("Retry-After") == "" || !strings.Contains(body, shape)) {
					t.Errorf("%s: 429 without Retry-After or the error shape: %v %s", c.name, hdr, body)
				}
			}
			resp.Body.Close()
			eventually(t, busy.name+" ends once its client hangs up", func() bool { return s.exportsRunning(t) == 0 })
		}
		s.noErrorLogs(t)
	})
}

// TestMetricLabelsAreBounded sends a thousand requests with invented
// methods, paths and routes, with and without a token, and checks that
// /metrics grew by no more than its counters' digits: every label comes
// from a known set.
func TestMetricLabelsAreBounded(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startHostileServer(t, d, Config{}, true)
		client := &http.Client{}
		request := func(i int) {
			method := fmt.Sprintf("M%04d", i)
			path := fmt.Sprintf("/invented/%d", i)
			token := ""
			switch i % 4 {
			case 1:
				path = "/graphql"
			case 2:
				path, token = "/reports/questions", s.token
			case 3:
				method = strings.ToLower(http.MethodGet) // not GET: methods are case-sensitive
			}
			req, _ := http.NewRequest(method, s.URL+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		// Every kind of request once, so that its series exist.
		for i := range 8 {
			request(i)
		}
		before := s.scrape(t)
		for i := range 1000 {
			request(8 + i)
		}
		after := s.scrape(t)
		// 1000 new series would add some 100 KB (a histogram's series
		// alone are over a kilobyte); counters and runtime gauges with
		// more digits, some hundred bytes.
		const bound = 4 << 10
		t.Logf("/metrics: %d bytes before the 1000 requests, %d after", len(before), len(after))
		if len(after) > len(before)+bound {
			t.Errorf("/metrics grew by %d bytes over 1000 requests with invented methods and paths, want at most %d",
				len(after)-len(before), bound)
		}
		methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "other"}
		labels := regexp.MustCompile(`(?m)^stift_http_requests_total\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\}`)
		matches := labels.FindAllStringSubmatch(after, -1)
		if len(matches) == 0 {
			t.Fatal("no stift_http_requests_total series")
		}
		for _, m := range matches {
			method, route, status := m[1], m[2], m[3]
			if !slices.Contains(methods, method) {
				t.Errorf("method label %q", method)
			}
			if strings.Contains(route, "invented") {
				t.Errorf("route label %q: a path, not a route", route)
			}
			if code, err := strconv.Atoi(status); status != "other" && (err != nil || code < 100 || code > 599) {
				t.Errorf("status label %q", status)
			}
		}
	})
}

// TestBodiesStayOutOfLogs sends malformed and oversized bodies, each
// holding a marker, to GraphQL (as JSON and as downloads) and to a report,
// and checks that no log line, at any level, holds the marker or is long
// enough to hold a body, and that none is an error.
func TestBodiesStayOutOfLogs(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startHostileServer(t, d, Config{}, true)
		const marker = "maria.segredo@example.com"
		huge := `{"query": "{ viewer { tokenName } }", "variables": {"x": "` + strings.Repeat(marker, 100_000) + `"}`
		bodies := []string{
			`{"query": "{ viewer { tokenName } }", "variables": {"email": "` + marker + `"`, // unterminated
			`{"query": 17, "variables": {"email": "` + marker + `"}}`,
			`[{"query": "{ viewer { tokenName } }", "variables": {"email": "` + marker + `"}}]`,
			`{"query": "{ viewer(email: \"` + marker + `\") { tokenName } }"}`,
			`{"query": "query($e: Int) { viewer { tokenName } }", "variables": {"e": "` + marker + `"}}`,
			huge,
		}
		for _, body := range bodies {
			for _, accept := range []string{"", "text/csv", xlsxType} {
				req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+s.token)
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				if code, _, resp := send(t, req); code >= 500 {
					t.Errorf("POST /graphql (%s, %d bytes): %d %.200s", accept, len(body), code, resp)
				}
			}
			req, _ := http.NewRequest("POST", s.URL+"/reports/questions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.token)
			if code, _, resp := send(t, req); code >= 500 {
				t.Errorf("POST /reports/questions (%d bytes): %d %.200s", len(body), code, resp)
			}
		}
		// A path as long as a request line may be (up to a megabyte) is
		// logged cut.
		req, _ := http.NewRequest("GET", s.URL+"/reports/"+strings.Repeat("a", 100_000), nil)
		if code, _, resp := send(t, req); code >= 500 {
			t.Errorf("GET of a 100 KB path: %d %.200s", code, resp)
		}
		logs := s.logs.String()
		if !strings.Contains(logs, `"path":"/graphql"`) {
			t.Fatalf("the requests were not logged:\n%.2000s", logs)
		}
		if strings.Contains(logs, marker) || strings.Contains(logs, "maria.segredo") {
			t.Errorf("a request body reached the log:\n%.2000s", logs)
		}
		for line := range strings.Lines(logs) {
			if len(line) > 2<<10 {
				t.Errorf("a log line of %d bytes: %.300s…", len(line), line)
			}
		}
		s.noErrorLogs(t)
	})
}

// noErrorLogs fails the test for each log line at ERROR: hostile clients
// are the clients' problem, not the server's.
func (s *reportServer) noErrorLogs(t *testing.T) {
	t.Helper()
	for line := range strings.Lines(s.logs.String()) {
		var e struct{ Level string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %.300q: %v", line, err)
		}
		if e.Level == slog.LevelError.String() {
			t.Errorf("logged at ERROR: %.500s", line)
		}
	}
}
