// Package hostile builds the requests tests send to prove the server's
// bounds: bodies larger than any limit, queries built to be expensive.
package hostile

import (
	"fmt"
	"io"
	"strings"
)

// FragmentBomb is a GraphQL query of n fragments, each spreading the next
// twice: expanded, it selects 2ⁿ fields.
func FragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	return b.String()
}

// Filler reads its byte forever; io.LimitReader makes a body of any size
// without holding it.
type Filler byte

func (b Filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// CountingReader counts the bytes read through it: how much of a body the
// server read before refusing it.
type CountingReader struct {
	R io.Reader
	N int
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += n
	return n, err
}
