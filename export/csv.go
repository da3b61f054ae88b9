package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteCSV writes a header row of the columns' Header, then one record per
// row, as RFC 4180 CSV (comma-separated, fields quoted when needed) except
// that lines end with LF rather than CRLF: encoding/csv's CRLF mode rewrites
// line breaks inside fields (it drops a lone CR and turns LF into CRLF),
// whereas in LF mode every cell comes out byte for byte, and spreadsheet
// programs and CSV libraries read either ending. There is no byte order
// mark. Strings pass through [Sanitize] (headers do not: they are the
// package's own); numbers and booleans are written as they are (a bool as
// true or false), nil as an empty field. See the package documentation for
// the value types and for what happens when rows yields an error.
func WriteCSV(w io.Writer, cols []Column, rows Rows) error {
	return WriteCSVSections(w, Section{Columns: cols, Rows: rows})
}

// WriteCSVSections writes several tables into one CSV file, each as
// [WriteCSV] would write it (its header row, then its rows), with an empty
// line between two tables. Section names are not written.
func WriteCSVSections(w io.Writer, sections ...Section) error {
	cw := csv.NewWriter(w)
	n := 0 // rows written, for flushing every FlushEvery
	for i, s := range sections {
		if i > 0 {
			_ = cw.Write(nil) // an empty record is an empty line; errors stick in cw
		}
		if err := writeCSVSection(cw, w, s, &n); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: writing CSV: %w", err)
	}
	return nil
}

// writeCSVSection writes the header and rows of s to cw, flushing cw and w
// every FlushEvery rows; n counts the rows across sections.
func writeCSVSection(cw *csv.Writer, w io.Writer, s Section, n *int) error {
	record := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		record[i] = c.Header
	}
	_ = cw.Write(record)
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
			if record[i], err = cellText(v); err != nil {
				return fmt.Errorf("export: row %d, column %q: %w", count, s.Columns[i].Key, err)
			}
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("export: writing CSV: %w", err)
		}
		if *n++; *n%FlushEvery == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return fmt.Errorf("export: writing CSV: %w", err)
			}
			if err := flush(w); err != nil {
				return fmt.Errorf("export: flushing CSV: %w", err)
			}
		}
	}
	return nil
}

// cellText is the text of a CSV field holding v.
func cellText(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return Sanitize(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return formatFloat(v, -1), nil
	case Fixed:
		return formatFloat(v.Value, v.Places), nil
	case []string:
		return Sanitize(joinList(v)), nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}

// formatFloat formats f as appendFloat does, with NaN and infinities as an
// empty field.
func formatFloat(f float64, places int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', places, 64)
}
