package gid

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestGlobalIDs(t *testing.T) {
	u := uuid.MustParse("6f1c0c8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f")
	var buf bytes.Buffer
	SchoolID(u).MarshalGQL(&buf)
	global := strings.Trim(buf.String(), `"`)
	if typ, raw, err := Decode(global); err != nil || typ != "School" || raw != u.String() {
		t.Fatalf("Decode(%q) = %q, %q, %v", global, typ, raw, err)
	}
	for _, tc := range []struct {
		name  string
		input any
		ok    bool
	}{
		{"global id", global, true},
		{"raw uuid", u.String(), true},
		{"another type's id", Encode("Group", u.String()), false},
		{"garbage", "!!!", false},
		{"not base64 of a pair", Encode("School", ""), false},
		{"bad uuid inside", Encode("School", "nope"), false},
		{"number", 42, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var id SchoolID
			err := id.UnmarshalGQL(tc.input)
			if (err == nil) != tc.ok {
				t.Fatalf("UnmarshalGQL(%v) error = %v, want ok=%v", tc.input, err, tc.ok)
			}
			if tc.ok && id != SchoolID(u) {
				t.Errorf("UnmarshalGQL(%v) = %v, want %v", tc.input, id, u)
			}
		})
	}
	var d DisciplineID
	buf.Reset()
	DisciplineID(3).MarshalGQL(&buf)
	if err := d.UnmarshalGQL(strings.Trim(buf.String(), `"`)); err != nil || d != 3 {
		t.Errorf("discipline round trip = %v, %v", d, err)
	}
	if err := d.UnmarshalGQL("7"); err != nil || d != 7 {
		t.Errorf("raw discipline id = %v, %v", d, err)
	}
	if err := d.UnmarshalGQL(Encode("Subject", "7")); err == nil {
		t.Error("a subject id unmarshaled as a discipline id")
	}
}

// TestMarshalUUIDMatchesEncode checks the stack-built global id against
// the plain construction, and that it allocates once (what it hands the
// io.Writer escapes), where the construction did five times.
func TestMarshalUUIDMatchesEncode(t *testing.T) {
	for _, s := range []string{"00000000-0000-0000-0000-000000000000", "6f1c0c8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u := uuid.MustParse(s)
		for _, typ := range []string{"School", "AvailabilitySlot", "Q", strings.Repeat("T", 40)} {
			var buf bytes.Buffer
			marshalUUID(&buf, typ, u)
			if want := `"` + Encode(typ, s) + `"`; buf.String() != want {
				t.Errorf("%s %s: %s, want %s", typ, s, buf.String(), want)
			}
		}
	}
	var buf bytes.Buffer
	buf.Grow(1024)
	u := uuid.MustParse("6f1c0c8e-1b2a-4c3d-8e4f-5a6b7c8d9e0f")
	if n := testing.AllocsPerRun(100, func() { buf.Reset(); marshalUUID(&buf, "Question", u) }); n > 1 {
		t.Errorf("%v allocations per id", n)
	}
}
