package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// writers runs each encoder over one table.
var writers = []struct {
	name  string
	write func(w io.Writer, cols []Column, rows Rows) error
}{
	{"JSON", WriteJSON},
	{"CSV", WriteCSV},
	{"JSON document", func(w io.Writer, cols []Column, rows Rows) error {
		return WriteJSONValue(w, Object{{"total", 1}, {"rows", objects(cols, rows)}})
	}},
	{"XLSX", func(w io.Writer, cols []Column, rows Rows) error {
		return WriteXLSX(w, "Relatório", cols, rows, XLSXOptions{})
	}},
	{"CSV sections", func(w io.Writer, cols []Column, rows Rows) error {
		return WriteCSVSections(w, Section{Columns: cols, Rows: rowsOf()}, Section{Columns: cols, Rows: rows})
	}},
	{"XLSX sections", func(w io.Writer, cols []Column, rows Rows) error {
		return WriteXLSXSections(w, []Section{{Name: "A", Columns: cols, Rows: rowsOf()}, {Name: "B", Columns: cols, Rows: rows}}, nil, XLSXOptions{})
	}},
}

// TestCancelledRowsStopWriters cancels the context of a report while it
// streams: every encoder stops asking for rows and returns the error.
func TestCancelledRowsStopWriters(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			produced, resumed := 0, false
			rows := func(yield func([]any, error) bool) {
				for i := 0; ; i++ {
					if i == 2500 {
						cancel() // the client went away
					}
					if err := ctx.Err(); err != nil {
						if yield(nil, err) {
							resumed = true
						}
						return
					}
					produced++
					if !yield([]any{"row", i}, nil) {
						return
					}
				}
			}
			err := wr.write(io.Discard, columns(2), rows)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got error %v, want context.Canceled", err)
			}
			if resumed || produced != 2500 {
				t.Errorf("rows produced %d and resumed %v after the error, want 2500 and false", produced, resumed)
			}
		})
	}
}

// TestEarlyErrorWritesNothing: an error from the first rows, such as a
// failing query, reaches the caller before any byte reaches w, so an HTTP
// handler can still answer with an error status.
func TestEarlyErrorWritesNothing(t *testing.T) {
	for _, wr := range writers {
		t.Run(wr.name, func(t *testing.T) {
			var b bytes.Buffer
			after := false
			err := wr.write(&b, columns(1), failingAfter(10, &after))
			if !errors.Is(err, errBoom) {
				t.Fatalf("got error %v, want errBoom", err)
			}
			if b.Len() != 0 || after {
				t.Errorf("wrote %q and resumed the rows %v after the error, want nothing and false", b.String(), after)
			}
		})
	}
}

// TestLateErrorTruncates: once rows have been flushed, an error leaves the
// output as far as the last flush, which is then not a complete document.
func TestLateErrorTruncates(t *testing.T) {
	var json, csv strings.Builder
	json.WriteString("[")
	csv.WriteString("H1\n")
	for i := range FlushEvery {
		if i > 0 {
			json.WriteString(",")
		}
		fmt.Fprintf(&json, `{"c1":"%d"}`, i)
		fmt.Fprintf(&csv, "%d\n", i)
	}
	for i, want := range []string{json.String(), csv.String()} {
		wr := writers[i]
		t.Run(wr.name, func(t *testing.T) {
			var b bytes.Buffer
			after := false
			err := wr.write(&b, columns(1), failingAfter(FlushEvery+10, &after))
			if !errors.Is(err, errBoom) || after {
				t.Fatalf("got error %v, resumed %v; want errBoom, false", err, after)
			}
			if got := b.String(); got != want {
				t.Errorf("got %d bytes ending %q, want the first %d rows, %d bytes", len(got), got[max(0, len(got)-20):], FlushEvery, len(want))
			}
		})
	}
}

// TestFlushesHTTPResponse: a long report reaches the HTTP client while it is
// being written.
func TestFlushesHTTPResponse(t *testing.T) {
	for _, wr := range writers[:3] {
		t.Run(wr.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			flushedAt := -1
			rows := func(yield func([]any, error) bool) {
				for i := range 3 * FlushEvery {
					if rec.Flushed && flushedAt < 0 {
						flushedAt = i
					}
					if !yield([]any{i}, nil) {
						return
					}
				}
			}
			if err := wr.write(rec, columns(1), rows); err != nil {
				t.Fatal(err)
			}
			if flushedAt != FlushEvery {
				t.Errorf("first flush before row %d, want %d", flushedAt, FlushEvery)
			}
		})
	}
}

// flushCounter counts its Flush calls, like a *bufio.Writer the caller owns.
type flushCounter struct {
	io.Writer
	flushes int
}

func (f *flushCounter) Flush() error { f.flushes++; return nil }

func TestFlushesWriter(t *testing.T) {
	for _, wr := range writers[:3] {
		w := &flushCounter{Writer: io.Discard}
		if err := wr.write(w, columns(1), numbered(5*FlushEvery+1, 1)); err != nil {
			t.Fatal(err)
		}
		if w.flushes != 5 {
			t.Errorf("%s: %d flushes for %d rows, want 5", wr.name, w.flushes, 5*FlushEvery+1)
		}
	}
}

// objects streams rows as an Array of objects keyed by cols.
func objects(cols []Column, rows Rows) Array {
	return func(yield func(any, error) bool) {
		for row, err := range rows {
			if err != nil {
				yield(nil, err)
				return
			}
			obj := make(Object, len(cols))
			for i, c := range cols {
				obj[i] = Field{c.Key, row[i]}
			}
			if !yield(obj, nil) {
				return
			}
		}
	}
}
