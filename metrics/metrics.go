// Package metrics exposes the service's Prometheus metrics: HTTP requests
// by route and status, the rows and bytes reports stream by report and
// format, GraphQL operations by name, the exports running, the jobs of
// asynchronous exports (queued, running, done, failed, their durations and
// bytes), the build, the
// database pool, and the Go runtime.
//
// Every label takes its value from a small known set, never from the
// request as sent: each new label value is a new series kept for the life
// of the process, so a client able to choose one (an invented HTTP method,
// say) could grow /metrics and the server's memory without end.
package metrics

import (
	"database/sql"
	"net/http"
	"runtime/debug"
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
	exports  prometheus.Gauge
	opTime   *prometheus.HistogramVec
	opNames  *operationNames

	jobsQueued  *prometheus.CounterVec
	jobsRunning prometheus.Gauge
	jobsDone    *prometheus.CounterVec
	jobsFailed  *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	jobBytes    *prometheus.CounterVec
}

// durationBuckets are the bounds of the duration histograms: 5 ms to 82 s.
var durationBuckets = prometheus.ExponentialBuckets(0.005, 4, 8)

// Options tune the metrics of a server.
type Options struct {
	// OperationNames is how many distinct GraphQL operation names get a
	// label of their own, the first ones seen; at most MaxOperationNames.
	OperationNames int
	// Operations, when not empty, are the operation names labelled (the
	// allow-list's), instead of the first OperationNames seen.
	Operations []string
}

// New returns the metrics of a server over the database sdb.
func New(sdb *sql.DB, dbName string, opts Options) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_http_requests_total", Help: "HTTP requests answered, by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stift_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route and method.",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_report_rows_total", Help: "Rows streamed by the report endpoints, by report and format.",
		}, []string{"report", "format"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_report_bytes_total", Help: "Bytes streamed by the report endpoints, by report and format.",
		}, []string{"report", "format"}),
		exports: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stift_exports_running", Help: "Report exports and GraphQL downloads being answered now, across all tokens.",
		}),
		opTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stift_graphql_operation_duration_seconds",
			Help:    "Time to execute GraphQL operations, by operation name (anonymous; other past the names labelled).",
			Buckets: durationBuckets,
		}, []string{"operation"}),
		opNames: newOperationNames(opts.OperationNames, opts.Operations),
		jobsQueued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_export_jobs_queued_total", Help: "Asynchronous exports asked for (202 Accepted) on this server, by report.",
		}, []string{"report"}),
		jobsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "stift_export_jobs_running", Help: "Asynchronous export jobs this server runs now.",
		}),
		jobsDone: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_export_jobs_done_total", Help: "Asynchronous export jobs this server finished with a file, by report.",
		}, []string{"report"}),
		jobsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_export_jobs_failed_total",
			Help: "Asynchronous export jobs this server ended without a file, by report and reason " +
				"(refused: the report refused the request; revoked: its token was revoked; timeout: EXPORT_JOB_TIMEOUT; " +
				"error: it failed on its last attempt; retry: it failed and River will try it again).",
		}, []string{"report", "reason"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "stift_export_job_duration_seconds", Help: "Time asynchronous export jobs ran, by report and outcome (done or failed).",
			Buckets: prometheus.ExponentialBuckets(0.1, 3, 10), // 0.1 s to about 33 min
		}, []string{"report", "outcome"}),
		jobBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stift_export_job_bytes_total", Help: "Bytes of the files asynchronous export jobs stored, by report.",
		}, []string{"report"}),
	}
	b := ReadBuild()
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "stift_build_info", Help: "Always 1; its labels say which build is running.",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": b.Revision, "goversion": b.GoVersion},
	})
	buildInfo.Set(1)
	m.registry.MustRegister(m.requests, m.duration, m.rows, m.bytes, m.exports, m.opTime, buildInfo,
		m.jobsQueued, m.jobsRunning, m.jobsDone, m.jobsFailed, m.jobDuration, m.jobBytes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(sdb, dbName),
	)
	return m
}

// Build is what a binary knows of its own build.
type Build struct {
	Version   string // the module's version: a tag, a pseudo-version, or (devel)
	Revision  string // the VCS revision, with "-modified" when the tree had changes; "unknown" if not stamped
	Time      string // the revision's commit time, RFC 3339; "" if not stamped
	GoVersion string
}

// ReadBuild returns the running binary's build, from debug.ReadBuildInfo.
func ReadBuild() Build {
	b := Build{Version: "unknown", Revision: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = info.GoVersion
	if info.Main.Version != "" {
		b.Version = info.Main.Version
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && b.Revision != "unknown" {
		b.Revision += "-modified"
	}
	return b
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveRequest counts a request answered with status. route is the
// pattern of the server's mux that matched the request ("" when none did),
// never the request's path, so that the routes are a known set too.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	method = Method(method)
	m.requests.WithLabelValues(route, method, statusLabel(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(took.Seconds())
}

// Method is the label of an HTTP method: the method when it is one of
// HTTP's own (RFC 9110 and PATCH), else "other". A client may send any
// token as a method, up to the size of a request line.
func Method(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "other"
}

// statusLabel is the label of a response status: the code when it is one
// HTTP defines a class for (100 to 599), else "other". net/http lets a
// handler send any code up to 999.
func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status)
}

// ExportStarted counts an export as running until ExportEnded.
func (m *Metrics) ExportStarted() {
	if m != nil {
		m.exports.Inc()
	}
}

// ExportEnded counts an export started with ExportStarted as ended.
func (m *Metrics) ExportEnded() {
	if m != nil {
		m.exports.Dec()
	}
}

// ObserveReport counts what a report response streamed.
func (m *Metrics) ObserveReport(report, format string, rows, bytes int64) {
	if m == nil {
		return
	}
	m.rows.WithLabelValues(report, format).Add(float64(rows))
	m.bytes.WithLabelValues(report, format).Add(float64(bytes))
}

// ObserveOperation times a GraphQL operation, labelled by its name ("" for
// an anonymous operation) as operationNames bounds it.
func (m *Metrics) ObserveOperation(name string, took time.Duration) {
	if m == nil {
		return
	}
	m.opTime.WithLabelValues(m.opNames.label(name)).Observe(took.Seconds())
}

// ExportQueued counts an asynchronous export of report asked for.
func (m *Metrics) ExportQueued(report string) {
	if m != nil {
		m.jobsQueued.WithLabelValues(report).Inc()
	}
}

// ExportJobStarted counts an export job as running until
// ExportJobDone or ExportJobFailed.
func (m *Metrics) ExportJobStarted() {
	if m != nil {
		m.jobsRunning.Inc()
	}
}

// ExportJobDone counts an export job of report that stored a file of
// size bytes after running for took.
func (m *Metrics) ExportJobDone(report string, took time.Duration, size int64) {
	if m == nil {
		return
	}
	m.jobsRunning.Dec()
	m.jobsDone.WithLabelValues(report).Inc()
	m.jobDuration.WithLabelValues(report, "done").Observe(took.Seconds())
	m.jobBytes.WithLabelValues(report).Add(float64(size))
}

// ExportJobFailed counts an export job of report that ended without a
// file after running for took, for reason: refused, revoked, timeout,
// error or retry.
func (m *Metrics) ExportJobFailed(report, reason string, took time.Duration) {
	if m == nil {
		return
	}
	m.jobsRunning.Dec()
	m.jobsFailed.WithLabelValues(report, reason).Inc()
	m.jobDuration.WithLabelValues(report, "failed").Observe(took.Seconds())
}
