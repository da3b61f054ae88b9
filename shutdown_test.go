package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
)

// TestMain lets a test run the server as a process of its own: the test
// binary re-executed with STIFT_TEST_MAIN=1 is the stift-reports command.
func TestMain(m *testing.M) {
	if os.Getenv("STIFT_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// slowTestsVar opts in to the tests that take minutes on a 2-core machine;
// .ci/run sets it. Without it they skip, so that "go test ./..." stays quick
// enough to run after every change.
const slowTestsVar = "STIFT_SLOW_TESTS"

// slow skips t unless STIFT_SLOW_TESTS=1 (and not -short); what says what
// makes it slow.
func slow(t *testing.T, what string) {
	t.Helper()
	if testing.Short() || os.Getenv(slowTestsVar) != "1" {
		t.Skipf("%s: run with %s=1 (as .ci/run does) to include it", what, slowTestsVar)
	}
}

// shutdownRows is how many questions the export under SIGTERM streams.
const shutdownRows = 1_000_000

// TestSIGTERMLetsExportsFinish sends SIGTERM to a server process while it
// streams a CSV export of a million questions: the export still ends
// complete, and the process then exits with status 0 within the grace
// period, having logged a clean stop.
func TestSIGTERMLetsExportsFinish(t *testing.T) {
	// Not parallel: it grows SQLite to a million rows and streams them,
	// minutes of both cores that would starve the other tests.
	slow(t, "grows the demo to a million questions")
	dbPath := filepath.Join(t.TempDir(), "shutdown.db")
	addr := freeAddr(t)
	const grace = 3 * time.Minute
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr, "--db", dbPath)
	cmd.Env = append(os.Environ(), "STIFT_TEST_MAIN=1", "DEMO_DATA=on", "LOG_FORMAT=json",
		"SHUTDOWN_GRACE="+grace.String(), "RATE_LIMIT=0")
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	base := "http://" + addr
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up\n%s", stderr)
		}
	}
	token := tokenRE.FindString(stdout.String())
	d, err := db.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	total := growQuestions(t, d, shutdownRows)
	d.Close()

	req, _ := http.NewRequest("POST", base+"/reports/questions", strings.NewReader(wholePeriod()))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got csvCounter
	if _, err := io.CopyN(&got, resp.Body, 64<<10); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	if _, err := io.Copy(&got, resp.Body); err != nil {
		t.Fatalf("the export broke off at shutdown after %d bytes: %v", got.bytes, err)
	}
	if got.records != int64(total)+1 {
		t.Errorf("the export has %d records, want %d questions and the header", got.records, total)
	}
	t.Logf("%d records, %d bytes; the export ended %v after SIGTERM", got.records, got.bytes, time.Since(signalled).Round(time.Millisecond))
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v, want status 0\n%s", err, stderr)
		}
	case <-time.After(grace):
		t.Fatal("the server did not stop after the export ended")
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", stderr)
	}
}

// TestPanicIsA500: a panicking handler answers 500 in the error shape, is
// logged with its request id, and the server goes on serving.
func TestPanicIsA500(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	s := &Server{log: newLogger(Config{LogFormat: "json"}, logs), mux: http.NewServeMux()}
	s.mux.Handle("/boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }))
	s.mux.Handle("/fine", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) }))
	srv := httptest.NewServer(s.logRequests(s.recoverPanics(s.mux)))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 500 || string(body) != `{"error":{"code":500,"message":"Internal server error."}}`+"\n" {
		t.Errorf("panic answered %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), `"msg":"panic","id":"`+id+`"`) || !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("panic not logged with request id %s:\n%s", id, logs)
	}
	if resp, err := http.Get(srv.URL + "/fine"); err != nil || resp.StatusCode != 200 {
		t.Errorf("after the panic: %v %v", resp, err)
	}
}
