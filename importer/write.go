package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/hours"
	"github.com/stift/stift-reports/progress"
)

// table is a table the import writes: rows of an entity are upserted by
// id; rows of a join table (upsert false) are inserted unless present.
type table struct {
	name   string
	cols   []string
	upsert bool
}

var (
	tSchools     = &table{"schools", []string{"id", "name", "timezone", "min_cancel_hours", "service_hours"}, true}
	tDisciplines = &table{"disciplines", []string{"id", "name"}, true}
	tSubjects    = &table{"subjects", []string{"id", "name", "discipline_id"}, true}
	tGroups      = &table{"groups", []string{"id", "name", "school_id"}, true}
	tUsers       = &table{"users", []string{"id", "first_name", "last_name", "email", "external_id", "role",
		"created_at", "blocked_at", "deleted_at"}, true}
	tRooms     = &table{"booking_rooms", []string{"id", "name", "school_id", "modal"}, true}
	tQuestions = &table{"questions", []string{"id", "student_id", "group_id", "discipline_id", "subject_id",
		"anonymous", "description", "created_at", "teacher_id", "answered_at", "answer_description",
		"response_minutes", "adjusted_response_minutes", "reply_description", "reply_created_at",
		"reply_answer_description", "reply_answered_at", "answer_rating", "answer_understood",
		"answer_comment", "has_seen_answer", "cancelled_at"}, true}
	tBookings = &table{"bookings", []string{"id", "school_id", "group_id", "student_id", "teacher_id",
		"discipline_id", "booking_room_id", "created_at", "scheduled_for", "meeting_started_at",
		"meeting_ended_at", "queued_at", "left_queue_at", "cancelled_at", "cancelled_by_id",
		"rating_by_student", "rating_by_teacher", "call_quality_rating_by_student",
		"call_quality_rating_by_teacher"}, true}
	tSlots = &table{"availability_slots", []string{"id", "teacher_id", "booking_room_id", "discipline_id",
		"weekday", "start_minute", "end_minute"}, true}
	tNPS = &table{"nps_answers", []string{"id", "user_id", "kind", "score", "comment", "created_at"}, true}

	tUserDisciplines = &table{"user_disciplines", []string{"user_id", "discipline_id"}, false}
	tRoomDisciplines = &table{"booking_room_disciplines", []string{"booking_room_id", "discipline_id"}, false}
	tGroupStudents   = &table{"group_students", []string{"group_id", "user_id"}, false}
	tGroupTeachers   = &table{"group_teachers", []string{"group_id", "user_id"}, false}
)

// fileTables maps each file to the table of its records (nil: memberships,
// which have only join rows).
var fileTables = map[string]*table{
	FileSchools: tSchools, FileDisciplines: tDisciplines, FileSubjects: tSubjects, FileGroups: tGroups,
	FileUsers: tUsers, FileBookingRooms: tRooms, FileMemberships: nil, FileQuestions: tQuestions,
	FileBookings: tBookings, FileAvailabilitySlots: tSlots, FileNPSAnswers: tNPS,
}

// maxParams bounds the parameters of one statement (SQLite allows 32766,
// PostgreSQL 65535); maxBatch the rows.
const (
	maxParams = 30000
	maxBatch  = 500
)

// batch accumulates rows of one table and writes them in one statement.
// parent, if set, is flushed first (its rows are referred to by these).
type batch struct {
	t      *table
	parent *batch
	rows   [][]any
	ids    map[any]struct{} // of the rows, to flush before a repeated id
	size   int
}

func newBatch(t *table, parent *batch) *batch {
	return &batch{t: t, parent: parent, ids: make(map[any]struct{}), size: min(maxBatch, maxParams/len(t.cols))}
}

// writer is the state of the write pass.
type writer struct {
	ctx     context.Context
	tx      *sql.Tx
	dialect string
	zones   map[uuid.UUID]zone
	groups  map[key]entry
	opts    options
	written int // records, for options.failAfterRows
}

func (w *writer) add(b *batch, row []any) error {
	if b.t.upsert {
		// PostgreSQL refuses to update a row twice in one statement.
		if _, dup := b.ids[row[0]]; dup {
			if err := w.flush(b); err != nil {
				return err
			}
		}
		b.ids[row[0]] = struct{}{}
	}
	b.rows = append(b.rows, row)
	if len(b.rows) >= b.size {
		return w.flush(b)
	}
	return nil
}

func (w *writer) flush(b *batch) error {
	if b == nil || len(b.rows) == 0 {
		return nil
	}
	if err := w.flush(b.parent); err != nil {
		return err
	}
	t := b.t
	var sb strings.Builder
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = `"` + c + `"`
	}
	fmt.Fprintf(&sb, `INSERT INTO "%s" (%s) VALUES `, t.name, strings.Join(quoted, ", "))
	args := make([]any, 0, len(b.rows)*len(t.cols))
	for i, row := range b.rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				sb.WriteString(", ")
			}
			args = append(args, v)
			sb.WriteString(placeholder(w.dialect, len(args)))
		}
		sb.WriteByte(')')
	}
	if t.upsert {
		sets := make([]string, 0, len(t.cols)-1)
		for _, c := range quoted[1:] {
			sets = append(sets, c+" = excluded."+c)
		}
		sb.WriteString(` ON CONFLICT ("id") DO UPDATE SET ` + strings.Join(sets, ", "))
	} else {
		sb.WriteString(` ON CONFLICT DO NOTHING`)
	}
	if _, err := w.tx.ExecContext(w.ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("importer: write %s: %w", t.name, err)
	}
	b.rows = b.rows[:0]
	clear(b.ids)
	return nil
}

// write is the second pass: it writes every file in one transaction.
func write(ctx context.Context, d *db.DB, dir string, v *validator, sum Summary, prog *progress.Reporter, opts options) (err error) {
	tx, err := d.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("importer: begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("importer: rollback: %w", rerr))
			}
		}
	}()
	w := &writer{ctx: ctx, tx: tx, dialect: d.Dialect, zones: v.zones, groups: v.known[kGroup], opts: opts}
	for _, f := range sum.Files {
		if err := w.writeFile(filepath.Join(dir, f.File), f, prog); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("importer: commit: %w", err)
	}
	return nil
}

func (w *writer) writeFile(path string, fs FileSummary, prog *progress.Reporter) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("importer: %w", err)
	}
	defer f.Close()
	prog.Start("import "+fs.File, int64(fs.Records))
	defer prog.Done()
	var main *batch
	if t := fileTables[fs.File]; t != nil {
		main = newBatch(t, nil)
	}
	joins := make(map[*table]*batch)
	pendingProgress := 0
	_, err = eachLine(w.ctx, f, func(line int, b []byte) error {
		rec := newRecord[fs.File]()
		if e := decode(b, rec); e != nil {
			return fmt.Errorf("importer: %s:%d changed since validation: %s", fs.File, line, e.Message)
		}
		p := &parser{file: fs.File, line: line, ok: true}
		set := rec.parse(p)
		if !p.ok {
			return fmt.Errorf("importer: %s:%d changed since validation", fs.File, line)
		}
		if fs.File == FileQuestions {
			if err := w.responseTimes(set.main); err != nil {
				return fmt.Errorf("importer: %s:%d: %w", fs.File, line, err)
			}
		}
		if set.main != nil {
			if err := w.add(main, set.main); err != nil {
				return err
			}
		}
		for _, j := range set.joins {
			jb := joins[j.t]
			if jb == nil {
				jb = newBatch(j.t, main)
				joins[j.t] = jb
			}
			if err := w.add(jb, j.vals); err != nil {
				return err
			}
		}
		w.written++
		pendingProgress++
		if pendingProgress == 1000 {
			prog.Add(1000)
			pendingProgress = 0
		}
		if w.opts.failAfterRows > 0 && w.written >= w.opts.failAfterRows {
			// Write what is batched, so the failure comes mid-transaction.
			if err := w.flushAll(main, joins); err != nil {
				return err
			}
			return fmt.Errorf("%w after %d records (%s:%d)", errSimulated, w.written, fs.File, line)
		}
		return nil
	})
	if err != nil {
		var long *lineTooLong
		if errors.As(err, &long) {
			return fmt.Errorf("importer: %s changed since validation: %w", fs.File, err)
		}
		return err
	}
	if err := w.flushAll(main, joins); err != nil {
		return err
	}
	prog.Add(int64(pendingProgress))
	return nil
}

func (w *writer) flushAll(main *batch, joins map[*table]*batch) error {
	if err := w.flush(main); err != nil {
		return err
	}
	for _, t := range []*table{tUserDisciplines, tRoomDisciplines, tGroupStudents, tGroupTeachers} {
		if err := w.flush(joins[t]); err != nil {
			return err
		}
	}
	return nil
}

// responseTimes fills in a question's response times, as the ent hook does
// for writes through ent: answered_at − created_at, and the part of it
// inside the service hours of the group's school, in the school's zone.
func (w *writer) responseTimes(row []any) error {
	answered, ok := row[qAnsweredAt].(time.Time)
	if !ok {
		return nil
	}
	created := row[qCreatedAt].(time.Time)
	group := row[qGroup].(uuid.UUID)
	g, ok := w.groups[key{u: group}]
	if !ok {
		return fmt.Errorf("group %s not resolved", group)
	}
	z, err := w.zone(g.parent.u)
	if err != nil {
		return err
	}
	row[qResponseMinutes] = answered.Sub(created).Minutes()
	row[qAdjustedMinutes] = hours.Minutes(z.windows, z.loc, created, answered)
	return nil
}

// zone returns a school's zone and service hours: the import's, or else
// the database's (read once, in the transaction).
func (w *writer) zone(school uuid.UUID) (zone, error) {
	if z, ok := w.zones[school]; ok {
		return z, nil
	}
	var tz string
	var raw []byte
	query := `SELECT "timezone", "service_hours" FROM "schools" WHERE "id" = ` + placeholder(w.dialect, 1)
	if err := w.tx.QueryRowContext(w.ctx, query, school).Scan(&tz, &raw); err != nil {
		return zone{}, fmt.Errorf("school %s: %w", school, err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return zone{}, fmt.Errorf("school %s: %w", school, err)
	}
	var windows []hours.Window
	if err := json.Unmarshal(raw, &windows); err != nil {
		return zone{}, fmt.Errorf("school %s: service hours: %w", school, err)
	}
	z := zone{loc: loc, windows: windows}
	w.zones[school] = z
	return z, nil
}
