package export

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// bufferSize is the size of the output buffer of WriteJSON and WriteJSONValue.
const bufferSize = 32 << 10

// WriteJSON writes rows as a compact JSON array of objects, one per row, each
// with the keys of cols in that order, followed by a newline. An empty stream
// is written as []. Strings are escaped as encoding/json escapes them, except
// that <, > and & are left as they are. See the package documentation for the
// value types and for what happens when rows yields an error.
func WriteJSON(w io.Writer, cols []Column, rows Rows) error {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(appendString(nil, c.Key), ':')
	}
	j := newJSONWriter(w)
	j.writeByte('[')
	n := 0
	for row, err := range rows {
		if err != nil {
			return err
		}
		n++
		if len(row) != len(cols) {
			return rowLengthError(n, len(row), len(cols))
		}
		if n > 1 {
			j.writeByte(',')
		}
		j.writeByte('{')
		for i, v := range row {
			if i > 0 {
				j.writeByte(',')
			}
			_, _ = j.bw.Write(keys[i])
			if err := j.value(v); err != nil {
				return fmt.Errorf("export: row %d, column %q: %w", n, cols[i].Key, err)
			}
		}
		j.writeByte('}')
		if err := j.tick(); err != nil {
			return err
		}
	}
	j.writeByte(']')
	return j.end()
}

// WriteJSONValue writes one JSON document, typically an [Object], compactly
// and followed by a newline, with the same formatting as [WriteJSON]. The
// items of an [Array] in it are written as the Array yields them, so a long
// list inside a document streams as the rows of WriteJSON do, with the same
// flushing and the same contract on errors: an error from an Array is
// returned unchanged, and the output is then truncated.
func WriteJSONValue(w io.Writer, v any) error {
	j := newJSONWriter(w)
	if err := j.value(v); err != nil {
		if _, ok := err.(*typeError); ok {
			return fmt.Errorf("export: %w", err)
		}
		return err
	}
	return j.end()
}

// jsonWriter writes JSON through a buffer, flushed every FlushEvery rows or
// Array items. A bufio.Writer's error sticks: it is checked at each flush.
type jsonWriter struct {
	w       io.Writer
	bw      *bufio.Writer
	scratch []byte
	items   int // rows or Array items written
}

func newJSONWriter(w io.Writer) *jsonWriter {
	return &jsonWriter{w: w, bw: bufio.NewWriterSize(w, bufferSize)}
}

func (j *jsonWriter) writeByte(c byte) { _ = j.bw.WriteByte(c) }

// tick counts a row or an item, and flushes the output every FlushEvery.
func (j *jsonWriter) tick() error {
	j.items++
	if j.items%FlushEvery != 0 {
		return nil
	}
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("export: writing JSON: %w", err)
	}
	if err := flush(j.w); err != nil {
		return fmt.Errorf("export: flushing JSON: %w", err)
	}
	return nil
}

// end closes the document with a newline and flushes it.
func (j *jsonWriter) end() error {
	j.writeByte('\n')
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("export: writing JSON: %w", err)
	}
	return nil
}

// value writes v. An error from an Array is returned as it is; an
// unsupported type is a *typeError that says where it was.
func (j *jsonWriter) value(v any) error {
	switch v := v.(type) {
	case Object:
		j.writeByte('{')
		for i, f := range v {
			if i > 0 {
				j.writeByte(',')
			}
			j.scratch = append(appendString(j.scratch[:0], f.Key), ':')
			_, _ = j.bw.Write(j.scratch)
			if err := j.value(f.Value); err != nil {
				return within(err, fmt.Sprintf("key %q", f.Key))
			}
		}
		j.writeByte('}')
		return nil
	case []Object:
		return writeItems(j, v)
	case []any:
		return writeItems(j, v)
	case Array:
		return j.array(v)
	}
	var ok bool
	if j.scratch, ok = appendScalar(j.scratch[:0], v); !ok {
		return &typeError{value: v}
	}
	_, _ = j.bw.Write(j.scratch)
	return nil
}

// array writes the items of a as they come. (Apart from value: a range over
// a function moves state to the heap, which value would then pay for every
// scalar.)
func (j *jsonWriter) array(a Array) error {
	j.writeByte('[')
	i := 0
	for item, err := range a {
		if err != nil {
			return err
		}
		if i > 0 {
			j.writeByte(',')
		}
		if err := j.value(item); err != nil {
			return within(err, fmt.Sprintf("item %d", i))
		}
		if err := j.tick(); err != nil {
			return err
		}
		i++
	}
	j.writeByte(']')
	return nil
}

// writeItems writes a slice as a JSON array.
func writeItems[T any](j *jsonWriter, items []T) error {
	j.writeByte('[')
	for i, item := range items {
		if i > 0 {
			j.writeByte(',')
		}
		if err := j.value(item); err != nil {
			return within(err, fmt.Sprintf("item %d", i))
		}
	}
	j.writeByte(']')
	return nil
}

// appendScalar appends the JSON form of a row value other than a container,
// and reports false when v is of no such type.
func appendScalar(dst []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), true
	case string:
		return appendString(dst, v), true
	case bool:
		return strconv.AppendBool(dst, v), true
	case int:
		return strconv.AppendInt(dst, int64(v), 10), true
	case int64:
		return strconv.AppendInt(dst, v, 10), true
	case float64:
		return appendFloat(dst, v, -1), true
	case Fixed:
		return appendFloat(dst, v.Value, v.Places), true
	case Time:
		return appendString(dst, v.Text), true
	case []string:
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']'), true
	}
	return dst, false
}

// typeError reports a value of a type the encoders do not write, with the
// path to it inside a document.
type typeError struct {
	path  []string
	value any
}

func (e *typeError) Error() string {
	return strings.Join(append(e.path, fmt.Sprintf("unsupported value type %T", e.value)), ": ")
}

// within prefixes the path of a *typeError with one more step; other errors
// go through unchanged.
func within(err error, step string) error {
	if te, ok := err.(*typeError); ok {
		te.path = append([]string{step}, te.path...)
	}
	return err
}

// appendFloat appends f with places decimals, or in its shortest form when
// places is negative. JSON has no NaN or infinity: they become null.
func appendFloat(dst []byte, f float64, places int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, f, 'f', places, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json escapes
// it with HTML escaping turned off: quote, backslash and control characters
// are escaped, U+2028 and U+2029 too (JavaScript reads them as line ends),
// and invalid UTF-8 becomes U+FFFD.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// rowLengthError reports a row whose length does not match its columns.
func rowLengthError(row, got, want int) error {
	return fmt.Errorf("export: row %d has %d values for %d columns", row, got, want)
}
