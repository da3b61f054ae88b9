package export

import (
	"io"
	"testing"
)

const benchRows = 10_000

// benchmarkWriter encodes benchRows rows of reportRow per operation into
// io.Discard and reports rows per second. The rows are built beforehand, so
// that time and allocations are the encoder's alone.
func benchmarkWriter(b *testing.B, write func(w io.Writer, rows Rows) error) {
	rows := make([][]any, benchRows)
	for i := range rows {
		rows[i] = reportRow(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := write(io.Discard, rowsOf(rows...)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWriteJSON(b *testing.B) {
	benchmarkWriter(b, func(w io.Writer, rows Rows) error { return WriteJSON(w, reportColumns, rows) })
}

func BenchmarkWriteCSV(b *testing.B) {
	benchmarkWriter(b, func(w io.Writer, rows Rows) error { return WriteCSV(w, reportColumns, rows) })
}

func BenchmarkWriteXLSX(b *testing.B) {
	benchmarkWriter(b, func(w io.Writer, rows Rows) error {
		return WriteXLSX(w, "Relatório", reportColumns, rows, XLSXOptions{})
	})
}
