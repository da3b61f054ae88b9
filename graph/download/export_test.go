package download

// LabelFor exposes the label table to the tests of package download_test,
// which read the real schema (package graph imports this one).
func LabelFor(typ, field string) (pt, en, of string, ok bool) {
	l, ok := labelOf(step{typ: typ, name: field})
	return l.pt, l.en, l.of, ok
}
