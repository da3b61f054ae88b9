package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/export"
)

// TestActiveUsersPercentageHasTwoDecimals: the summary's share of active
// users, 0 to 1 with four decimals, is a percentage with two in CSV (and so
// in XLSX, which gets the same value): 0.6316 is 63.16, never
// 63.160000000000004.
func TestActiveUsersPercentageHasTwoDecimals(t *testing.T) {
	t.Parallel()
	u := &GroupsUsage{Location: time.UTC}
	var b bytes.Buffer
	for i := 0; i <= 10000; i++ {
		u.Summary.ActiveUsersShare = float64(i) / 1e4
		b.Reset()
		if err := export.WriteCSVSections(&b, u.LegacySections()[0]); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", i/100, i%100), "0"), ".")
		if line := "Usuários ativos (%)," + want + "\n"; !strings.Contains(b.String(), line) {
			t.Fatalf("share %v: no line %q in\n%s", u.Summary.ActiveUsersShare, line, b.String())
		}
	}
}
