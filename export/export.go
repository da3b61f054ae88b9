// Package export encodes reports as JSON, CSV and XLSX while they stream.
//
// A report reaches this package as a [Rows] iterator: one []any per row, its
// values in the order of the report's [Column] list. The encoders write each
// row as it arrives and keep nothing of it afterwards, so memory does not grow
// with the number of rows. Nothing here builds a slice of a whole report.
//
// # Values
//
// A row value is one of:
//
//	nil       JSON null; an empty CSV/XLSX cell
//	string    a JSON string; a text cell, passed through [Sanitize] ("" is an empty cell)
//	bool      true/false; "true"/"false" in CSV; a boolean cell in XLSX
//	int       a JSON integer; a number cell
//	int64     a JSON integer; a number cell
//	float64   the shortest decimal form (4.9, 60); NaN and ±Inf become null / an empty cell
//	Fixed     a number with a fixed count of decimals (5 with one place is 5.0); a number cell
//	Time      its Text in JSON and CSV; a date cell in XLSX (see [Time])
//	[]string  a JSON array of strings; one text cell joined with ", "
//
// JSON may also hold [Object], []Object, []any and [Array], nested freely;
// they are meant for documents written with [WriteJSONValue], and CSV and
// XLSX refuse them. Any other type is an error: the encoders never guess a
// format. A nil slice is written as an empty JSON array, not null.
//
// # Streaming and errors
//
// WriteJSON and WriteCSV buffer their output and flush it to w every
// [FlushEvery] rows, and WriteJSONValue every FlushEvery items of its Arrays;
// when w is an http.ResponseWriter (or has a Flush method) it is flushed too,
// so an HTTP client receives a long report while it is being produced. When
// rows (or an Array) yields an error, the encoders stop at once and return
// that error unchanged, without flushing what they still buffer. Output
// already flushed stays: w then holds a truncated document, and an HTTP
// handler can no longer change its status. An error while the first rows are
// read (a failing query, typically) happens before anything reaches w, so
// the caller may still answer with an error status; wrap w to know for sure.
//
// XLSX is a zip archive whose parts must be complete before it can be sent:
// the XLSX encoders consume every row first, keeping the sheets in excelize's
// StreamWriter (which moves a sheet to a temporary file once it holds more
// than 16 MiB), and write the archive to w only at the end. Nothing reaches w
// when rows fails. That 16 MiB buffer, growing by doubling, makes one XLSX
// encoding take about 60 MiB of heap however many rows it has, where JSON and
// CSV take a few MiB: a server may want to bound how many run at once.
package export

import (
	"errors"
	"iter"
	"net/http"
	"strings"
	"time"
)

// Column is a column of a tabular report: Key names it in JSON, Header heads
// it in CSV, and Label, when set, heads it in XLSX instead of Header: a CSV
// keeps the headers legacy clients read, a spreadsheet may have readable
// ones.
type Column struct {
	Key    string
	Header string
	Label  string
}

// SheetHeader is the text heading c in a spreadsheet: its Label, or else its
// Header.
func (c Column) SheetHeader() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Header
}

// Fixed is a number written with exactly Places decimals: Fixed{5, 1} is
// 5.0 in JSON and CSV. XLSX stores it as a number cell, rounded to Places and
// displayed with that many decimals. A negative Places means as many as
// needed, like a float64. Rounding is strconv's: to the nearest, and to even
// on an exact tie (Fixed{2.5, 0} is 2); report code that must round otherwise
// rounds before it builds a Fixed.
type Fixed struct {
	Value  float64
	Places int
}

// Time is a moment that a report writes as text in JSON and CSV and as a
// date in a spreadsheet. Text is the form the API has always given it, in
// whatever zone and layout (the questions' UTC times, the bookings' local
// "02/01/2006 15:04"), and is written as it is, so that JSON and CSV stay
// byte for byte what legacy clients read. XLSX writes a date cell holding
// At's wall clock in At's location (a spreadsheet has no time zones: give
// At in the zone its reader lives in, the school's), shown as dd/mm/yyyy
// hh:mm, or as dd/mm/yyyy when Date is set, when the cell holds the day of
// At alone. The Excel dialect of CSV writes At in those same layouts, which
// Excel and LibreOffice in Portuguese read as dates.
type Time struct {
	At   time.Time
	Text string
	Date bool
}

// sheetTime is the wall clock a spreadsheet cell holds for t: At's, or for
// a Date the start of At's day.
func (t Time) sheetTime() time.Time {
	if !t.Date {
		return t.At
	}
	y, m, d := t.At.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.At.Location())
}

// The layouts of a Time in a spreadsheet: number formats of XLSX cells, and
// the Go layouts of the same text in the Excel dialect of CSV.
const (
	sheetDateFormat     = "dd/mm/yyyy"
	sheetDateTimeFormat = "dd/mm/yyyy hh:mm"
	sheetDateLayout     = "02/01/2006"
	sheetDateTimeLayout = "02/01/2006 15:04"
)

// Rows is the stream a report yields: one row at a time, each a []any of
// values in column order, or an error that ends the stream. The encoders do
// not keep a row after the next one is requested, so the producer may reuse
// the slice.
type Rows = iter.Seq2[[]any, error]

// Object is a JSON object whose keys keep their order.
type Object []Field

// Array is a JSON array whose items are produced while it is written, for
// a long list inside a document: WriteJSONValue writes each item as it
// comes and keeps none. It is consumed once.
type Array = iter.Seq2[any, error]

// Field is one key of an [Object] and its value.
type Field struct {
	Key   string
	Value any
}

// Section is one named table of a document made of several tables, such as
// the groups-usage report: one block of a CSV file, or one XLSX sheet named
// Name. Its Rows are consumed once, in order.
type Section struct {
	Name string
	// Title, when set on the first section of a sheet, is written in bold
	// above its table, with an empty row between, in XLSX only: a CSV file
	// keeps to its tables, which legacy clients parse.
	Title   string
	Columns []Column
	Rows    Rows
}

// FlushEvery is how many rows (or items of an Array) the JSON and CSV
// encoders write between two flushes of their output.
const FlushEvery = 1000

// ListSeparator joins the items of a []string in a CSV or XLSX cell.
const ListSeparator = ", "

// Sanitize neutralises a text cell that a spreadsheet would read as a
// formula (CSV or formula injection, as described by OWASP): a string
// beginning with '=', '+', '-', '@', a tab or a carriage return gets a single
// quote in front. Other strings are returned unchanged. The CSV and XLSX
// encoders apply it to every string value; numbers never pass through it, so
// a negative number stays a number.
func Sanitize(s string) string {
	if p := sanitizePrefix(s); p != "" {
		return p + s
	}
	return s
}

// sanitizePrefix is what Sanitize puts in front of s: a single quote, or "".
func sanitizePrefix(s string) string {
	if s == "" {
		return ""
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'"
	}
	return ""
}

// flush pushes buffered output of w (an http.ResponseWriter, or anything with
// a Flush method) towards its destination. Writers that cannot flush are left
// alone.
func flush(w any) error {
	switch f := w.(type) {
	case http.ResponseWriter:
		// ResponseController also finds Flush behind middleware wrappers
		// that implement Unwrap.
		err := http.NewResponseController(f).Flush()
		if errors.Is(err, http.ErrNotSupported) {
			return nil
		}
		return err
	case interface{ Flush() error }:
		return f.Flush()
	case interface{ Flush() }:
		f.Flush()
	}
	return nil
}

// joinList is the text of a []string cell.
func joinList(items []string) string {
	return strings.Join(items, ListSeparator)
}
