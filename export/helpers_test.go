package export

import (
	"errors"
	"fmt"
	"strings"
)

// rowsOf streams the given rows.
func rowsOf(rows ...[]any) Rows {
	return func(yield func([]any, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// numbered streams n rows of cols columns: "r<i>" then i, i*10, ... so every
// row is distinct and the row index can be read back from its cells.
func numbered(n, cols int) Rows {
	return func(yield func([]any, error) bool) {
		for i := 1; i <= n; i++ {
			row := make([]any, cols)
			row[0] = fmt.Sprintf("r%d", i)
			for j := 1; j < cols; j++ {
				row[j] = i * j
			}
			if !yield(row, nil) {
				return
			}
		}
	}
}

// columns returns n columns keyed c1..cn and headed H1..Hn.
func columns(n int) []Column {
	cols := make([]Column, n)
	for i := range cols {
		cols[i] = Column{Key: fmt.Sprintf("c%d", i+1), Header: fmt.Sprintf("H%d", i+1)}
	}
	return cols
}

var errBoom = errors.New("boom")

// failingAfter streams n good rows of one column, then errBoom. It records
// in *after whether it was asked for anything after the error.
func failingAfter(n int, after *bool) Rows {
	return func(yield func([]any, error) bool) {
		for i := range n {
			if !yield([]any{fmt.Sprint(i)}, nil) {
				return
			}
		}
		if yield(nil, errBoom) {
			*after = true
		}
	}
}

// csvLines joins lines with LF, the CSV line ending, and ends the last.
func csvLines(lines ...string) string {
	return strings.Join(lines, "\n") + "\n"
}
