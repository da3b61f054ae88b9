package metrics

import (
	"fmt"
	"strings"
	"testing"
)

// TestOperationNames checks the labels of operation names: the first max
// names seen keep theirs, any later one is other; the allow-list's names
// are the only ones labelled; anonymous operations, names too long and
// the names of the shared labels fold into those.
func TestOperationNames(t *testing.T) {
	t.Parallel()
	first := newOperationNames(2, nil)
	allow := newOperationNames(2, []string{"Reports", "Stats", "Usage"})
	long := strings.Repeat("A", maxOperationLabel+1)
	for _, tc := range []struct {
		o          *operationNames
		name, want string
	}{
		{first, "", AnonymousOperation},
		{first, "One", "One"},
		{first, long, OtherOperation},
		{first, OtherOperation, OtherOperation},
		{first, AnonymousOperation, OtherOperation},
		{first, "Two", "Two"},
		{first, "Three", OtherOperation},
		{first, "One", "One"},
		{allow, "Usage", "Usage"},
		{allow, "Stats", "Stats"}, // the allow-list's names, past max
		{allow, "Reports", "Reports"},
		{allow, "Other", OtherOperation},
		{allow, "", AnonymousOperation},
		{newOperationNames(0, nil), "One", OtherOperation},
	} {
		if got := tc.o.label(tc.name); got != tc.want {
			t.Errorf("label(%.20q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	for i := range 100 {
		first.label(fmt.Sprintf("Op%d", i))
	}
	if len(first.names) != 2 {
		t.Errorf("%d names labelled after 100 more, want 2", len(first.names))
	}
}
