package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/db"
)

// TestShutdownLetsExportsFinish stops the server (as SIGTERM does) while a
// large CSV export streams: the export still ends complete, and run
// returns without error once it has.
func TestShutdownLetsExportsFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("grows the demo to 50,000 questions")
	}
	dbPath := filepath.Join(t.TempDir(), "shutdown.db")
	addr := freeAddr(t)
	env := map[string]string{"DEMO_DATA": "on", "LOG_FORMAT": "json", "SHUTDOWN_GRACE": "60s"}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", dbPath}, func(k string) string { return env[k] }, stdout, stderr)
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
	defer d.Close()
	total := growQuestions(t, d, 50_000)

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
	stop() // SIGTERM
	if _, err := io.Copy(&got, resp.Body); err != nil {
		t.Fatalf("the export broke off at shutdown after %d bytes: %v", got.bytes, err)
	}
	if got.records != int64(total)+1 {
		t.Errorf("the export has %d records, want %d questions and the header", got.records, total)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop after the export ended")
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", stderr)
	}
}

// TestPanicIsA500: a panicking handler answers 500 in the error shape, is
// logged with its request id, and the server goes on serving.
func TestPanicIsA500(t *testing.T) {
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
