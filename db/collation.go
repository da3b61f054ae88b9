package db

import (
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"modernc.org/sqlite"
)

// TextCollation names the collation reports sort text by: Portuguese as a
// Brazilian reader sorts it ("Ícaro" between "Henrique" and "Jorge", "ana"
// before "Ana" before "Ána", "Conceição" before "Concepção"). The report
// SQL says `COLLATE stift_pt_br` on both databases:
//   - PostgreSQL: a migration creates it as ICU's pt-BR collation
//     (deterministic: strings ICU finds equal are then compared byte by
//     byte), or, on a server built without ICU, as "C" (byte order).
//   - SQLite: registered below for every connection of the "sqlite"
//     driver, as ComparePortuguese.
//
// Both give the same order for names in Latin script, with any accents,
// case, spaces, hyphens and apostrophes (db/collation_test.go). They
// differ on emoji and on characters added to Unicode after 6.2, which
// golang.org/x/text's tables predate: ICU puts emoji before digits and
// letters, x/text after them.
const TextCollation = "stift_pt_br"

func init() {
	sqlite.MustRegisterCollationUtf8(TextCollation, ComparePortuguese)
}

// collators holds pt-BR collators: a Collator keeps buffers between calls,
// so each comparison takes one of its own, and SQLite compares on many
// connections at once.
var collators = sync.Pool{New: func() any { return collate.New(language.BrazilianPortuguese) }}

// ComparePortuguese compares a and b by the Unicode collation algorithm
// with pt-BR's rules (golang.org/x/text/collate), and strings it finds
// equal (the same text in another Unicode normal form) byte by byte, as
// PostgreSQL's deterministic ICU collations do, so that it returns 0 only
// for equal strings. It is TextCollation on SQLite.
func ComparePortuguese(a, b string) int {
	if a == b {
		// The commonest case when sorting a report's rows (a student's
		// questions, a teacher's disciplines), and the collator's slowest.
		return 0
	}
	c := collators.Get().(*collate.Collator)
	r := c.CompareString(a, b)
	collators.Put(c)
	if r != 0 {
		return r
	}
	return strings.Compare(a, b)
}
