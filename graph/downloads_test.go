package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/stift/stift-reports/graph/download"
)

// TestDownloadResultBound: a download whose GraphQL result is over
// MaxDownloadBytes is refused with a 400 that says why, whether the
// result comes in one write (as gqlgen sends it) or in many, and what was
// kept of it is dropped; a JSON answer of the same size is not bounded.
func TestDownloadResultBound(t *testing.T) {
	for _, c := range []struct {
		name   string
		chunks int
	}{{"one write", 1}, {"many writes", 64}} {
		t.Run(c.name, func(t *testing.T) {
			var held *bufferedWriter
			var refused int // writes answered with an error
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				held, _ = w.(*bufferedWriter)
				chunk := bytes.Repeat([]byte("x"), (MaxDownloadBytes+c.chunks)/c.chunks)
				for range c.chunks {
					if _, err := w.Write(chunk); err != nil {
						refused++
					}
				}
			})
			h := withDownloads(next, downloads{log: slog.New(slog.DiscardHandler)})

			req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query": "{ questions { edges { node { id } } } }"}`))
			req.Header.Set("Accept", "text/csv")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "too large to download") {
				t.Errorf("a result over the bound: %d %s", w.Code, w.Body)
			}
			if held == nil {
				t.Fatal("the download did not buffer the result")
			}
			if refused == 0 || held.body.Cap() > MaxDownloadBytes {
				t.Errorf("%d writes refused; %d bytes still held", refused, held.body.Cap())
			}

			req = httptest.NewRequest("POST", "/graphql", nil)
			req.Header.Set("Accept", "application/json")
			w = httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK || w.Body.Len() < MaxDownloadBytes {
				t.Errorf("the same result as JSON: %d, %d bytes", w.Code, w.Body.Len())
			}
		})
	}
}

// TestIsDownload: only a file format asked for makes a request a download.
func TestIsDownload(t *testing.T) {
	for _, c := range []struct {
		method, accept string
		want           bool
	}{
		{"POST", "", false},
		{"POST", "*/*", false},
		{"POST", "application/json", false},
		{"POST", "application/graphql-response+json", false},
		{"POST", "text/csv", true},
		{"GET", "text/csv;q=0.9, application/json;q=0.5", true},
		{"POST", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
		{"OPTIONS", "text/csv", false},
	} {
		req := httptest.NewRequest(c.method, "/graphql", nil)
		req.Header.Set("Accept", c.accept)
		if got := IsDownload(req); got != c.want {
			t.Errorf("%s with Accept %q: IsDownload = %v, want %v", c.method, c.accept, got, c.want)
		}
	}
}

// TestDownloadLanguage: Accept-Language chooses English or Portuguese
// (Brazil), the default.
func TestDownloadLanguage(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   download.Language
	}{
		{"", download.Portuguese},
		{"pt-BR", download.Portuguese},
		{"pt-PT", download.Portuguese},
		{"pt", download.Portuguese},
		{"en", download.English},
		{"en-US,en;q=0.9", download.English},
		{"en-GB", download.English},
		{"fr, en;q=0.5", download.English},
		{"en;q=0.2, pt-BR;q=0.8", download.Portuguese},
		{"de, pt;q=0.1", download.Portuguese},
		{"es", download.Portuguese},
		{"ja", download.Portuguese},
		{"*", download.Portuguese},
		{"en;q=x;;;", download.Portuguese},
		{strings.Repeat("en-", 1000), download.Portuguese},
	} {
		req := httptest.NewRequest("POST", "/graphql", nil)
		req.Header.Set("Accept-Language", c.accept)
		if got := downloadLanguage(req); got != c.want {
			t.Errorf("Accept-Language %.40q: language %d, want %d", c.accept, got, c.want)
		}
	}
}

// TestPagerHalvesLargePages: a page whose result is over MaxDownloadBytes
// is read again in pages half as large, and the pages after it too; a
// single row over it is refused.
func TestPagerHalvesLargePages(t *testing.T) {
	schema := NewExecutableSchema(Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, `{ users { edges { node { email } } } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	plan, err := download.Parse(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	paging, err := plan.Paging(nil, schema)
	if err != nil {
		t.Fatal(err)
	}
	// page answers a page of size rows of rowBytes each.
	page := func(size, rowBytes int, more bool) *graphql.Response {
		edges := make([]map[string]any, size)
		for i := range edges {
			edges[i] = map[string]any{"node": map[string]any{"email": strings.Repeat("x", rowBytes)}}
		}
		data, _ := json.Marshal(map[string]any{"users": map[string]any{"edges": edges,
			paging.PageInfo: map[string]any{"hasNextPage": more, "endCursor": "c"}}})
		return &graphql.Response{Data: data}
	}
	var asked []int
	p := &pager{plan: plan, paging: paging, size: 1000, left: -1,
		run: func(_ context.Context, vars map[string]any) *graphql.Response {
			size := vars[paging.FirstVar].(int)
			asked = append(asked, size)
			return page(size, 100<<10, true) // 100 KiB a row: 82 rows fit
		}}
	got, failed, err := p.next(context.Background(), 0)
	if err != nil || failed != nil {
		t.Fatal(err, failed)
	}
	if got.Len() != 62 || p.size != 62 || !slices.Equal(asked, []int{1000, 500, 250, 125, 62}) {
		t.Errorf("a page of %d rows, %d next, after asking for %v; want 62 after 1000, 500, 250, 125", got.Len(), p.size, asked)
	}

	p = &pager{plan: plan, paging: paging, size: 4, left: -1,
		run: func(_ context.Context, vars map[string]any) *graphql.Response {
			return page(vars[paging.FirstVar].(int), MaxDownloadBytes, false)
		}}
	if _, _, err := p.next(context.Background(), 0); !errors.Is(err, errRowTooLarge) {
		t.Errorf("a row over the bound: %v", err)
	}
}
