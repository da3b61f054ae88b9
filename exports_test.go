package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// The tests below drive asynchronous exports (docs/exports.md) through the
// real handler, with the export workers running, on SQLite and PostgreSQL.

// exportConfig is the configuration of the servers of these tests: small
// chunks, so that the demo's reports span many of them.
func exportConfig() Config {
	return Config{PortalURL: report.DefaultPortalURL, ExportTTL: 24 * time.Hour, ExportWorkers: 2,
		ExportJobTimeout: time.Hour, ExportRescueAfter: time.Hour + 15*time.Minute, exportChunkSize: 4 << 10}
}

// exportServer is a report server whose export workers run.
type exportServer struct {
	*reportServer
	srv *Server
}

// clock is a settable clock, at the demo's present until moved.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(seed.Now.UnixNano())
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// startExportServer loads the demo into d and starts the real handler over
// it, with cfg, at the clock's time, and its export workers; both stop when
// the test ends (or at stopWorkers). The token of the returned server sees
// everything.
func startExportServer(t testing.TB, d *db.DB, cfg Config, clk *clock) *exportServer {
	t.Helper()
	s := newExportServer(t, d, cfg, clk)
	s.startWorkers(t)
	return s
}

// newExportServer is startExportServer without the workers.
func newExportServer(t testing.TB, d *db.DB, cfg Config, clk *clock) *exportServer {
	t.Helper()
	if err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatal(err)
	}
	return serveExports(t, d, cfg, clk)
}

// serveExports is newExportServer over what d holds already.
func serveExports(t testing.TB, d *db.DB, cfg Config, clk *clock) *exportServer {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv, err := newServer(cfg, d, log, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.routes())
	t.Cleanup(hs.Close)
	s := &exportServer{reportServer: &reportServer{Server: hs, db: d, logs: logs}, srv: srv}
	s.token = s.newToken(t, auth.TokenSpec{Name: "all", RevealAnonymous: true})
	return s
}

// startWorkers starts the server's export workers until the test ends.
func (s *exportServer) startWorkers(t testing.TB) {
	t.Helper()
	if err := s.srv.exports.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.srv.exports.Stop(context.Background()) })
}

// stopWorkers stops the server's export workers at once, cancelling the
// jobs they run, as a server going away does.
func (s *exportServer) stopWorkers(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.srv.exports.Stop(ctx); err != nil && err != context.Canceled {
		t.Logf("stopping the workers: %v", err)
	}
}

// exportStatus is the JSON of GET /exports/{id}.
type exportStatus struct {
	ID          string `json:"id"`
	State       string `json:"state"`
	Report      string `json:"report"`
	Format      string `json:"format"`
	Rows        *int64 `json:"rows"`
	Size        *int64 `json:"size"`
	ExpiresAt   string `json:"expires_at"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	File        string `json:"file"`
	Reason      string `json:"reason"`
}

// ask sends a report request with Prefer: respond-async and returns the
// response and its body.
func (s *exportServer) ask(t *testing.T, path, token, accept, body string) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}, "Prefer": {"respond-async"}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return s.send(t, path, h, body)
}

// askOK asks for an export that must be accepted, and returns its Location.
func (s *exportServer) askOK(t *testing.T, path, token, accept, body string) string {
	t.Helper()
	resp, b := s.ask(t, path, token, accept, body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s with Prefer: respond-async: %d %s", path, resp.StatusCode, b)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/exports/") || resp.Header.Get("Preference-Applied") != "respond-async" {
		t.Fatalf("202 with Location %q, Preference-Applied %q", loc, resp.Header.Get("Preference-Applied"))
	}
	var st exportStatus
	if err := json.Unmarshal(b, &st); err != nil || st.State != "queued" || "/exports/"+st.ID != loc {
		t.Fatalf("202 body %s (%v), want the export queued at %s", b, err, loc)
	}
	return loc
}

// get sends GET path with token and the extra headers, and returns the
// response and its body.
func (s *exportServer) get(t *testing.T, path, token string, header ...string) (*http.Response, []byte) {
	t.Helper()
	resp := do(t, "GET", s.URL, path, token, "", header...)
	return resp, []byte(readAll(t, resp))
}

// do sends a request to base+path with the token and the extra headers,
// and returns the response, its body still to read.
func do(t *testing.T, method, base, path, token, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// exportDone asks for an export and waits until it is done.
func (s *exportServer) exportDone(t *testing.T, path, token, accept, body string) (loc string, st exportStatus) {
	t.Helper()
	loc = s.askOK(t, path, token, accept, body)
	return loc, s.await(t, loc, token, "done")
}

// status returns the export's state as its token sees it.
func (s *exportServer) status(t *testing.T, loc, token string) exportStatus {
	t.Helper()
	resp, b := s.get(t, loc, token)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", loc, resp.StatusCode, b)
	}
	var st exportStatus
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("GET %s: %s: %v", loc, b, err)
	}
	return st
}

// await polls the export's state until it is want, failing on any other
// end state.
func (s *exportServer) await(t *testing.T, loc, token, want string) exportStatus {
	t.Helper()
	var st exportStatus
	waitFor(t, hangGuard, "export "+loc+" "+want, func() bool {
		st = s.status(t, loc, token)
		if st.State != want && (st.State == "done" || st.State == "failed") {
			t.Fatalf("export %s: %+v, want %s", loc, st, want)
		}
		return st.State == want
	})
	return st
}

// chunkGate stops every export job after the first chunk it stores, until
// released: a job mid-export, deterministically.
type chunkGate struct {
	reached chan string // the id of each export stopped
	release chan struct{}
	once    sync.Once
}

func newChunkGate() *chunkGate {
	return &chunkGate{reached: make(chan string, 16), release: make(chan struct{})}
}

func (g *chunkGate) afterChunk(ctx context.Context, id string, seq int) {
	if seq != 0 {
		return
	}
	g.reached <- id
	select {
	case <-g.release:
	case <-ctx.Done():
	}
}

func (g *chunkGate) open() { g.once.Do(func() { close(g.release) }) }

// TestExportQuestionsCSV asks for the questions CSV asynchronously, sees
// it queued, running with rows counted, then done, and downloads a file
// identical to the synchronous answer, with its type and name.
func TestExportQuestionsCSV(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		g := newChunkGate()
		cfg := exportConfig()
		cfg.exportAfterChunk = g.afterChunk
		s := startExportServer(t, d, cfg, newClock())
		defer g.open()

		loc := s.askOK(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		<-g.reached
		if st := s.status(t, loc, s.token); st.State != "running" || st.Rows == nil || *st.Rows == 0 {
			t.Errorf("mid-export: %+v, want running with rows", st)
		}
		g.open()
		st := s.await(t, loc, s.token, "done")

		sync, want := s.post(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		resp, got := s.get(t, st.File, s.token)
		if resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Fatalf("GET %s: %d, %d bytes; the synchronous export has %d", st.File, resp.StatusCode, len(got), len(want))
		}
		for _, h := range []string{"Content-Type", "Content-Disposition"} {
			if resp.Header.Get(h) != sync.Header.Get(h) {
				t.Errorf("%s %q, the synchronous export's %q", h, resp.Header.Get(h), sync.Header.Get(h))
			}
		}
		if *st.Size != int64(len(want)) || st.FileName == "" || !strings.Contains(sync.Header.Get("Content-Disposition"), st.FileName) {
			t.Errorf("status %+v: size or file name unlike the file's (%d bytes, %s)", st, len(want), sync.Header.Get("Content-Disposition"))
		}
		var records csvCounter
		records.Write(want)
		if st.Rows == nil || *st.Rows != records.records-1 {
			t.Errorf("status rows %v, the file has %d", st.Rows, records.records-1)
		}
		s.noErrorLogs(t)
	})
}

// sameXLSX compares two workbooks part by part. excelize writes a
// workbook with a chart (groups usage) in the order of Go maps: its parts
// in the archive, and the default content types in [Content_Types].xml.
// So the parts are compared as a set, [Content_Types].xml as a set of
// elements, every other part byte for byte.
func sameXLSX(t *testing.T, got, want []byte) {
	t.Helper()
	parts := func(b []byte) (names []string, body map[string]string) {
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatalf("not a zip archive: %v", err)
		}
		body = map[string]string{}
		for _, f := range z.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			names, body[f.Name] = append(names, f.Name), string(data)
		}
		return names, body
	}
	gotNames, gotParts := parts(got)
	wantNames, wantParts := parts(want)
	slices.Sort(gotNames)
	slices.Sort(wantNames)
	if !slices.Equal(gotNames, wantNames) {
		t.Fatalf("parts %v, want %v", gotNames, wantNames)
	}
	elements := func(s string) []string {
		e := strings.SplitAfter(s, ">")
		slices.Sort(e)
		return e
	}
	for name, w := range wantParts {
		g := gotParts[name]
		if name == "[Content_Types].xml" {
			g, w = strings.Join(elements(g), ""), strings.Join(elements(w), "")
		}
		if g != w {
			t.Errorf("part %s differs from the synchronous export's", name)
		}
	}
}

// TestExportMatchesSync asks for every report in every format
// asynchronously, and checks that each file is the synchronous answer,
// byte for byte (the groups-usage workbook part by part, see sameXLSX),
// with its type and file name; also under /v1, the public API's base
// path.
func TestExportMatchesSync(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startExportServer(t, d, exportConfig(), newClock())
		type asked struct {
			path, accept, body, token, loc string
		}
		var all []asked
		for _, c := range goldenCases(t, d) {
			token := s.newToken(t, auth.TokenSpec{Name: c.name, RevealAnonymous: true})
			for _, accept := range []string{"", "text/csv", excelCSVType, xlsxType} {
				a := asked{path: c.path, accept: accept, body: c.body, token: token}
				a.loc = s.askOK(t, c.path, token, accept, c.body)
				all = append(all, a)
			}
		}
		for _, a := range all {
			st := s.await(t, a.loc, a.token, "done")
			sync, want := s.post(t, a.path, a.token, a.accept, a.body)
			resp, got := s.get(t, st.File, a.token)
			if resp.StatusCode != 200 || sync.StatusCode != 200 {
				t.Fatalf("%s %q: file %d, synchronous %d", a.path, a.accept, resp.StatusCode, sync.StatusCode)
			}
			if a.accept == xlsxType && strings.HasSuffix(a.path, "groups-usage") {
				sameXLSX(t, got, want) // the one workbook excelize writes in no fixed order
			} else if !bytes.Equal(got, want) {
				t.Errorf("%s %q: the file (%d bytes) differs from the synchronous answer (%d bytes)", a.path, a.accept, len(got), len(want))
			}
			if ct := resp.Header.Get("Content-Type"); ct != sync.Header.Get("Content-Type") || ct != st.ContentType {
				t.Errorf("%s %q: Content-Type %q, status %q, the synchronous answer's %q", a.path, a.accept, ct, st.ContentType, sync.Header.Get("Content-Type"))
			}
			if cd := sync.Header.Get("Content-Disposition"); cd != "" && resp.Header.Get("Content-Disposition") != cd {
				t.Errorf("%s %q: Content-Disposition %q, the synchronous answer's %q", a.path, a.accept, resp.Header.Get("Content-Disposition"), cd)
			}
			if st.FileName == "" || *st.Size != int64(len(got)) || resp.Header.Get("ETag") == "" {
				t.Errorf("%s %q: status %+v, ETag %q for a file of %d bytes", a.path, a.accept, st, resp.Header.Get("ETag"), len(got))
			}
		}
		metrics := s.scrape(t)
		for _, series := range []string{
			`stift_export_jobs_queued_total{report="questions"} 4`,
			`stift_export_jobs_done_total{report="groups-usage"} 4`,
			`stift_export_job_bytes_total{report="bookings"}`,
			`stift_export_job_duration_seconds_count{outcome="done",report="bookings-workload"} 4`,
			`stift_export_jobs_running 0`,
		} {
			if !strings.Contains(metrics, series) {
				t.Errorf("no %s in /metrics", series)
			}
		}
		s.noErrorLogs(t)
	})
}

// TestExportRange downloads an export in pieces with Range, resumes it
// with If-Range, and checks the pieces make the synchronous export; a
// range past the end is 416, a stale If-Range gets the whole file, a
// matching If-None-Match 304.
func TestExportRange(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startExportServer(t, d, exportConfig(), newClock())
		_, st := s.exportDone(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		_, want := s.post(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		size := len(want)

		first, _ := s.get(t, st.File, s.token, "Range", "bytes=0-0")
		etag := first.Header.Get("ETag")
		if first.StatusCode != http.StatusPartialContent || etag == "" || first.Header.Get("Accept-Ranges") != "bytes" {
			t.Fatalf("Range bytes=0-0: %d, ETag %q, Accept-Ranges %q", first.StatusCode, etag, first.Header.Get("Accept-Ranges"))
		}
		// Three pieces, cut across the 4 KiB chunks; each after the
		// first resumes with If-Range, as a download manager does.
		var pieces []byte
		for _, r := range [][2]int{{0, 5000}, {5001, size/2 + 777}, {size/2 + 778, size - 1}} {
			resp, b := s.get(t, st.File, s.token, "Range", fmt.Sprintf("bytes=%d-%d", r[0], r[1]), "If-Range", etag)
			wantRange := fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], size)
			if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != wantRange || len(b) != r[1]-r[0]+1 {
				t.Fatalf("range %v: %d, Content-Range %q (want %q), %d bytes", r, resp.StatusCode, resp.Header.Get("Content-Range"), wantRange, len(b))
			}
			pieces = append(pieces, b...)
		}
		if !bytes.Equal(pieces, want) {
			t.Errorf("the pieces (%d bytes) do not make the synchronous export (%d bytes)", len(pieces), size)
		}
		resp, b := s.get(t, st.File, s.token, "Range", fmt.Sprintf("bytes=%d-", size-100))
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, want[size-100:]) {
			t.Errorf("the last 100 bytes: %d, %d bytes", resp.StatusCode, len(b))
		}
		for _, r := range []string{fmt.Sprintf("bytes=%d-", size), fmt.Sprintf("bytes=%d-%d", size+10, size+20)} {
			resp, _ := s.get(t, st.File, s.token, "Range", r)
			if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", size) {
				t.Errorf("Range %s: %d, Content-Range %q; want 416, bytes */%d", r, resp.StatusCode, resp.Header.Get("Content-Range"), size)
			}
		}
		resp, b = s.get(t, st.File, s.token, "Range", "bytes=0-99", "If-Range", `"stale"`)
		if resp.StatusCode != 200 || !bytes.Equal(b, want) {
			t.Errorf("a stale If-Range: %d, %d bytes; want 200 and the whole file", resp.StatusCode, len(b))
		}
		if resp, _ := s.get(t, st.File, s.token, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match with the ETag: %d, want 304", resp.StatusCode)
		}
		req, _ := http.NewRequest("HEAD", s.URL+st.File, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(size) {
			t.Errorf("HEAD: %v %v", resp, err)
		}
		s.noErrorLogs(t)
	})
}

// TestExportIsTheAskersOnly: another token, even one that sees
// everything, gets 404 for the export and its file, as for an id that
// does not exist or is not one; without a token, 401.
func TestExportIsTheAskersOnly(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startExportServer(t, d, exportConfig(), newClock())
		loc, st := s.exportDone(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		other := s.newToken(t, auth.TokenSpec{Name: "other", RevealAnonymous: true})
		notFound := `{"error":{"code":404,"message":"No such export."}}` + "\n"
		paths := []string{loc, st.File,
			"/exports/" + uuid.NewString(), "/exports/" + uuid.NewString() + "/file",
			"/exports/not-an-id", "/exports/not-an-id/file", "/exports/" + strings.ToUpper(st.ID),
			"/exports/" + st.ID + "x", "/exports/%00", "/exports/" + strings.Repeat("a", 5000),
		}
		for i, p := range paths {
			token := other
			if i >= 2 {
				token = s.token // unknown or malformed: 404 to the owner too
			}
			resp, b := s.get(t, p, token)
			if resp.StatusCode != 404 || string(b) != notFound {
				t.Errorf("GET %.80s: %d %s, want 404 %s", p, resp.StatusCode, b, notFound)
			}
		}
		for _, p := range []string{loc, st.File} {
			if resp, _ := s.get(t, p, ""); resp.StatusCode != 401 {
				t.Errorf("GET %s without a token: %d, want 401", p, resp.StatusCode)
			}
			req, _ := http.NewRequest("DELETE", s.URL+p, nil)
			req.Header.Set("Authorization", "Bearer "+s.token)
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 {
				t.Errorf("DELETE %s: %v %v, want 405", p, resp, err)
			}
		}
		s.noErrorLogs(t)
	})
}

// TestExportRevokedTokenStops revokes a token while its exports run:
// they stop, fail, lose what they stored, and the cleanup removes them; the
// token gets 401, any other 404. An export asked for before the revocation
// but not yet started never runs.
func TestExportRevokedTokenStops(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		g := newChunkGate()
		defer g.open()
		cfg := exportConfig()
		cfg.exportAfterChunk = g.afterChunk
		clk := newClock()
		s := newExportServer(t, d, cfg, clk)
		tok, secret, err := auth.CreateToken(ctx, d.Client, auth.TokenSpec{Name: "soon revoked"})
		if err != nil {
			t.Fatal(err)
		}
		running := s.askOK(t, "/reports/questions", secret, "text/csv", wholeDemo)
		s.startWorkers(t)
		<-g.reached
		if st := s.status(t, running, secret); st.State != "running" {
			t.Fatalf("mid-export: %+v", st)
		}
		if err := auth.RevokeToken(ctx, d.Client, tok.ID, clk.now()); err != nil {
			t.Fatal(err)
		}
		g.open()
		id := strings.TrimPrefix(running, "/exports/")
		waitFor(t, hangGuard, "the export to stop", func() bool {
			return exportState(t, d, id) == "failed"
		})
		if n := countRows(t, d, "SELECT COUNT(*) FROM export_chunks WHERE export_id = '"+id+"'"); n != 0 {
			t.Errorf("%d chunks left of the revoked token's export", n)
		}
		if resp, b := s.get(t, running, secret); resp.StatusCode != 401 {
			t.Errorf("the revoked token: %d %s, want 401", resp.StatusCode, b)
		}
		if resp, _ := s.get(t, running, s.token); resp.StatusCode != 404 {
			t.Errorf("another token: %d, want 404", resp.StatusCode)
		}
		if err := s.srv.exports.RemoveExpired(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, hangGuard, "the cleanup", func() bool { return exportState(t, d, id) == "" })
		s.noErrorLogs(t)
	})
}

// TestExportOfRevokedTokenNeverRuns: an export queued by a token revoked
// before any worker takes it fails without running.
func TestExportOfRevokedTokenNeverRuns(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		s := newExportServer(t, d, exportConfig(), clk)
		tok, secret, err := auth.CreateToken(ctx, d.Client, auth.TokenSpec{Name: "soon revoked"})
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimPrefix(s.askOK(t, "/reports/questions", secret, "text/csv", wholeDemo), "/exports/")
		if err := auth.RevokeToken(ctx, d.Client, tok.ID, clk.now()); err != nil {
			t.Fatal(err)
		}
		s.startWorkers(t)
		waitFor(t, hangGuard, "the export to fail", func() bool { return exportState(t, d, id) == "failed" })
		var started sql.NullTime
		if err := d.SQL.QueryRow(rebind(d, "SELECT started_at FROM exports WHERE id = ?"), id).Scan(&started); err != nil || started.Valid {
			t.Errorf("the export of a revoked token started at %v (%v)", started, err)
		}
		s.noErrorLogs(t)
	})
}

// TestExportExpiry: past EXPORT_TTL, the cleanup job removes an export and
// its chunks; its owner then gets 404.
func TestExportExpiry(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := newClock()
		cfg := exportConfig()
		cfg.ExportTTL = time.Hour
		s := startExportServer(t, d, cfg, clk)
		old, _ := s.exportDone(t, "/reports/bookings-workload", s.token, "text/csv", `{}`)
		clk.add(40 * time.Minute)
		_, recent := s.exportDone(t, "/reports/questions", s.token, "text/csv", wholeDemo)
		clk.add(40 * time.Minute) // the first is an hour and twenty minutes old
		if err := s.srv.exports.RemoveExpired(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor(t, hangGuard, "the cleanup", func() bool {
			resp, _ := s.get(t, old, s.token)
			return resp.StatusCode == 404
		})
		if resp, _ := s.get(t, recent.File, s.token); resp.StatusCode != 200 {
			t.Errorf("the export done 40 minutes ago: %d, want it kept", resp.StatusCode)
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM export_chunks WHERE export_id = '"+strings.TrimPrefix(old, "/exports/")+"'"); n != 0 {
			t.Errorf("%d chunks left of the expired export", n)
		}
		s.noErrorLogs(t)
	})
}

// TestExportHostileAsks: what a report refuses synchronously it refuses
// when asked asynchronously, at once and with the same answer, queuing
// nothing; a token may have only so many exports waiting; a file not
// ready is 409.
func TestExportHostileAsks(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newExportServer(t, d, exportConfig(), newClock()) // no workers: asks stay queued
		grp := d.Client.Group.Query().FirstX(auth.SystemContext(ctx))
		scoped := s.newToken(t, auth.TokenSpec{Name: "one group", Groups: []gid.GroupID{grp.ID}})
		otherGroup := d.Client.Group.Query().Where(group.IDNEQ(grp.ID)).FirstX(auth.SystemContext(ctx))
		cases := []struct {
			name, path, token, accept, body string
			status                          int
		}{
			{"malformed JSON", "/reports/questions", s.token, "text/csv", `{"start_date": `, 400},
			{"not an object", "/reports/questions", s.token, "text/csv", `[1, 2]`, 400},
			{"dates reversed", "/reports/questions", s.token, "text/csv", fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms("2026-06-01T00:00:00Z"), ms("2026-01-01T00:00:00Z")), 400},
			{"bad group id", "/reports/questions", s.token, "text/csv", `{"start_date": 0, "end_date": 1, "group_ids": ["x"]}`, 400},
			{"no group", "/reports/groups-usage", s.token, xlsxType, wholeDemo, 400},
			{"out of scope", "/reports/questions", scoped, "text/csv", fmt.Sprintf(`{"start_date": 0, "end_date": 1, "group_ids": ["%s"]}`, otherGroup.ID), 403},
			{"unacceptable", "/reports/questions", s.token, "application/pdf", wholeDemo, 406},
			{"too large", "/reports/questions", s.token, "text/csv", `{"start_date": 0, "end_date": 1, "pad": "` + strings.Repeat("x", 1<<20) + `"}`, 413},
			{"no token", "/reports/questions", "", "text/csv", wholeDemo, 401},
		}
		for _, c := range cases {
			sync, syncBody := s.post(t, c.path, c.token, c.accept, c.body)
			resp, b := s.ask(t, c.path, c.token, c.accept, c.body)
			if resp.StatusCode != c.status || sync.StatusCode != c.status || !bytes.Equal(b, syncBody) {
				t.Errorf("%s: asked asynchronously %d %.200s; synchronously %d %.200s; want both %d and the same",
					c.name, resp.StatusCode, b, sync.StatusCode, syncBody, c.status)
			}
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM exports"); n != 0 {
			t.Fatalf("%d exports queued by refused requests", n)
		}

		// Prefer as RFC 7240 writes it: among other preferences, with
		// parameters, in any case; a preference of another name is not it.
		for _, prefer := range []string{"respond-async", "wait=10, respond-async", "RESPOND-ASYNC; x=1", "handling=lenient,respond-async"} {
			h := http.Header{"Authorization": {"Bearer " + s.token}, "Accept": {"text/csv"}, "Prefer": {prefer}}
			if resp, b := s.send(t, "/reports/bookings-workload", h, `{}`); resp.StatusCode != 202 {
				t.Errorf("Prefer: %s: %d %.200s, want 202", prefer, resp.StatusCode, b)
			}
		}
		h := http.Header{"Authorization": {"Bearer " + s.token}, "Accept": {"text/csv"}, "Prefer": {"respond-asynchronously"}}
		if resp, _ := s.send(t, "/reports/bookings-workload", h, `{}`); resp.StatusCode != 200 || resp.Header.Get("Preference-Applied") != "" {
			t.Errorf("Prefer: respond-asynchronously: %d, want the synchronous answer", resp.StatusCode)
		}

		// Four queued above; the tenth waiting is the last.
		var loc string
		for range 6 {
			loc = s.askOK(t, "/reports/bookings-workload", s.token, "text/csv", `{}`)
		}
		if resp, b := s.ask(t, "/reports/bookings-workload", s.token, "text/csv", `{}`); resp.StatusCode != 429 {
			t.Errorf("an eleventh export waiting: %d %s, want 429", resp.StatusCode, b)
		}
		if resp, b := s.get(t, loc+"/file", s.token); resp.StatusCode != 409 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("the file of a queued export: %d %s, want 409 with Retry-After", resp.StatusCode, b)
		}
		s.noErrorLogs(t)
	})
}

// TestExportResumesAfterStop stops the workers of a server mid-export, as
// a server going away does: the export is queued again, and another server
// finishes it, with a file identical to the synchronous export.
func TestExportResumesAfterStop(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		g := newChunkGate()
		defer g.open()
		cfg := exportConfig()
		cfg.exportAfterChunk = g.afterChunk
		first := startExportServer(t, d, cfg, newClock())
		loc := first.askOK(t, "/reports/questions", first.token, xlsxType, wholeDemo)
		<-g.reached
		first.stopWorkers(t)
		if st := first.status(t, loc, first.token); st.State != "queued" {
			t.Errorf("after its worker stopped: %+v, want queued", st)
		}

		second := serveExports(t, d, exportConfig(), newClock())
		second.startWorkers(t)
		st := second.await(t, loc, first.token, "done")
		_, want := second.post(t, "/reports/questions", first.token, xlsxType, wholeDemo)
		resp, got := second.get(t, st.File, first.token)
		if resp.StatusCode != 200 || sha256.Sum256(got) != sha256.Sum256(want) {
			t.Errorf("the file finished elsewhere: %d, %d bytes, sha256 %x; the synchronous export: %d bytes, sha256 %x",
				resp.StatusCode, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
		}
		first.noErrorLogs(t)
		second.noErrorLogs(t)
	})
}

// exportState is the state of the export id in the database; "" when it
// is not there.
func exportState(t *testing.T, d *db.DB, id string) string {
	t.Helper()
	var state string
	err := d.SQL.QueryRow(rebind(d, "SELECT state FROM exports WHERE id = ?"), id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// rebind writes a query's ? placeholders as d's dialect wants them.
func rebind(d *db.DB, query string) string {
	if d.Dialect != dialect.Postgres {
		return query
	}
	for n := 1; strings.Contains(query, "?"); n++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", n), 1)
	}
	return query
}

// countRows runs a COUNT(*) query.
func countRows(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// graphqlExportQuery is a download of a questions report page.
const graphqlExportQuery = `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-06-15T15:00:00Z"}, first: 1000) {
  edges { node { statusLabel description createdAt student { email } group { name school { name } } answerRating } } } }`

// gqlSend sends a GraphQL request (POST, or GET with the query in the
// URL) with the headers, and returns the response and its body.
func (s *exportServer) gqlSend(t *testing.T, method, query string, vars map[string]any, header ...string) (*http.Response, []byte) {
	t.Helper()
	if method == "GET" {
		q := url.Values{"query": {query}}
		if vars != nil {
			v, _ := json.Marshal(vars)
			q.Set("variables", string(v))
		}
		resp := do(t, "GET", s.URL, "/graphql?"+q.Encode(), "", "", header...)
		return resp, []byte(readAll(t, resp))
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp := do(t, "POST", s.URL, "/graphql", "", string(body), append([]string{"Content-Type", "application/json"}, header...)...)
	return resp, []byte(readAll(t, resp))
}

// TestExportGraphQLDownload asks for GraphQL downloads (CSV and XLSX, POST
// and GET) asynchronously: each file is the synchronous download, byte for
// byte, with its type and name; a GraphQL request that is not a download
// is answered at once whatever it prefers.
func TestExportGraphQLDownload(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startExportServer(t, d, exportConfig(), newClock())
		auth := "Bearer " + s.token
		for _, c := range []struct{ method, accept string }{{"POST", "text/csv"}, {"POST", xlsxType}, {"GET", "text/csv"}} {
			resp, b := s.gqlSend(t, c.method, graphqlExportQuery, nil, "Authorization", auth, "Accept", c.accept, "Prefer", "respond-async")
			if resp.StatusCode != http.StatusAccepted || !strings.HasPrefix(resp.Header.Get("Location"), "/exports/") {
				t.Fatalf("%s %s with Prefer: respond-async: %d %s", c.method, c.accept, resp.StatusCode, b)
			}
			st := s.await(t, resp.Header.Get("Location"), s.token, "done")
			sync, want := s.gqlSend(t, c.method, graphqlExportQuery, nil, "Authorization", auth, "Accept", c.accept)
			file, got := s.get(t, st.File, s.token)
			if sync.StatusCode != 200 || file.StatusCode != 200 || !bytes.Equal(got, want) {
				t.Errorf("%s %s: the file (%d, %d bytes) is not the synchronous download (%d, %d bytes)",
					c.method, c.accept, file.StatusCode, len(got), sync.StatusCode, len(want))
			}
			for _, h := range []string{"Content-Type", "Content-Disposition"} {
				if file.Header.Get(h) != sync.Header.Get(h) {
					t.Errorf("%s %s: %s %q, the synchronous download's %q", c.method, c.accept, h, file.Header.Get(h), sync.Header.Get(h))
				}
			}
			rowCount := sync.Header.Get(graph.RowCountHeader)
			if rowCount == "" {
				rowCount = sync.Trailer.Get(graph.RowCountHeader)
			}
			if st.Report != "graphql" || st.Rows == nil || strconv.FormatInt(*st.Rows, 10) != rowCount || rowCount == "0" ||
				st.FileName != "questionsReport."+st.Format {
				rows := "none"
				if st.Rows != nil {
					rows = strconv.FormatInt(*st.Rows, 10)
				}
				t.Errorf("%s %s: status %+v, rows %s; the synchronous download's %s %q", c.method, c.accept, st, rows, graph.RowCountHeader, rowCount)
			}
		}
		resp, b := s.gqlSend(t, "POST", `{ viewer { tokenName } }`, nil, "Authorization", auth, "Prefer", "respond-async")
		if resp.StatusCode != 200 || resp.Header.Get("Preference-Applied") != "" || !strings.Contains(string(b), `"data"`) {
			t.Errorf("a JSON query with Prefer: respond-async: %d %s, want its answer", resp.StatusCode, b)
		}
		s.noErrorLogs(t)
	})
}

// TestExportGraphQLRefusals: a GraphQL download that cannot be made is
// refused when asked for, in GraphQL's error shape, and nothing is queued:
// the answers of a synchronous request where it answers with an error
// status; a query that fails when it runs (its arguments, its scope) is a
// 4xx with its errors, where a synchronous download answers them as a 200.
func TestExportGraphQLRefusals(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newExportServer(t, d, exportConfig(), newClock())
		grp := d.Client.Group.Query().FirstX(auth.SystemContext(ctx))
		other := d.Client.Group.Query().Where(group.IDNEQ(grp.ID)).FirstX(auth.SystemContext(ctx))
		scoped := "Bearer " + s.newToken(t, auth.TokenSpec{Name: "one group", Groups: []gid.GroupID{grp.ID}})
		all := "Bearer " + s.token
		cases := []struct {
			name, query, token string
			vars               map[string]any
			status             int
			code               string
			sameAsSync         bool
		}{
			{"a syntax error", `{ questionsReport(`, all, nil, 422, "GRAPHQL_PARSE_FAILED", true},
			{"an unknown field", `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}) { edges { node { secret } } } }`, all, nil, 422, "GRAPHQL_VALIDATION_FAILED", true},
			{"a page too large", `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, first: 5000) { edges { node { statusLabel } } } }`, all, nil, 400, "BAD_USER_INPUT", false},
			{"dates reversed", `{ questionsReport(input: {from: "2026-06-01T00:00:00Z", to: "2026-01-01T00:00:00Z"}) { edges { node { statusLabel } } } }`, all, nil, 400, "BAD_USER_INPUT", false},
			{"a group out of scope", `query($g: ID!) { questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-06-01T00:00:00Z", groupIds: [$g]}) { edges { node { statusLabel } } } }`,
				scoped, map[string]any{"g": gid.Encode("Group", other.ID.String())}, 403, "FORBIDDEN", false},
		}
		for _, c := range cases {
			sync, syncBody := s.gqlSend(t, "POST", c.query, c.vars, "Authorization", c.token, "Accept", "text/csv")
			resp, b := s.gqlSend(t, "POST", c.query, c.vars, "Authorization", c.token, "Accept", "text/csv", "Prefer", "respond-async")
			var body struct {
				Data   json.RawMessage `json:"data"`
				Errors []struct {
					Extensions struct{ Code string } `json:"extensions"`
				} `json:"errors"`
			}
			json.Unmarshal(b, &body)
			if resp.StatusCode != c.status || len(body.Errors) == 0 || body.Errors[0].Extensions.Code != c.code ||
				body.Data != nil && string(body.Data) != "null" {
				t.Errorf("%s: asked asynchronously: %d %.300s; want %d with %s and no data", c.name, resp.StatusCode, b, c.status, c.code)
			}
			if c.sameAsSync && (sync.StatusCode != resp.StatusCode || !bytes.Equal(b, syncBody)) {
				t.Errorf("%s: asynchronously %d %.200s, synchronously %d %.200s", c.name, resp.StatusCode, b, sync.StatusCode, syncBody)
			}
		}
		for _, bad := range []struct{ name, body string }{{"not JSON", `query=1`}, {"a batch", `[{"query": "{ viewer { tokenName } }"}]`}} {
			h := http.Header{"Authorization": {all}, "Accept": {"text/csv"}, "Prefer": {"respond-async"}, "Content-Type": {"application/json"}}
			req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(bad.body))
			req.Header = h
			status, _, b := send(t, req)
			if status != 400 || !strings.Contains(b, `"errors"`) {
				t.Errorf("%s: %d %s, want 400 in GraphQL's shape", bad.name, status, b)
			}
		}
		if n := countRows(t, d, "SELECT COUNT(*) FROM exports"); n != 0 {
			t.Errorf("%d exports queued by refused requests", n)
		}
		s.noErrorLogs(t)
	})
}

// TestExportSignedInUser: the export of a user signed in with a JWT is
// that user's — the same issuer and subject, whatever token the identity
// provider signs next — and nobody else's.
func TestExportSignedInUser(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		idp, v := newSignIn(t, d)
		cfg := exportConfig()
		cfg.jwt = v
		s := startExportServer(t, d, cfg, newClock())
		exp := seed.Now.Add(time.Hour)
		asker := idp.token(t, exp, map[string]any{"sub": "ana", "roles": []string{"admin"}})
		again := idp.token(t, exp.Add(time.Minute), map[string]any{"sub": "ana", "roles": []string{"admin"}, "nonce": "x"})
		other := idp.token(t, exp, map[string]any{"sub": "bruno", "roles": []string{"admin"}})
		loc, st := s.exportDone(t, "/reports/bookings-workload", asker, "text/csv", `{}`)
		for _, p := range []string{loc, st.File} {
			if resp, b := s.get(t, p, again); resp.StatusCode != 200 {
				t.Errorf("the same user with another token, GET %s: %d %s", p, resp.StatusCode, b)
			}
			if resp, b := s.get(t, p, other); resp.StatusCode != 404 {
				t.Errorf("another user, GET %s: %d %s, want 404", p, resp.StatusCode, b)
			}
			if resp, b := s.get(t, p, s.token); resp.StatusCode != 404 {
				t.Errorf("an API token, GET %s: %d %s, want 404", p, resp.StatusCode, b)
			}
		}
		s.noErrorLogs(t)
	})
}
