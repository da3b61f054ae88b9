package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// BenchmarkGraphQLPage is a nested page of questions (the selection
// bench/graphql.sh compares with PostGraphile) served by the whole handler
// in-process, without a network: the CPU a request costs the server, for
// `go test -bench GraphQLPage -cpuprofile`. It runs on a scale 0.01
// platform in SQLite and, with TEST_DATABASE_URL, PostgreSQL; or on the
// seeded database STIFT_BENCH_DATABASE_URL names.
func BenchmarkGraphQLPage(b *testing.B) {
	const page = `{"query":"{ questions(first: %d, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node { id description createdAt student { firstName lastName email } group { name } discipline { name } } } } }"}`
	run := func(b *testing.B, d *db.DB) {
		cfg := Config{PortalURL: "https://portal.example", TokenCacheTTL: 5 * time.Second}
		h := NewServer(cfg, d, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
		_, secret, err := auth.CreateToken(context.Background(), d.Client, auth.TokenSpec{Name: "bench", All: true, RevealAnonymous: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []string{"100", "1000"} {
			body := strings.Replace(page, "%d", n, 1)
			b.Run(n, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+secret)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
						b.Fatalf("%d %.300s", w.Code, w.Body.String())
					}
				}
			})
		}
	}
	if url := os.Getenv("STIFT_BENCH_DATABASE_URL"); url != "" {
		d, err := db.Open(url)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		run(b, d)
		return
	}
	for _, kind := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		b.Run(kind.name, func(b *testing.B) {
			if kind.name == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is not set")
			}
			d := kind.open(b)
			if err := seed.Scale(context.Background(), d, 0.01, 1, nil); err != nil {
				b.Fatal(err)
			}
			run(b, d)
		})
	}
}
