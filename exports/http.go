package exports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/apperr"
	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/rest"
)

// replayedHeaders are the request headers an export keeps and replays:
// those that choose the answer. Authorization is never kept: the job acts
// as the principal recorded when it was asked for.
var replayedHeaders = []string{"Accept", "Accept-Language", "Content-Type"}

// maxBodyBytes is the largest request body an export keeps: the one the
// report endpoints read.
const maxBodyBytes = rest.MaxBodyBytes

// PrefersAsync reports whether h asks for an asynchronous answer:
// "Prefer: respond-async" (RFC 7240), among other preferences or not, in
// any of its Prefer headers.
func PrefersAsync(h http.Header) bool {
	for _, line := range h.Values("Prefer") {
		for _, pref := range strings.Split(line, ",") {
			name, _, _ := strings.Cut(pref, ";")
			name, _, _ = strings.Cut(name, "=")
			if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}

// A Check checks a report request without running it, as the report's own
// handler would: it returns nil when the request is good, else the answer
// the client gets instead of 202 (the answer a synchronous request would
// have got).
type Check func(r *http.Request) *Answer

// Answer is a response kept to be sent later: a refusal.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a *Answer) write(w http.ResponseWriter) {
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.Status)
	w.Write(a.Body)
}

// CheckREST checks a REST report request through h, its handler, in the
// rest.ValidateOnly mode: everything but reading the rows.
func CheckREST(h http.Handler) Check {
	return func(r *http.Request) *Answer {
		rec := newRecorder()
		h.ServeHTTP(rec, r.WithContext(rest.ValidateOnly(r.Context())))
		if rec.status == 0 || rec.status == http.StatusOK {
			return nil
		}
		return rec.answer()
	}
}

// CheckGraphQL checks a GraphQL download through h, the GraphQL handler,
// by running its query as JSON, one page, as it is: the download is good
// when the query is (parse, validation, limits, arguments, scope). A query
// with errors is refused with them, in GraphQL's shape, and the status of
// their first code (BAD_USER_INPUT: 400, FORBIDDEN: 403…).
func CheckGraphQL(h http.Handler) Check {
	return func(r *http.Request) *Answer {
		r = r.Clone(r.Context())
		r.Header.Set("Accept", "application/json")
		rec := newRecorder()
		h.ServeHTTP(rec, r)
		if rec.status != 0 && rec.status != http.StatusOK {
			return rec.answer()
		}
		errs, ok := graphQLErrors(rec.body.Bytes())
		if !ok {
			return nil
		}
		body, _ := json.Marshal(struct {
			Errors json.RawMessage `json:"errors"`
		}{errs})
		return &Answer{Status: graphQLStatus(errs),
			Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: append(body, '\n')}
	}
}

// graphQLErrors returns the errors of a GraphQL response, which gqlgen
// writes first: ok is false when the response begins with anything else.
// Errors cut off by the recorder's limit become one generic error.
func graphQLErrors(resp []byte) (errs json.RawMessage, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(resp))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	if t, err := dec.Token(); err != nil || t != "errors" {
		return nil, false
	}
	if err := dec.Decode(&errs); err != nil || len(errs) == 0 || errs[0] != '[' {
		return json.RawMessage(`[{"message":"The query has errors.","extensions":{"code":"BAD_USER_INPUT"}}]`), true
	}
	return errs, true
}

// graphQLStatus is the HTTP status of a refusal with errs: that of the
// first error's code.
func graphQLStatus(errs json.RawMessage) int {
	var list []struct {
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	json.Unmarshal(errs, &list)
	code := ""
	if len(list) > 0 {
		code = list[0].Extensions.Code
	}
	switch code {
	case "UNAUTHENTICATED":
		return http.StatusUnauthorized
	case "FORBIDDEN":
		return http.StatusForbidden
	case "RATE_LIMITED":
		return http.StatusTooManyRequests
	case "SERVICE_UNAVAILABLE":
		return http.StatusServiceUnavailable
	case "INTERNAL":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// recorder is a response writer that keeps a check's answer: its status,
// headers and the first maxErrorBody bytes of its body.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
}
func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	rec.body.Write(p[:min(len(p), max(0, maxErrorBody-rec.body.Len()))])
	return len(p), nil
}

func (rec *recorder) answer() *Answer {
	return &Answer{Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}
}

// Ask serves a report request: one that prefers an asynchronous answer
// (and that isExport says is an export; nil: all are) is checked by check,
// recorded and answered 202 Accepted with the export's Location; any other
// goes to next as it is. It runs after authentication.
func (s *Service) Ask(isExport func(*http.Request) bool, check Check, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !PrefersAsync(r.Header) || isExport != nil && !isExport(r) {
			next.ServeHTTP(w, r)
			return
		}
		p, ok := auth.FromContext(r.Context())
		if !ok {
			apperr.Write(w, auth.ErrUnauthorized)
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			apperr.Write(w, err)
			return
		}
		header := http.Header{}
		for _, k := range replayedHeaders {
			if v := r.Header.Values(k); len(v) > 0 {
				header[k] = v
			}
		}
		checked := r.Clone(r.Context())
		checked.Body = io.NopCloser(bytes.NewReader(body))
		if a := check(checked); a != nil {
			a.write(w)
			return
		}
		format, err := rest.Negotiate(r.Header.Get("Accept"))
		if err != nil { // the check negotiated it already
			apperr.Write(w, err)
			return
		}
		now := s.now()
		e := &export{
			ID: uuid.NewString(), OwnerID: p.TokenID.String(), Principal: principalOf(p),
			Report: reportOf(r.URL.Path), Format: format.Ext(),
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: header, Body: body,
			State: Queued, ChunkSize: s.opts.ChunkSize, AskedAt: now, ExpiresAt: now.Add(s.opts.TTL),
		}
		if err := s.enqueue(r.Context(), e); err != nil {
			apperr.Write(w, err)
			return
		}
		s.opts.Metrics.ExportQueued(e.Report)
		w.Header().Set("Location", statusPath(e.ID))
		w.Header().Set("Preference-Applied", "respond-async")
		w.Header().Add("Vary", "Prefer")
		writeJSON(w, http.StatusAccepted, statusOf(e))
	})
}

// readBody reads the request's body, up to maxBodyBytes; a larger one is
// refused as the report endpoints refuse it.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return []byte{}, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, apperr.Errorf(apperr.TooLarge, "Request body too large.")
	case err != nil:
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "Could not read the request body.", Err: err}
	}
	return body, nil
}

// enqueue records e and inserts its job, in one transaction, unless its
// principal has maxPending exports waiting or running already.
func (s *Service) enqueue(ctx context.Context, e *export) error {
	unavailable := func(err error) error {
		s.log.Error("export not queued", "err", err)
		return &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	n, err := s.pending(ctx, e.OwnerID)
	if err != nil {
		return unavailable(err)
	}
	if n >= maxPending {
		return apperr.Errorf(apperr.TooMany, "%d exports of this token are waiting or running; ask for more once one is done.", n)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insert(ctx, tx, e); err != nil {
			return err
		}
		_, err := s.inserter.InsertTx(ctx, tx, ExportArgs{ID: e.ID}, nil)
		return err
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// reportOf names the report of a request path, from a fixed set (it labels
// metrics).
func reportOf(path string) string {
	switch strings.TrimPrefix(path, "/v1") {
	case "/reports/questions":
		return "questions"
	case "/reports/bookings":
		return "bookings"
	case "/reports/bookings-workload":
		return "bookings-workload"
	case "/reports/groups-usage":
		return "groups-usage"
	case "/graphql":
		return "graphql"
	}
	return "other"
}

func statusPath(id string) string { return "/exports/" + id }

// status is the JSON of an export's state, GET /exports/{id}.
type status struct {
	ID         string     `json:"id"`
	State      string     `json:"state"`
	Report     string     `json:"report"`
	Format     string     `json:"format"`
	AskedAt    time.Time  `json:"asked_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Rows streamed so far, while running; in all, once done. GraphQL
	// downloads count none.
	Rows        *int64    `json:"rows,omitempty"`
	Size        *int64    `json:"size,omitempty"` // bytes of the file, once done
	ExpiresAt   time.Time `json:"expires_at"`
	FileName    string    `json:"file_name,omitempty"`
	ContentType string    `json:"content_type,omitempty"`
	File        string    `json:"file,omitempty"`   // where to download it, once done
	Reason      string    `json:"reason,omitempty"` // why it failed
}

func statusOf(e *export) status {
	st := status{ID: e.ID, State: e.State, Report: e.Report, Format: e.Format, AskedAt: ms(e.AskedAt),
		StartedAt: msPtr(e.StartedAt), FinishedAt: msPtr(e.FinishedAt), ExpiresAt: ms(e.ExpiresAt), Reason: e.Reason}
	if e.OwnerRevoked && e.State != Failed {
		st.State, st.Reason = Failed, reasonRevoked
	}
	if st.State == Running || st.State == Done {
		st.Rows = &e.Rows
	}
	if st.State == Done {
		st.Size = &e.Size
		st.ContentType = e.ContentType
		st.FileName = fileName(e.Disposition)
		st.File = statusPath(e.ID) + "/file"
	}
	return st
}

// ms is t in UTC, to the millisecond, as the API gives times.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func msPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := ms(*t)
	return &u
}

// fileName is the file name a Content-Disposition gives.
func fileName(disposition string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return ""
	}
	return params["filename"]
}

// errNotFound is the answer about an export that does not exist, is not
// the principal's, or has a malformed id: all look the same.
var errNotFound = apperr.Errorf(apperr.NotFound, "No such export.")

// owned returns the export of the request's {id} if it is the principal's.
func (s *Service) owned(r *http.Request) (*export, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return nil, auth.ErrUnauthorized
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil || id.String() != r.PathValue("id") {
		return nil, errNotFound
	}
	e, err := s.load(r.Context(), id.String(), p.TokenID.String())
	switch {
	case errors.Is(err, errNoExport):
		return nil, errNotFound
	case err != nil:
		s.log.Error("export not read", "err", err)
		return nil, &apperr.Error{Code: apperr.Unavailable, Message: "Service unavailable.", Err: err}
	}
	return e, nil
}

// pollAfter is the Retry-After of an export still waiting or running.
const pollAfter = 2 * time.Second

// Status serves GET /exports/{id}: the export's state, to the principal
// that asked for it; 404 to anyone else.
func (s *Service) Status() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := s.owned(r)
		if err != nil {
			apperr.Write(w, err)
			return
		}
		st := statusOf(e)
		if st.State == Queued || st.State == Running {
			w.Header().Set("Retry-After", strconv.Itoa(int(pollAfter.Seconds())))
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, st)
	})
}

// File serves GET /exports/{id}/file: the export's file, to the principal
// that asked for it, with Range, If-Range and ETag (http.ServeContent
// over the chunks); 404 to anyone else, 409 while it is not done.
func (s *Service) File() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := s.owned(r)
		if err != nil {
			apperr.Write(w, err)
			return
		}
		switch st := statusOf(e); st.State {
		case Done:
		case Failed:
			apperr.Write(w, apperr.Errorf(apperr.Conflict, "The export failed: %s", st.Reason))
			return
		default:
			w.Header().Set("Retry-After", strconv.Itoa(int(pollAfter.Seconds())))
			apperr.Write(w, apperr.Errorf(apperr.Conflict, "The export is %s; its file is not ready. Its state: %s.", st.State, statusPath(e.ID)))
			return
		}
		h := w.Header()
		h.Set("Content-Type", e.ContentType)
		h.Set("Content-Disposition", e.Disposition)
		h.Set("ETag", e.ETag)
		h.Set("Cache-Control", "private")
		h.Set("X-Content-Type-Options", "nosniff")
		body := newChunkReader(r.Context(), e.Size, e.ChunkSize, func(ctx context.Context, seq int) ([]byte, error) {
			return s.loadChunk(ctx, e.ID, seq)
		})
		var modified time.Time
		if e.FinishedAt != nil {
			modified = *e.FinishedAt
		}
		http.ServeContent(w, r, "", modified, body)
		if body.err != nil && r.Context().Err() == nil {
			// Headers are sent: the client sees the body end short.
			s.log.Error("export file not read", "id", e.ID, "err", body.err)
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
