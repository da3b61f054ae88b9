package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/seed"
)

// testServer is the GraphQL handler over the demo data, its requests made
// by a principal that sees everything, with what tests observe of it: the
// work of the shape guard and the caches (probe), the rows read from the
// database, the logs.
type testServer struct {
	handler http.Handler
	probe   *probe
	rows    *rowCounter
	logs    *syncBuffer
}

func newTestServer(t testing.TB, d *db.DB, opts Options) *testServer {
	t.Helper()
	if err := seed.Demo(context.Background(), d.Client); err != nil {
		t.Fatal(err)
	}
	rows := &rowCounter{Driver: entsql.OpenDB(d.Dialect, d.SQL)}
	counted := &db.DB{Client: ent.NewClient(ent.Driver(rows)), SQL: d.SQL, Dialect: d.Dialect}
	logs := &syncBuffer{}
	opts.Log = slog.New(slog.NewJSONHandler(logs, nil))
	opts.Now = func() time.Time { return seed.Now }
	p := &probe{}
	h := newHandler(counted, opts, p)
	principal := &auth.Principal{Name: "test", Scope: auth.ScopeAll, RevealAnonymous: true}
	return &testServer{
		handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), principal)))
		}),
		probe: p, rows: rows, logs: logs,
	}
}

// response is a GraphQL response as the tests read it.
type response struct {
	status int
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code is the code of the first error, "" without errors.
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends body to the handler as a JSON POST.
func (s *testServer) post(t testing.TB, body []byte) response {
	t.Helper()
	req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, req)
	r := response{status: w.Code}
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("response %d %q: %v", w.Code, w.Body.String(), err)
	}
	return r
}

// query posts a query with its variables, decoding the data into out if
// not nil and the query succeeded.
func (s *testServer) query(t testing.TB, query string, vars map[string]any, out any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	r := s.post(t, body)
	if out != nil && len(r.Errors) == 0 {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// errorLogs returns the log lines at level ERROR.
func (s *testServer) errorLogs() []string {
	var found []string
	for line := range strings.Lines(s.logs.String()) {
		if strings.Contains(line, `"level":"ERROR"`) {
			found = append(found, line)
		}
	}
	return found
}

// rowCounter is an ent driver that counts the rows its queries read.
type rowCounter struct {
	dialect.Driver
	n atomic.Int64
}

func (c *rowCounter) Query(ctx context.Context, query string, args, v any) error {
	if err := c.Driver.Query(ctx, query, args, v); err != nil {
		return err
	}
	if rows, ok := v.(*entsql.Rows); ok {
		rows.ColumnScanner = countedRows{rows.ColumnScanner, &c.n}
	}
	return nil
}

type countedRows struct {
	entsql.ColumnScanner
	n *atomic.Int64
}

func (r countedRows) Next() bool {
	ok := r.ColumnScanner.Next()
	if ok {
		r.n.Add(1)
	}
	return ok
}

// syncBuffer is a bytes.Buffer safe for concurrent writes (of logs).
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
