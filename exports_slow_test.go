package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// The user-level proofs of asynchronous exports (issue 17, item 2), slow:
// they grow the demo to a million questions. STIFT_SLOW_TESTS=1 runs them.

// proxyTimeout is the proxy's limit on a request, as a load balancer has
// one: shorter than the synchronous million-row XLSX takes.
const proxyTimeout = 10 * time.Second

// asyncRows is how many questions the export through the proxy holds.
const asyncRows = 1_000_000

// timeoutProxy is an httputil.ReverseProxy to target that cuts every
// request after proxyTimeout.
func timeoutProxy(t *testing.T, target string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), proxyTimeout)
		defer cancel()
		rp.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(p.Close)
	return p
}

// pollExport polls the export at base+loc every second until it is done,
// failing if it fails; it returns its last state and the states seen.
func pollExport(t *testing.T, base, loc, token string, limit time.Duration) (exportStatus, []string) {
	t.Helper()
	var st exportStatus
	var seen []string
	waitFor(t, limit, "export "+loc, func() bool {
		time.Sleep(time.Second)
		resp := do(t, "GET", base, loc, token, "")
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("GET %s: %d %s", loc, resp.StatusCode, b)
		}
		st = exportStatus{}
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, fmt.Sprintf("%s(%v rows)", st.State, deref(st.Rows)))
		if st.State == "failed" {
			t.Fatalf("export %s failed: %s", loc, st.Reason)
		}
		return st.State == "done"
	})
	return st, seen
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// downloadInPieces downloads the export's file from base in ranges of
// piece bytes, each resumed with If-Range, into h; it returns the pieces.
func downloadInPieces(t *testing.T, base string, st exportStatus, token string, piece int64, h hash.Hash) int {
	t.Helper()
	etag, pieces := "", 0
	for off := int64(0); off < *st.Size; off += piece {
		end := min(off+piece, *st.Size) - 1
		header := []string{"Range", fmt.Sprintf("bytes=%d-%d", off, end)}
		if etag != "" {
			header = append(header, "If-Range", etag)
		}
		resp := do(t, "GET", base, st.File, token, "", header...)
		n, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusPartialContent || n != end-off+1 {
			t.Fatalf("piece %d-%d: %d, %d bytes, %v", off, end, resp.StatusCode, n, err)
		}
		if etag == "" {
			etag = resp.Header.Get("ETag")
		}
		pieces++
	}
	return pieces
}

// syncSum streams the synchronous export of the request from base into a
// SHA-256 and returns it with the size.
func syncSum(t *testing.T, base, path, token, accept, body string) (string, int64) {
	t.Helper()
	resp := do(t, "POST", base, path, token, body, "Accept", accept, "Content-Type", "application/json")
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the synchronous export: %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// TestAsyncExportThroughProxy exports a million questions as XLSX through
// a reverse proxy that cuts requests after 10 seconds: the synchronous
// request fails there; the asynchronous one is accepted, runs, and its
// file comes through the proxy in pieces, with Range, identical to the
// synchronous export asked of the server directly. Another token gets 404
// for the export and its file.
func TestAsyncExportThroughProxy(t *testing.T) {
	// Not parallel: it grows the demo to a million questions and exports
	// them three times, minutes of both cores.
	slow(t, "grows the demo to a million questions and exports them as XLSX")
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		t.Setenv("TMPDIR", t.TempDir()) // where excelize keeps sheet XML over 16 MiB
		cfg := exportConfig()
		cfg.exportChunkSize = 0 // the default, 1 MiB
		// The workers start once the questions are grown: on SQLite the
		// sqlite3 CLI holds the write lock for the minute it copies them,
		// and River's pollers would log every busy timeout as an error.
		s := newExportServer(t, d, cfg, newClock())
		total := growQuestions(t, d, asyncRows)
		s.startWorkers(t)
		proxy := timeoutProxy(t, s.URL)

		start := time.Now()
		resp := do(t, "POST", proxy.URL, "/reports/questions", s.token, wholePeriod(), "Accept", xlsxType)
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 && err == nil {
			t.Fatalf("the synchronous XLSX came through the proxy whole (%d bytes): the test proves nothing", n)
		}
		t.Logf("synchronous, through the proxy: %d after %v (%d bytes, %v)", resp.StatusCode, time.Since(start).Round(time.Millisecond), n, err)

		start = time.Now()
		resp = do(t, "POST", proxy.URL, "/reports/questions", s.token, wholePeriod(),
			"Accept", xlsxType, "Prefer", "respond-async", "Content-Type", "application/json")
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusAccepted || loc == "" {
			t.Fatalf("asynchronous, through the proxy: %d, Location %q", resp.StatusCode, loc)
		}
		st, seen := pollExport(t, proxy.URL, loc, s.token, 30*time.Minute)
		took := time.Since(start)
		if deref(st.Rows) != int64(total) {
			t.Errorf("the export counted %d rows, want %d", deref(st.Rows), total)
		}

		h := sha256.New()
		pieces := downloadInPieces(t, proxy.URL, st, s.token, 16<<20, h)
		got := hex.EncodeToString(h.Sum(nil))
		want, size := syncSum(t, s.URL, "/reports/questions", s.token, xlsxType, wholePeriod())
		if got != want || *st.Size != size {
			t.Errorf("the file downloaded in %d pieces (%d bytes, sha256 %s) is not the synchronous export (%d bytes, sha256 %s)",
				pieces, *st.Size, got, size, want)
		}
		t.Logf("%d questions: asynchronous XLSX of %.1f MiB done after %v (states polled: %s); downloaded in %d pieces of 16 MiB through the proxy",
			total, float64(*st.Size)/(1<<20), took.Round(time.Millisecond), strings.Join(compact(seen), " → "), pieces)

		other := s.newToken(t, auth.TokenSpec{Name: "other", RevealAnonymous: true})
		for _, p := range []string{loc, st.File} {
			resp := do(t, "GET", proxy.URL, p, other, "")
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Errorf("another token, GET %s: %d, want 404", p, resp.StatusCode)
			}
		}
		s.noErrorLogs(t)
	})
}

// compact drops the repeats of a list of states.
func compact(seen []string) []string {
	var out []string
	for _, s := range seen {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	if len(out) > 12 {
		out = append(append(out[:6:6], "…"), out[len(out)-5:]...)
	}
	return out
}

// killRows is how many questions the export killed midway holds: enough
// for it to run for seconds.
const killRows = 200_000

// TestAsyncExportSurvivesKill kills a server process (SIGKILL) in the
// middle of an export: its job stays marked running, River's rescuer on a
// restarted server runs it again once EXPORT_RESCUE_AFTER has passed, and
// the file is identical (SHA-256) to the synchronous export of the same
// request.
func TestAsyncExportSurvivesKill(t *testing.T) {
	slow(t, "waits for River's rescuer, some two minutes")
	dbPath := filepath.Join(t.TempDir(), "kill.db")
	// The restarted server rescues a job running for more than a minute.
	env := []string{"EXPORT_JOB_TIMEOUT=1m", "EXPORT_RESCUE_AFTER=61s"}
	first := startProcess(t, dbPath, append(env, "DEMO_DATA=on")...)
	token := tokenRE.FindString(first.stdout.String())
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	total := growQuestions(t, d, killRows)
	d.Close()

	resp := do(t, "POST", first.base, "/reports/questions", token, wholePeriod(),
		"Accept", "text/csv", "Prefer", "respond-async", "Content-Type", "application/json")
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("ask: %d", resp.StatusCode)
	}
	var st exportStatus
	waitFor(t, 5*time.Minute, "the export to run", func() bool {
		resp := do(t, "GET", first.base, loc, token, "")
		defer resp.Body.Close()
		st = exportStatus{}
		json.NewDecoder(resp.Body).Decode(&st)
		if st.State == "done" {
			t.Fatalf("the export ended before the kill: %+v; grow killRows", st)
		}
		return st.State == "running" && deref(st.Rows) > 0
	})
	first.kill(t)
	t.Logf("killed the server with the export running, %d of %d rows streamed", deref(st.Rows), total)

	second := startProcess(t, dbPath, env...)
	start := time.Now()
	st, seen := pollExport(t, second.base, loc, token, 10*time.Minute)
	h := sha256.New()
	resp = do(t, "GET", second.base, st.File, token, "")
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || n != *st.Size {
		t.Fatalf("the file: %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	want, size := syncSum(t, second.base, "/reports/questions", token, "text/csv", wholePeriod())
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("the file finished after the kill (%d bytes, sha256 %s) is not the synchronous export (%d bytes, sha256 %s)", n, got, size, want)
	}
	t.Logf("rescued and done %v after the restart (states: %s); %d bytes, sha256 %s",
		time.Since(start).Round(time.Second), strings.Join(compact(seen), " → "), n, want)
}

// process is a server run as a process of its own (see TestMain).
type process struct {
	cmd    *exec.Cmd
	base   string
	stdout *syncBuffer
	exited chan error
}

// startProcess starts the server on the SQLite file dbPath with the extra
// environment, and waits until it is ready; it is killed when the test
// ends, if still running.
func startProcess(t *testing.T, dbPath string, env ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--db", dbPath)
	cmd.Env = append(append(os.Environ(), "STIFT_TEST_MAIN=1", "LOG_FORMAT=json", "RATE_LIMIT=0"), env...)
	p := &process{cmd: cmd, base: "http://" + addr, stdout: &syncBuffer{}, exited: make(chan error, 1)}
	stderr := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = p.stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			p.kill(t)
		}
	})
	waitFor(t, time.Minute, "the server to be ready", func() bool {
		resp, err := http.Get(p.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

// kill kills the process at once, as a crash does, and waits for it.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}
