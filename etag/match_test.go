package etag

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	const tag = `W/"abc"`
	huge := strings.Repeat(`"zzzzzzzzzzzzzzzzzzzzzzzz", `, maxScan/8)
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{`W/"abc"`}, true},
		{[]string{`"abc"`}, true}, // weak comparison: a strong tag matches its weak twin
		{[]string{`W/"abd"`}, false},
		{[]string{`"ABC"`}, false},
		{[]string{`abc`}, false},
		{[]string{`W/abc`}, false},
		{[]string{`w/"abc"`}, false}, // W/ is case-sensitive
		{[]string{`"x", W/"abc"`}, true},
		{[]string{`"x" ,W/"abc" , "y"`}, true},
		{[]string{`,, "x",,W/"abc",`}, true}, // empty list elements are allowed
		{[]string{`"x"`, `W/"abc"`}, true},   // lines make one list
		{[]string{"*"}, false},
		{[]string{`*, W/"abc"`}, false},
		{[]string{`"x" "abc"`}, false},             // no comma: malformed
		{[]string{`"x", "ab`}, false},              // unterminated
		{[]string{`"a b", W/"abc"`}, false},        // a space is no etagc
		{[]string{"\"a\x7fb\", W/\"abc\""}, false}, // nor DEL
		{[]string{"\"a\x00b\", W/\"abc\""}, false},
		{[]string{"\"\xc3\xa9\", W/\"abc\""}, true}, // obs-text is
		{[]string{`W/"abc"` + huge}, true},
		{[]string{huge + `W/"abc"`}, false}, // past maxScan, unread
		{[]string{huge, huge, `W/"abc"`}, false},
		{[]string{strings.Repeat(`"`, 1<<20)}, false},
	} {
		if got := Match(tc.values, tag); got != tc.want {
			t.Errorf("Match(%.80q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}
