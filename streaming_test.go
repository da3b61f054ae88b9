package main

// Streaming of the REST reports through the real HTTP handler, on every
// test database: memory that does not grow with the rows, a client that
// hangs up cancelling the query, and XLSX sheets rolling over.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/export"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
)

const mib = 1 << 20

// wholePeriod is the body of a questions request over a period holding
// every demo question (created from 2025-06-15 to 2026-06-15) and so every
// copy growQuestions makes of them.
func wholePeriod() string {
	return fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms(wholeFrom), ms(wholeTo))
}

const wholeFrom, wholeTo = "2025-01-01T00:00:00Z", "2027-01-01T00:00:00Z"

// copiedQuestionColumns are the columns of table questions, but the id,
// that a copy takes over from its original: its created_at, so it falls in
// the demo's period, and its foreign keys, so they stay valid.
const copiedQuestionColumns = `anonymous, description, created_at, answered_at, answer_description,
	response_minutes, adjusted_response_minutes, reply_description, reply_created_at,
	reply_answer_description, reply_answered_at, answer_rating, answer_understood, answer_comment,
	has_seen_answer, cancelled_at, group_id, discipline_id, subject_id, student_id, teacher_id`

// A copy's id is the UUID nnnnnnnn-0000-4000-0000-kkkkkkkkkkkk, in hex, for
// copy number n of the original ranked k by id: lowercase text of 36
// characters (a uuid in PostgreSQL), with a 0 where every id the seed makes
// has its variant digit (8 to b), which is how an original is told from a
// copy.
const (
	sqliteIsOriginal   = `substr(id, 20, 4) <> '0000'`
	postgresIsOriginal = `substr(id::text, 20, 4) <> '0000'`
)

// copyQuestionsSQL inserts, per dialect in one statement, copies number
// first to last (its two arguments) of every original question.
var copyQuestionsSQL = map[string]string{
	dialect.SQLite: `WITH RECURSIVE copies(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM copies WHERE n < ?)
	INSERT INTO questions (id, ` + copiedQuestionColumns + `)
	SELECT printf('%08x-0000-4000-0000-%012x', copies.n, src.k), ` + copiedQuestionColumns + `
	FROM copies CROSS JOIN (SELECT row_number() OVER (ORDER BY id) AS k, * FROM questions
		WHERE ` + sqliteIsOriginal + `) AS src`,
	dialect.Postgres: `INSERT INTO questions (id, ` + copiedQuestionColumns + `)
	SELECT (lpad(to_hex(copies.n), 8, '0') || '-0000-4000-0000-' || lpad(to_hex(src.k), 12, '0'))::uuid, ` + copiedQuestionColumns + `
	FROM generate_series($1::int, $2::int) AS copies(n) CROSS JOIN (SELECT row_number() OVER (ORDER BY id) AS k, * FROM questions
		WHERE ` + postgresIsOriginal + `) AS src`,
}

// countQuestionsSQL counts, per dialect, all questions and the originals.
var countQuestionsSQL = map[string]string{
	dialect.SQLite:   `SELECT count(*), coalesce(sum(CASE WHEN ` + sqliteIsOriginal + ` THEN 1 ELSE 0 END), 0) FROM questions`,
	dialect.Postgres: `SELECT count(*), coalesce(sum(CASE WHEN ` + postgresIsOriginal + ` THEN 1 ELSE 0 END), 0) FROM questions`,
}

// growQuestions adds whole copies of the original (demo) questions, with
// one set-based INSERT … SELECT, until the table holds at least n
// questions, and returns how many it holds. Called again with a larger n,
// it adds the copies missing.
func growQuestions(t testing.TB, d *db.DB, n int) int {
	t.Helper()
	ctx := context.Background()
	count := func() (total, originals int) {
		if err := d.SQL.QueryRowContext(ctx, countQuestionsSQL[d.Dialect]).Scan(&total, &originals); err != nil {
			t.Fatal(err)
		}
		if originals == 0 {
			t.Fatal("no question to copy: load the demo first")
		}
		return total, originals
	}
	total, originals := count()
	have := total/originals - 1           // copies made so far
	want := (n+originals-1)/originals - 1 // copies needed
	if want <= have {
		return total
	}
	start := time.Now()
	if _, err := d.SQL.ExecContext(ctx, copyQuestionsSQL[d.Dialect], have+1, want); err != nil {
		t.Fatalf("copying questions: %v", err)
	}
	total, _ = count()
	t.Logf("%s: %d questions after copying the %d originals %d more times, in %v",
		d.Dialect, total, originals, want-have, time.Since(start).Round(time.Millisecond))
	return total
}

// stream sends a report request under ctx and returns the response with
// its body still to read, for the caller to consume and close.
func (s *reportServer) stream(t *testing.T, ctx context.Context, path, accept, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); resp.StatusCode != http.StatusOK || mt != accept {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	return resp
}

// csvCounter is an io.Writer that counts the bytes of a CSV document and
// the records they end, keeping none of them. A record ends at a line feed
// outside quotes: cells may hold line breaks, and a doubled quote inside a
// quoted cell toggles the state twice.
type csvCounter struct {
	bytes, records int64
	quoted         bool
}

func (c *csvCounter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	for _, b := range p {
		switch b {
		case '"':
			c.quoted = !c.quoted
		case '\n':
			if !c.quoted {
				c.records++
			}
		}
	}
	return len(p), nil
}

// heapInUse is the memory the Go heap's objects take, live or not yet
// swept, in the whole test process: server, database driver and client.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// measureHeap runs f after a GC and returns the heap in use just before f
// and the highest heapInUse seen while f ran, sampled every 5 ms.
func measureHeap(f func()) (base, peak uint64) {
	runtime.GC()
	base = heapInUse()
	peak = base
	var mu sync.Mutex
	sample := func() {
		v := heapInUse()
		mu.Lock()
		peak = max(peak, v)
		mu.Unlock()
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	func() {
		defer func() { close(stop); <-done }() // even if f fails the test
		f()
	}()
	sample()
	return base, peak
}

// heldRowsBytes measures the heap that holding every row of the questions
// report over wholePeriod would take, held as a handler collecting them
// before encoding them would hold them: the []any rows the encoders are
// given. It holds every tenth row and scales up, and returns that and the
// number of rows.
func heldRowsBytes(t *testing.T, d *db.DB) (held uint64, rows int) {
	t.Helper()
	const every = 10
	from, _ := time.Parse(time.RFC3339, wholeFrom)
	to, _ := time.Parse(time.RFC3339, wholeTo)
	p := &auth.Principal{Name: "held", Scope: auth.ScopeAll, RevealAnonymous: true}
	seq, err := report.Questions(auth.NewContext(context.Background(), p), d, p, report.QuestionsInput{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var kept [][]any
	for row, err := range report.LegacyRows(seq, func(q *report.QuestionRow) []any { return q.Legacy(report.DefaultPortalURL) }) {
		if err != nil {
			t.Fatal(err)
		}
		if rows%every == 0 {
			kept = append(kept, row)
		}
		rows++
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return (after.HeapAlloc - before.HeapAlloc) * uint64(rows) / uint64(len(kept)), rows
}

// TestExportMemoryIsFlat requests the questions report over 50,000 and over
// 200,000 rows, as CSV and as XLSX, reading each response as it streams,
// and samples the heap of the whole process (server, driver and client)
// meanwhile. The CSV export must stay under a fixed bound over ten times
// below what holding the rows would take. The XLSX export cannot be: its
// encoder costs a fixed ~60 MiB (excelize buffers 16 MiB of sheet XML,
// growing by doubling); it must stay under a bound of its own and take
// about as much at 200,000 rows as at 50,000.
func TestExportMemoryIsFlat(t *testing.T) {
	// Not parallel: it samples the heap of the whole process, and sets
	// TMPDIR.
	slow(t, "grows the demo to 200,000 questions and exports them four times")
	// Bounds on the peak heap above the baseline, about twice what was
	// measured (see the log).
	const (
		csvBound  = 20 * mib
		xlsxBound = 128 * mib
	)
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		t.Setenv("TMPDIR", t.TempDir()) // where excelize keeps sheet XML over 16 MiB
		s := newReportServer(t, d, Config{})

		// peak[format][size] is the peak heap above the baseline.
		peak := map[string]map[int]uint64{"csv": {}, "xlsx": {}}
		var csvBody csvCounter // of the largest CSV export
		for _, size := range []int{50_000, 200_000} {
			total := growQuestions(t, d, size)
			for _, f := range []struct{ name, accept string }{{"csv", "text/csv"}, {"xlsx", xlsxType}} {
				var body csvCounter // counts bytes of any format, records of CSV
				start := time.Now()
				base, top := measureHeap(func() {
					resp := s.stream(t, context.Background(), "/reports/questions", f.accept, wholePeriod())
					defer resp.Body.Close()
					if _, err := io.Copy(&body, resp.Body); err != nil {
						t.Fatalf("reading the %s export: %v", f.name, err)
					}
				})
				peak[f.name][size] = top - base
				t.Logf("%s, %d questions: %.1f MiB in %v; heap peak %.1f MiB above a %.1f MiB baseline",
					f.name, total, float64(body.bytes)/mib, time.Since(start).Round(time.Millisecond),
					float64(top-base)/mib, float64(base)/mib)
				if f.name == "csv" {
					if rows := int(body.records) - 1; rows != total {
						t.Fatalf("the CSV has %d rows, want %d", rows, total)
					}
					csvBody = body
				}
			}
		}

		held, rows := heldRowsBytes(t, d)
		csvPeak, xlsxPeak := peak["csv"][200_000], peak["xlsx"][200_000]
		t.Logf("holding the %d rows would take %.0f MiB as []any rows (%.0f MiB as CSV text); "+
			"the CSV export peaked %.1fx below that (bound %d MiB, %.1fx below), the XLSX export %.1fx below (bound %d MiB)",
			rows, float64(held)/mib, float64(csvBody.bytes)/mib, float64(held)/float64(csvPeak), csvBound/mib,
			float64(held)/csvBound, float64(held)/float64(xlsxPeak), xlsxBound/mib)
		if csvBound*10 > held {
			t.Fatalf("the CSV bound is not ten times below the %.0f MiB of holding the rows: the test would prove nothing", float64(held)/mib)
		}
		for _, size := range []int{50_000, 200_000} {
			if p := peak["csv"][size]; p > csvBound {
				t.Errorf("CSV export of %d rows: heap peak %.1f MiB, want at most %d MiB", size, float64(p)/mib, csvBound/mib)
			}
			if p := peak["xlsx"][size]; p > xlsxBound {
				t.Errorf("XLSX export of %d rows: heap peak %.1f MiB, want at most %d MiB", size, float64(p)/mib, xlsxBound/mib)
			}
		}
		small, large := peak["xlsx"][50_000], peak["xlsx"][200_000]
		if diff := max(small, large) - min(small, large); diff*4 >= min(small, large) {
			t.Errorf("XLSX heap peak went from %.1f MiB at 50,000 rows to %.1f MiB at 200,000: over 25%% apart",
				float64(small)/mib, float64(large)/mib)
		}
	})
}

// waitFor polls cond every 20 ms until it holds, failing the test if it
// still does not after limit: a bounded wait, not a timing requirement.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
	}
}

// logEntries returns the server's log entries with message msg.
func (s *reportServer) logEntries(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var found []map[string]any
	for line := range strings.Lines(s.logs.String()) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e["msg"] == msg {
			found = append(found, e)
		}
	}
	return found
}

// activeReportQueries counts the questions report queries PostgreSQL is
// running on d's database, the query counting them aside.
func activeReportQueries(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	err := d.SQL.QueryRow(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state = 'active'
		AND query LIKE '%FROM questions q%' AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// rawRequest sends a report request on a TCP connection of its own,
// written by hand so that the test controls the socket, and returns the
// connection and the response, its body still to read.
func (s *reportServer) rawRequest(t *testing.T, path, accept, body string) (*net.TCPConn, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Accept", accept)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	return conn.(*net.TCPConn), resp
}

// TestClientDisconnectCancelsQuery starts CSV exports too large to finish
// at once, hangs up after their first few KiB, and waits for the server to
// log that the report was cancelled by the client; on PostgreSQL the report
// query must then be gone as well.
//
// A client that cancels its request closes the connection, so the server
// learns of it twice at once: its request context is cancelled, and its
// next write fails. Which error the handler meets first is a race, so for
// that case either is accepted. A client that only shuts down its sending
// side (a TCP half-close) also ends the request context, but keeps reading
// everything the server writes: then the export can only stop because the
// context error reached the row iterator, and that error must be the one
// logged.
func TestClientDisconnectCancelsQuery(t *testing.T) {
	t.Parallel()
	const cancelled = "report cancelled by the client"
	tests := []struct {
		name string
		// start sends the CSV request and returns its response and a
		// function that hangs up.
		start func(t *testing.T, s *reportServer) (*http.Response, func())
		// onlyContext says the logged error must be the context's.
		onlyContext bool
	}{
		{"cancel", func(t *testing.T, s *reportServer) (*http.Response, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			resp := s.stream(t, ctx, "/reports/questions", "text/csv", wholePeriod())
			return resp, func() {
				cancel()
				resp.Body.Close()
			}
		}, false},
		{"half-close", func(t *testing.T, s *reportServer) (*http.Response, func()) {
			conn, resp := s.rawRequest(t, "/reports/questions", "text/csv", wholePeriod())
			return resp, func() {
				if err := conn.CloseWrite(); err != nil {
					t.Fatal(err)
				}
				// Read on until the server ends the response; the
				// deadline bounds the wait should it never stop.
				conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				var rest csvCounter
				_, err := io.Copy(&rest, resp.Body)
				resp.Body.Close()
				if err == nil {
					t.Errorf("after the half-close the client read %d bytes more, and the cut-short response ended cleanly, like a complete file", rest.bytes)
				} else {
					t.Logf("after the half-close the client read %d bytes more, then %v", rest.bytes, err)
				}
			}
		}, true},
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		growQuestions(t, d, 50_000)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				logged := len(s.logEntries(t, cancelled))
				resp, hangUp := tt.start(t, s)
				if _, err := io.ReadFull(resp.Body, make([]byte, 4<<10)); err != nil {
					t.Fatal(err)
				}
				if d.Dialect == dialect.Postgres {
					// The client no longer reads, so the query cannot be done.
					waitFor(t, 10*time.Second, "the report query to show in pg_stat_activity", func() bool {
						return activeReportQueries(t, d) == 1
					})
				}
				hangUp()

				waitFor(t, 10*time.Second, "the server to log "+cancelled, func() bool {
					return len(s.logEntries(t, cancelled)) > logged
				})
				entries := s.logEntries(t, cancelled)
				if len(entries) != logged+1 {
					t.Fatalf("logged %v, want one more entry", entries[logged:])
				}
				err, _ := entries[logged]["err"].(string)
				t.Logf("logged %q with err %q", cancelled, err)
				wroteToGoneClient := strings.Contains(err, "broken pipe") || strings.Contains(err, "connection reset by peer")
				if err != context.Canceled.Error() && (tt.onlyContext || !wroteToGoneClient) {
					t.Errorf("logged err %q, want %q", err, context.Canceled)
				}
				if d.Dialect == dialect.Postgres {
					waitFor(t, 10*time.Second, "the report query to end in PostgreSQL", func() bool {
						return activeReportQueries(t, d) == 0
					})
				}
				// The server's pool gets its connection back.
				waitFor(t, 10*time.Second, "the pool's connections to be free", func() bool {
					return d.SQL.Stats().InUse == 0
				})
			})
		}
	})
}

// TestXLSXRollover exports a period of over 100 questions (169 in the
// demo) as XLSX with 50 rows per sheet: the rows continue on
// "Perguntas (2)", "Perguntas (3)", …, each sheet beginning with the header
// row, and hold the JSON report's questions in its order.
func TestXLSXRollover(t *testing.T) {
	t.Parallel()
	const maxRows = 50
	body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms("2026-05-25T00:00:00Z"), ms("2026-06-15T15:00:00Z"))
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{xlsxMaxRows: maxRows})

		resp, raw := s.post(t, "/reports/questions", s.token, "", body)
		if resp.StatusCode != 200 {
			t.Fatalf("JSON: status %d: %s", resp.StatusCode, raw)
		}
		var rows []struct {
			QuestionID string `json:"question_id"`
		}
		if err := json.Unmarshal(raw, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) <= 2*maxRows {
			t.Fatalf("the period has %d questions, want over %d to fill several sheets", len(rows), 2*maxRows)
		}

		resp, raw = s.post(t, "/reports/questions", s.token, xlsxType, body)
		if resp.StatusCode != 200 {
			t.Fatalf("XLSX: status %d: %s", resp.StatusCode, raw)
		}
		f, err := excelize.OpenReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()

		header := make([]string, len(export.QuestionColumns))
		for i, c := range export.QuestionColumns {
			header[i] = c.SheetHeader()
		}
		perSheet := maxRows - 1
		sheets := f.GetSheetList()
		if want := (len(rows) + perSheet - 1) / perSheet; len(sheets) != want {
			t.Fatalf("%d sheets %q, want %d", len(sheets), sheets, want)
		}
		var ids []string // first cells of the data rows, sheet after sheet
		for i, sheet := range sheets {
			want := "Perguntas"
			if i > 0 {
				want = fmt.Sprintf("Perguntas (%d)", i+1)
			}
			if sheet != want {
				t.Errorf("sheet %d is %q, want %q", i+1, sheet, want)
			}
			cells, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if len(cells) == 0 || !slices.Equal(cells[0], header) {
				t.Fatalf("sheet %q does not begin with the header row: %.200q", sheet, cells)
			}
			if last := i == len(sheets)-1; len(cells) > maxRows || !last && len(cells) != maxRows {
				t.Errorf("sheet %q has %d rows, want %d", sheet, len(cells), maxRows)
			}
			for _, r := range cells[1:] {
				ids = append(ids, at(r, 0))
			}
		}
		if len(ids) != len(rows) {
			t.Fatalf("the sheets hold %d data rows, the JSON report %d", len(ids), len(rows))
		}
		for i, r := range rows {
			if ids[i] != r.QuestionID {
				t.Fatalf("data row %d is question %s, JSON row %d question %s", i+1, ids[i], i+1, r.QuestionID)
			}
		}
		t.Logf("%d questions on %d sheets of at most %d rows", len(rows), len(sheets), maxRows)
	})
}
