package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestPlainLines(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf)
	r.Start("questions", 100)
	for range 10 {
		r.Add(10)
	}
	r.Done()
	r.Start("bookings", 0)
	r.Add(5)
	r.Done()
	out := buf.String()
	for _, want := range []string{"questions: 10/100 rows (10%)", "questions: 90/100 rows (90%)", "questions: 100 rows in", "bookings: 5 rows in"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 11 {
		t.Errorf("%d lines, want 9 tenths and 2 ends:\n%s", n, out)
	}
	New(nil).Start("x", 1) // a nil writer reports nothing
}
