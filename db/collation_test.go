package db_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/internal/testdb"
)

// TestTextCollation sorts testdb.PortugueseOrder, shuffled, in SQL by
// db.TextCollation and the id, on each database: both must give the
// order written in the file. (Byte order would put "Ícaro" after
// "Valentina".)
func TestTextCollation(t *testing.T) {
	order := testdb.PortugueseOrder()
	testdb.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.SQL.ExecContext(ctx, `CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		// Ids follow the expected order, so equal names tie on them; rows
		// go in shuffled, so the table's order says nothing.
		ids := make([]int, len(order))
		for i := range ids {
			ids[i] = i + 1
		}
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		for _, id := range ids {
			if _, err := d.SQL.ExecContext(ctx, fmt.Sprintf(`INSERT INTO names (id, name) VALUES (%s)`, placeholders(d, 1, 2)),
				id, order[id-1]); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := d.SQL.QueryContext(ctx, `SELECT id, name FROM names ORDER BY name COLLATE `+db.TextCollation+`, id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id int
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d %s", id, name))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := make([]string, len(order))
		for i, name := range order {
			want[i] = fmt.Sprintf("%d %s", i+1, name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("ORDER BY name COLLATE %s, id:\n got %q\nwant %q", db.TextCollation, got, want)
		}
	})
}

// TestComparePortuguese checks the SQLite collation's function directly:
// testdb.PortugueseOrder, and 0 only for equal strings.
func TestComparePortuguese(t *testing.T) {
	order := testdb.PortugueseOrder()
	sorted := slices.Clone(order)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(sorted), func(i, j int) { sorted[i], sorted[j] = sorted[j], sorted[i] })
	slices.SortStableFunc(sorted, db.ComparePortuguese)
	if !slices.Equal(sorted, order) {
		t.Errorf("sorted by ComparePortuguese:\n got %q\nwant %q", sorted, order)
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"Ana", "Ana", 0},
		{"Ícaro", "Valentina", -1},
		{"Jose\u0301", "Jos\u00e9", -1}, // canonically equal: bytes decide
		{"", "a", -1},
	} {
		if got := db.ComparePortuguese(c.a, c.b); got != c.want {
			t.Errorf("ComparePortuguese(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := db.ComparePortuguese(c.b, c.a); got != -c.want {
			t.Errorf("ComparePortuguese(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
	}
	// Byte order, which the reports used before, gets it wrong.
	if strings.Compare("Ícaro", "Valentina") < 0 {
		t.Fatal("byte order already sorts Ícaro first: the test shows nothing")
	}
}

// BenchmarkComparePortuguese: what SQLite pays per comparison when it
// sorts by TextCollation.
func BenchmarkComparePortuguese(b *testing.B) {
	for _, c := range []struct{ name, a, b string }{
		{"equal", "Ana Beatriz", "Ana Beatriz"},
		{"same start", "Ana Beatriz", "Ana Luíza"},
		{"first letter", "Ícaro", "Valentina"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				db.ComparePortuguese(c.a, c.b)
			}
		})
	}
}
