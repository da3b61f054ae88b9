package main

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
