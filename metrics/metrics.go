// Package metrics exposes the service's Prometheus metrics: HTTP requests
// by route and status, the rows and bytes reports stream by report and
// format, the database pool, and the Go runtime.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	rows     *prometheus.CounterVec
	bytes    *prometheus.CounterVec
}

// New returns the metrics of a server over the database sdb.
func New(sdb *sql.DB, dbName string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stift_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route and method.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 8),
		}, []string{"route", "method"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_report_rows_total", Help: "Rows streamed by the report endpoints, by report and format.",
		}, []string{"report", "format"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_report_bytes_total", Help: "Bytes streamed by the report endpoints, by report and format.",
		}, []string{"report", "format"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.rows, m.bytes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(sdb, dbName),
	)
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest counts a request to route answered with status.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

// ObserveReport counts what a report response streamed.
func (m *Metrics) ObserveReport(report, format string, rows, bytes int64) {
	if m == nil {
		return
	}
	m.rows.WithLabelValues(report, format).Add(float64(rows))
	m.bytes.WithLabelValues(report, format).Add(float64(bytes))
}
