package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// BenchmarkGraphQLPage is a nested page of questions (the selection
// bench/graphql.sh compares with PostGraphile) served by the whole handler
// in-process, without a network: the CPU a request costs the server, for
// `go test -bench GraphQLPage -cpuprofile`, on a scale 0.01 platform (see
// testdb.BenchEach).
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
	testdb.BenchEach(b, 0.01, run)
}
