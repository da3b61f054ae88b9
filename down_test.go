package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// gate is a TCP proxy to target that refuses connections while closed and
// drops the ones it carried when it closes: a database that goes away and
// comes back, without stopping the real server.
type gate struct {
	ln     net.Listener
	target string
	open   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newGate(t *testing.T, target string) *gate {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); g.setOpen(false) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !g.open.Load() {
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			g.mu.Lock()
			g.conns = append(g.conns, c, up)
			g.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return g
}

func (g *gate) setOpen(open bool) {
	g.open.Store(open)
	if !open {
		g.mu.Lock()
		for _, c := range g.conns {
			c.Close()
		}
		g.conns = nil
		g.mu.Unlock()
	}
}

// TestDatabaseDownAndBack: with PostgreSQL unreachable at start the server
// starts, /readyz and the API answer 503 in the error shape; once the
// database answers, everything works without a restart; when it goes away
// again, reports answer 503 rather than hang, and recover once more.
func TestDatabaseDownAndBack(t *testing.T) {
	t.Parallel()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	realURL := testdb.PostgresURL(t)
	u, _ := url.Parse(realURL)
	g := newGate(t, u.Host)
	u.Host = g.ln.Addr().String()

	addr := freeAddr(t)
	env := map[string]string{"DEMO_DATA": "on", "LOG_FORMAT": "json"}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", u.String()}, func(k string) string { return env[k] }, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	base := "http://" + addr
	get := func(path string) int {
		resp, err := http.Get(base + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waited in vain for %s\n%s", what, stderr)
			}
		}
	}
	waitFor("the server to listen", func() bool { return get("/healthz") == 200 })
	if code := get("/readyz"); code != 503 {
		t.Errorf("readyz with the database down = %d, want 503", code)
	}
	report := func(token string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/reports/bookings-workload", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+token)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatalf("report request: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := report("stift_whatever"); code != 503 || !strings.Contains(body, `"code":503`) {
		t.Errorf("report with the database down = %d %s", code, body)
	}

	g.setOpen(true)
	waitFor("readiness once the database answers", func() bool { return get("/readyz") == 200 })
	d, err := db.Open(realURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, token, err := auth.CreateToken(context.Background(), d.Client, auth.TokenSpec{Name: "ops", Unlimited: true})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := report(token); code != 200 {
		t.Fatalf("report after recovery = %d %s", code, body)
	}

	g.setOpen(false)
	if code, body := report(token); code != 503 || !strings.Contains(body, `"code":503`) {
		t.Errorf("report with the database gone = %d %s", code, body)
	}
	if code := get("/readyz"); code != 503 {
		t.Errorf("readyz with the database gone = %d", code)
	}
	g.setOpen(true)
	waitFor("reports after the database is back", func() bool { code, _ := report(token); return code == 200 })
}
