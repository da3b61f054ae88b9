package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/seed"
)

// statements records the SQL statements a database runs.
type statements struct {
	mu   sync.Mutex
	seen []string
}

func (s *statements) add(q string) {
	s.mu.Lock()
	s.seen = append(s.seen, q)
	s.mu.Unlock()
}

// since returns the statements run after the first n, leaving out the
// token lookups (TOKEN_CACHE_TTL is 0 in these tests: each request looks
// its token up).
func (s *statements) since(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, q := range s.seen[n:] {
		if !strings.Contains(q, "api_tokens") {
			out = append(out, q)
		}
	}
	return out
}

func (s *statements) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// eachRecorded runs f on a fresh, migrated SQLite database and, with
// TEST_DATABASE_URL, a PostgreSQL one, with the statements each runs.
func eachRecorded(t *testing.T, f func(t *testing.T, d *db.DB, st *statements)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		st := &statements{}
		var n atomic.Int64
		c := countingConnector{dsn: db.SQLiteDSN(filepath.Join(t.TempDir(), "etag.db")),
			d: countingDriver{base: &sqlite.Driver{}, n: &n, seen: st.add}}
		d := db.FromSQL(sql.OpenDB(c), dialect.SQLite, "")
		t.Cleanup(func() { d.Close() })
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		f(t, d, st)
	})
	if os.Getenv("TEST_DATABASE_URL") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		st := &statements{}
		u := testdb.PostgresURL(t)
		cfg, err := pgx.ParseConfig(u)
		if err != nil {
			t.Fatal(err)
		}
		// A tracer, not a wrapped driver: the reports reach pgx's own
		// connection beneath database/sql (report/sql.go).
		cfg.Tracer = queryTracer{st}
		d := db.FromSQL(stdlib.OpenDB(*cfg), dialect.Postgres, u)
		t.Cleanup(func() { d.Close() })
		if err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		f(t, d, st)
	})
}

// queryTracer tells st each statement pgx runs.
type queryTracer struct{ st *statements }

func (q queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	q.st.add(data.SQL)
	return ctx
}

func (queryTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// answer is a response with its body read.
type answer struct {
	status int
	header http.Header
	body   string
}

// conditional sends req with If-None-Match: inm (none when "").
func conditional(t *testing.T, req *http.Request, inm string) answer {
	t.Helper()
	if inm != "" {
		req.Header.Set("If-None-Match", inm)
	}
	status, h, body := send(t, req)
	return answer{status, h, body}
}

// tagged checks that an answer is a 200 with a weak ETag and the caching
// headers, and returns the tag.
func tagged(t *testing.T, what string, a answer) string {
	t.Helper()
	status, h, body := a.status, a.header, a.body
	tag := h.Get("ETag")
	if status != 200 || !strings.HasPrefix(tag, `W/"`) || len(body) == 0 {
		t.Fatalf("%s: status %d, ETag %q, %d bytes: %.200s", what, status, tag, len(body), body)
	}
	if cc, vary := h.Get("Cache-Control"), strings.Join(h.Values("Vary"), ", "); cc != "private, no-cache" ||
		!strings.Contains(vary, "Authorization, Accept, Accept-Language") {
		t.Errorf("%s: Cache-Control %q, Vary %q", what, cc, vary)
	}
	return tag
}

// untagged checks that an answer has the status and no caching headers.
func untagged(t *testing.T, what string, wantStatus int, a answer) {
	t.Helper()
	status, h, body := a.status, a.header, a.body
	if status != wantStatus || h.Get("ETag") != "" || h.Get("Cache-Control") != "" {
		t.Errorf("%s: status %d (want %d), ETag %q, Cache-Control %q: %.200s",
			what, status, wantStatus, h.Get("ETag"), h.Get("Cache-Control"), body)
	}
}

// notModified checks that a revalidation was answered 304 with tag, no
// body, and no statement but the watermark's read.
func notModified(t *testing.T, what string, st *statements, before int, tag string, a answer) {
	t.Helper()
	status, h, body := a.status, a.header, a.body
	if status != http.StatusNotModified || body != "" || h.Get("ETag") != tag || h.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("%s: status %d, ETag %q (want %q), Cache-Control %q, body %.200q",
			what, status, h.Get("ETag"), tag, h.Get("Cache-Control"), body)
	}
	if ran := st.since(before); len(ran) != 1 || !strings.Contains(ran[0], "data_version") {
		t.Errorf("%s: the 304 ran %d statements besides the token's, want only the watermark's: %q", what, len(ran), ran)
	}
}

// TestETagREST: a report answer carries an ETag; the same request with it
// in If-None-Match gets 304 at the cost of one statement, until the data
// change; another token, another format, an error, a forged or huge
// If-None-Match all get the full answer (or the error), never a 304.
func TestETagREST(t *testing.T) {
	t.Parallel()
	eachRecorded(t, func(t *testing.T, d *db.DB, st *statements) {
		s := newReportServer(t, d, Config{})
		ctx := auth.SystemContext(context.Background())
		school, err := d.Client.School.Query().FirstID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		narrow := s.newToken(t, auth.TokenSpec{Name: "one school", Schools: []gid.SchoolID{school}})
		questions := func(token, accept, body string) *http.Request {
			req, _ := http.NewRequest("POST", s.URL+"/v1/reports/questions", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", accept)
			return req
		}

		tag := tagged(t, "first", conditional(t, questions(s.token, "text/csv", wholeDemo), ""))
		before := st.count()
		notModified(t, "revalidation", st, before, tag, conditional(t, questions(s.token, "text/csv", wholeDemo), tag))
		strong := strings.TrimPrefix(tag, "W/")
		for _, inm := range []string{strong, `"other", ` + tag, `W/"x",` + strong + `, "y"`} {
			before := st.count()
			notModified(t, "If-None-Match: "+inm, st, before, tag, conditional(t, questions(s.token, "text/csv", wholeDemo), inm))
		}
		huge := strings.Repeat(`W/"AAAAAAAAAAAAAAAAAAAAAAAA", `, 16<<10)
		if a := conditional(t, questions(s.token, "text/csv", wholeDemo), tag+", "+huge); a.status != http.StatusNotModified {
			t.Errorf("the tag first in a %d-byte If-None-Match: %d", len(huge), a.status)
		}

		// Another request gets its own answer and tag; a forged, malformed
		// or unread If-None-Match gets the full answer, with the tag.
		forged := []byte(strings.Trim(strong, `"`))
		forged[0] ^= 1
		for _, tc := range []struct {
			what    string
			req     *http.Request
			inm     string
			another bool // the request is another
		}{
			{"another token's scope", questions(narrow, "text/csv", wholeDemo), tag, true},
			{"another format", questions(s.token, "application/json", wholeDemo), tag, true},
			{"another body", questions(s.token, "text/csv", fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, ms("2026-01-01T00:00:00Z"), ms("2030-01-01T00:00:00Z"))), tag, true},
			{"a forged tag", questions(s.token, "text/csv", wholeDemo), `W/"` + string(forged) + `"`, false},
			{"*", questions(s.token, "text/csv", wholeDemo), "*", false},
			{"a malformed list", questions(s.token, "text/csv", wholeDemo), `W/"x" "y", ` + tag, false},
			{"an unterminated tag", questions(s.token, "text/csv", wholeDemo), `W/"` + string(forged), false},
			{"the tag past a huge If-None-Match", questions(s.token, "text/csv", wholeDemo), huge + tag, false},
		} {
			if got := tagged(t, tc.what, conditional(t, tc.req, tc.inm)); (got == tag) == tc.another {
				t.Errorf("%s: tag %s, the first answer's %s", tc.what, got, tag)
			}
		}
		for _, tc := range []struct {
			what   string
			req    *http.Request
			status int
		}{
			{"a bad body", questions(s.token, "text/csv", `{"start_date": "x"}`), 400},
			{"a group out of scope", questions(narrow, "text/csv", `{"start_date": 0, "end_date": 1, "group_ids": ["`+
				gid.GroupID(seedUUID(1)).String()+`"]}`), 403},
			{"an unsupported format", questions(s.token, "application/pdf", wholeDemo), 406},
			{"a body over 1 MiB", questions(s.token, "text/csv", `{"x": "`+strings.Repeat("a", 1<<20)+`"}`), 413},
		} {
			untagged(t, tc.what, tc.status, conditional(t, tc.req, tag))
		}

		// A change to the data, through the database: the old tag no
		// longer matches, and the new one does.
		if _, err := d.SQL.ExecContext(context.Background(), `INSERT INTO disciplines (id, name) VALUES (9999, 'Astronomia')`); err != nil {
			t.Fatal(err)
		}
		newTag := tagged(t, "after an insert", conditional(t, questions(s.token, "text/csv", wholeDemo), tag))
		if newTag == tag {
			t.Fatal("an insert left the tag as it was")
		}
		before = st.count()
		notModified(t, "revalidation after the insert", st, before, newTag, conditional(t, questions(s.token, "text/csv", wholeDemo), newTag))
	})
}

// TestETagLimits: a revalidation is a request: without a valid token it
// is 401, and it counts against the token's rate.
func TestETagLimits(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		s := newReportServer(t, d, Config{RateLimit: 0.001, RateBurst: 2})
		request := func(token string) *http.Request {
			req, _ := http.NewRequest("POST", s.URL+"/reports/questions", strings.NewReader(wholeDemo))
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}
		tag := tagged(t, "first", conditional(t, request(s.token), ""))
		untagged(t, "no token", http.StatusUnauthorized, conditional(t, request("stift_nope"), tag))
		if a := conditional(t, request(s.token), tag); a.status != http.StatusNotModified {
			t.Fatalf("second request: %d, want 304", a.status)
		}
		untagged(t, "third request, over the burst of 2", http.StatusTooManyRequests, conditional(t, request(s.token), tag))
	})
}

// seedUUID is a UUID no demo row has.
func seedUUID(n byte) [16]byte { return [16]byte{15: n} }

// TestETagGraphQL: GraphQL GET requests, by query text or by persisted
// query hash, are tagged and revalidated like the REST reports; POST
// requests and answers with errors are not tagged.
func TestETagGraphQL(t *testing.T) {
	t.Parallel()
	eachRecorded(t, func(t *testing.T, d *db.DB, st *statements) {
		s := newReportServer(t, d, Config{})
		school, err := d.Client.School.Query().FirstID(auth.SystemContext(context.Background()))
		if err != nil {
			t.Fatal(err)
		}
		narrow := s.newToken(t, auth.TokenSpec{Name: "one school", Schools: []gid.SchoolID{school}})
		const query = `{ questionsReport(input: {from: "2026-01-01T00:00:00Z", to: "2026-07-01T00:00:00Z"}, first: 20) {
			totalCount edges { node { question { id } statusLabel } } } }`
		get := func(token string, params url.Values) *http.Request {
			req, _ := http.NewRequest("GET", s.URL+"/graphql?"+params.Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}
		byText := url.Values{"query": {query}}

		tag := tagged(t, "GET", conditional(t, get(s.token, byText), ""))
		before := st.count()
		notModified(t, "GET revalidation", st, before, tag, conditional(t, get(s.token, byText), tag))
		if got := tagged(t, "another token", conditional(t, get(narrow, byText), tag)); got == tag {
			t.Error("another token: the same tag")
		}

		// A persisted query: registered with its text, then sent by hash.
		sum := sha256.Sum256([]byte(query))
		ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":"%s"}}`, hex.EncodeToString(sum[:]))
		tagged(t, "registering a persisted query", conditional(t, get(s.token, url.Values{"query": {query}, "extensions": {ext}}), ""))
		byHash := url.Values{"extensions": {ext}}
		hashTag := tagged(t, "GET by hash", conditional(t, get(s.token, byHash), ""))
		before = st.count()
		notModified(t, "revalidation by hash", st, before, hashTag, conditional(t, get(s.token, byHash), hashTag))

		// Not tagged: POST, an answer with errors (a 200 too), a refused query.
		untagged(t, "POST", 200, conditional(t, s.graphqlRequest(s.token, "", query), ""))
		untagged(t, "an error in a 200", 200, conditional(t, get(s.token, url.Values{"query": {`{ node(id: "xx") { id } }`}}), ""))
		untagged(t, "an invalid query", 422, conditional(t, get(s.token, url.Values{"query": {`{ nothing }`}}), tag))

		// Changes to the data, through the database.
		for _, change := range []string{
			`INSERT INTO disciplines (id, name) VALUES (9999, 'Astronomia')`,
			`UPDATE questions SET description = 'editada' WHERE id = (SELECT id FROM questions ORDER BY created_at DESC LIMIT 1)`,
		} {
			if _, err := d.SQL.ExecContext(context.Background(), change); err != nil {
				t.Fatal(err)
			}
			got := tagged(t, change, conditional(t, get(s.token, byText), tag))
			if got == tag {
				t.Fatalf("%s: the tag is as it was", change)
			}
			tag = got
		}
	})
}

// TestETagClock: the bookings report reads the clock, the questions
// report does not. A revalidation while no booking's time passes is a
// 304; once one passes, the bookings answer (a pending booking is now a
// no-show) is new, and the questions answer is not.
func TestETagClock(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		if err := seed.Demo(context.Background(), d.Client); err != nil {
			t.Fatal(err)
		}
		ctx := auth.SystemContext(context.Background())
		next, err := d.Client.Booking.Query().Where(booking.ScheduledForGT(seed.Now)).
			Order(booking.ByScheduledFor()).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		passes := *next.ScheduledFor
		later := seed.Now.Add(time.Second)
		if !later.Before(passes) {
			t.Fatalf("the demo's first booking after its present is at %v", passes)
		}
		for _, s := range d.Client.School.Query().AllX(ctx) {
			if loc, _ := time.LoadLocation(s.Timezone); seed.Now.In(loc).YearDay() != later.In(loc).YearDay() {
				t.Fatalf("a day ends in %s between %v and %v", s.Timezone, seed.Now, later)
			}
		}
		var now atomic.Pointer[time.Time]
		at := func(t time.Time) { now.Store(&t) }
		at(seed.Now)
		srv := httptest.NewServer(NewServer(Config{PortalURL: report.DefaultPortalURL}, d,
			slog.New(slog.DiscardHandler), func() time.Time { return *now.Load() }))
		t.Cleanup(srv.Close)
		s := &reportServer{Server: srv, db: d}
		s.token = s.newToken(t, auth.TokenSpec{Name: "all", All: true})
		body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, seed.Now.Add(-time.Hour).UnixMilli(), passes.Add(time.Hour).UnixMilli())
		request := func(path string) *http.Request {
			req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.token)
			return req
		}

		bookings := tagged(t, "bookings", conditional(t, request("/reports/bookings"), ""))
		questions := tagged(t, "questions", conditional(t, request("/reports/questions"), ""))
		at(later)
		if a := conditional(t, request("/reports/bookings"), bookings); a.status != http.StatusNotModified {
			t.Errorf("bookings a second later, no booking's time passed: %d", a.status)
		}
		at(passes.Add(time.Millisecond))
		if got := tagged(t, "bookings once one passed", conditional(t, request("/reports/bookings"), bookings)); got == bookings {
			t.Error("bookings: the same tag once a booking's time passed")
		}
		if a := conditional(t, request("/reports/questions"), questions); a.status != http.StatusNotModified {
			t.Errorf("questions once a booking's time passed: %d", a.status)
		}
	})
}
