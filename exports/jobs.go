package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/progress"
	"github.com/stift/stift-reports/rest"
)

// ExportArgs are the arguments of an export job: the export it runs.
type ExportArgs struct {
	ID string `json:"id"`
}

// Kind is the job's kind in River's tables.
func (ExportArgs) Kind() string { return "export" }

// InsertOpts puts export jobs in their queue, with their tries.
func (ExportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueExports, MaxAttempts: maxAttempts}
}

// CleanupArgs are the arguments of the periodic cleanup job.
type CleanupArgs struct{}

// Kind is the job's kind in River's tables.
func (CleanupArgs) Kind() string { return "export_cleanup" }

// InsertOpts puts the cleanup in a queue of its own, so that long exports
// never hold it up.
func (CleanupArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueCleanup} }

type exportWorker struct {
	river.WorkerDefaults[ExportArgs]
	s *Service
}

func (w *exportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	return w.s.run(ctx, job.Args.ID, job.Attempt >= job.MaxAttempts)
}

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	s *Service
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	n, err := w.s.removeExpired(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		w.s.log.Info("expired exports removed", "exports", n)
	}
	return nil
}

// The reasons a failed export gives its client.
const (
	reasonRevoked = "The token that asked for this export was revoked."
	reasonError   = "The export failed on the server; ask for it again."
	reasonRefused = "The report refused the request."
)

// errRevoked is the cause of a replay cancelled because the token that
// asked was revoked.
var errRevoked = errors.New("the token that asked was revoked")

// run runs the export id, its job's last try when lastTry. It returns an
// error for River to try it again: the server stops (River resumes it
// elsewhere, not counting a try), or the report failed on the server.
func (s *Service) run(ctx context.Context, id string, lastTry bool) error {
	e, err := s.load(ctx, id, "")
	switch {
	case errors.Is(err, errNoExport):
		return nil // expired, or its token's exports removed, before it ran
	case err != nil:
		return err
	case e.State == Done || e.State == Failed:
		return nil
	case e.OwnerRevoked:
		return s.fail(ctx, id, reasonRevoked)
	}
	if err := s.loadBody(ctx, e); err != nil {
		return err
	}
	release, err := s.opts.Slot(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := s.start(ctx, id); err != nil {
		return err
	}
	s.opts.Metrics.ExportJobStarted()
	began := time.Now()
	res := s.replay(ctx, e)
	took := time.Since(began)

	// ctx may be done (timeout, shutdown): the outcome is recorded anyway.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	m := s.opts.Metrics
	switch {
	case res.revoked:
		m.ExportJobFailed(e.Report, "revoked", took)
		s.log.Info("export stopped: its token was revoked", "id", id)
		return s.fail(rctx, id, reasonRevoked)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		m.ExportJobFailed(e.Report, "timeout", took)
		s.log.Warn("export ran out of time", "id", id, "report", e.Report, "timeout", s.opts.JobTimeout.String())
		return s.fail(rctx, id, fmt.Sprintf("The export ran longer than the server allows (%s).", s.opts.JobTimeout))
	case ctx.Err() != nil:
		// The server stops: River runs the job again, here or elsewhere.
		m.ExportJobFailed(e.Report, "stopped", took)
		s.log.Info("export interrupted by the shutdown; it runs again", "id", id)
		if err := s.requeue(rctx, id); err != nil {
			s.log.Warn("export not marked queued again", "id", id, "err", err)
		}
		return ctx.Err()
	case res.err != nil:
		s.log.Error("export failed", "id", id, "report", e.Report, "last_try", lastTry, "err", res.err)
		if lastTry {
			m.ExportJobFailed(e.Report, "error", took)
			if err := s.fail(rctx, id, reasonError); err != nil {
				return err
			}
			return res.err
		}
		m.ExportJobFailed(e.Report, "retry", took)
		if err := s.requeue(rctx, id); err != nil {
			s.log.Warn("export not marked queued again", "id", id, "err", err)
		}
		return res.err
	case res.refusal != "":
		m.ExportJobFailed(e.Report, "refused", took)
		s.log.Info("export refused by its report", "id", id, "report", e.Report)
		return s.fail(rctx, id, res.refusal)
	}
	if err := s.finish(rctx, id, res.file); err != nil {
		m.ExportJobFailed(e.Report, "retry", took)
		return err
	}
	m.ExportJobDone(e.Report, took, res.file.size)
	s.log.Info("export done", "id", id, "report", e.Report, "format", e.Format, "rows", res.file.rows,
		"bytes", res.file.size, "duration", took.String())
	return nil
}

// replayed is what replaying an export's request came to.
type replayed struct {
	file    file   // the file stored, when none of the below
	refusal string // the message of the report's refusal (a 4xx)
	revoked bool   // the token that asked was revoked meanwhile
	err     error  // the report failed on the server, or storing did
}

// replay serves e's request, as its principal, through the report
// handlers, storing the file they answer.
func (s *Service) replay(ctx context.Context, e *export) replayed {
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rows := &progress.Rows{}
	format, err := rest.Negotiate(e.Header.Get("Accept")) // as the handler will
	if err != nil {
		return replayed{err: err}
	}
	fw := &fileWriter{header: http.Header{}, want: format.MediaType()}
	fw.chunks = newChunkWriter(e.ChunkSize, func(seq int, data []byte, written int64) error {
		if err := s.storeChunk(rctx, e.ID, seq, data, rows.Load(), written); err != nil {
			return err
		}
		if s.opts.AfterChunk != nil {
			s.opts.AfterChunk(rctx, e.ID, seq)
		}
		return s.checkRevoked(rctx, cancel, e.OwnerID)
	})
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		s.watch(rctx, stop, cancel, e, rows)
	}()

	target := e.Path
	if e.RawQuery != "" {
		target += "?" + e.RawQuery
	}
	rctx = progress.WithRows(auth.NewContext(rctx, e.Principal.auth()), rows)
	req, err := http.NewRequestWithContext(rctx, e.Method, target, bytes.NewReader(e.Body))
	var panicked any
	if err == nil {
		req.Header = e.Header.Clone()
		panicked = serve(s.opts.Replay(e.AskedAt), fw, req)
	}
	close(stop)
	<-watched

	switch {
	case err != nil:
		return replayed{err: err}
	case errors.Is(context.Cause(rctx), errRevoked):
		return replayed{revoked: true}
	case ctx.Err() != nil:
		return replayed{err: ctx.Err()}
	case panicked != nil && panicked != http.ErrAbortHandler:
		return replayed{err: fmt.Errorf("the report panicked: %v", panicked)}
	case panicked != nil:
		return replayed{err: errors.New("the report broke off while streaming (logged above)")}
	case !fw.isFile():
		if fw.status >= 500 {
			return replayed{err: fmt.Errorf("the report answered %d", fw.status)}
		}
		return replayed{refusal: refusal(fw.errBody.Bytes())}
	}
	if err := fw.chunks.Close(); err != nil {
		return replayed{err: fmt.Errorf("storing the file: %w", err)}
	}
	disposition := fw.header.Get("Content-Disposition")
	if disposition == "" { // JSON: named after its report
		disposition = rest.ContentDisposition(e.Report + "." + e.Format)
	}
	return replayed{file: file{rows: rows.Load(), size: fw.chunks.n, contentType: fw.header.Get("Content-Type"),
		disposition: disposition, etag: fw.chunks.etag()}}
}

// serve serves r through h into w, returning what h panicked with.
func serve(h http.Handler, w http.ResponseWriter, r *http.Request) (panicked any) {
	defer func() { panicked = recover() }()
	h.ServeHTTP(w, r)
	return nil
}

// watch writes the rows a running export has streamed into its status
// every progressEvery, and cancels it when its token is revoked, until
// stop is closed.
func (s *Service) watch(ctx context.Context, stop <-chan struct{}, cancel context.CancelCauseFunc, e *export, rows *progress.Rows) {
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.setRows(ctx, e.ID, rows.Load()); err != nil && ctx.Err() == nil {
			s.log.Warn("export progress not written", "id", e.ID, "err", err)
		}
		s.checkRevoked(ctx, cancel, e.OwnerID) //nolint:errcheck // it cancels ctx when it matters
	}
}

// checkRevoked cancels the replay, with errRevoked as the cause, when the
// token owner is revoked or expired; it then returns ctx's error.
func (s *Service) checkRevoked(ctx context.Context, cancel context.CancelCauseFunc, owner string) error {
	revoked, err := s.ownerRevoked(ctx, owner)
	if err != nil {
		return err
	}
	if revoked {
		cancel(errRevoked)
		return ctx.Err()
	}
	return nil
}

// maxErrorBody is how much of a refusal's body a job keeps, to read its
// message.
const maxErrorBody = 64 << 10

// fileWriter is the response writer a job replays its request into. A
// 200 of the export's media type is the file: its body goes into chunks.
// Any other answer is a refusal or a failure, whose body is kept (up to
// maxErrorBody) for its message: a GraphQL download whose query failed
// answers its errors as JSON.
type fileWriter struct {
	header  http.Header
	want    string // the media type of the file
	status  int
	decided bool // status and headers are final: file says which
	file    bool
	chunks  *chunkWriter
	errBody bytes.Buffer
}

func (f *fileWriter) Header() http.Header { return f.header }

func (f *fileWriter) WriteHeader(status int) {
	if f.status == 0 && status >= 200 {
		f.status = status
	}
}

func (f *fileWriter) Write(p []byte) (int, error) {
	if !f.decided {
		f.decided = true
		if f.status == 0 {
			f.status = http.StatusOK
		}
		f.file = f.isFile()
	}
	if f.file {
		return f.chunks.Write(p)
	}
	f.errBody.Write(p[:min(len(p), max(0, maxErrorBody-f.errBody.Len()))])
	return len(p), nil
}

// isFile reports whether the answer is the file: a 200 of its media type.
func (f *fileWriter) isFile() bool {
	if f.status != 0 && f.status != http.StatusOK {
		return false
	}
	mt, _, err := mime.ParseMediaType(f.header.Get("Content-Type"))
	return err == nil && mt == f.want
}

// FlushError is a no-op: chunks are stored as they fill (a chunk stored
// short would break the offsets a download seeks by).
func (f *fileWriter) FlushError() error { return f.chunks.err }

// refusal returns the message of a refusal's body, in the REST shape
// ({"error": {"message"}}) or GraphQL's ({"errors": [{"message"}]}).
func refusal(body []byte) string {
	var b struct {
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	msg := ""
	if json.Unmarshal(body, &b) == nil {
		switch {
		case b.Error != nil:
			msg = b.Error.Message
		case len(b.Errors) > 0:
			msg = b.Errors[0].Message
		}
	}
	if msg == "" || !utf8.ValidString(msg) {
		return reasonRefused
	}
	if r := []rune(msg); len(r) > 300 {
		msg = string(r[:300]) + "…"
	}
	return msg
}
