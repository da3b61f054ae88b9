package rest

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Filename returns the name of the download of report in format f, for the
// dates from and to as seen in loc, the time zone in which the report gives
// its own dates: "questions-2024-01-01-2024-12-04.csv". For a report
// without dates, both zero, it is "bookings-workload.csv".
func Filename(report string, from, to time.Time, loc *time.Location, f Format) string {
	if from.IsZero() && to.IsZero() {
		return report + "." + f.Ext()
	}
	const day = "2006-01-02"
	return report + "-" + from.In(loc).Format(day) + "-" + to.In(loc).Format(day) + "." + f.Ext()
}

// maxNamedFile is the most bytes of a client's name that go into a file
// name, well under the 255 bytes most file systems allow.
const maxNamedFile = 200

// NamedFile returns the name of the download, in format f, of a report the
// client named name, fit to name a file on any system: white space (line
// breaks included) becomes one space; control characters, bidirectional
// overrides (which could show "xlsx.exe" as "exe.xlsx"), path separators,
// quotes and the other characters Windows refuses (<>:"/\|?*) become "_";
// leading and trailing spaces and dots go (no hidden file, no "..");
// what is left is cut to maxNamedFile bytes. It returns "" when nothing
// is left.
func NamedFile(name string, f Format) string {
	name = oneLine(name, func(r rune) rune {
		if unsafeRune(r) || strings.ContainsRune(`<>:"/\|?*`, r) {
			return '_'
		}
		return r
	})
	name = strings.Trim(name, ". ")
	if len(name) > maxNamedFile {
		i := maxNamedFile
		for i > 0 && !utf8.RuneStart(name[i]) {
			i--
		}
		name = strings.TrimRight(name[:i], ". ")
	}
	if name == "" {
		return ""
	}
	return name + "." + f.Ext()
}

// Title returns name as a one-line title: white space, control characters
// and bidirectional overrides become single spaces.
func Title(name string) string {
	return oneLine(name, func(r rune) rune {
		if unsafeRune(r) {
			return ' '
		}
		return r
	})
}

// oneLine returns s in Unicode's composed form (NFC, as most systems store
// names), with each run of white space made one space, trimmed, and the
// other runes as mapping says.
func oneLine(s string, mapping func(rune) rune) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return mapping(r)
	}, norm.NFC.String(s))
	return strings.Join(strings.Fields(s), " ")
}

// unsafeRune reports whether r has no place in a name shown to a person.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// ContentDisposition returns the Content-Disposition of a download named
// filename: attachment; filename="questions-2024-01-01-2024-12-04.csv".
//
// The name is always quoted, as the contract shows it. A name that is not
// printable ASCII is also given whole, percent-encoded as UTF-8, in a
// filename* parameter (RFC 6266, RFC 8187), which browsers prefer; filename
// then holds an ASCII look-alike for older clients ("Relatório" as
// "Relatorio", what has none as "_"). No byte of any name can break the
// header.
func ContentDisposition(filename string) string {
	ascii := asciiFallback(filename)
	v := `attachment; filename="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(ascii) + `"`
	if ascii == filename {
		return v
	}
	var enc strings.Builder
	for _, c := range []byte(filename) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return v + "; filename*=UTF-8''" + enc.String()
}

// asciiFallback returns name in printable ASCII: letters without their
// accents (compatibility decomposition, NFKD, then the combining marks
// dropped: "º" is "o"), and "_" for anything else outside printable ASCII.
func asciiFallback(name string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case ' ' <= r && r <= '~':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
