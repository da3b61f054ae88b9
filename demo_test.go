package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/booking"
	"github.com/stift/stift-reports/ent/question"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// TestSeedDemoAt: `seed --demo` loads the demo as of now, so its data is
// current; `seed --demo --at T` as of T, byte for byte the demo the tests
// load when T is their fixed present.
func TestSeedDemoAt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixed, current := filepath.Join(dir, "fixed.db"), filepath.Join(dir, "current.db")
	if out, err := cliOn(fixed)("seed", "--demo", "--at", seed.Now.Format(time.RFC3339)); err != nil {
		t.Fatal(err, out)
	}
	before := time.Now()
	if out, err := cliOn(current)("seed", "--demo"); err != nil {
		t.Fatal(err, out)
	}
	ctx := auth.SystemContext(context.Background())

	tests := testdb.SQLite(t)
	if err := seed.Demo(ctx, tests.Client); err != nil {
		t.Fatal(err)
	}
	if got, want := checksumOf(t, openFile(t, fixed)), checksumOf(t, tests); got != want {
		t.Errorf("seed --demo --at %v: checksum %s, want the tests' demo, %s", seed.Now, got, want)
	}

	d := openFile(t, current)
	last := d.Client.Question.Query().Order(ent.Desc(question.FieldCreatedAt)).FirstX(ctx)
	if last.CreatedAt.Before(before.Add(-7*24*time.Hour)) || last.CreatedAt.After(time.Now()) {
		t.Errorf("seed --demo at %v: the last question was asked at %v", before, last.CreatedAt)
	}
	pending := d.Client.Booking.Query().Where(booking.ScheduledForGT(time.Now()),
		booking.ScheduledForLT(before.Add(7*24*time.Hour)), booking.CancelledAtIsNil()).CountX(ctx)
	if pending == 0 {
		t.Errorf("seed --demo at %v: no session booked for the coming week", before)
	}
}

// openFile opens the SQLite file at path for the test.
func openFile(t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// checksumOf returns seed.Checksum of the database d.
func checksumOf(t *testing.T, d *db.DB) string {
	t.Helper()
	sum, err := seed.Checksum(context.Background(), d.SQL)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestServedDemoIsCurrent: a server started on an empty database loads the
// demo as of its start and judges statuses by the real clock, so the
// coming week has pending sessions, today has a queue and the past week
// has questions.
func TestServedDemoIsCurrent(t *testing.T) {
	t.Parallel()
	s := startServer(t, filepath.Join(t.TempDir(), "stift.db"))
	now := time.Now()
	report := func(path string, from, to time.Time) []map[string]any {
		t.Helper()
		body := fmt.Sprintf(`{"start_date": %d, "end_date": %d}`, from.UnixMilli(), to.UnixMilli())
		req, _ := http.NewRequest("POST", s.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.demoToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var rows []map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(b, &rows) != nil {
			t.Fatalf("%s: %d %.200s", path, resp.StatusCode, b)
		}
		return rows
	}
	if rows := report("/reports/questions", now.Add(-7*24*time.Hour), now); len(rows) == 0 {
		t.Error("no question in the past week")
	}
	statuses := map[any]int{}
	for _, r := range report("/reports/bookings", now.Add(-24*time.Hour), now.Add(7*24*time.Hour)) {
		statuses[r["status"]]++
	}
	if statuses["Pendente"] == 0 || statuses["Na fila"] == 0 {
		t.Errorf("statuses from a day ago to a week ahead: %v; want Pendente and Na fila", statuses)
	}
}
