package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/importer"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestReadReplica imports through the primary, waits for the streaming
// replica (TEST_REPLICA_URL, a hot standby of TEST_DATABASE_URL's server)
// to catch up, and reads every report through it; with the replica gone,
// reports fall back to the primary, or answer 503 when strict.
func TestReadReplica(t *testing.T) {
	t.Parallel()
	replicaServer := os.Getenv("TEST_REPLICA_URL")
	if replicaServer == "" || os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL and TEST_REPLICA_URL are not both set")
	}
	primaryURL := testdb.PostgresURL(t)
	primary, err := db.Open(primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Close()
	ctx := context.Background()
	if err := primary.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Import(ctx, primary, filepath.Join("testdata", "import", "example"), nil); err != nil {
		t.Fatal(err)
	}
	_, token, err := auth.CreateToken(ctx, primary.Client, auth.TokenSpec{Name: "replica", Unlimited: true})
	if err != nil {
		t.Fatal(err)
	}

	// The same database on the replica, reached through a gate.
	pu, _ := url.Parse(primaryURL)
	ru, _ := url.Parse(replicaServer)
	ru.Path = pu.Path
	replicaSQL, err := sql.Open("pgx", ru.String())
	if err != nil {
		t.Fatal(err)
	}
	defer replicaSQL.Close()
	var want int
	primary.SQL.QueryRow("SELECT COUNT(*) FROM api_tokens").Scan(&want)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var got int
		if replicaSQL.QueryRow("SELECT COUNT(*) FROM api_tokens").Scan(&got) == nil && got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica did not catch up")
		}
	}
	g := newGate(t, ru.Host)
	g.setOpen(true)
	ru.Host = g.ln.Addr().String()

	for _, strict := range []bool{false, true} {
		addr := freeAddr(t)
		env := map[string]string{"REPLICA_DATABASE_URL": ru.String(), "DEMO_DATA": "off", "LOG_FORMAT": "json"}
		if strict {
			env["REPLICA_STRICT"] = "true"
		}
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- run(sctx, []string{"serve", "--addr", addr, "--db", primaryURL}, func(k string) string { return env[k] }, stdout, stderr)
		}()
		base := "http://" + addr
		var post func(path, body string) (int, string)
		report := func() (int, string) { return post("/reports/questions", wholeDemo) }
		post = func(path, body string) (int, string) {
			req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			resp, err := http.DefaultClient.Do(req.WithContext(rctx))
			if err != nil {
				return 0, err.Error()
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if code, _ := report(); code == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the server did not answer\n%s", stderr)
			}
		}
		// The replica's sessions show their last statement, its first 1024
		// bytes (track_activity_query_size): the report's.
		ranOnReplica := func(fragment string) bool {
			var n int
			replicaSQL.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
				AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%'`, fragment).Scan(&n)
			return n > 0
		}
		groupIDs := "[]"
		primary.SQL.QueryRow(`SELECT '["' || string_agg(id::text, '","') || '"]' FROM groups`).Scan(&groupIDs)
		for _, r := range []struct{ path, body, fragment string }{
			{"/reports/bookings", wholeDemo, "WITH today(school_id"},
			{"/reports/bookings-workload", `{}`, "SUM(a.end_minute - a.start_minute)"},
			{"/reports/groups-usage", strings.TrimSuffix(wholeDemo, "}") + `, "group_ids": ` + groupIDs + `, "show_teachers": true, "show_disciplines": true}`, "WITH sel(id)"},
			{"/reports/questions", wholeDemo, "FROM questions q"},
		} {
			if code, body := post(r.path, r.body); code != 200 || !ranOnReplica(r.fragment) {
				t.Errorf("strict=%v: %s answered %d %.100s; not read from the replica", strict, r.path, code, body)
			}
		}
		code, fromReplica := report()
		if code != 200 {
			t.Fatalf("report %d", code)
		}

		g.setOpen(false)
		want := 200
		if strict {
			want = 503
		}
		var got int
		var body string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if got, body = report(); got == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("strict=%v, replica down: report %d %.200s, want %d", strict, got, body, want)
			}
		}
		if !strict && body != fromReplica {
			t.Errorf("the primary answered differently from the replica")
		}
		g.setOpen(true)
		stop()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}
}
