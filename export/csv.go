package export

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WriteCSV writes a header row of the columns' Header, then one record per
// row, as RFC 4180 CSV (comma-separated, fields quoted when needed) except
// that lines end with LF rather than CRLF, as encoding/csv's default mode
// writes them: every cell comes out byte for byte (a CR or LF inside a
// quoted field stays what it was), and spreadsheet programs and CSV
// libraries read either ending. There is no byte order mark. Strings pass
// through [Sanitize] (headers do not: they are the package's own); numbers
// and booleans are written as they are (a bool as true or false), nil as an
// empty field. See the package documentation for the value types and for
// what happens when rows yields an error.
//
// The records are those encoding/csv.Writer would write, but the fields are
// appended straight into one output buffer: writing a row of strings and
// numbers allocates nothing.
func WriteCSV(w io.Writer, cols []Column, rows Rows) error {
	return WriteCSVSections(w, Section{Columns: cols, Rows: rows})
}

// WriteCSVSections writes several tables into one CSV file, each as
// [WriteCSV] would write it (its header row, then its rows), with an empty
// line between two tables. Section names are not written.
func WriteCSVSections(w io.Writer, sections ...Section) error {
	return writeCSV(w, defaultCSV, sections)
}

// WriteExcelCSV writes rows as a person sees them in XLSX, headers (the
// columns' SheetHeader) and values, in the CSV dialect that Excel set to
// Portuguese (Brazil) opens with a double click, one value per cell, and
// LibreOffice too when told the language. Legacy clients parse
// [WriteCSV]'s CSV, never this one. The file starts with a UTF-8 byte order
// mark (without it Excel reads the text as Windows-1252); fields are
// separated by semicolons (the list separator of pt-BR, where the comma is
// the decimal mark) and quoted when they hold a semicolon, a quote, CR or
// LF; lines end with CRLF; numbers have a decimal comma (43615,19); a Time
// is written in its spreadsheet layout in At's zone (18/04/2026 19:58, or
// 18/04/2026 for a date); booleans are VERDADEIRO and FALSO, the words
// Excel in Portuguese reads as booleans. There is no "sep=;" line, which
// would make Excel ignore the byte order mark.
func WriteExcelCSV(w io.Writer, cols []Column, rows Rows) error {
	return WriteExcelCSVSections(w, Section{Columns: cols, Rows: rows})
}

// WriteExcelCSVSections is [WriteCSVSections] in the dialect of
// [WriteExcelCSV].
func WriteExcelCSVSections(w io.Writer, sections ...Section) error {
	return writeCSV(w, excelCSV, sections)
}

// csvDialect is how a CSV file is spelled.
type csvDialect struct {
	labels  bool // headed by the columns' SheetHeader rather than Header
	bom     string
	comma   byte
	eol     string
	special *[256]bool // the bytes that make a field quoted
	value   func(b []byte, v any) ([]byte, error)
}

var (
	// defaultCSV is the API's own CSV, which legacy clients parse.
	defaultCSV = &csvDialect{comma: ',', eol: "\n", special: &csvSpecial, value: appendCSVValue}
	// excelCSV is what Excel in Portuguese reads; see WriteExcelCSV.
	excelCSV = &csvDialect{labels: true, bom: "\uFEFF", comma: ';', eol: "\r\n", special: &excelSpecial, value: appendExcelValue}
)

// writeCSV writes sections one after the other in dialect d.
func writeCSV(w io.Writer, d *csvDialect, sections []Section) error {
	cw := &csvWriter{w: w, d: d, buf: make([]byte, 0, csvBufferSize)}
	cw.buf = append(cw.buf, d.bom...)
	for i, s := range sections {
		if i > 0 {
			cw.buf = append(cw.buf, d.eol...)
		}
		if err := cw.section(s); err != nil {
			return err
		}
	}
	if err := cw.write(); err != nil {
		return fmt.Errorf("export: writing CSV: %w", err)
	}
	return nil
}

// csvBufferSize is how much CSV is buffered before it is written to w,
// between the flushes every FlushEvery rows.
const csvBufferSize = 64 << 10

// csvWriter appends CSV records to buf and writes buf to w when it fills,
// or every FlushEvery rows, when w is flushed too; rows counts the rows
// written across sections.
type csvWriter struct {
	w    io.Writer
	d    *csvDialect
	buf  []byte
	rows int
}

// section writes the header and rows of s.
func (cw *csvWriter) section(s Section) error {
	d := cw.d
	for i, c := range s.Columns {
		if i > 0 {
			cw.buf = append(cw.buf, d.comma)
		}
		header := c.Header
		if d.labels {
			header = c.SheetHeader()
		}
		cw.buf = appendCSVField(cw.buf, "", header, d.special)
	}
	cw.buf = append(cw.buf, d.eol...)
	count := 0
	for row, err := range s.Rows {
		if err != nil {
			return err
		}
		count++
		if len(row) != len(s.Columns) {
			return rowLengthError(count, len(row), len(s.Columns))
		}
		for i, v := range row {
			if i > 0 {
				cw.buf = append(cw.buf, d.comma)
			}
			if cw.buf, err = d.value(cw.buf, v); err != nil {
				return fmt.Errorf("export: row %d, column %q: %w", count, s.Columns[i].Key, err)
			}
		}
		cw.buf = append(cw.buf, d.eol...)
		if cw.rows++; cw.rows%FlushEvery == 0 || len(cw.buf) >= csvBufferSize {
			if err := cw.write(); err != nil {
				return fmt.Errorf("export: writing CSV: %w", err)
			}
		}
		if cw.rows%FlushEvery == 0 {
			if err := flush(cw.w); err != nil {
				return fmt.Errorf("export: flushing CSV: %w", err)
			}
		}
	}
	return nil
}

// write writes out what buf holds and empties it.
func (cw *csvWriter) write() error {
	if len(cw.buf) == 0 {
		return nil
	}
	_, err := cw.w.Write(cw.buf)
	cw.buf = cw.buf[:0]
	return err
}

// appendCSVValue appends the CSV field holding v.
func appendCSVValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return b, nil
	case string:
		return appendCSVField(b, sanitizePrefix(v), v, &csvSpecial), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		return appendCSVFloat(b, v, -1), nil
	case Fixed:
		return appendCSVFloat(b, v.Value, v.Places), nil
	case Time:
		return appendCSVField(b, sanitizePrefix(v.Text), v.Text, &csvSpecial), nil
	case []string:
		return appendCSVList(b, v, &csvSpecial), nil
	}
	return b, fmt.Errorf("unsupported value type %T", v)
}

// appendExcelValue appends the field holding v in the Excel dialect (see
// WriteExcelCSV).
func appendExcelValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendCSVField(b, sanitizePrefix(v), v, &excelSpecial), nil
	case bool:
		if v {
			return append(b, "VERDADEIRO"...), nil
		}
		return append(b, "FALSO"...), nil
	case float64:
		return decimalComma(appendCSVFloat(b, v, -1), len(b)), nil
	case Fixed:
		return decimalComma(appendCSVFloat(b, v.Value, v.Places), len(b)), nil
	case Time:
		layout := sheetDateTimeLayout
		if v.Date {
			layout = sheetDateLayout
		}
		return v.At.AppendFormat(b, layout), nil
	case []string:
		return appendCSVList(b, v, &excelSpecial), nil
	}
	return appendCSVValue(b, v) // nil and integers are written alike
}

// decimalComma turns the decimal point of the number b holds from index
// start on into a comma.
func decimalComma(b []byte, start int) []byte {
	if i := bytes.IndexByte(b[start:], '.'); i >= 0 {
		b[start+i] = ','
	}
	return b
}

// appendCSVFloat appends f as appendFloat formats it, with NaN and
// infinities as an empty field.
func appendCSVFloat(b []byte, f float64, places int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b
	}
	return strconv.AppendFloat(b, f, 'f', places, 64)
}

// appendCSVField appends the field prefix+s, quoted as encoding/csv quotes
// a field: when it holds a byte of special (the separator, a quote, CR or
// LF), begins with a space or is exactly \. (a PostgreSQL end-of-data
// marker); quotes inside are doubled.
func appendCSVField(b []byte, prefix, s string, special *[256]bool) []byte {
	if !csvNeedsQuotes(prefix, s, special) {
		b = append(b, prefix...)
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, prefix...)
	b = appendQuoted(b, s)
	return append(b, '"')
}

// appendQuoted appends s with its quotes doubled, as inside a quoted field.
func appendQuoted(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
}

// appendCSVList appends the field joinList(items) after Sanitize, without
// building the joined string: two items or more hold a comma, so they are
// always quoted (in the Excel dialect too, where they need not be).
func appendCSVList(b []byte, items []string, special *[256]bool) []byte {
	switch len(items) {
	case 0:
		return b
	case 1:
		return appendCSVField(b, sanitizePrefix(items[0]), items[0], special)
	}
	b = append(b, '"')
	b = append(b, sanitizePrefix(items[0])...)
	for i, item := range items {
		if i > 0 {
			b = append(b, ListSeparator...)
		}
		b = appendQuoted(b, item)
	}
	return append(b, '"')
}

// csvNeedsQuotes reports whether the field prefix+s must be quoted; prefix
// is "" or Sanitize's quote, which needs no quoting of its own.
func csvNeedsQuotes(prefix, s string, special *[256]bool) bool {
	field := s
	if prefix != "" {
		field = prefix // the field begins with the prefix, not with a space
	} else if s == "" {
		return false
	} else if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		if special[s[i]] {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}

// csvSpecial marks the bytes that make a field quoted wherever they are;
// excelSpecial likewise in the Excel dialect.
var (
	csvSpecial   = [256]bool{',': true, '"': true, '\r': true, '\n': true}
	excelSpecial = [256]bool{';': true, '"': true, '\r': true, '\n': true}
)
