package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestMetrics scrapes /metrics after a few reports and checks the counters
// of requests, rows and bytes moved, and that the pool and runtime are there.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := newReportServer(t, testdb.SQLite(t), Config{})
	scrape := func() string {
		resp, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	value := func(text, series string) float64 {
		m := regexp.MustCompile(regexp.QuoteMeta(series) + ` (\S+)`).FindStringSubmatch(text)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	before := scrape()
	for range 2 {
		s.post(t, "/reports/questions", s.token, "text/csv", wholeDemo)
	}
	s.post(t, "/reports/questions", "", "", wholeDemo)
	after := scrape()
	for _, c := range []struct {
		series  string
		atLeast float64
	}{
		{`stift_http_requests_total{method="POST",route="POST /reports/questions",status="200"}`, 2},
		{`stift_http_requests_total{method="POST",route="POST /reports/questions",status="401"}`, 1},
		{`stift_report_rows_total{format="csv",report="questions"}`, 2 * 2400},
		{`stift_report_bytes_total{format="csv",report="questions"}`, 100_000},
	} {
		if got := value(after, c.series) - value(before, c.series); got < c.atLeast {
			t.Errorf("%s moved by %v, want at least %v", c.series, got, c.atLeast)
		}
	}
	for _, name := range []string{"stift_http_request_duration_seconds_bucket", "go_sql_max_open_connections", "go_goroutines"} {
		if !strings.Contains(after, name) {
			t.Errorf("no %s in /metrics", name)
		}
	}
}

var operationSeriesRE = regexp.MustCompile(`(?m)^stift_graphql_operation_duration_seconds_count\{operation="([^"]*)"\} (\S+)$`)

// operationCounts is the operations /metrics counts, by label.
func (s *reportServer) operationCounts(t *testing.T) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, m := range operationSeriesRE.FindAllStringSubmatch(s.scrape(t), -1) {
		n, _ := strconv.Atoi(m[2])
		counts[m[1]] = n
	}
	return counts
}

// TestOperationMetricsBounded sends GraphQL operations under many
// distinct names, as a hostile client may: the per-operation histogram
// labels the first METRICS_OPERATION_NAMES of them, folds the rest into
// "other" and anonymous operations into "anonymous", so its series stay
// bounded. In the allow-list mode the manifest's names are the labels.
func TestOperationMetricsBounded(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startReportServer(t, d, Config{OperationNames: 3})
		for i := range 40 {
			if errs := s.gql(t, s.token, fmt.Sprintf(`query Op%d { schools(first: 1) { totalCount } }`, i), nil, nil); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		for range 2 {
			if errs := s.gql(t, s.token, `{ schools(first: 1) { totalCount } }`, nil, nil); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		want := map[string]int{"Op0": 1, "Op1": 1, "Op2": 1, "other": 37, "anonymous": 2}
		if got := s.operationCounts(t); !maps.Equal(got, want) {
			t.Errorf("operations counted by label: %v, want %v", got, want)
		}
	})
	t.Run("allowlist", func(t *testing.T) {
		t.Parallel()
		const query = `query Schools { schools(first: 1) { totalCount } }`
		sum := sha256.Sum256([]byte(query))
		ops, err := graph.ReadOperations(strings.NewReader(fmt.Sprintf(`{%q: %q}`, hex.EncodeToString(sum[:]), query)))
		if err != nil {
			t.Fatal(err)
		}
		s := startReportServer(t, testdb.SQLite(t), Config{OperationNames: 0, operations: ops})
		for _, q := range []string{query, query, `query Invented { schools(first: 1) { totalCount } }`} {
			s.gql(t, s.token, q, nil, nil)
		}
		if got, want := s.operationCounts(t), map[string]int{"Schools": 2}; !maps.Equal(got, want) {
			t.Errorf("operations counted by label: %v, want %v (the invented one is refused, never run)", got, want)
		}
	})
}
