package report

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"entgo.io/ent/dialect"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestSharedText reads text, NULL and repeated values through the shared
// destinations on both databases: values come out as read, NULL as nil
// (or an error where a column is never NULL), and a repeated value is the
// same string as the first on PostgreSQL (SQLite's driver hands over
// strings it has already allocated, which are kept as they are).
func TestSharedText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		q := newQuery(d.Dialect).add(`SELECT 'Ana' AS a, CAST(NULL AS TEXT) AS b, 'Çá ü' AS c
			UNION ALL SELECT 'Ana', 'x', ''`)
		names := shared{}
		var a, c string
		var b *string
		type row struct {
			a string
			b *string
			c string
		}
		var got []string
		var first string
		for r, err := range rows(context.Background(), d, q, func(rs rowScanner) (row, error) {
			err := rs.Scan(names.text(&a), shared(nil).nullText(&b), names.text(&c))
			return row{a, b, c}, err
		}) {
			if err != nil {
				t.Fatal(err)
			}
			bs := "<nil>"
			if r.b != nil {
				bs = *r.b
			}
			got = append(got, r.a+"|"+bs+"|"+r.c)
			if first == "" {
				first = r.a
			} else if d.Dialect == dialect.Postgres && unsafe.StringData(r.a) != unsafe.StringData(first) {
				t.Error("a repeated value was copied, not shared")
			}
		}
		if want := "Ana|<nil>|Çá ü,Ana|x|"; strings.Join(got, ",") != want {
			t.Errorf("got %q, want %q", strings.Join(got, ","), want)
		}

		q = newQuery(d.Dialect).add(`SELECT CAST(NULL AS TEXT)`)
		for _, err := range rows(context.Background(), d, q, func(rs rowScanner) (struct{}, error) {
			return struct{}{}, rs.Scan(names.text(&a))
		}) {
			if err == nil || !strings.Contains(err.Error(), "NULL") {
				t.Errorf("NULL into a text column that is never NULL: err = %v", err)
			}
		}
	})
}

// TestSharedBound checks that a set stops keeping values at maxShared and
// that a nil set keeps none.
func TestSharedBound(t *testing.T) {
	m := shared{}
	for i := range maxShared + 10 {
		m.get(strconv.AppendInt(nil, int64(i), 10))
	}
	if len(m) != maxShared {
		t.Errorf("len = %d, want %d", len(m), maxShared)
	}
	if got := shared(nil).get([]byte("y")); got != "y" {
		t.Errorf("nil set: got %q", got)
	}
}
