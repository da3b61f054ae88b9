package exports

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
)

// An export's file is stored in the export_chunks table, in chunks of the
// export's chunk size (the last one shorter), numbered from 0: no storage
// but the database every replica already shares, and a file never held
// whole in memory — a job holds the chunk it fills, a download the chunk
// it reads.

// chunkWriter cuts what is written to it into chunks of size bytes and
// stores each as it fills; Close stores the last. It hashes the whole.
type chunkWriter struct {
	size  int
	store func(seq int, data []byte, written int64) error
	buf   []byte
	seq   int
	n     int64 // bytes written
	sum   hash.Hash
	err   error // the first store that failed
}

func newChunkWriter(size int, store func(seq int, data []byte, written int64) error) *chunkWriter {
	return &chunkWriter{size: size, store: store, buf: make([]byte, 0, size), sum: sha256.New()}
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if c.err != nil {
			return written, c.err
		}
		k := min(len(p), c.size-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		c.sum.Write(p[:k])
		c.n += int64(k)
		written += k
		p = p[k:]
		if len(c.buf) == c.size {
			c.flush()
		}
	}
	return written, c.err
}

func (c *chunkWriter) flush() {
	if c.err == nil && len(c.buf) > 0 {
		c.err = c.store(c.seq, c.buf, c.n)
		c.seq++
		c.buf = c.buf[:0]
	}
}

// Close stores the last chunk.
func (c *chunkWriter) Close() error {
	c.flush()
	return c.err
}

// etag is the file's entity tag: its SHA-256, strong.
func (c *chunkWriter) etag() string { return fmt.Sprintf(`"%x"`, c.sum.Sum(nil)) }

// chunkReader reads an export's file from its chunks, one chunk in memory
// at a time, loaded when a read first needs it: an io.ReadSeeker for
// http.ServeContent, which serves Range requests by seeking.
type chunkReader struct {
	ctx   context.Context
	load  func(ctx context.Context, seq int) ([]byte, error)
	size  int64 // the file's size
	chunk int64 // the size of its chunks
	off   int64
	seq   int    // the chunk in cur; -1: none
	cur   []byte // chunk seq
	err   error  // the first load that failed
}

func newChunkReader(ctx context.Context, size int64, chunkSize int, load func(ctx context.Context, seq int) ([]byte, error)) *chunkReader {
	return &chunkReader{ctx: ctx, load: load, size: size, chunk: int64(chunkSize), seq: -1}
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	seq := int(r.off / r.chunk)
	if seq != r.seq {
		data, err := r.load(r.ctx, seq)
		if err == nil && int64(len(data)) != min(r.chunk, r.size-int64(seq)*r.chunk) {
			err = fmt.Errorf("chunk %d holds %d bytes, not the %d expected", seq, len(data), min(r.chunk, r.size-int64(seq)*r.chunk))
		}
		if err != nil {
			r.err = err
			return 0, err
		}
		r.seq, r.cur = seq, data
	}
	n := copy(p, r.cur[r.off-int64(seq)*r.chunk:])
	r.off += int64(n)
	return n, nil
}

var errSeek = errors.New("seek to a negative offset")

func (r *chunkReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	}
	if offset < 0 {
		return r.off, errSeek
	}
	r.off = offset
	return offset, nil
}
