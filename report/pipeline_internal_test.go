package report

import (
	"errors"
	"testing"
)

// count produces 0..n-1, then err, recording how far it got and that it
// returned.
type count struct {
	n        int
	err      error
	produced int
	returned bool
}

func (c *count) produce(each func(int) bool) error {
	defer func() { c.returned = true }()
	for i := range c.n {
		c.produced++
		if !each(i) {
			return nil
		}
	}
	return c.err
}

func TestPipelineYieldsEveryValueInOrderThenTheError(t *testing.T) {
	boom := errors.New("boom")
	for _, n := range []int{0, 1, pipelineBatch - 1, pipelineBatch, pipelineBatch + 1, 10*pipelineBatch + 7} {
		for _, wantErr := range []error{nil, boom} {
			c := &count{n: n, err: wantErr}
			next, gotErr := 0, error(nil)
			for v, err := range pipeline(c.produce) {
				if err != nil {
					gotErr = err
					continue
				}
				if gotErr != nil {
					t.Fatalf("n=%d: value %d after the error", n, v)
				}
				if v != next {
					t.Fatalf("n=%d: got %d, want %d", n, v, next)
				}
				next++
			}
			if next != n || gotErr != wantErr {
				t.Errorf("n=%d: %d values and error %v, want %d and %v", n, next, gotErr, n, wantErr)
			}
		}
	}
}

// An early end of the loop stops the producer, which runs ahead by a
// bounded number of values, and returns only once it has returned: what it
// holds (a connection) is free when the loop is done.
func TestPipelineStopsItsProducerWhenTheLoopEnds(t *testing.T) {
	c := &count{n: 1_000_000}
	for v := range pipeline(c.produce) {
		if v == 10 {
			break
		}
	}
	if !c.returned {
		t.Fatal("the producer had not returned when the loop ended")
	}
	if max := (pipelineDepth + 3) * pipelineBatch; c.produced > max {
		t.Errorf("the producer made %d values for a loop that took 11; want at most %d", c.produced, max)
	}
}

func TestPipelinePanicsTheLoopWhenTheProducerPanics(t *testing.T) {
	defer func() {
		if r := recover(); r != "scan" {
			t.Fatalf("recovered %v, want the producer's panic", r)
		}
	}()
	for range pipeline(func(each func(int) bool) error {
		each(1)
		panic("scan")
	}) {
	}
	t.Fatal("the loop ended without panicking")
}

// A panic in the loop's body stops the producer too, and waits for it.
func TestPipelineStopsItsProducerWhenTheLoopPanics(t *testing.T) {
	c := &count{n: 1_000_000}
	func() {
		defer func() {
			if r := recover(); r != "write" {
				t.Fatalf("recovered %v, want the loop's panic", r)
			}
		}()
		for v := range pipeline(c.produce) {
			if v == 10 {
				panic("write")
			}
		}
	}()
	if !c.returned {
		t.Fatal("the producer had not returned when the loop's panic left it")
	}
}
