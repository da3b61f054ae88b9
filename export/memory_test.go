package export

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// reportColumns are twelve columns shaped like a bookings report's.
var reportColumns = columns(12)

// reportRow builds row i of a synthetic report: ids, names, e-mails, dates,
// numbers, a rating, a flag, a list and a description, new on every call as
// a database driver's values would be.
func reportRow(i int) []any {
	return []any{
		fmt.Sprintf("a300c187-5883-41dd-a7dc-%012d", i),
		fmt.Sprintf("Aluno Número %d da Silva", i),
		fmt.Sprintf("aluno%d@stift.com.br", i),
		Time{At: time.Date(2024, 10, i%28+1, 15, i%60, 0, 0, time.UTC), Text: fmt.Sprintf("%02d/10/2024 15:%02d", i%28+1, i%60)},
		"Professor Teste",
		"Matemática",
		i % 240,
		int64(i) * 1000,
		Fixed{float64(i%50) / 10, 1},
		i%3 == 0,
		[]string{"Turma A", fmt.Sprintf("Turma %d", i%40)},
		strings.Repeat("Descrição da pergunta ", 1+i%8),
	}
}

// reportRows streams n rows of reportRow, calling sample(i) every 10,000
// rows.
func reportRows(n int, sample func(i int)) Rows {
	return func(yield func([]any, error) bool) {
		for i := range n {
			if i%10_000 == 0 {
				sample(i)
			}
			if !yield(reportRow(i), nil) {
				return
			}
		}
	}
}

// heapObjects is the memory taken by heap objects, live or not yet swept.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// peakMeter records the largest heapObjects it sees, on demand and every
// millisecond in the background (the XLSX archive is written after the last
// row, out of reach of the row iterator).
type peakMeter struct {
	mu   sync.Mutex
	peak uint64
	stop chan struct{}
	done chan struct{}
}

func startPeakMeter() *peakMeter {
	m := &peakMeter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-tick.C:
				m.sample()
			}
		}
	}()
	return m
}

func (m *peakMeter) sample() {
	v := heapObjects()
	m.mu.Lock()
	m.peak = max(m.peak, v)
	m.mu.Unlock()
}

// split returns the peak so far and starts a new one.
func (m *peakMeter) split() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	peak := m.peak
	m.peak = 0
	return peak
}

func (m *peakMeter) Stop() uint64 {
	close(m.stop)
	<-m.done
	m.sample()
	return m.peak
}

const (
	mib        = 1 << 20
	memoryRows = 200_000
)

// heldRowsBytes measures the heap that holding all memoryRows rows would
// take, from holding a twentieth of them.
func heldRowsBytes() uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	held := make([][]any, memoryRows/20)
	for i := range held {
		held[i] = reportRow(i)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(held)
	return (after.HeapAlloc - before.HeapAlloc) * 20
}

// TestMemoryStaysFlat streams 200,000 rows through each encoder into
// io.Discard, sampling the heap, and checks that it does not grow with the
// rows: its peak over the second half of the rows is no higher than over the
// first, and stays under a fixed bound set at about twice what was measured.
// For JSON and CSV that bound is also over ten times below what holding the
// rows would take. XLSX cannot be: excelize's StreamWriter keeps up to
// 16 MiB of sheet XML in a buffer before moving it to a temporary file, so
// every XLSX encoding costs about 60 MiB of heap, however few or many rows.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 200,000 rows per format")
	}
	held := heldRowsBytes()
	t.Logf("holding %d rows of %d columns would take %.0f MiB of heap", memoryRows, len(reportColumns), float64(held)/mib)
	const textBound = 11 * mib // JSON and CSV
	if textBound*10 > held {
		t.Fatalf("the JSON and CSV bound is not ten times below the %.0f MiB of holding the rows: the test would prove nothing", float64(held)/mib)
	}

	tests := []struct {
		name  string
		bound uint64 // peak heap above the baseline
		write func(w io.Writer, rows Rows) error
	}{
		{"JSON", textBound, func(w io.Writer, rows Rows) error { return WriteJSON(w, reportColumns, rows) }},
		{"CSV", textBound, func(w io.Writer, rows Rows) error { return WriteCSV(w, reportColumns, rows) }},
		{"JSON document", textBound, func(w io.Writer, rows Rows) error {
			return WriteJSONValue(w, Object{{"students", objects(reportColumns, rows)}})
		}},
		{"XLSX", 128 * mib, func(w io.Writer, rows Rows) error {
			return WriteXLSX(w, "Relatório", reportColumns, rows, XLSXOptions{})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp) // where excelize keeps sheet XML over 16 MiB
			runtime.GC()
			base := heapObjects()
			meter := startPeakMeter()
			var firstHalf uint64
			sample := func(i int) {
				meter.sample()
				if i == memoryRows/2 {
					firstHalf = meter.split() - base
				}
			}
			start := time.Now()
			err := tt.write(io.Discard, reportRows(memoryRows, sample))
			secondHalf := meter.Stop() - base
			if err != nil {
				t.Fatal(err)
			}
			peak := max(firstHalf, secondHalf)
			t.Logf("%d rows in %v; heap peak above a %.1f MiB baseline: %.1f MiB over the first half of the rows, %.1f MiB over the second and the end (bound %d MiB)",
				memoryRows, time.Since(start).Round(time.Millisecond), float64(base)/mib, float64(firstHalf)/mib, float64(secondHalf)/mib, tt.bound/mib)
			if peak > tt.bound {
				t.Errorf("peak heap %.1f MiB, want at most %d MiB", float64(peak)/mib, tt.bound/mib)
			}
			// Holding the second half's rows would add held/2; allow GC noise.
			if slack := max(firstHalf/4, 4*mib); secondHalf > firstHalf+slack {
				t.Errorf("heap grew from %.1f to %.1f MiB between the halves", float64(firstHalf)/mib, float64(secondHalf)/mib)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}
