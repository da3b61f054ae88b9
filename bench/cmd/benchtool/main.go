// Command benchtool is the measuring half of bench/run.sh: it times one
// request to the server (sampling the server's RSS meanwhile), one baseline
// command, or the excelize StreamWriter baseline; compares two CSV files
// record by record; and turns the raw measurements into bench/RESULTS.md.
//
//	benchtool http -url U -token T [-accept A] [-body B] [-pid P] [-out F]
//	benchtool async -url U -token T [-accept A] [-body B] [-pid P] [-out F] [-piece N]
//	benchtool cmd [-out F] -- prog args...
//	benchtool xlsxbase -csv F
//	benchtool sqlitefloor -db F -sql F
//	benchtool csvcmp A B
//	benchtool summarize -raw raw.tsv -cases cases.tsv -extra extra.tsv -meta meta.txt -out RESULTS.md -plot plot.dat
//
// The measuring subcommands print one line: wall seconds, bytes, peak RSS
// in KiB (of the server for http and async, of the child for cmd, of
// itself for xlsxbase and sqlitefloor) and, for http and async, the
// status; async adds the seconds until the export was done.
package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/db"
)

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: benchtool http|async|cmd|xlsxbase|sqlitefloor|csvcmp|summarize ...")
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "http":
		doHTTP(args)
	case "async":
		doAsync(args)
	case "cmd":
		doCmd(args)
	case "xlsxbase":
		doXLSX(args)
	case "sqlitefloor":
		doSQLiteFloor(args)
	case "csvcmp":
		doCSVCmp(args)
	case "summarize":
		doSummarize(args)
	default:
		fatalf("unknown subcommand %q", os.Args[1])
	}
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "benchtool: "+format+"\n", a...)
	os.Exit(1)
}

// vmRSS returns VmRSS of pid in KiB, or -1.
func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return -1
}

// sampler records the peak VmRSS of pid every 50 ms until stopped.
func sampler(pid int) (stop func() int64) {
	if pid <= 0 {
		return func() int64 { return -1 }
	}
	var peak atomic.Int64
	peak.Store(vmRSS(pid))
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := vmRSS(pid); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		if v := vmRSS(pid); v > peak.Load() {
			peak.Store(v)
		}
		return peak.Load()
	}
}

func output(path string) (io.Writer, func()) {
	if path == "" {
		return io.Discard, func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fatalf("%v", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return bw, func() { bw.Flush(); f.Close() }
}

// requestFlags are the flags of the timed requests, http and async.
type requestFlags struct {
	url, token, accept, body, out *string
	pid                           *int
}

func newRequestFlags(fs *flag.FlagSet) requestFlags {
	return requestFlags{
		url:    fs.String("url", "", "URL to POST to"),
		token:  fs.String("token", "", "bearer token"),
		accept: fs.String("accept", "application/json", "Accept header"),
		body:   fs.String("body", "{}", "JSON request body"),
		pid:    fs.Int("pid", 0, "server PID whose VmRSS to sample"),
		out:    fs.String("out", "", "file to save the body or the export's file to (default: discard)"),
	}
}

func doHTTP(args []string) {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	f := newRequestFlags(fs)
	url, token, accept, body, pid, out := f.url, f.token, f.accept, f.body, f.pid, f.out
	_ = fs.Parse(args)
	w, closeOut := output(*out)
	stop := sampler(*pid)
	start := time.Now()
	resp, err := client.Do(request(http.MethodPost, *url, *token, *body, "Content-Type", "application/json", "Accept", *accept))
	if err != nil {
		stop()
		fatalf("%v", err)
	}
	n, err := io.Copy(w, resp.Body)
	resp.Body.Close()
	wall := time.Since(start)
	peak := stop()
	closeOut()
	if err != nil {
		fatalf("reading body: %v", err)
	}
	fmt.Printf("%.4f\t%d\t%d\t%d\n", wall.Seconds(), n, peak, resp.StatusCode)
	if resp.StatusCode != http.StatusOK {
		os.Exit(2)
	}
}

// doAsync times an asynchronous export (docs/exports.md) from the ask to
// the last byte of its file: POST with Prefer: respond-async, poll its
// Location every 200 ms until it is done, then download the file in
// pieces of -piece bytes with Range (0: whole).
func doAsync(args []string) {
	fs := flag.NewFlagSet("async", flag.ExitOnError)
	f := newRequestFlags(fs)
	url, token, accept, body, pid, out := f.url, f.token, f.accept, f.body, f.pid, f.out
	piece := fs.Int64("piece", 0, "download in pieces of this many bytes (0: whole)")
	_ = fs.Parse(args)
	base := *url
	if i := strings.Index(base, "://"); i >= 0 {
		if j := strings.Index(base[i+3:], "/"); j >= 0 {
			base = base[:i+3+j]
		}
	}
	send := func(method, url, body string, header ...string) *http.Response {
		resp, err := client.Do(request(method, url, *token, body, header...))
		if err != nil {
			fatalf("%v", err)
		}
		return resp
	}
	w, closeOut := output(*out)
	stop := sampler(*pid)
	start := time.Now()
	resp := send(http.MethodPost, *url, *body, "Content-Type", "application/json", "Accept", *accept, "Prefer", "respond-async")
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusAccepted || loc == "" {
		stop()
		fatalf("ask: %d, Location %q", resp.StatusCode, loc)
	}
	var st struct {
		State, File, Reason string
		Size                int64
	}
	for {
		resp := send(http.MethodGet, base+loc, "")
		err := json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil || st.State == "failed" {
			stop()
			fatalf("export %s: %v %s", loc, err, st.Reason)
		}
		if st.State == "done" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	done := time.Since(start)
	var n int64
	status := http.StatusOK
	step := *piece
	if step <= 0 {
		step = st.Size
	}
	for off := int64(0); off < st.Size; off += step {
		resp := send(http.MethodGet, base+st.File, "", "Range", fmt.Sprintf("bytes=%d-%d", off, min(off+step, st.Size)-1))
		k, err := io.Copy(w, resp.Body)
		resp.Body.Close()
		if err != nil || (resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent) {
			stop()
			fatalf("file %s at %d: %d, %v", st.File, off, resp.StatusCode, err)
		}
		n += k
	}
	wall := time.Since(start)
	peak := stop()
	closeOut()
	if n != st.Size {
		status = http.StatusInternalServerError
	}
	fmt.Printf("%.4f\t%d\t%d\t%d\t%.4f\n", wall.Seconds(), n, peak, status, done.Seconds())
	if status != http.StatusOK {
		os.Exit(2)
	}
}

// client is the HTTP client of the measurements: no compression, so that
// the bytes counted are the bytes the server wrote.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// request returns a request with the bearer token and the headers (name,
// value, name, value…).
func request(method, url, token, body string, header ...string) *http.Request {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		fatalf("%v", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

func doCmd(args []string) {
	fs := flag.NewFlagSet("cmd", flag.ExitOnError)
	out := fs.String("out", "", "file to save stdout to (default: discard)")
	_ = fs.Parse(args)
	rest := fs.Args()
	if len(rest) == 0 {
		fatalf("cmd: nothing to run")
	}
	w, closeOut := output(*out)
	cw := &countWriter{w: w}
	c := exec.Command(rest[0], rest[1:]...)
	c.Stdout, c.Stderr = cw, os.Stderr
	start := time.Now()
	err := c.Run()
	wall := time.Since(start)
	closeOut()
	if err != nil {
		fatalf("%v: %v", rest, err)
	}
	var maxrss int64 = -1
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = ru.Maxrss
	}
	fmt.Printf("%.4f\t%d\t%d\t200\n", wall.Seconds(), cw.n, maxrss)
}

// doXLSX loads a CSV (header and records) into memory, then times writing
// it as one sheet through excelize's StreamWriter, the baseline of the
// XLSX export: the rows are in memory, so only the encoding is measured.
func doXLSX(args []string) {
	fs := flag.NewFlagSet("xlsxbase", flag.ExitOnError)
	path := fs.String("csv", "", "CSV file whose records to write")
	_ = fs.Parse(args)
	f, err := os.Open(*path)
	if err != nil {
		fatalf("%v", err)
	}
	records, err := csv.NewReader(bufio.NewReader(f)).ReadAll()
	f.Close()
	if err != nil {
		fatalf("%s: %v", *path, err)
	}
	start := time.Now()
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		fatalf("%v", err)
	}
	// A sheet holds excelize.TotalRows rows; past them the records go on
	// to a new sheet, after the header again, as the server does.
	row, sheetRow, sheets := []any{}, 0, 1
	setRow := func(rec []string) {
		row = row[:0]
		for _, v := range rec {
			row = append(row, v)
		}
		sheetRow++
		cell, _ := excelize.CoordinatesToCellName(1, sheetRow)
		if err := sw.SetRow(cell, row); err != nil {
			fatalf("%v", err)
		}
	}
	for i, rec := range records {
		if i > 0 && sheetRow == excelize.TotalRows {
			if err := sw.Flush(); err != nil {
				fatalf("%v", err)
			}
			sheets++
			name := fmt.Sprintf("Sheet%d", sheets)
			if _, err := x.NewSheet(name); err != nil {
				fatalf("%v", err)
			}
			if sw, err = x.NewStreamWriter(name); err != nil {
				fatalf("%v", err)
			}
			sheetRow = 0
			setRow(records[0])
		}
		setRow(rec)
	}
	if err := sw.Flush(); err != nil {
		fatalf("%v", err)
	}
	cw := &countWriter{w: io.Discard}
	if _, err := x.WriteTo(cw); err != nil {
		fatalf("%v", err)
	}
	wall := time.Since(start)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%.4f\t%d\t%d\t200\n", wall.Seconds(), cw.n, ru.Maxrss)
}

// doSQLiteFloor times the server's SQLite driver (modernc.org/sqlite, as
// package db opens it) running a baseline's own SQL and discarding the rows
// as raw bytes: no typed scan, no encoding, no HTTP. It is the least any
// report served from SQLite can take, to set beside the sqlite3 CLI.
func doSQLiteFloor(args []string) {
	fs := flag.NewFlagSet("sqlitefloor", flag.ExitOnError)
	path := fs.String("db", "", "SQLite file")
	sqlPath := fs.String("sql", "", "file holding one SELECT")
	_ = fs.Parse(args)
	query, err := os.ReadFile(*sqlPath)
	if err != nil {
		fatalf("%v", err)
	}
	d, err := db.Open(*path)
	if err != nil {
		fatalf("%v", err)
	}
	defer d.Close()
	start := time.Now()
	rs, err := d.SQL.Query(string(query))
	if err != nil {
		fatalf("%v", err)
	}
	cols, err := rs.Columns()
	if err != nil {
		fatalf("%v", err)
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(sql.RawBytes)
	}
	var n int64
	for rs.Next() {
		if err := rs.Scan(dest...); err != nil {
			fatalf("%v", err)
		}
		for _, v := range dest {
			n += int64(len(*v.(*sql.RawBytes)))
		}
	}
	if err := rs.Err(); err != nil {
		fatalf("%v", err)
	}
	rs.Close()
	wall := time.Since(start)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("%.4f\t%d\t%d\t200\n", wall.Seconds(), n, ru.Maxrss)
}

// doCSVCmp compares two CSV files record by record and prints the counts,
// the number of equal records in the same position, and the first
// difference.
func doCSVCmp(args []string) {
	if len(args) != 2 {
		fatalf("csvcmp A B")
	}
	read := func(p string) [][]string {
		f, err := os.Open(p)
		if err != nil {
			fatalf("%v", err)
		}
		defer f.Close()
		r := csv.NewReader(bufio.NewReader(f))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			fatalf("%s: %v", p, err)
		}
		return recs
	}
	a, b := read(args[0]), read(args[1])
	equal, first := 0, ""
	for i := 0; i < len(a) && i < len(b); i++ {
		if strings.Join(a[i], "\x1f") == strings.Join(b[i], "\x1f") {
			equal++
		} else if first == "" {
			for j := 0; j < len(a[i]) && j < len(b[i]); j++ {
				if a[i][j] != b[i][j] {
					first = fmt.Sprintf("record %d column %d: %q vs %q", i, j, trunc(a[i][j]), trunc(b[i][j]))
					break
				}
			}
			if first == "" {
				first = fmt.Sprintf("record %d: %d vs %d fields", i, len(a[i]), len(b[i]))
			}
		}
	}
	fmt.Printf("records\t%d\t%d\tequal\t%d\tfirst_diff\t%s\n", len(a), len(b), equal, first)
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// --- summarize ---------------------------------------------------------

type sample struct{ wall, bytes, rss float64 }

type caseDef struct {
	id, what, baseline string
	target             float64 // ratio target; 0: none
	rows               int64
}

func readTSV(path string) [][]string {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		fatalf("%v", err)
	}
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, "\t"))
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		if x > m {
			m = x
		}
	}
	return m
}

func atof(s string) float64 { f, _ := strconv.ParseFloat(strings.TrimSpace(s), 64); return f }

func doSummarize(args []string) {
	fs := flag.NewFlagSet("summarize", flag.ExitOnError)
	raw := fs.String("raw", "", "raw measurements: case kind iter wall bytes rss status")
	cases := fs.String("cases", "", "cases: id target rows what baseline")
	extra := fs.String("extra", "", "extra rows for the table: what measured target pass")
	meta := fs.String("meta", "", "markdown to put before the table")
	tail := fs.String("tail", "", "markdown to put after the table")
	out := fs.String("out", "RESULTS.md", "output")
	plot := fs.String("plot", "", "gnuplot data of the cases whose id starts with scan_: rows, median s, peak MiB")
	_ = fs.Parse(args)

	samples := map[string]map[string][]sample{}
	for _, r := range readTSV(*raw) {
		if len(r) < 6 {
			continue
		}
		id, kind := r[0], r[1]
		if samples[id] == nil {
			samples[id] = map[string][]sample{}
		}
		samples[id][kind] = append(samples[id][kind], sample{atof(r[3]), atof(r[4]), atof(r[5])})
	}
	var defs []caseDef
	for _, r := range readTSV(*cases) {
		if len(r) < 5 {
			continue
		}
		rows, _ := strconv.ParseInt(r[2], 10, 64)
		defs = append(defs, caseDef{id: r[0], target: atof(r[1]), rows: rows, what: r[3], baseline: r[4]})
	}

	var md bytes.Buffer
	if *meta != "" {
		b, err := os.ReadFile(*meta)
		if err != nil {
			fatalf("%v", err)
		}
		md.Write(b)
	}
	md.WriteString("\n## Time: ours vs baseline (medians)\n\n")
	md.WriteString("| case | rows | ours median s | baseline median s | ratio | target | result | ours peak RSS MiB | ours bytes | baseline bytes | runs |\n")
	md.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |\n")
	var plotData bytes.Buffer
	for _, d := range defs {
		s := samples[d.id]
		var ow, bw, orss, ob, bb []float64
		for _, x := range s["ours"] {
			ow, orss, ob = append(ow, x.wall), append(orss, x.rss/1024), append(ob, x.bytes)
		}
		for _, x := range s["base"] {
			bw, bb = append(bw, x.wall), append(bb, x.bytes)
		}
		mo, mb := median(ow), median(bw)
		ratio, result, target := "–", "–", "–"
		if len(ow) > 0 && len(bw) > 0 && mb > 0 {
			ratio = fmt.Sprintf("%.2f×", mo/mb)
			if d.target > 0 {
				target = fmt.Sprintf("≤ %.1f×", d.target)
				if mo/mb <= d.target {
					result = "**pass**"
				} else {
					result = "**FAIL**"
				}
			}
		}
		if len(ow) == 0 {
			result = "not run"
		}
		bstr := "–"
		if len(bw) > 0 {
			bstr = fmt.Sprintf("%.3f", mb)
		}
		fmt.Fprintf(&md, "| %s: %s<br>baseline: %s | %d | %.3f | %s | %s | %s | %s | %.1f | %.0f | %.0f | %d/%d |\n",
			d.id, d.what, d.baseline, d.rows, mo, bstr, ratio, target, result, maxOf(orss), median(ob), median(bb), len(ow), len(bw))
		if (strings.HasPrefix(d.id, "scan_") || d.id == "q_csv_pg") && len(ow) > 0 {
			fmt.Fprintf(&plotData, "%d\t%.4f\t%.1f\t%.4f\n", d.rows, mo, maxOf(orss), mb)
		}
	}
	if ex := readTSV(*extra); len(ex) > 0 {
		md.WriteString("\n## Memory, load and plans\n\n| check | measured | target | result |\n| --- | --- | --- | --- |\n")
		for _, r := range ex {
			for len(r) < 4 {
				r = append(r, "")
			}
			fmt.Fprintf(&md, "| %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3])
		}
	}
	if *tail != "" {
		b, err := os.ReadFile(*tail)
		if err == nil {
			md.WriteString("\n")
			md.Write(b)
		}
	}
	if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
		fatalf("%v", err)
	}
	if *plot != "" {
		// sorted by rows for the chart
		lines := strings.Split(strings.TrimSpace(plotData.String()), "\n")
		sort.Slice(lines, func(i, j int) bool {
			a, _ := strconv.ParseInt(strings.SplitN(lines[i], "\t", 2)[0], 10, 64)
			b, _ := strconv.ParseInt(strings.SplitN(lines[j], "\t", 2)[0], 10, 64)
			return a < b
		})
		if err := os.WriteFile(*plot, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			fatalf("%v", err)
		}
	}
}
