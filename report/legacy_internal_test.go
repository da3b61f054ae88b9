package report

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stift/stift-reports/export"
)

// TestNewTable checks that a table's values follow its columns' order, not
// the order they are given in, and that a column without a value, or a
// value without a column, stops the program.
func TestNewTable(t *testing.T) {
	cols := []export.Column{{Key: "a", Header: "A"}, {Key: "b", Header: "B"}}
	value := func(s string) func(int) any { return func(n int) any { return fmt.Sprint(s, n) } }
	tests := []struct {
		name  string
		byKey map[string]func(int) any
		panic string
	}{
		{"in the columns' order", map[string]func(int) any{"b": value("b"), "a": value("a")}, ""},
		{"a column without its value", map[string]func(int) any{"a": value("a")}, `report: no value for column "b"`},
		{"a value without its column", map[string]func(int) any{"a": value("a"), "b": value("b"), "c": value("c")},
			`report: a value for "c", which is no column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != nil && fmt.Sprint(got) != tt.panic || got == nil && tt.panic != "" {
					t.Errorf("panic %v, want %q", got, tt.panic)
				}
			}()
			table := newTable(cols, tt.byKey)
			if tt.panic != "" {
				return
			}
			if got, want := table.row(1), []any{"a1", "b1"}; !slices.Equal(got, want) {
				t.Errorf("row = %v, want %v", got, want)
			}
			want := export.Object{{Key: "a", Value: "a1"}, {Key: "b", Value: "b1"}, {Key: "x", Value: 0}}
			if got := table.object(1, export.Field{Key: "x", Value: 0}); !slices.Equal(got, want) {
				t.Errorf("object = %v, want %v", got, want)
			}
		})
	}
}
