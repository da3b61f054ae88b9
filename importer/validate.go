package importer

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent/schema/hours"
	"github.com/stift/stift-reports/progress"
)

// kind is a kind of entity. Ids are kept, for resolving references, only
// for the kinds other records refer to (those before nRefKinds).
type kind int

const (
	kSchool kind = iota
	kGroup
	kUser
	kDiscipline
	kSubject
	kRoom
	nRefKinds
	kQuestion
	kBooking
	kSlot
	kNPS
)

// kinds describes the referenced kinds: the table, its parent column (the
// school of a group or room, the discipline of a subject) and a name for
// messages.
var kinds = [nRefKinds]struct {
	name, table, parent string
	intID               bool
}{
	kSchool:     {"school", "schools", "", false},
	kGroup:      {"group", "groups", "school_id", false},
	kUser:       {"user", "users", "", false},
	kDiscipline: {"discipline", "disciplines", "", true},
	kSubject:    {"subject", "subjects", "discipline_id", true},
	kRoom:       {"booking room", "booking_rooms", "school_id", false},
}

// key is an id: a UUID or an integer.
type key struct {
	u uuid.UUID
	n int64
}

func (k key) String() string {
	if k.u != uuid.Nil {
		return k.u.String()
	}
	return fmt.Sprint(k.n)
}

// entry is what is known of an id: its parent (school of a group or room,
// discipline of a subject), where it is defined (line 0: the database), and
// whether its line is broken (its parent is then unknown).
type entry struct {
	parent key
	line   int32
	broken bool
}

// zone is what the response times of a school's questions need.
type zone struct {
	loc     *time.Location
	windows []hours.Window
}

// lookupBatch is the number of pending ids that triggers a database lookup,
// and the most ids per lookup query.
const lookupBatch = 500

// validator is the state of the validation pass.
type validator struct {
	d       *db.DB
	errs    errList
	known   [nRefKinds]map[key]entry    // the import's ids and those found in the database
	absent  [nRefKinds]map[key]struct{} // ids found in neither
	pending [nRefKinds]map[key]struct{} // ids to look up in the database
	checks  []func()                    // to run once the pending ids are looked up
	// groups of the import whose school must match the database's.
	groupSchools map[uuid.UUID]uuid.UUID
	groupChecks  []func(dbSchool map[uuid.UUID]uuid.UUID)
	zones        map[uuid.UUID]zone // the schools of the import
}

func newValidator(d *db.DB) *validator {
	v := &validator{d: d, zones: make(map[uuid.UUID]zone), groupSchools: make(map[uuid.UUID]uuid.UUID)}
	for k := range nRefKinds {
		v.known[k] = make(map[key]entry)
		v.absent[k] = make(map[key]struct{})
		v.pending[k] = make(map[key]struct{})
	}
	return v
}

// define records the id of the record being parsed; a second definition in
// the import is an error.
func (p *parser) define(k kind, id key, parent key) {
	if p.v == nil || k >= nRefKinds {
		return
	}
	if e, dup := p.v.known[k][id]; dup && e.line > 0 {
		p.fail("id", "duplicate id %s (first on line %d)", id, e.line)
		return
	}
	p.v.known[k][id] = entry{parent: parent, line: int32(p.line)}
}

// ref resolves a reference to an entity of kind k, from the import or the
// database, then runs check (if any) on it. A reference to an id the
// import does not define is looked up in the database later, in a batch.
func (p *parser) ref(field string, k kind, id key, check func(p *parser, e entry)) {
	v := p.v
	if v == nil {
		return
	}
	if e, ok := v.known[k][id]; ok {
		if check != nil && !e.broken {
			check(p, e)
		}
		return
	}
	if _, ok := v.absent[k][id]; ok {
		p.fail(field, "%s", notFound(k, id))
		return
	}
	v.pending[k][id] = struct{}{}
	deferred := &parser{v: v, file: p.file, line: p.line, ok: true}
	v.checks = append(v.checks, func() {
		e, ok := v.known[k][id]
		switch {
		case !ok:
			deferred.fail(field, "%s", notFound(k, id))
		case check != nil && !e.broken:
			check(deferred, e)
		}
	})
}

func notFound(k kind, id key) string {
	return fmt.Sprintf("%s %s is neither in the import nor in the database", kinds[k].name, id)
}

// checkGroupSchool queues the check that a group already in the database
// stays in its school: a group cannot move (its bookings name the school).
func (v *validator) checkGroupSchool(p *parser, id, school uuid.UUID) {
	v.groupSchools[id] = school
	deferred := &parser{v: v, file: p.file, line: p.line, ok: true}
	v.groupChecks = append(v.groupChecks, func(dbSchool map[uuid.UUID]uuid.UUID) {
		if was, ok := dbSchool[id]; ok && was != school {
			deferred.fail("school_id", "group %s belongs to school %s in the database; a group cannot change school", id, was)
		}
	})
}

// checkFile validates one file, returning its number of records.
func (v *validator) checkFile(ctx context.Context, path, name string, prog *progress.Reporter) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("importer: %w", err)
	}
	defer f.Close()
	prog.Start("check "+name, 0)
	defer prog.Done()
	records := 0
	n, err := eachLine(ctx, f, func(line int, b []byte) error {
		records++
		rec := newRecord[name]()
		p := &parser{v: v, file: name, line: line, ok: true}
		if e := decode(b, rec); e != nil {
			e.File, e.Line = name, line
			v.errs.add(*e)
			if k, id, ok := rec.rawID(); ok && k < nRefKinds {
				if _, dup := v.known[k][id]; !dup {
					v.known[k][id] = entry{line: int32(line), broken: true}
				}
			}
		} else {
			rec.parse(p)
		}
		if len(v.checks)+len(v.groupChecks) >= lookupBatch {
			if err := v.flush(ctx); err != nil {
				return err
			}
		}
		if records%1000 == 0 {
			prog.Add(1000)
		}
		return nil
	})
	prog.Add(int64(n % 1000))
	var long *lineTooLong
	if errors.As(err, &long) {
		v.errs.add(Error{File: name, Line: long.line, Message: fmt.Sprintf("line longer than %d bytes", MaxLineSize)})
		err = nil
	}
	if err != nil {
		return 0, err
	}
	if err := v.flush(ctx); err != nil {
		return 0, err
	}
	return n, nil
}

type lineTooLong struct{ line int }

func (e *lineTooLong) Error() string { return fmt.Sprintf("line %d too long", e.line) }

// eachLine calls fn with each non-blank line of r and its number, and
// returns the number of non-blank lines.
func eachLine(ctx context.Context, r *os.File, fn func(line int, b []byte) error) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLineSize)
	line, n := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(b) == 0 {
			continue
		}
		n++
		if n%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if err := fn(line, b); err != nil {
			return n, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return n, &lineTooLong{line: line + 1}
		}
		return n, fmt.Errorf("importer: read %s: %w", r.Name(), err)
	}
	return n, nil
}

// flush looks the pending ids up in the database and runs the checks that
// waited for them.
func (v *validator) flush(ctx context.Context) error {
	for k := range nRefKinds {
		if len(v.pending[k]) == 0 {
			continue
		}
		ids := make([]key, 0, len(v.pending[k]))
		for id := range v.pending[k] {
			ids = append(ids, id)
		}
		clear(v.pending[k])
		found, err := lookup(ctx, v.d.SQL, v.d.Dialect, k, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if parent, ok := found[id]; ok {
				v.known[k][id] = entry{parent: parent}
			} else {
				v.absent[k][id] = struct{}{}
			}
		}
	}
	for _, c := range v.checks {
		c()
	}
	v.checks = v.checks[:0]
	if len(v.groupChecks) > 0 {
		ids := make([]key, 0, len(v.groupSchools))
		for id := range v.groupSchools {
			ids = append(ids, key{u: id})
		}
		found, err := lookup(ctx, v.d.SQL, v.d.Dialect, kGroup, ids)
		if err != nil {
			return err
		}
		dbSchool := make(map[uuid.UUID]uuid.UUID, len(found))
		for id, parent := range found {
			dbSchool[id.u] = parent.u
		}
		for _, c := range v.groupChecks {
			c(dbSchool)
		}
		v.groupChecks = v.groupChecks[:0]
		clear(v.groupSchools)
	}
	return nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// lookup returns which of ids of kind k the database has, with their parents.
func lookup(ctx context.Context, q querier, dialect string, k kind, ids []key) (map[key]key, error) {
	info := kinds[k]
	cols := `"id"`
	if info.parent != "" {
		cols += `, "` + info.parent + `"`
	}
	found := make(map[key]key)
	for start := 0; start < len(ids); start += lookupBatch {
		chunk := ids[start:min(start+lookupBatch, len(ids))]
		args := make([]any, len(chunk))
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			if info.intID {
				args[i] = id.n
			} else {
				args[i] = id.u
			}
			marks[i] = placeholder(dialect, i+1)
		}
		query := fmt.Sprintf(`SELECT %s FROM "%s" WHERE "id" IN (%s)`, cols, info.table, strings.Join(marks, ", "))
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("importer: look up %ss: %w", info.name, err)
		}
		for rows.Next() {
			var id, parent key
			dest := []any{&id.u}
			if info.intID {
				dest[0] = &id.n
			}
			switch k {
			case kGroup, kRoom:
				dest = append(dest, &parent.u)
			case kSubject:
				dest = append(dest, &parent.n)
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("importer: look up %ss: %w", info.name, err)
			}
			found[id] = parent
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("importer: look up %ss: %w", info.name, err)
		}
	}
	return found, nil
}

// placeholder returns the n-th (from 1) parameter marker of the dialect.
func placeholder(dialect string, n int) string {
	if dialect == "postgres" {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}
