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
	nKinds
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

// owned describes the kinds whose rows belong to a school — or, for an NPS
// answer, to a user (whose groups give its school) — and how to read the
// owner of stored rows. An upsert must not change the owner: it would move
// the row, and its history, out of one school's reports into another's.
// Users belong to no school (they are members of groups, maybe of several
// schools, and memberships are only ever added), so they are not here.
var owned = map[kind]struct {
	name, a string // "question", "a question"
	owner   string // the kind of the owner: "school" or "user"
	field   string // the record's field that names the owner, directly or not
	query   string // the ids and owners of stored rows; %s: the ids' placeholders
}{
	kGroup: {"group", "a group", "school", "school_id",
		`SELECT "id", "school_id" FROM "groups" WHERE "id" IN (%s)`},
	kRoom: {"booking room", "a booking room", "school", "school_id",
		`SELECT "id", "school_id" FROM "booking_rooms" WHERE "id" IN (%s)`},
	kQuestion: {"question", "a question", "school", "group_id",
		`SELECT q."id", g."school_id" FROM "questions" q JOIN "groups" g ON g."id" = q."group_id" WHERE q."id" IN (%s)`},
	kBooking: {"booking", "a booking", "school", "school_id",
		`SELECT "id", "school_id" FROM "bookings" WHERE "id" IN (%s)`},
	kSlot: {"availability slot", "an availability slot", "school", "booking_room_id",
		`SELECT a."id", r."school_id" FROM "availability_slots" a JOIN "booking_rooms" r ON r."id" = a."booking_room_id" WHERE a."id" IN (%s)`},
	kNPS: {"NPS answer", "an NPS answer", "user", "user_id",
		`SELECT "id", "user_id" FROM "nps_answers" WHERE "id" IN (%s)`},
}

// ownerCheck is the pending check that the stored row id, if any, belongs
// to owner, as the record on file:line says.
type ownerCheck struct {
	k         kind
	id, owner uuid.UUID
	file      string
	line      int
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
	// ownerChecks wait for the stored owners of the rows they name, run
	// after checks (which add those whose owner comes from a reference).
	ownerChecks []ownerCheck
	zones       map[uuid.UUID]zone // the schools of the import
}

func newValidator(d *db.DB) *validator {
	v := &validator{d: d, zones: make(map[uuid.UUID]zone)}
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

// owns queues the check that the row id of kind k (one of owned), if the
// database has it, belongs to owner there too. The record is the
// parser's, even when owns is called from a deferred reference check.
func (p *parser) owns(k kind, id, owner uuid.UUID) {
	if p.v == nil || owner == uuid.Nil {
		return
	}
	p.v.ownerChecks = append(p.v.ownerChecks, ownerCheck{k: k, id: id, owner: owner, file: p.file, line: p.line})
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
		if len(v.checks)+len(v.ownerChecks) >= lookupBatch {
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
	return v.checkOwners(ctx)
}

// checkOwners runs the pending owner checks: a row the database has must
// keep its owner.
func (v *validator) checkOwners(ctx context.Context) error {
	if len(v.ownerChecks) == 0 {
		return nil
	}
	var ids [nKinds]map[uuid.UUID]struct{}
	for _, c := range v.ownerChecks {
		if ids[c.k] == nil {
			ids[c.k] = make(map[uuid.UUID]struct{})
		}
		ids[c.k][c.id] = struct{}{}
	}
	var stored [nKinds]map[uuid.UUID]uuid.UUID
	for k := range nKinds {
		if len(ids[k]) == 0 {
			continue
		}
		var err error
		if stored[k], err = lookupOwners(ctx, v.d.SQL, v.d.Dialect, k, ids[k]); err != nil {
			return err
		}
	}
	for _, c := range v.ownerChecks {
		if was, ok := stored[c.k][c.id]; ok && was != c.owner {
			o := owned[c.k]
			v.errs.add(Error{File: c.file, Line: c.line, Field: o.field, Message: fmt.Sprintf(
				"%s %s belongs to %s %s in the database; %s cannot change %s", o.name, c.id, o.owner, was, o.a, o.owner)})
		}
	}
	v.ownerChecks = v.ownerChecks[:0]
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

// lookupOwners returns the owners of those of ids (of kind k, one of
// owned) the database has.
func lookupOwners(ctx context.Context, q querier, dialect string, k kind, ids map[uuid.UUID]struct{}) (map[uuid.UUID]uuid.UUID, error) {
	o := owned[k]
	list := make([]any, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	found := make(map[uuid.UUID]uuid.UUID)
	for start := 0; start < len(list); start += lookupBatch {
		chunk := list[start:min(start+lookupBatch, len(list))]
		marks := make([]string, len(chunk))
		for i := range chunk {
			marks[i] = placeholder(dialect, i+1)
		}
		rows, err := q.QueryContext(ctx, fmt.Sprintf(o.query, strings.Join(marks, ", ")), chunk...)
		if err != nil {
			return nil, fmt.Errorf("importer: look up the %ss of %ss: %w", o.owner, o.name, err)
		}
		for rows.Next() {
			var id, owner uuid.UUID
			if err := rows.Scan(&id, &owner); err != nil {
				rows.Close()
				return nil, fmt.Errorf("importer: look up the %ss of %ss: %w", o.owner, o.name, err)
			}
			found[id] = owner
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("importer: look up the %ss of %ss: %w", o.owner, o.name, err)
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
