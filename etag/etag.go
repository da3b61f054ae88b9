// Package etag makes report answers revalidatable: a 200 answer to a
// report request carries a weak ETag derived from the request, its
// principal's scope and the watermark of the data (report.ReadWatermark),
// and the same request sent again with that tag in If-None-Match, while
// nothing it depends on has changed, is answered 304 Not Modified without
// running the report. docs/caching.md says what clients see.
//
// A tag is an HMAC keyed by the database's own secret (the data version's
// salt), so a client holds only tags the server gave it, for answers its
// own principal received; a tag from another principal, another request
// or an older watermark never matches.
package etag

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/report"
	"github.com/stift/stift-reports/rest"
)

// Cache answers report requests with ETags, and revalidations with 304.
type Cache struct {
	reads   *db.Reads
	now     func() time.Time
	log     *slog.Logger
	variant string // the build and configuration that shape answers
}

// New returns a Cache reading watermarks through reads at now's time.
// config holds the settings that change answers (the portal URL of
// question links, …): servers of one database that differ in them, or in
// their build, give different tags.
func New(reads *db.Reads, now func() time.Time, log *slog.Logger, config ...string) *Cache {
	var b strings.Builder
	writeField(&b, build())
	for _, c := range config {
		writeField(&b, c)
	}
	return &Cache{reads: reads, now: now, log: log, variant: b.String()}
}

// Always is the clock rule of a route whose every answer may read the
// clock (GraphQL: any query may select bookings).
func Always(*http.Request) bool { return true }

// Handler serves next, caching its requests of method: a 200 answer gets an
// ETag, Cache-Control: private, no-cache and Vary, and a request whose
// If-None-Match lists the tag it would get is answered 304 with those
// headers and no body, without reaching next. clock says whether a
// request's answer may depend on the current time (report.ReadWatermark).
// Other methods, and requests that prefer an asynchronous answer, pass
// through untouched. It runs after authentication and the rate limit:
// a 304 is a request like any other.
func (c *Cache) Handler(method string, clock func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if r.Method != method || !ok || prefersAsync(r) {
			next.ServeHTTP(w, r)
			return
		}
		// Every read of the request sees this state of the data or a later
		// one, so the tag is never newer than the answer it labels.
		d, ok := c.reads.Oldest()
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		body, ok := readBody(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		m, err := report.ReadWatermark(r.Context(), d, c.now(), clock(r))
		if err != nil {
			// The report reads the same database: it answers the error.
			if r.Context().Err() == nil {
				c.log.Warn("etag: no watermark, answering without a tag", "err", err)
			}
			next.ServeHTTP(w, r)
			return
		}
		tag := c.tag(m, r, body, p)
		if Match(r.Header.Values("If-None-Match"), tag) {
			setHeaders(w.Header(), tag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		st := &state{}
		tw := &writer{ResponseWriter: w, tag: tag, st: st}
		next.ServeHTTP(tw, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
		tw.commit()
	})
}

// tag is the ETag of the answer to r, with its body, for p at m.
func (c *Cache) tag(m report.Watermark, r *http.Request, body []byte, p *auth.Principal) string {
	mac := hmac.New(sha256.New, []byte(m.Salt))
	for _, f := range []string{"etag/1", c.variant, r.Method, r.URL.Path, r.URL.RawQuery} {
		writeField(mac, f)
	}
	writeField(mac, body)
	for _, f := range []string{
		strings.Join(r.Header.Values("Accept"), "\n"), strings.Join(r.Header.Values("Accept-Language"), "\n"),
		p.TokenID.String(), string(p.Scope), strconv.FormatBool(p.RevealAnonymous),
	} {
		writeField(mac, f)
	}
	schools := make([]string, len(p.SchoolIDs))
	for i, id := range p.SchoolIDs {
		schools[i] = id.String()
	}
	groups := make([]string, len(p.GroupIDs))
	for i, id := range p.GroupIDs {
		groups[i] = id.String()
	}
	for _, ids := range [][]string{schools, groups} {
		slices.Sort(ids)
		writeField(mac, strconv.Itoa(len(ids)))
		for _, id := range ids {
			writeField(mac, id)
		}
	}
	writeField(mac, strconv.FormatInt(m.Version, 10))
	writeField(mac, m.Clock)
	return `W/"` + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18]) + `"`
}

// writeField writes s to w after its length, so that no two lists of
// fields write the same bytes.
func writeField[T string | []byte](w io.Writer, s T) {
	w.Write(binary.AppendUvarint(nil, uint64(len(s))))
	w.Write([]byte(s))
}

// readBody reads the body of a POST for the tag, and puts it back for the
// handler. A body over rest.MaxBodyBytes, which the handler refuses, or one
// that cannot be read is not tagged (false); the handler reads the rest of
// it, or its error, after what was read.
func readBody(r *http.Request) ([]byte, bool) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, rest.MaxBodyBytes+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	return body, err == nil && len(body) <= rest.MaxBodyBytes
}

// prefersAsync reports whether r asks for an asynchronous answer (Prefer:
// respond-async), whose 202 is not the report.
func prefersAsync(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		if strings.Contains(strings.ToLower(v), "respond-async") {
			return true
		}
	}
	return false
}

// setHeaders sets the caching headers of a tagged answer: private to its
// client, revalidated before each reuse, varying with what the tag reads
// of the request.
func setHeaders(h http.Header, tag string) {
	h.Set("ETag", tag)
	h.Set("Cache-Control", "private, no-cache")
	h.Add("Vary", "Authorization, Accept, Accept-Language")
}

// Refuse marks the answer being written for ctx's request as not to be
// tagged: a GraphQL answer with errors is a 200 too.
func Refuse(ctx context.Context) {
	if st, ok := ctx.Value(stateKey{}).(*state); ok {
		st.mu.Lock()
		st.refused = true
		st.mu.Unlock()
	}
}

type stateKey struct{}

// state is what the handler tells the writer about its answer.
type state struct {
	mu      sync.Mutex
	refused bool
}

func (s *state) isRefused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// writer holds the status back until the body's first byte (or the end),
// and tags the answer then if it is a 200 that was not refused: GraphQL
// sets its status before it knows its errors.
type writer struct {
	http.ResponseWriter
	tag       string
	st        *state
	status    int
	committed bool
}

func (w *writer) WriteHeader(status int) {
	switch {
	case w.committed || status < 200:
		w.ResponseWriter.WriteHeader(status) // informational, or superfluous
	case w.status == 0:
		w.status = status
	}
}

func (w *writer) Write(p []byte) (int, error) {
	w.commit()
	return w.ResponseWriter.Write(p)
}

// commit sends the status held back, with the tag when it is due.
func (w *writer) commit() {
	if w.committed {
		return
	}
	w.committed = true
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status == http.StatusOK && !w.st.isRefused() {
		setHeaders(w.Header(), w.tag)
	}
	w.ResponseWriter.WriteHeader(w.status)
}

// FlushError commits the status, then sends what was written so far.
func (w *writer) FlushError() error {
	w.commit()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// build identifies the server's binary: its VCS revision when the build
// recorded one, else the executable's size and modification time. A new
// build gives new tags, so an answer it writes differently is not taken
// for the old one.
var build = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		var revision, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if revision != "" {
			return revision + " " + modified
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	return strconv.FormatInt(fi.Size(), 10) + " " + fi.ModTime().UTC().Format(time.RFC3339Nano)
})
