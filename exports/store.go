package exports

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/ent/schema/gid"
)

// export is a row of the exports table.
type export struct {
	ID        string
	OwnerID   string // the TokenID of the principal that asked
	Principal principal
	Report    string // questions, bookings, bookings-workload, groups-usage or graphql
	Format    string // json, csv or xlsx

	// The request to replay.
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte

	State       string
	Rows        int64 // rows streamed so far, or in all once done
	Size        int64 // bytes stored so far, or the file's size once done
	ChunkSize   int
	ContentType string
	Disposition string
	ETag        string
	Reason      string // why it failed, as the client may read it

	AskedAt, ExpiresAt    time.Time
	StartedAt, FinishedAt *time.Time

	// OwnerRevoked: the API token that asked is revoked or expired (only
	// read for the status and the file).
	OwnerRevoked bool
}

// principal is what an export keeps of the principal that asked: what it
// may see, fixed at that moment.
type principal struct {
	TokenID         gid.APITokenID `json:"token_id"`
	Name            string         `json:"name"`
	Scope           auth.Scope     `json:"scope"`
	SchoolIDs       []gid.SchoolID `json:"school_ids,omitempty"`
	GroupIDs        []gid.GroupID  `json:"group_ids,omitempty"`
	RevealAnonymous bool           `json:"reveal_anonymous,omitempty"`
}

func principalOf(p *auth.Principal) principal {
	return principal{TokenID: p.TokenID, Name: p.Name, Scope: p.Scope, SchoolIDs: p.SchoolIDs,
		GroupIDs: p.GroupIDs, RevealAnonymous: p.RevealAnonymous}
}

func (p principal) auth() *auth.Principal {
	return &auth.Principal{TokenID: p.TokenID, Name: p.Name, Scope: p.Scope, SchoolIDs: p.SchoolIDs,
		GroupIDs: p.GroupIDs, RevealAnonymous: p.RevealAnonymous}
}

// errNoExport: no such export (or not the principal's).
var errNoExport = errors.New("no such export")

// q returns query, written with ? placeholders, in the database's dialect.
func (s *Service) q(query string) string {
	if s.opts.DB.Dialect != dialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// insert records e, queued, in tx.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, e *export) error {
	p, err := json.Marshal(e.Principal)
	if err != nil {
		return err
	}
	h, err := json.Marshal(e.Header)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO exports (id, owner_id, principal, report, format,
		method, path, raw_query, header, body, state, chunk_size, asked_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.OwnerID, string(p), e.Report, e.Format, e.Method, e.Path, e.RawQuery, string(h), e.Body,
		Queued, e.ChunkSize, e.AskedAt, e.ExpiresAt)
	return err
}

// pending returns how many exports of owner are queued or running.
func (s *Service) pending(ctx context.Context, owner string) (int, error) {
	var n int
	err := s.opts.DB.SQL.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM exports
		WHERE owner_id = ? AND state IN (?, ?)`), owner, Queued, Running).Scan(&n)
	return n, err
}

// selectExport reads an export with whether its owner is a revoked API
// token; the caller adds the WHERE clause.
const selectExport = `SELECT e.id, e.owner_id, e.principal, e.report, e.format, e.method, e.path,
	e.raw_query, e.header, e.state, e.row_count, e.size, e.chunk_size, e.content_type,
	e.disposition, e.etag, e.reason, e.asked_at, e.expires_at, e.started_at, e.finished_at,
	t.revoked_at, t.expires_at
	FROM exports e LEFT JOIN api_tokens t ON t.id = e.owner_id `

// load returns the export id, but its Body; with owner not empty, only if
// it is owner's.
func (s *Service) load(ctx context.Context, id, owner string) (*export, error) {
	query, args := selectExport+`WHERE e.id = ?`, []any{id}
	if owner != "" {
		query, args = query+` AND e.owner_id = ?`, append(args, owner)
	}
	var e export
	var p, h string
	var started, finished, revoked, tokenExpires sql.NullTime
	err := s.opts.DB.SQL.QueryRowContext(ctx, s.q(query), args...).Scan(&e.ID, &e.OwnerID, &p,
		&e.Report, &e.Format, &e.Method, &e.Path, &e.RawQuery, &h, &e.State, &e.Rows,
		&e.Size, &e.ChunkSize, &e.ContentType, &e.Disposition, &e.ETag, &e.Reason, &e.AskedAt,
		&e.ExpiresAt, &started, &finished, &revoked, &tokenExpires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, errNoExport
	case err != nil:
		return nil, err
	}
	if err := json.Unmarshal([]byte(p), &e.Principal); err != nil {
		return nil, fmt.Errorf("export %s: principal: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(h), &e.Header); err != nil {
		return nil, fmt.Errorf("export %s: header: %w", e.ID, err)
	}
	e.StartedAt, e.FinishedAt = timePtr(started), timePtr(finished)
	e.OwnerRevoked = revoked.Valid || tokenExpires.Valid && !s.now().Before(tokenExpires.Time)
	return &e, nil
}

// loadBody reads the body of the request e replays.
func (s *Service) loadBody(ctx context.Context, e *export) error {
	return s.opts.DB.SQL.QueryRowContext(ctx, s.q(`SELECT body FROM exports WHERE id = ?`), e.ID).Scan(&e.Body)
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// ownerRevoked reports whether the API token owner is revoked or expired.
// A principal signed in with a JWT has no row in api_tokens: its exports
// stop only by expiring.
func (s *Service) ownerRevoked(ctx context.Context, owner string) (bool, error) {
	var revoked, expires sql.NullTime
	err := s.opts.DB.SQL.QueryRowContext(ctx, s.q(`SELECT revoked_at, expires_at FROM api_tokens WHERE id = ?`),
		owner).Scan(&revoked, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return revoked.Valid || expires.Valid && !s.now().Before(expires.Time), nil
}

// start marks the export running, its chunks from an earlier try deleted.
func (s *Service) start(ctx context.Context, id string) error {
	now := s.now()
	return s.withoutChunks(ctx, id, `UPDATE exports SET state = ?, row_count = 0, size = 0,
		reason = '', started_at = ?, expires_at = ? WHERE id = ?`, Running, now, now.Add(s.opts.TTL), id)
}

// withoutChunks deletes the export's chunks and runs update, in one
// transaction.
func (s *Service) withoutChunks(ctx context.Context, id, update string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM export_chunks WHERE export_id = ?`), id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(update), args...)
		return err
	})
}

// inTx runs f in a transaction, committed if f returns nil.
func (s *Service) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.opts.DB.SQL.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// storeChunk stores chunk seq of the export's file, and the rows and
// bytes streamed so far.
func (s *Service) storeChunk(ctx context.Context, id string, seq int, data []byte, rows, size int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO export_chunks (export_id, seq, data) VALUES (?, ?, ?)`),
			id, seq, data); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE exports SET row_count = ?, size = ? WHERE id = ? AND state = ?`),
			rows, size, id, Running)
		return err
	})
}

// setRows writes the rows a running export has streamed.
func (s *Service) setRows(ctx context.Context, id string, rows int64) error {
	_, err := s.opts.DB.SQL.ExecContext(ctx, s.q(`UPDATE exports SET row_count = ? WHERE id = ? AND state = ?`),
		rows, id, Running)
	return err
}

// file is what a job stored.
type file struct {
	rows, size               int64
	contentType, disposition string
	etag                     string
}

// finish marks the export done with its file.
func (s *Service) finish(ctx context.Context, id string, f file) error {
	now := s.now()
	_, err := s.opts.DB.SQL.ExecContext(ctx, s.q(`UPDATE exports SET state = ?, row_count = ?, size = ?,
		content_type = ?, disposition = ?, etag = ?, finished_at = ?, expires_at = ? WHERE id = ?`),
		Done, f.rows, f.size, f.contentType, f.disposition, f.etag, now, now.Add(s.opts.TTL), id)
	return err
}

// fail marks the export failed for reason, a message for the client, and
// deletes what it stored.
func (s *Service) fail(ctx context.Context, id, reason string) error {
	return s.withoutChunks(ctx, id, `UPDATE exports SET state = ?, reason = ?, size = 0, finished_at = ?
		WHERE id = ?`, Failed, reason, s.now(), id)
}

// requeue marks a running export queued again: its job stopped and River
// will run it again.
func (s *Service) requeue(ctx context.Context, id string) error {
	_, err := s.opts.DB.SQL.ExecContext(ctx, s.q(`UPDATE exports SET state = ? WHERE id = ? AND state = ?`),
		Queued, id, Running)
	return err
}

// removeExpired deletes the exports past their expiry, and those of
// revoked or expired API tokens that no job runs (a running one stops
// itself at its next check, then goes), with their chunks.
func (s *Service) removeExpired(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.opts.DB.SQL.ExecContext(ctx, s.q(`DELETE FROM exports WHERE expires_at <= ?
		OR (state <> ? AND owner_id IN (SELECT id FROM api_tokens
			WHERE revoked_at IS NOT NULL OR (expires_at IS NOT NULL AND expires_at <= ?)))`), now, Running, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// loadChunk reads chunk seq of the export's file.
func (s *Service) loadChunk(ctx context.Context, id string, seq int) ([]byte, error) {
	var data []byte
	err := s.opts.DB.SQL.QueryRowContext(ctx, s.q(`SELECT data FROM export_chunks WHERE export_id = ? AND seq = ?`),
		id, seq).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("export %s: no chunk %d", id, seq)
	}
	return data, err
}
