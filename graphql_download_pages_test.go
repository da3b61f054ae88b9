package main

// GraphQL downloads of connections hold every row their arguments select,
// read page by page on the server: the same rows as paging by hand through
// the JSON API, for any token, streamed with their count.

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/xuri/excelize/v2"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/graph"
	"github.com/stift/stift-reports/internal/testdb"
)

// byHand pages through query as a client would, in pages of size rows
// through the JSON API, and returns each row's cells at paths (as the CSV
// download writes them) and each row's cursor. query takes $first and
// $after and selects edges { cursor node { … } } and pageInfo under conn.
func (s *reportServer) byHand(t *testing.T, token, query, conn string, size int, paths []string) (rows [][]string, cursors []string) {
	t.Helper()
	var after any
	for page := 0; ; page++ {
		if page > 10_000 {
			t.Fatal("no last page")
		}
		var data map[string]struct {
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct {
				Cursor string
				Node   map[string]any
			}
		}
		if errs := s.gql(t, token, query, map[string]any{"first": size, "after": after}, &data); len(errs) > 0 {
			t.Fatalf("page %d: %v", page, errs)
		}
		c := data[conn]
		for _, e := range c.Edges {
			row := make([]string, len(paths))
			for i, p := range paths {
				row[i] = csvText(pathValue(e.Node, p))
			}
			rows, cursors = append(rows, row), append(cursors, e.Cursor)
		}
		if !c.PageInfo.HasNextPage {
			return rows, cursors
		}
		after = c.PageInfo.EndCursor
	}
}

// pathValue is the value at the dotted path under v; nil when an object
// along it is null.
func pathValue(v any, path string) any {
	for key := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

// csvText is a JSON value as a download's CSV cell shows it.
func csvText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			return "'" + v // neutralised, as a formula would be
		}
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// download sends a GraphQL download of query and returns its status, its
// headers, its trailers and its body.
func (s *reportServer) download(t *testing.T, token, accept, query string, vars map[string]any) (int, http.Header, http.Header, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the download: %v", err)
	}
	return resp.StatusCode, resp.Header, resp.Trailer, string(raw)
}

// csvDownload sends a CSV download of query, which must succeed, and
// returns its header row, its rows and the row count of its trailer.
func (s *reportServer) csvDownload(t *testing.T, token, query string, vars map[string]any) (header []string, rows [][]string, count string) {
	t.Helper()
	status, _, trailer, body := s.download(t, token, "text/csv", query, vars)
	if status != http.StatusOK {
		t.Fatalf("CSV download: %d %.300s", status, body)
	}
	all, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return all[0], all[1:], trailer.Get("X-Row-Count")
}

// TestGraphQLDownloadEveryRow: a download of a connection holds every row
// its arguments select, identical to paging by hand through the JSON API,
// read by the server in pages (of 7 rows here, so that a download takes
// many) for any token, privacy included: a token limited to one school,
// that may not reveal anonymous askers, sees its own rows and masks. first
// is the most rows the download holds, however many (over a page's 1000
// too); after the cursor it starts after. The response counts its rows:
// a trailer of CSV, a header of XLSX.
func TestGraphQLDownloadEveryRow(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{downloadPageSize: 7})
		ctx := auth.SystemContext(context.Background())
		first := d.Client.School.Query().Order(ent.Asc(school.FieldName)).FirstX(ctx)
		narrow := s.newToken(t, auth.TokenSpec{Name: "one school", Schools: []gid.SchoolID{first.ID}})

		const period = `{from: "2026-05-25T00:00:00Z", to: "2026-06-15T15:00:00Z"}`
		for _, tc := range []struct {
			name, conn, query string
			paths             []string
		}{
			{"report connection", "questionsReport", `query($first: Int, $after: Cursor) {
				questionsReport(input: ` + period + `, first: $first, after: $after) {
				totalCount pageInfo { hasNextPage endCursor }
				edges { cursor node { question { id } createdAt statusLabel student { email } school { name } discipline { name } } } } }`,
				[]string{"question.id", "createdAt", "statusLabel", "student.email", "school.name", "discipline.name"}},
			{"ent connection", "questions", `query($first: Int, $after: Cursor) {
				questions(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: DESC},
				  where: {createdAtGTE: "2026-05-25T00:00:00Z", createdAtLTE: "2026-06-15T15:00:00Z"}) {
				pageInfo { hasNextPage endCursor }
				edges { cursor node { id createdAt anonymous student { email } group { school { name } } } } } }`,
				[]string{"id", "createdAt", "anonymous", "student.email", "group.school.name"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				all, cursors := s.byHand(t, s.token, tc.query, tc.conn, 50, tc.paths)
				if len(all) < 100 {
					t.Fatalf("only %d rows: the download would read few pages", len(all))
				}

				// Everything, no first.
				header, rows, count := s.csvDownload(t, s.token, tc.query, nil)
				if !slices.Equal(header, tc.paths) {
					t.Errorf("header %q, want %q", header, tc.paths)
				}
				if !slices.EqualFunc(rows, all, slices.Equal) {
					t.Fatalf("the download's %d rows differ from the %d read by hand", len(rows), len(all))
				}
				if count != strconv.Itoa(len(all)) {
					t.Errorf("X-Row-Count trailer %q, want %d", count, len(all))
				}

				// XLSX: the same rows, counted in a header.
				status, h, _, body := s.download(t, s.token, xlsxType, tc.query, nil)
				if status != http.StatusOK || h.Get("X-Row-Count") != strconv.Itoa(len(all)) {
					t.Fatalf("XLSX: %d, X-Row-Count %q, want %d", status, h.Get("X-Row-Count"), len(all))
				}
				f, err := excelize.OpenReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				sheet, err := f.GetRows(f.GetSheetList()[0])
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				if len(sheet) != len(all)+1 {
					t.Fatalf("XLSX: %d rows, want %d", len(sheet)-1, len(all))
				}
				for i, row := range all {
					if at(sheet[i+1], 0) != row[0] {
						t.Fatalf("XLSX row %d: %q, want %q", i+2, at(sheet[i+1], 0), row[0])
					}
				}

				// first caps the rows, after starts them.
				for _, c := range []struct {
					vars     map[string]any
					from, to int
				}{
					{map[string]any{"first": 30}, 0, 30},
					{map[string]any{"first": 0}, 0, 0},
					{map[string]any{"first": 5000}, 0, len(all)},
					{map[string]any{"after": cursors[9]}, 10, len(all)},
					{map[string]any{"first": 15, "after": cursors[19]}, 20, 35},
				} {
					_, rows, count := s.csvDownload(t, s.token, tc.query, c.vars)
					if !slices.EqualFunc(rows, all[c.from:c.to], slices.Equal) || count != strconv.Itoa(c.to-c.from) {
						t.Errorf("%v: %d rows (X-Row-Count %q), want rows %d to %d of the whole", c.vars, len(rows), count, c.from, c.to)
					}
				}

				// A token limited to one school: its own rows, its own
				// masks, as it pages them by hand.
				mine, _ := s.byHand(t, narrow, tc.query, tc.conn, 50, tc.paths)
				_, rows, count = s.csvDownload(t, narrow, tc.query, nil)
				if !slices.EqualFunc(rows, mine, slices.Equal) || count != strconv.Itoa(len(mine)) {
					t.Fatalf("one school: %d rows, want the %d it pages by hand", len(rows), len(mine))
				}
				schoolCol := len(tc.paths) - 1 - btoi(tc.conn == "questionsReport")
				masked, revealed := 0, 0
				for _, row := range rows {
					if row[schoolCol] != first.Name {
						t.Fatalf("one school's download holds a row of %q", row[schoolCol])
					}
					if row[3] == "" {
						masked++
					}
				}
				for _, row := range all {
					if row[schoolCol] == first.Name && row[3] == "" {
						revealed++
					}
				}
				if len(mine) == 0 || len(mine) >= len(all) || masked <= revealed {
					t.Errorf("one school: %d of %d rows, %d students masked (%d for a token that reveals): the test proves nothing",
						len(mine), len(all), masked, revealed)
				}
			})
		}
		s.noErrorLogs(t)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestGraphQLDownloadPagesRefused: what a download of a connection refuses,
// as the client's mistakes (BAD_USER_INPUT, nothing logged at ERROR):
// reading backwards, a negative first, a cursor not made for it.
func TestGraphQLDownloadPagesRefused(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startHostileServer(t, d, Config{downloadPageSize: 7}, true)
		const node = `edges { node { id } } } }`
		for _, tc := range []struct{ name, query, want string }{
			{"last", `{ questions(last: 10) { ` + node, "not last"},
			{"before", `{ questions(first: 10, before: "gqFp2SQwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA") { ` + node, "not before"},
			{"negative first", `{ questions(first: -1) { ` + node, "first must be 0 or more"},
			{"an ent connection's bad cursor", `{ questions(after: "not a cursor") { ` + node, "Invalid cursor"},
			{"a report's bad cursor", `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}, after: "gqFp2SQwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA") { edges { node { createdAt } } } }`, "Invalid cursor"},
		} {
			for _, accept := range []string{"text/csv", xlsxType} {
				status, h, _, body := s.download(t, s.token, accept, tc.query, nil)
				var r struct {
					Errors []struct {
						Message    string
						Extensions struct{ Code string }
					}
				}
				if err := json.Unmarshal([]byte(body), &r); err != nil || status != http.StatusOK || len(r.Errors) != 1 ||
					r.Errors[0].Extensions.Code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tc.want) {
					t.Errorf("%s as %s: %d %q %.300s; want BAD_USER_INPUT saying %q", tc.name, accept, status, h.Get("Content-Type"), body, tc.want)
				}
			}
		}
		s.noErrorLogs(t)
	})
}

// TestGraphQLDownloadPagesCapped: a download reading pages is one export
// for as long as it runs, within the token's share (EXPORTS_PER_TOKEN):
// while one stalls, the same token's next download gets 429, another
// token's runs, and a plain JSON query is no export.
func TestGraphQLDownloadPagesCapped(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := startHostileServer(t, d, Config{ExportsPerToken: 1, downloadPageSize: 20}, true)
		// Every demo question, some 20 KB a page: far more than a stalled
		// connection holds.
		const everything = `{ questions { edges { node { id groupID disciplineID createdAt description answerDescription } } } }`
		tokens := s.tokens(t, 2)
		stalled := stall(t, s.graphqlRequest(tokens[0], "text/csv", everything))
		if status, h, _ := send(t, s.graphqlRequest(tokens[0], xlsxType, everything)); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Errorf("the same token's second download: %d, Retry-After %q; want 429 with Retry-After", status, h.Get("Retry-After"))
		}
		if status, _, body := send(t, s.graphqlRequest(tokens[0], "", everything)); status != http.StatusOK || strings.Contains(body, `"errors"`) {
			t.Errorf("the same token's JSON query: %d %.200s", status, body)
		}
		if status, _, body := send(t, s.graphqlRequest(tokens[1], "text/csv", everything)); status != http.StatusOK || len(body) < 500<<10 {
			t.Errorf("another token's download: %d, %d bytes", status, len(body))
		}
		stalled.Body.Close()
		eventually(t, "the stalled download to end once its client hangs up", func() bool { return s.exportsRunning(t) == 0 })
		if status, _, body := send(t, s.graphqlRequest(tokens[0], "text/csv", everything)); status != http.StatusOK {
			t.Errorf("a download after the stalled one ended: %d %.200s", status, body)
		}
		s.noErrorLogs(t)
	})
}

// TestGraphQLDownloadClientGone: a client that goes away in the middle of a
// download of 50,000 rows stops it: the server reads no page more than the
// one under way, logs the cancellation (not an error), and gives back its
// database connections; on PostgreSQL no report query is left running.
// Three ways to go: hanging up a CSV download after its first KiB (the
// server learns it from its context or from its next write, whichever
// comes first); only half-closing the connection while still reading, so
// that nothing but the request's context can stop the pages; and hanging
// up an XLSX download, which writes nothing until its last row, while a
// page is read.
func TestGraphQLDownloadClientGone(t *testing.T) {
	t.Parallel()
	const cancelled = "graphql download cancelled by the client"
	query := fmt.Sprintf(`{ questionsReport(input: {from: %q, to: %q}) { edges { node {
		question { id } createdAt description answerDescription student { email } } } } }`, wholeFrom, wholeTo)
	body, _ := json.Marshal(map[string]string{"query": query})
	tests := []struct {
		name string
		// start sends the download and returns a function that goes
		// away, once the download is under way.
		start func(t *testing.T, s *reportServer, d *db.DB) func()
		// onlyContext says the logged error must be the context's.
		onlyContext bool
	}{
		{"cancel", func(t *testing.T, s *reportServer, d *db.DB) func() {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			resp := s.stream(t, ctx, "/graphql", "text/csv", string(body))
			if _, err := io.ReadFull(resp.Body, make([]byte, 4<<10)); err != nil {
				t.Fatal(err)
			}
			return func() {
				cancel()
				resp.Body.Close()
			}
		}, false},
		{"half-close", func(t *testing.T, s *reportServer, d *db.DB) func() {
			conn, resp := s.rawRequest(t, "/graphql", "text/csv", string(body))
			if _, err := io.ReadFull(resp.Body, make([]byte, 4<<10)); err != nil {
				t.Fatal(err)
			}
			return func() {
				if err := conn.CloseWrite(); err != nil {
					t.Fatal(err)
				}
				// Read on until the server ends the response; the
				// deadline bounds the wait should it never stop.
				conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil {
					t.Errorf("after the half-close the client read %d bytes more to a clean end, like a complete file", n)
				}
			}
		}, true},
		{"XLSX", func(t *testing.T, s *reportServer, d *db.DB) func() {
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			done := make(chan struct{})
			go func() {
				defer close(done)
				req := s.graphqlRequest(s.token, xlsxType, query).WithContext(ctx)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
					t.Errorf("the XLSX download answered %d before its client left", resp.StatusCode)
				}
			}()
			// A page is being read when the download holds a
			// connection.
			waitFor(t, 30*time.Second, "the download to read a page", func() bool { return d.SQL.Stats().InUse > 0 })
			return func() {
				cancel()
				<-done
			}
		}, true},
	}
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{})
		total := growQuestions(t, d, 50_000)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				logged := len(s.logEntries(t, cancelled))
				goAway := tt.start(t, s, d)
				goAway()
				waitFor(t, 30*time.Second, "the server to log "+cancelled, func() bool { return len(s.logEntries(t, cancelled)) > logged })
				e := s.logEntries(t, cancelled)[logged]
				err, _ := e["err"].(string)
				pages, _ := e["pages"].(float64)
				rows, _ := e["rows"].(float64)
				t.Logf("cancelled after %v pages, %v rows of %d: %s", pages, rows, total, err)
				if pages >= float64(total/1000) || rows >= float64(total) {
					t.Errorf("the download read %v pages (%v rows) of %d rows: it went on after the client left", pages, rows, total)
				}
				wroteToGoneClient := strings.Contains(err, "broken pipe") || strings.Contains(err, "connection reset by peer")
				if err != context.Canceled.Error() && (tt.onlyContext || !wroteToGoneClient) {
					t.Errorf("logged err %q, want %q", err, context.Canceled)
				}
				if d.Dialect == dialect.Postgres {
					waitFor(t, 10*time.Second, "the report query to end in PostgreSQL", func() bool { return activeReportQueries(t, d) == 0 })
				}
				waitFor(t, 10*time.Second, "the pool's connections to be free", func() bool { return d.SQL.Stats().InUse == 0 })
			})
		}
		s.noErrorLogs(t)
	})
}

// TestGraphQLDownloadMemoryIsFlat downloads every question of a
// connection as CSV at 25,000 and at 100,000 rows, reading the response
// as it streams, and samples the heap of the whole process (server,
// driver and client) meanwhile: the download reads 100 pages of 1000 rows
// one after the other, and must stay under a fixed bound, far below what
// holding the rows would take, and about as high at 100,000 rows as at
// 25,000. Its rows are those of paging by hand, counted in the trailer.
// The XLSX download of the 100,000 rows stays under the XLSX encoder's
// own bound (see TestExportMemoryIsFlat).
func TestGraphQLDownloadMemoryIsFlat(t *testing.T) {
	// Not parallel: it samples the heap of the whole process, and sets
	// TMPDIR.
	slow(t, "grows the demo to 100,000 questions and downloads them through GraphQL three times")
	// Bounds on the peak heap above the baseline, about twice what was
	// measured (see the log).
	const (
		csvBound  = 100 * mib
		xlsxBound = 200 * mib
	)
	const query = `query($first: Int, $after: Cursor) { questionsReport(input: {from: "` + wholeFrom + `", to: "` + wholeTo + `"},
	  first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node {
		question { id } school { name } group { name } student { id firstName lastName email } teacher { firstName email }
		discipline { name } subject { name } createdAt answeredAt statusLabel anonymous description answerDescription
		replyDescription replyAnswerDescription answerRating answerUnderstood answerComment hasSeenAnswer link } } } }`
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		t.Setenv("TMPDIR", t.TempDir()) // where excelize keeps sheet XML over 16 MiB
		s := newReportServer(t, d, Config{})
		body, _ := json.Marshal(map[string]any{"query": query})
		peak := map[int]uint64{}
		for _, size := range []int{25_000, 100_000} {
			total := growQuestions(t, d, size)
			var out csvCounter
			var trailer http.Header
			start := time.Now()
			base, top := measureHeap(func() {
				resp := s.stream(t, context.Background(), "/graphql", "text/csv", string(body))
				defer resp.Body.Close()
				if _, err := io.Copy(&out, resp.Body); err != nil {
					t.Fatalf("reading the download: %v", err)
				}
				trailer = resp.Trailer
			})
			peak[size] = top - base
			t.Logf("CSV, %d questions: %.1f MiB in %v; heap peak %.1f MiB above a %.1f MiB baseline",
				total, float64(out.bytes)/mib, time.Since(start).Round(time.Millisecond), float64(top-base)/mib, float64(base)/mib)
			if rows := int(out.records) - 1; rows != total || trailer.Get("X-Row-Count") != strconv.Itoa(total) {
				t.Fatalf("the CSV has %d rows, X-Row-Count %q; want %d", rows, trailer.Get("X-Row-Count"), total)
			}
			if p := peak[size]; p > csvBound {
				t.Errorf("CSV download of %d rows: heap peak %.1f MiB, want at most %d MiB", total, float64(p)/mib, csvBound/mib)
			}
		}
		if small, large := peak[25_000], peak[100_000]; large > small+small/2+4*mib {
			t.Errorf("the heap peak grew from %.1f MiB at 25,000 rows to %.1f MiB at 100,000", float64(small)/mib, float64(large)/mib)
		}
		held, rows := heldRowsBytes(t, d)
		t.Logf("holding the %d rows of the REST report would take %.0f MiB; the download peaked %.1fx below", rows, float64(held)/mib,
			float64(held)/float64(peak[100_000]))

		// The same rows as paging by hand, in pages of 1000.
		ids, _ := s.byHand(t, s.token, query, "questionsReport", 1000, []string{"question.id"})
		resp := s.stream(t, context.Background(), "/graphql", "text/csv", string(body))
		r := csv.NewReader(resp.Body)
		r.ReuseRecord = true
		for i := -1; ; i++ { // the header first
			record, err := r.Read()
			if err == io.EOF {
				if i != len(ids) {
					t.Fatalf("the download has %d rows, paging by hand %d", i, len(ids))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i >= 0 && (i >= len(ids) || record[0] != ids[i][0]) {
				t.Fatalf("row %d of the download is question %s, paging by hand gives %v", i+1, record[0], ids[min(i, len(ids)-1)])
			}
		}
		resp.Body.Close()

		start := time.Now()
		var out csvCounter
		var count string
		base, top := measureHeap(func() {
			resp := s.stream(t, context.Background(), "/graphql", xlsxType, string(body))
			defer resp.Body.Close()
			count = resp.Header.Get("X-Row-Count")
			if _, err := io.Copy(&out, resp.Body); err != nil {
				t.Fatalf("reading the XLSX download: %v", err)
			}
		})
		t.Logf("XLSX, %d questions: %.1f MiB in %v; heap peak %.1f MiB above a %.1f MiB baseline",
			len(ids), float64(out.bytes)/mib, time.Since(start).Round(time.Millisecond), float64(top-base)/mib, float64(base)/mib)
		if p := top - base; p > xlsxBound {
			t.Errorf("XLSX download: heap peak %.1f MiB, want at most %d MiB", float64(p)/mib, xlsxBound/mib)
		}
		if want := strconv.Itoa(len(ids)); count != want {
			t.Errorf("XLSX: X-Row-Count %q, want %s", count, want)
		}
	})
}

// TestGraphQLDownloadAllowlist: in the allow-list mode, a registered
// operation is downloaded page by page like any other, asked for by its
// hash alone; the pages the server reads are not operations a client
// sent, and are not refused. An operation not registered is refused as a
// download too.
func TestGraphQLDownloadAllowlist(t *testing.T) {
	t.Parallel()
	const query = `query Users { users(orderBy: {field: EMAIL}) { edges { node { email } } } }`
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{downloadPageSize: 7, operations: graph.Operations{hash: query}})
		total := d.Client.User.Query().CountX(auth.SystemContext(context.Background()))
		for _, tc := range []struct {
			name, body string
			allowed    bool
		}{
			{"registered, by hash", fmt.Sprintf(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, hash), true},
			{"registered, by text", fmt.Sprintf(`{"query": %q}`, query), true},
			{"not registered", `{"query": "{ users { edges { node { email id } } } }"}`, false},
		} {
			req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+s.token)
			req.Header.Set("Accept", "text/csv")
			status, h, body := send(t, req)
			if !tc.allowed {
				if !strings.Contains(body, "OPERATION_NOT_ALLOWED") {
					t.Errorf("%s: %d %.300s, want OPERATION_NOT_ALLOWED", tc.name, status, body)
				}
				continue
			}
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if status != http.StatusOK || err != nil || len(rows) != total+1 || total <= 7 {
				t.Errorf("%s: %d %q, %d rows (%v), want all %d users", tc.name, status, h.Get("Content-Type"), len(rows)-1, err, total)
			}
		}
		s.noErrorLogs(t)
	})
}
