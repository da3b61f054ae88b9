// Package importer loads a platform exported as NDJSON — one file per
// entity, one JSON object per line — into the database.
//
// An import runs in two passes over the files, streaming them line by line
// (no file is ever held in memory):
//
//  1. validation: every record is decoded strictly (unknown fields, wrong
//     types, missing required fields, bad enum values, malformed ids,
//     impossible times, out-of-range values, strings that are not text)
//     and every reference is resolved, against the import itself or,
//     failing that, the database; a row the database holds may not change
//     school. Nothing is written. If anything is wrong, Import returns *Errors with
//     every problem found (up to MaxErrors), each naming file, line and
//     field.
//  2. writing: in one transaction, in dependency order, records are upserted
//     by id in batches (INSERT … ON CONFLICT (id) DO UPDATE), join tables
//     with ON CONFLICT DO NOTHING. Any failure rolls the whole import back.
//
// Importing the same directory twice changes nothing the second time. The
// import is additive: rows absent from the files (memberships and
// discipline links included) are never deleted. See docs/import.md for the
// record format.
package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	_ "time/tzdata" // the schools' zones, also where the system has none

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/progress"
)

// The files of an import, in dependency order: a file refers only to
// entities of the files before it (or already in the database).
const (
	FileSchools           = "schools.ndjson"
	FileDisciplines       = "disciplines.ndjson"
	FileSubjects          = "subjects.ndjson"
	FileGroups            = "groups.ndjson"
	FileUsers             = "users.ndjson"
	FileBookingRooms      = "booking_rooms.ndjson"
	FileMemberships       = "memberships.ndjson"
	FileQuestions         = "questions.ndjson"
	FileBookings          = "bookings.ndjson"
	FileAvailabilitySlots = "availability_slots.ndjson"
	FileNPSAnswers        = "nps_answers.ndjson"
)

// Files lists the files an import reads, in the order it reads them.
var Files = []string{
	FileSchools, FileDisciplines, FileSubjects, FileGroups, FileUsers, FileBookingRooms,
	FileMemberships, FileQuestions, FileBookings, FileAvailabilitySlots, FileNPSAnswers,
}

// MaxLineSize is the longest line (one record) an import accepts.
const MaxLineSize = 16 << 20

// MaxErrors is the most validation errors an import reports; the rest are
// only counted.
const MaxErrors = 100

// Summary tells what an import wrote.
type Summary struct {
	Files []FileSummary // the files present, in import order
}

// FileSummary is the number of records imported from one file.
type FileSummary struct {
	File    string
	Records int
}

// Total returns the number of records imported.
func (s Summary) Total() int {
	n := 0
	for _, f := range s.Files {
		n += f.Records
	}
	return n
}

// String renders the summary as one line per file and a total.
func (s Summary) String() string {
	var b strings.Builder
	for _, f := range s.Files {
		fmt.Fprintf(&b, "%s: %d records\n", f.File, f.Records)
	}
	fmt.Fprintf(&b, "imported %d records", s.Total())
	return b.String()
}

// Error is one problem of a record: file:line: field: message. Line is 0
// for a problem of a whole file; Field is empty for one of a whole line.
type Error struct {
	File    string
	Line    int
	Field   string
	Message string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is the error of an import rejected by validation: nothing was
// written. List holds the first MaxErrors problems, in file and line
// order; More counts those left out.
type Errors struct {
	List []Error
	More int
}

// Error lists the problems one per line, after a header with their number.
func (e *Errors) Error() string {
	var b strings.Builder
	total := len(e.List) + e.More
	noun := "errors"
	if total == 1 {
		noun = "error"
	}
	fmt.Fprintf(&b, "import rejected, nothing written: %d %s", total, noun)
	for _, x := range e.List {
		b.WriteString("\n")
		b.WriteString(x.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\nand %d more", e.More)
	}
	return b.String()
}

// options are test hooks.
type options struct {
	// failAfterRows, when positive, makes the write pass fail (and roll
	// back) right after writing that many records, as if killed mid-way.
	failAfterRows int
}

// errSimulated is the failure injected by options.failAfterRows.
var errSimulated = errors.New("importer: simulated failure")

// Import validates the NDJSON files in dir and, if all is well, writes them
// to d in one transaction. prog (which may be nil) shows the progress of
// each file in both passes. A rejected import returns *Errors; any other
// error (unreadable file, database failure) leaves the database unchanged
// too.
func Import(ctx context.Context, d *db.DB, dir string, prog *progress.Reporter) (Summary, error) {
	return importDir(ctx, d, dir, prog, options{})
}

func importDir(ctx context.Context, d *db.DB, dir string, prog *progress.Reporter, opts options) (Summary, error) {
	present, err := listFiles(dir)
	if err != nil {
		return Summary{}, err
	}
	v := newValidator(d)
	counts := make(map[string]int)
	for _, f := range Files {
		if !present[f] {
			continue
		}
		n, err := v.checkFile(ctx, filepath.Join(dir, f), f, prog)
		if err != nil {
			return Summary{}, err
		}
		counts[f] = n
	}
	if errs := v.errs.result(); errs != nil {
		return Summary{}, errs
	}
	var sum Summary
	for _, f := range Files {
		if present[f] {
			sum.Files = append(sum.Files, FileSummary{File: f, Records: counts[f]})
		}
	}
	if err := write(ctx, d, dir, v, sum, prog, opts); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

// listFiles returns which of Files dir holds. Any other *.ndjson file is an
// error (a misspelt name would otherwise be silently skipped).
func listFiles(dir string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	known := make(map[string]bool, len(Files))
	for _, f := range Files {
		known[f] = true
	}
	present := make(map[string]bool)
	var errs errList
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".ndjson") {
			continue
		}
		if !known[name] {
			errs.add(Error{File: name, Message: "unknown file (expected one of " + strings.Join(Files, ", ") + ")"})
			continue
		}
		if e.IsDir() {
			errs.add(Error{File: name, Message: "is a directory"})
			continue
		}
		present[name] = true
	}
	if r := errs.result(); r != nil {
		return nil, r
	}
	return present, nil
}

// errList collects validation errors up to MaxErrors.
type errList struct {
	list []Error
	more int
}

func (l *errList) add(e Error) {
	if len(l.list) >= MaxErrors {
		l.more++
		return
	}
	l.list = append(l.list, e)
}

// result returns the errors in file and line order, or nil if there are none.
func (l *errList) result() *Errors {
	if len(l.list) == 0 && l.more == 0 {
		return nil
	}
	order := make(map[string]int, len(Files))
	for i, f := range Files {
		order[f] = i + 1
	}
	sort.SliceStable(l.list, func(i, j int) bool {
		a, b := l.list[i], l.list[j]
		if order[a.File] != order[b.File] {
			return order[a.File] < order[b.File]
		}
		return a.Line < b.Line
	})
	return &Errors{List: l.list, More: l.more}
}
