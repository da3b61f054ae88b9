// Command soak is the load generator of bench/soak.sh: C concurrent clients
// for a fixed duration against a running stift-reports, mixing the four
// legacy REST reports in JSON, CSV and XLSX (a week to a month of data each,
// and now and then a whole-year questions CSV) with GraphQL questionStats,
// bookingStats and a questionsReport page. Every client reads every body to
// the end; every request has a timeout; the run stops by itself.
//
// Meanwhile it scrapes the server's /metrics: go_goroutines while idle
// (before any load), every second during the load, and 10 s after it
// stops; process_resident_memory_bytes throughout. It prints a summary,
// optionally writes it as Markdown (-md), and exits 1 when a requirement
// fails: any 5xx (or any other failed request), RSS at the end (the median
// of the last minute's scrapes) more than 10% above RSS after the warm-up
// (the median of the minute after it), or goroutines 10 s after the load not
// back within ±5 of the idle baseline.
//
// Stdlib only.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

type config struct {
	base        string
	token       string
	duration    time.Duration
	clients     int
	warmup      time.Duration
	settle      time.Duration
	timeout     time.Duration
	drain       time.Duration
	sample      time.Duration
	think       time.Duration
	yearShare   float64
	from, to    int64 // ms: the year of questions
	bookingsTo  int64 // ms: bookings are scheduled up to here
	groups      []string
	schools     []string
	rssTol      float64
	goroutTol   int
	mdPath      string
	seed        uint64
	description string
}

// ---------------------------------------------------------------- requests

type request struct {
	endpoint string // the label the figures are grouped by
	method   string
	path     string
	accept   string
	body     []byte
	graphql  bool // a 200 whose body has "errors" is a failure
}

type gen struct {
	cfg *config
	r   *rand.Rand
}

func (g *gen) pick(xs []string, max int) []string {
	if len(xs) == 0 || max <= 0 {
		return nil
	}
	n := 1 + g.r.IntN(max)
	if n > len(xs) {
		n = len(xs)
	}
	perm := g.r.Perm(len(xs))
	out := make([]string, n)
	for i := range out {
		out[i] = xs[perm[i]]
	}
	return out
}

// window: a week to a month inside [from, to].
func (g *gen) window(from, to int64) (int64, int64) {
	const day = int64(24 * time.Hour / time.Millisecond)
	length := (7 + g.r.Int64N(24)) * day
	if to-from <= length {
		return from, to
	}
	start := from + g.r.Int64N(to-from-length)
	return start, start + length - 1
}

func iso(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

var formats = []struct{ name, accept string }{
	{"json", "application/json"}, {"csv", "text/csv"}, {"xlsx", xlsxType},
}

func (g *gen) next() request {
	c := g.cfg
	if g.r.Float64() < c.yearShare {
		return request{endpoint: "questions csv, whole year", method: "POST", path: "/v1/reports/questions",
			accept: "text/csv", body: mustJSON(map[string]any{"start_date": c.from, "end_date": c.to})}
	}
	f := formats[g.r.IntN(len(formats))]
	rest := func(report string, body map[string]any) request {
		return request{endpoint: report + " " + f.name, method: "POST", path: "/v1/reports/" + report,
			accept: f.accept, body: mustJSON(body)}
	}
	gql := func(name, query string) request {
		return request{endpoint: "graphql " + name, method: "POST", path: "/graphql",
			accept: "application/json", body: mustJSON(map[string]any{"query": query}), graphql: true}
	}
	// weights: questions 18, bookings 14, workload 8, groups-usage 12,
	// questionStats 14, bookingStats 12, questionsReport 14 (sum 92)
	switch w := g.r.IntN(92); {
	case w < 18:
		s, e := g.window(c.from, c.to)
		body := map[string]any{"start_date": s, "end_date": e}
		if g.r.IntN(2) == 0 {
			body["group_ids"] = g.pick(c.groups, 3)
		}
		return rest("questions", body)
	case w < 32:
		s, e := g.window(c.from, c.bookingsTo)
		body := map[string]any{"start_date": s, "end_date": e}
		if g.r.IntN(2) == 0 {
			body["school_ids"] = g.pick(c.schools, 2)
		}
		return rest("bookings", body)
	case w < 40:
		body := map[string]any{}
		if g.r.IntN(2) == 0 {
			body["school_ids"] = g.pick(c.schools, 2)
		}
		return rest("bookings-workload", body)
	case w < 52:
		s, e := g.window(c.from, c.to)
		return rest("groups-usage", map[string]any{"start_date": s, "end_date": e,
			"group_ids": g.pick(c.groups, 3), "show_teachers": g.r.IntN(2) == 0, "show_disciplines": g.r.IntN(2) == 0})
	case w < 66:
		s, e := g.window(c.from, c.to)
		dims := [][]string{{"DISCIPLINE"}, {"GROUP"}, {"TEACHER"}, {"STATUS"}, {"SCHOOL", "DISCIPLINE"}}[g.r.IntN(5)]
		bucket := []string{"DAY", "WEEK"}[g.r.IntN(2)]
		return gql("questionStats", fmt.Sprintf(`{ questionStats(filter: {from: %q, to: %q}, groupBy: [%s], timeBucket: %s, timezone: "America/Sao_Paulo") { discipline { id name } group { id } teacher { id } status bucketStart count answeredCount avgResponseMinutes p50ResponseMinutes p90ResponseMinutes avgAdjustedResponseMinutes avgRating understoodShare } }`,
			iso(s), iso(e), strings.Join(dims, ", "), bucket))
	case w < 78:
		s, e := g.window(c.from, c.bookingsTo)
		dims := [][]string{{"DISCIPLINE"}, {"TEACHER"}, {"STATUS"}, {"MODAL"}, {"SCHOOL", "ROOM"}}[g.r.IntN(5)]
		return gql("bookingStats", fmt.Sprintf(`{ bookingStats(filter: {from: %q, to: %q}, groupBy: [%s], timeBucket: WEEK) { discipline { id } teacher { id } status modal bucketStart count countByStatus { status label count } attendanceRate noShowRate lateCancelRate avgRatingByStudent avgRatingByTeacher minutesHeld } }`,
			iso(s), iso(e), strings.Join(dims, ", ")))
	default:
		s, e := g.window(c.from, c.to)
		return gql("questionsReport page", fmt.Sprintf(`{ questionsReport(input: {from: %q, to: %q}, first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { createdAt answeredAt status statusLabel anonymous description responseMinutes answerRating link group { name } student { email } teacher { email } discipline { name } subject { name } } } } }`,
			iso(s), iso(e)))
	}
}

// ---------------------------------------------------------------- results

type outcome struct {
	endpoint string
	status   int    // 0: no response
	failure  string // "" when fine
	elapsed  time.Duration
	bytes    int64
	at       time.Duration // since the load started
	cut      bool          // cancelled by the end of the run, not counted as a failure
}

type stats struct {
	mu       sync.Mutex
	outcomes []outcome
}

func (s *stats) add(o outcome) {
	s.mu.Lock()
	s.outcomes = append(s.outcomes, o)
	s.mu.Unlock()
}

var errCut = errors.New("cut at the end of the run")

func do(ctx context.Context, client *http.Client, cfg *config, rq request) (status int, n int64, failure string) {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, rq.method, cfg.base+rq.path, bytes.NewReader(rq.body))
	if err != nil {
		return 0, 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+cfg.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", rq.accept)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, classify(ctx, err)
	}
	defer resp.Body.Close()
	var head bytes.Buffer
	w := io.Writer(io.Discard)
	switch {
	case rq.graphql:
		w = &head // decoded below, so read whole
	case resp.StatusCode != http.StatusOK:
		w = &limitedBuffer{buf: &head, max: 64 << 10}
	}
	n, err = io.Copy(w, resp.Body)
	if err != nil {
		return resp.StatusCode, n, "body: " + classify(ctx, err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, n, fmt.Sprintf("status %d: %.200s", resp.StatusCode, head.String())
	}
	if rq.graphql {
		var out struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(head.Bytes(), &out); err != nil {
			return resp.StatusCode, n, "graphql: undecodable body: " + err.Error()
		}
		if len(out.Errors) > 0 {
			return resp.StatusCode, n, fmt.Sprintf("graphql error: %s %v", out.Errors[0].Message, out.Errors[0].Extensions["code"])
		}
	}
	return resp.StatusCode, n, ""
}

type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		if len(p) > room {
			l.buf.Write(p[:room])
		} else {
			l.buf.Write(p)
		}
	}
	return len(p), nil
}

func classify(ctx context.Context, err error) string {
	switch {
	case errors.Is(context.Cause(ctx), errCut):
		return "cut"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "client timeout"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "client timeout"
	}
	return err.Error()
}

// ---------------------------------------------------------------- metrics

type sample struct {
	at         time.Duration // since the load started (negative: before)
	goroutines float64
	rss        float64
	heap       float64 // go_memstats_heap_inuse_bytes: the Go heap's spans in use
	err        string
}

// printEvery is how many scrapes make 5 s: the progress lines and the
// table over time show one scrape in that many.
func printEvery(cfg *config) int {
	return max(1, int(5*time.Second/cfg.sample))
}

func scrape(cfg *config) sample {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(cfg.base + "/metrics")
	if err != nil {
		return sample{goroutines: math.NaN(), rss: math.NaN(), heap: math.NaN(), err: err.Error()}
	}
	defer resp.Body.Close()
	s := sample{goroutines: math.NaN(), rss: math.NaN(), heap: math.NaN()}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for name, dst := range map[string]*float64{"go_goroutines": &s.goroutines, "process_resident_memory_bytes": &s.rss,
			"go_memstats_heap_inuse_bytes": &s.heap} {
			if rest, ok := strings.CutPrefix(line, name+" "); ok {
				if v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64); err == nil {
					*dst = v
				}
			}
		}
	}
	if resp.StatusCode != 200 || math.IsNaN(s.goroutines) || math.IsNaN(s.rss) {
		s.err = fmt.Sprintf("/metrics: status %d, go_goroutines or process_resident_memory_bytes missing", resp.StatusCode)
	}
	return s
}

// ---------------------------------------------------------------- main

func main() {
	cfg := &config{}
	var groups, schools string
	flag.StringVar(&cfg.base, "url", "http://127.0.0.1:18190", "the server's base URL")
	flag.StringVar(&cfg.token, "token", os.Getenv("SOAK_TOKEN"), "API token (or SOAK_TOKEN)")
	flag.DurationVar(&cfg.duration, "d", 5*time.Minute, "how long the load runs")
	flag.IntVar(&cfg.clients, "c", 100, "concurrent clients")
	flag.DurationVar(&cfg.warmup, "warmup", 30*time.Second, "RSS is taken as the baseline this long after the load starts")
	flag.DurationVar(&cfg.settle, "settle", 10*time.Second, "goroutines are compared to the idle baseline this long after the load stops")
	flag.DurationVar(&cfg.timeout, "timeout", 120*time.Second, "timeout of each request (headers and body)")
	flag.DurationVar(&cfg.drain, "drain", 30*time.Second, "after -d, requests in flight may finish for this long, then are cut")
	flag.DurationVar(&cfg.sample, "sample", time.Second, "how often /metrics is scraped during the load")
	flag.DurationVar(&cfg.think, "think", time.Second, "each client pauses a uniformly random 0..think between requests")
	flag.Float64Var(&cfg.yearShare, "year-share", 0.01, "share of requests that are a whole-year questions CSV")
	flag.Int64Var(&cfg.from, "from", 1749945600000, "start of the data's year, ms")
	flag.Int64Var(&cfg.to, "to", 1781550000000, "end of the data's year, ms")
	flag.Int64Var(&cfg.bookingsTo, "bookings-to", 1784142000000, "end of the booked-ahead weeks, ms")
	flag.StringVar(&groups, "groups", "", "comma-separated group UUIDs to pick from")
	flag.StringVar(&schools, "schools", "", "comma-separated school UUIDs to pick from")
	flag.Float64Var(&cfg.rssTol, "rss-tolerance", 0.10, "RSS at the end may exceed RSS after the warm-up by this share")
	flag.IntVar(&cfg.goroutTol, "goroutine-tolerance", 5, "goroutines after the load may differ from the idle baseline by this many")
	flag.StringVar(&cfg.mdPath, "md", "", "write the results as Markdown here")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed of the request mix")
	flag.StringVar(&cfg.description, "describe", "", "a line of context for the Markdown (machine, scale…)")
	flag.Parse()
	if cfg.token == "" || groups == "" || schools == "" {
		fmt.Fprintln(os.Stderr, "soak: -token, -groups and -schools are required")
		os.Exit(2)
	}
	cfg.groups = strings.Split(groups, ",")
	cfg.schools = strings.Split(schools, ",")
	os.Exit(run(cfg))
}

func run(cfg *config) int {
	started := time.Now()
	idle := scrape(cfg)
	if idle.err != "" {
		fmt.Fprintln(os.Stderr, "soak:", idle.err)
		return 1
	}
	idle.at = -time.Nanosecond
	fmt.Printf("idle: go_goroutines %.0f, RSS %.1f MiB\n", idle.goroutines, idle.rss/(1<<20))

	transport := &http.Transport{
		MaxIdleConns: cfg.clients, MaxIdleConnsPerHost: cfg.clients, MaxConnsPerHost: 0,
		IdleConnTimeout: 90 * time.Second, DisableCompression: true,
	}
	client := &http.Client{Transport: transport}
	st := &stats{}

	// loadCtx stops new requests at -d; cutCtx cuts those in flight at -d + -drain.
	t0 := time.Now()
	loadCtx, stopLoad := context.WithDeadline(context.Background(), t0.Add(cfg.duration))
	defer stopLoad()
	cutCtx, cut := context.WithCancelCause(context.Background())
	defer cut(nil)
	var inflight, done atomic.Int64

	var wg sync.WaitGroup
	for i := 0; i < cfg.clients; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			g := &gen{cfg: cfg, r: rand.New(rand.NewPCG(cfg.seed, uint64(id)))}
			// spread the clients' first requests over the first second
			sleep(loadCtx, time.Duration(g.r.Int64N(int64(time.Second))))
			for loadCtx.Err() == nil {
				rq := g.next()
				start := time.Now()
				inflight.Add(1)
				status, n, failure := do(cutCtx, client, cfg, rq)
				inflight.Add(-1)
				o := outcome{endpoint: rq.endpoint, status: status, failure: failure, elapsed: time.Since(start),
					bytes: n, at: start.Sub(t0)}
				if failure == "cut" || failure == "body: cut" {
					o.cut, o.failure = true, ""
				}
				st.add(o)
				done.Add(1)
				if cfg.think > 0 {
					sleep(loadCtx, time.Duration(g.r.Int64N(int64(cfg.think))))
				}
			}
		}(i)
	}

	// the sampler
	var samples []sample
	var warm, end sample
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(cfg.sample)
		defer tick.Stop()
		warmTimer := time.NewTimer(cfg.warmup)
		defer warmTimer.Stop()
		for {
			select {
			case <-loadCtx.Done():
				return
			case <-warmTimer.C:
				warm = scrape(cfg)
				warm.at = time.Since(t0)
				fmt.Printf("after warm-up (%s): RSS %.1f MiB, go_goroutines %.0f\n", warm.at.Round(time.Second), warm.rss/(1<<20), warm.goroutines)
			case <-tick.C:
				s := scrape(cfg)
				s.at = time.Since(t0)
				samples = append(samples, s)
				if len(samples)%printEvery(cfg) != 0 {
					continue
				}
				fmt.Printf("  t=%4.0fs  go_goroutines %5.0f  RSS %6.1f MiB  in flight %3d  done %d\n",
					s.at.Seconds(), s.goroutines, s.rss/(1<<20), inflight.Load(), done.Load())
			}
		}
	}()

	<-loadCtx.Done()
	<-samplerDone
	end = scrape(cfg) // RSS at the end of the load, the clients still at work
	end.at = time.Since(t0)
	fmt.Printf("end of load (%s): RSS %.1f MiB, go_goroutines %.0f, in flight %d\n", end.at.Round(time.Second), end.rss/(1<<20), end.goroutines, inflight.Load())

	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(cfg.drain):
		cut(errCut)
		<-drained
	}
	loadStopped := time.Now()
	// The clients go away: their keep-alive connections are closed, as a
	// browser's or a script's would be; the server's IdleTimeout (2 min)
	// would otherwise keep one goroutine per connection.
	transport.CloseIdleConnections()
	sleep(context.Background(), cfg.settle)
	after := scrape(cfg)
	after.at = time.Since(t0)
	fmt.Printf("%s after the load stopped: go_goroutines %.0f, RSS %.1f MiB\n", cfg.settle, after.goroutines, after.rss/(1<<20))

	rep := report(cfg, st.snapshot(), loadStopped.Sub(t0), idle, warm, end, after, samples, time.Since(started))
	fmt.Print(rep.text)
	if cfg.mdPath != "" {
		if err := os.WriteFile(cfg.mdPath, []byte(rep.markdown), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 1
		}
	}
	if !rep.ok {
		return 1
	}
	return 0
}

func (s *stats) snapshot() []outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]outcome(nil), s.outcomes...)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// ---------------------------------------------------------------- report

type result struct {
	text, markdown string
	ok             bool
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return sorted[i]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64)
}

func median(xs []float64) float64 {
	ys := append([]float64(nil), xs...)
	sort.Float64s(ys)
	return ys[len(ys)/2]
}

func mib(b float64) string { return strconv.FormatFloat(b/(1<<20), 'f', 1, 64) }

func passFail(ok bool) string {
	if ok {
		return "**pass**"
	}
	return "**FAIL**"
}

func report(cfg *config, outs []outcome, loadTime time.Duration, idle, warm, end, after sample, samples []sample, total time.Duration) result {
	type agg struct {
		n, ok, cut int
		bytes      int64
		byStatus   map[string]int
		lat        []time.Duration
	}
	per := map[string]*agg{}
	all := &agg{byStatus: map[string]int{}}
	failures := map[string]int{}
	n5xx, nFail := 0, 0
	for _, o := range outs {
		a := per[o.endpoint]
		if a == nil {
			a = &agg{byStatus: map[string]int{}}
			per[o.endpoint] = a
		}
		key := strconv.Itoa(o.status)
		switch {
		case o.cut:
			key = "cut at end"
		case o.status == 0:
			key = "no response"
		}
		for _, x := range []*agg{a, all} {
			x.n++
			x.byStatus[key]++
			x.bytes += o.bytes
			if o.cut {
				x.cut++
				continue
			}
			if o.failure == "" {
				x.ok++
				x.lat = append(x.lat, o.elapsed)
			}
		}
		if o.status >= 500 {
			n5xx++
		}
		if o.failure != "" {
			nFail++
			f := o.failure
			if len(f) > 160 {
				f = f[:160] + "…"
			}
			failures[o.endpoint+": "+f]++
		}
	}
	names := make([]string, 0, len(per))
	for k := range per {
		names = append(names, k)
	}
	sort.Strings(names)
	statusStr := func(m map[string]int) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %d", k, m[k])
		}
		return strings.Join(parts, ", ")
	}

	var md, tx strings.Builder
	rps := float64(all.ok) / loadTime.Seconds()
	fmt.Fprintf(&md, "%d clients for %s (each pausing a random 0–%s between requests; %.0f%% of requests a whole-year questions CSV, the rest a week to a month of data; request timeout %s). The load ran %.1f s including the drain of requests in flight at the end; the whole run with the idle and settle scrapes took %.1f s.\n\n",
		cfg.clients, cfg.duration, cfg.think, cfg.yearShare*100, cfg.timeout, loadTime.Seconds(), total.Seconds())
	fmt.Fprintf(&md, "Throughput: %d requests completed without failure in %.1f s = **%.1f req/s**, %.1f MiB/s of bodies read (%.0f MiB in all).\n\n",
		all.ok, loadTime.Seconds(), rps, float64(all.bytes)/(1<<20)/loadTime.Seconds(), float64(all.bytes)/(1<<20))

	md.WriteString("| endpoint | requests | by status | ok | p50 ms | p90 ms | p99 ms | max ms | MiB read |\n")
	md.WriteString("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	row := func(name string, a *agg) {
		sort.Slice(a.lat, func(i, j int) bool { return a.lat[i] < a.lat[j] })
		mx := time.Duration(0)
		if len(a.lat) > 0 {
			mx = a.lat[len(a.lat)-1]
		}
		fmt.Fprintf(&md, "| %s | %d | %s | %d | %s | %s | %s | %s | %.1f |\n", name, a.n, statusStr(a.byStatus), a.ok,
			ms(pct(a.lat, 50)), ms(pct(a.lat, 90)), ms(pct(a.lat, 99)), ms(mx), float64(a.bytes)/(1<<20))
	}
	for _, k := range names {
		row(k, per[k])
	}
	row("**all**", all)
	md.WriteString("\nLatency: request sent → last body byte read, successful requests only.\n\n")

	// checks. RSS swings widely with what is in flight (single scrapes 5 s
	// apart differed by 40%, and medians of 12 scrapes a minute by 10%
	// between two runs of the same load), so "after the warm-up" and "at
	// the end" are each the median of a minute of scrapes, one a second:
	// the minute after the
	// warm-up, and the last minute of the load.
	var first, last, firstHeap, lastHeap []float64
	for _, s := range samples {
		switch {
		case s.err != "":
		case s.at >= cfg.warmup && s.at < cfg.warmup+time.Minute:
			first, firstHeap = append(first, s.rss), append(firstHeap, s.heap)
		case s.at > end.at-time.Minute:
			last, lastHeap = append(last, s.rss), append(lastHeap, s.heap)
		}
	}
	warmRSS, endRSS := math.NaN(), math.NaN()
	if len(first) > 0 && len(last) > 0 {
		warmRSS, endRSS = median(first), median(last)
	}
	rssOK := !math.IsNaN(warmRSS) && warmRSS > 0 && endRSS <= warmRSS*(1+cfg.rssTol)
	gDiff := after.goroutines - idle.goroutines
	gOK := !math.IsNaN(gDiff) && math.Abs(gDiff) <= float64(cfg.goroutTol)
	var gMin, gMax, rMin, rMax float64 = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	var gs []float64
	for _, s := range samples {
		if s.err != "" {
			continue
		}
		gMin, gMax = math.Min(gMin, s.goroutines), math.Max(gMax, s.goroutines)
		rMin, rMax = math.Min(rMin, s.rss), math.Max(rMax, s.rss)
		gs = append(gs, s.goroutines)
	}
	sort.Float64s(gs)
	gMed := math.NaN()
	if len(gs) > 0 {
		gMed = gs[len(gs)/2]
	}
	rssChange := (endRSS/warmRSS - 1) * 100

	md.WriteString("| check | measured | requirement | result |\n| --- | --- | --- | --- |\n")
	fmt.Fprintf(&md, "| 5xx responses | %d | 0 | %s |\n", n5xx, passFail(n5xx == 0))
	fmt.Fprintf(&md, "| failed requests of any kind (non-200, client timeout, transport error, GraphQL `errors`) | %d | 0 | %s |\n", nFail, passFail(nFail == 0))
	fmt.Fprintf(&md, "| server RSS (`process_resident_memory_bytes`), median of the scrapes of the minute after the %s warm-up → of the last minute of the load | %s MiB (%d scrapes) → %s MiB (%d scrapes), %+.1f%% | end ≤ warm-up + %.0f%% | %s |\n",
		cfg.warmup, mib(warmRSS), len(first), mib(endRSS), len(last), rssChange, cfg.rssTol*100, passFail(rssOK))
	fmt.Fprintf(&md, "| `go_goroutines`: idle before the load → during (min / median / max of %d scrapes every %s) → %s after the load stopped | %.0f → %.0f / %.0f / %.0f → %.0f (%+.0f) | after = idle ± %d | %s |\n",
		len(gs), cfg.sample, cfg.settle, idle.goroutines, gMin, gMed, gMax, after.goroutines, gDiff, cfg.goroutTol, passFail(gOK))
	fmt.Fprintf(&md, "\nServer RSS during the load: %s–%s MiB (idle before: %s MiB; %s after: %s MiB).",
		mib(rMin), mib(rMax), mib(idle.rss), cfg.settle, mib(after.rss))
	fmt.Fprintf(&md, " Single scrapes: %s MiB at t=%.0fs after the warm-up, %s MiB at t=%.0fs at the end.",
		mib(warm.rss), warm.at.Seconds(), mib(end.rss), end.at.Seconds())
	if len(firstHeap) > 0 && len(lastHeap) > 0 {
		fmt.Fprintf(&md, " Go heap in use (`go_memstats_heap_inuse_bytes`), medians of the same minutes: %s → %s MiB (%+.1f%%).",
			mib(median(firstHeap)), mib(median(lastHeap)), (median(lastHeap)/median(firstHeap)-1)*100)
	}
	md.WriteString("\n")

	if len(failures) > 0 {
		md.WriteString("\nFailures (endpoint: what, count):\n\n")
		keys := make([]string, 0, len(failures))
		for k := range failures {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return failures[keys[i]] > failures[keys[j]] })
		for i, k := range keys {
			if i == 20 {
				fmt.Fprintf(&md, "- … and %d more kinds\n", len(keys)-20)
				break
			}
			fmt.Fprintf(&md, "- `%s`: %d\n", strings.ReplaceAll(k, "`", "'"), failures[k])
		}
	}
	md.WriteString("\n<details><summary>/metrics over time (t since the load started; one scrape in every 5 s shown)</summary>\n\n| t s | go_goroutines | RSS MiB | heap in use MiB |\n| ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(&md, "| idle | %.0f | %s | %s |\n", idle.goroutines, mib(idle.rss), mib(idle.heap))
	for i, s := range samples {
		if (i+1)%printEvery(cfg) == 0 {
			fmt.Fprintf(&md, "| %.0f | %.0f | %s | %s |\n", s.at.Seconds(), s.goroutines, mib(s.rss), mib(s.heap))
		}
	}
	fmt.Fprintf(&md, "| %.0f (end of load) | %.0f | %s | %s |\n", end.at.Seconds(), end.goroutines, mib(end.rss), mib(end.heap))
	fmt.Fprintf(&md, "| %.0f (%s after) | %.0f | %s | %s |\n\n</details>\n", after.at.Seconds(), cfg.settle, after.goroutines, mib(after.rss), mib(after.heap))

	ok := n5xx == 0 && nFail == 0 && rssOK && gOK
	tx.WriteString("\n")
	tx.WriteString(md.String())
	fmt.Fprintf(&tx, "\nsoak: %s\n", map[bool]string{true: "PASS", false: "FAIL"}[ok])
	return result{text: tx.String(), markdown: md.String(), ok: ok}
}
