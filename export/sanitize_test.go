package export

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	for _, tc := range injectionCases {
		if s, ok := tc.in.(string); ok {
			if got := Sanitize(s); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", s, got, tc.want)
			}
		}
	}
}

// FuzzSanitize checks that a sanitised cell never begins with a character
// that starts a formula, and that safe cells come out unchanged. The seed
// corpus runs with the normal tests.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+55", "-1", "@x", "\tx", "\rx", "'=x", "ok", " =x", "é", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		dangerous := s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
		switch {
		case dangerous && got != "'"+s:
			t.Errorf("Sanitize(%q) = %q, want it quoted", s, got)
		case !dangerous && got != s:
			t.Errorf("Sanitize(%q) = %q, want it unchanged", s, got)
		case got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])):
			t.Errorf("Sanitize(%q) = %q begins with a formula character", s, got)
		}
	})
}
