// Package progress shows how far long work has got: for seeding and
// importing, a line per entity redrawn in place on a terminal, plain log
// lines otherwise (every tenth of the total, and at the end); for a report
// streamed by an asynchronous export, the rows so far (Rows).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Reporter counts the rows written of each entity.
type Reporter struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	cur      *counter
}

type counter struct {
	entity      string
	total, done int64
	start       time.Time
	logged      int64 // the tenth last logged, without a terminal
}

// New returns a Reporter writing to w, redrawing in place when w is a
// terminal. A nil w reports nothing.
func New(w io.Writer) *Reporter {
	r := &Reporter{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			r.terminal = true
		}
	}
	return r
}

// Start begins counting entity, of which total rows are expected (0 if
// unknown).
func (r *Reporter) Start(entity string, total int64) {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cur = &counter{entity: entity, total: total, start: time.Now()}
	r.draw(false)
}

// Add counts n more rows of the current entity.
func (r *Reporter) Add(n int64) {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return
	}
	r.cur.done += n
	r.draw(false)
}

// Done ends the current entity.
func (r *Reporter) Done() {
	if r == nil || r.w == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return
	}
	r.draw(true)
	r.cur = nil
}

func (r *Reporter) draw(final bool) {
	c := r.cur
	elapsed := time.Since(c.start).Round(time.Millisecond)
	if r.terminal {
		line := fmt.Sprintf("%-20s %10d", c.entity, c.done)
		if c.total > 0 {
			const width = 30
			filled := int(min(c.done, c.total) * width / c.total)
			line = fmt.Sprintf("%-20s [%s%s] %3d%% %10d/%d", c.entity, strings.Repeat("=", filled),
				strings.Repeat(" ", width-filled), c.done*100/c.total, c.done, c.total)
		}
		end := ""
		if final {
			end = fmt.Sprintf(" in %v\n", elapsed)
		}
		fmt.Fprintf(r.w, "\r%s%s", line, end)
		return
	}
	switch {
	case final:
		fmt.Fprintf(r.w, "%s: %d rows in %v\n", c.entity, c.done, elapsed)
	case c.total > 0:
		if tenth := c.done * 10 / c.total; tenth > c.logged && tenth < 10 {
			c.logged = tenth
			fmt.Fprintf(r.w, "%s: %d/%d rows (%d%%)\n", c.entity, c.done, c.total, tenth*10)
		}
	}
}
