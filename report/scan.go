package report

import (
	"errors"
	"fmt"
)

// Scan destinations for the text columns of the long reports. A report of
// a million questions names a few thousand schools, groups, people and
// subjects, so most of its text values repeat: these destinations look a
// value up among those already read and keep the first copy, where pgx
// would allocate every value anew (and allocate a pointer, through
// reflection, for each nullable one). On PostgreSQL they receive the
// driver's bytes (pgtype.BytesScanner), which makes the look-up free of
// allocations; on SQLite database/sql hands them its value (sql.Scanner).

// maxShared bounds how many distinct values a shared set keeps, so that a
// column of unique values (e-mails on a platform of millions) costs no more
// than a fixed amount of memory; values past it are copied as usual.
const maxShared = 1 << 14

// shared is the set of text values a report's rows have read so far.
type shared map[string]string

// get returns b as a string, the one read before when there is one. A nil
// set shares nothing: for columns whose values seldom repeat
// (descriptions), looking them up would cost more than it saves.
func (m shared) get(b []byte) string {
	if s, ok := m[string(b)]; ok { // no allocation: the compiler looks b up in place
		return s
	}
	s := string(b)
	if m != nil && len(m) < maxShared {
		m[s] = s
	}
	return s
}

// text scans a text column that is never NULL into *dst.
type text struct {
	dst  *string
	seen shared
}

// sharedText returns the destination scanning a text column into dst,
// sharing repeated values through seen.
func (m shared) text(dst *string) *text { return &text{dst: dst, seen: m} }

// ScanBytes implements pgtype.BytesScanner; b is nil for NULL.
func (t *text) ScanBytes(b []byte) error {
	if b == nil {
		return errNullText
	}
	*t.dst = t.seen.get(b)
	return nil
}

// Scan implements sql.Scanner.
func (t *text) Scan(src any) error {
	s, ok, err := t.seen.scan(src)
	if err == nil && !ok {
		err = errNullText
	}
	*t.dst = s
	return err
}

var errNullText = errors.New("cannot scan NULL into a text column that is never NULL")

// nullText scans a text column that may be NULL into *dst: a new pointer
// for a value, nil for NULL.
type nullText struct {
	dst  **string
	seen shared
}

// nullText returns the destination scanning a nullable text column into
// dst, sharing repeated values through seen.
func (m shared) nullText(dst **string) *nullText { return &nullText{dst: dst, seen: m} }

// ScanBytes implements pgtype.BytesScanner; b is nil for NULL.
func (t *nullText) ScanBytes(b []byte) error {
	*t.dst = nil
	if b != nil {
		*t.dst = new(t.seen.get(b))
	}
	return nil
}

// Scan implements sql.Scanner.
func (t *nullText) Scan(src any) error {
	s, ok, err := t.seen.scan(src)
	*t.dst = nil
	if ok {
		*t.dst = new(s) // only then: a pointer to s would allocate for NULL too
	}
	return err
}

// scan returns the text database/sql gives as src; ok is false for NULL.
func (m shared) scan(src any) (s string, ok bool, err error) {
	switch v := src.(type) {
	case string:
		return v, true, nil
	case []byte:
		return m.get(v), true, nil
	case nil:
		return "", false, nil
	}
	return "", false, fmt.Errorf("cannot scan %T into a text column", src)
}
