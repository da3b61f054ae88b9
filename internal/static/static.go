// Package static serves files embedded in the binary, such as the
// JavaScript and stylesheets of the GraphQL playground and of the API docs,
// so that those pages load nothing from another origin.
//
// Each file has a strong ETag, and a URL (Files.URL) that names its content
// with a short hash in the query string: asked for by that URL, a file is
// cached by browsers for a year; asked for by its bare path, it is
// revalidated every time.
package static

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Files are the files of one directory, served under a URL prefix.
type Files struct {
	prefix string
	byName map[string]*file
}

type file struct {
	data        []byte
	contentType string
	etag        string // quoted strong ETag
	version     string // short content hash, the ?v= of URL
}

// New reads the files of dir in fsys (not those of its subdirectories), to
// be served under prefix, a path ending in "/". It panics if dir cannot be
// read: the files are embedded, so that is a build mistake.
func New(fsys fs.FS, dir, prefix string) *Files {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		panic("static: reading embedded files: " + err.Error())
	}
	f := &Files{prefix: prefix, byName: make(map[string]*file, len(entries))}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			panic("static: reading embedded file: " + err.Error())
		}
		sum := sha256.Sum256(data)
		f.byName[e.Name()] = &file{
			data:        data,
			contentType: contentType(e.Name()),
			etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
			version:     hex.EncodeToString(sum[:6]),
		}
	}
	return f
}

// contentType is the media type of a file served by its name: scripts,
// stylesheets, and plain text for the rest (licenses, version notes).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}

// URL returns the URL of the file name, with a hash of its content in the
// query string, so that browsers may cache it for a long time. It panics if
// there is no such file: pages name their files when they are built.
func (f *Files) URL(name string) string {
	file, ok := f.byName[name]
	if !ok {
		panic("static: missing embedded file " + name)
	}
	return f.prefix + name + "?v=" + file.version
}

// ServeHTTP serves the file that the request's path names under the prefix,
// and 404 Not Found for any other path (subdirectories included).
func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	file := f.byName[name]
	if !ok || file == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", file.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", file.etag)
	if r.URL.Query().Get("v") == file.version {
		// The URL names this exact content: it never changes.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(file.data))
}
