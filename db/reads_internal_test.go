package db

import "testing"

// TestOldest: the watermark of a request's reads comes from the replica
// while it answers, from the primary without one, and from neither while
// a configured replica is down (Get may turn back to it at any moment).
func TestOldest(t *testing.T) {
	primary, replica := &DB{}, &DB{}
	for _, tc := range []struct {
		what    string
		reads   *Reads
		healthy bool
		want    *DB
	}{
		{"no replica", NewReads(primary, nil, false), false, primary},
		{"replica up", NewReads(primary, replica, false), true, replica},
		{"replica down", NewReads(primary, replica, false), false, nil},
		{"strict, replica down", NewReads(primary, replica, true), false, nil},
	} {
		if tc.reads.replica != nil {
			tc.reads.healthy.Store(tc.healthy)
		}
		got, ok := tc.reads.Oldest()
		if got != tc.want || ok != (tc.want != nil) {
			t.Errorf("%s: Oldest() = %p, %v; want %p", tc.what, got, ok, tc.want)
		}
	}
}
