package export

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// specKeys reads testdata/spec_keys.json: the keys of the public API's
// examples, in their order, per report (and per nested list of the
// groups-usage report).
func specKeys(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("testdata/spec_keys.json")
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string][]string
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	return keys
}

func keysOf(cols []Column) []string {
	keys := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = c.Key
	}
	return keys
}

func TestColumnsMatchSpec(t *testing.T) {
	spec := specKeys(t)
	without := func(keys []string, drop string) []string {
		return slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == drop })
	}
	sorted := func(keys []string) []string {
		return slices.Sorted(slices.Values(keys))
	}
	// keep is the top-level keys of groups-usage that SummaryIndicators lists.
	keep := func(keys []string) []string {
		return slices.DeleteFunc(slices.Clone(keys), func(k string) bool {
			return !slices.ContainsFunc(SummaryIndicators, func(c Column) bool { return c.Key == k })
		})
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"questions", keysOf(QuestionColumns), spec["questions"]},
		{"bookings", keysOf(BookingColumns), spec["bookings"]},
		{"bookings-workload", keysOf(WorkloadColumns), spec["bookings-workload"]},
		{"groups-usage teachers", keysOf(TeacherColumns), spec["groups-usage.teachers"]},
		// The students table counts the questions rather than listing them.
		{"groups-usage students", keysOf(StudentColumns), without(spec["groups-usage.students"], "questions")},
		// DESIGN.md orders the disciplines table's columns its own way.
		{"groups-usage disciplines", sorted(keysOf(DisciplineColumns)), sorted(spec["groups-usage.disciplines"])},
		{"groups-usage summary", keysOf(SummaryIndicators), keep(spec["groups-usage"])},
	}
	for _, tt := range tests {
		if len(tt.want) == 0 {
			t.Errorf("%s: testdata lists no keys", tt.name)
		}
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s keys\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	if len(SummaryIndicators) != 8 {
		t.Errorf("SummaryIndicators has %d rows, want the 8 of DESIGN.md", len(SummaryIndicators))
	}
}

func TestColumnHeaders(t *testing.T) {
	tables := map[string][]Column{
		"questions": QuestionColumns, "bookings": BookingColumns, "workload": WorkloadColumns,
		"summary": SummaryColumns, "summary rows": SummaryIndicators, "disciplines count": DisciplineCountColumns,
		"students": StudentColumns, "teachers": TeacherColumns, "disciplines": DisciplineColumns,
	}
	for name, cols := range tables {
		keys, headers, labels := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, c := range cols {
			label := c.SheetHeader()
			if c.Key == "" || c.Header == "" || keys[c.Key] || headers[c.Header] || labels[label] {
				t.Errorf("%s: column %+v is empty or repeats a key, a header or a label", name, c)
			}
			if Sanitize(c.Header) != c.Header || Sanitize(label) != label {
				t.Errorf("%s: header %q or %q would be read as a formula", name, c.Header, label)
			}
			keys[c.Key], headers[c.Header], labels[label] = true, true, true
		}
	}
	// The questions' CSV is headed by the JSON keys, as the public API
	// has it; their sheet by Portuguese labels, as every other sheet.
	for _, c := range QuestionColumns {
		if c.Header != c.Key || c.Label == "" || strings.Contains(c.Label, "_") {
			t.Errorf("question column %q is headed %q and labelled %q, want its key and a label", c.Key, c.Header, c.Label)
		}
	}
}
