package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write
// while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is the real server, started by run on a random port.
type testServer struct {
	base      string // http://127.0.0.1:port
	demoToken string
	db        *db.DB // a second handle on the server's database
	stderr    *syncBuffer
}

// eachServer runs f against a server on SQLite and, when TEST_DATABASE_URL
// is set, on PostgreSQL; both start empty and load the demo data. The two
// run in parallel: each server has its own port, database and logs.
func eachServer(t *testing.T, f func(t *testing.T, s *testServer)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		f(t, startServer(t, filepath.Join(t.TempDir(), "stift.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		f(t, startServer(t, testdb.PostgresURL(t)))
	})
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var tokenRE = regexp.MustCompile(`stift_[A-Za-z0-9_-]{20,}`)

func startServer(t *testing.T, dbURL string) *testServer {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{"DEMO_DATA": "on", "LOG_FORMAT": "json"}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", dbURL},
			func(k string) string { return env[k] }, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	})
	s := &testServer{base: "http://" + addr, stderr: stderr}
	for deadline := time.Now().Add(time.Minute); ; {
		if resp, err := http.Get(s.base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("server exited: %v\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up\n%s", stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.demoToken = tokenRE.FindString(stdout.String())
	if s.demoToken == "" {
		t.Fatalf("no demo token printed; stdout:\n%s", stdout)
	}
	d, err := db.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s.db = d
	return s
}

// token creates a token on the server's database and returns its secret.
func (s *testServer) token(t *testing.T, spec auth.TokenSpec) string {
	t.Helper()
	if spec.Name == "" {
		spec.Name = t.Name()
	}
	_, secret, err := auth.CreateToken(context.Background(), s.db.Client, spec)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
		Path    []any  `json:"path"`
	} `json:"errors"`
}

// query posts a GraphQL query with the token and decodes data into out;
// GraphQL errors fail the test.
func (s *testServer) query(t *testing.T, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /graphql: %s: %s", resp.Status, raw)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("GraphQL errors: %s", raw)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type conn[T any] struct {
	TotalCount int      `json:"totalCount"`
	PageInfo   pageInfo `json:"pageInfo"`
	Edges      []struct {
		Cursor string `json:"cursor"`
		Node   T      `json:"node"`
	} `json:"edges"`
}

func (c conn[T]) nodes() []T {
	out := make([]T, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}
