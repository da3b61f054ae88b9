package static

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFiles(t *testing.T) {
	files := New(fstest.MapFS{
		"d/app.js":        {Data: []byte("console.log(1)")},
		"d/app.css":       {Data: []byte("body{}")},
		"d/LICENSE.x":     {Data: []byte("MIT")},
		"d/sub/hidden.js": {Data: []byte("no")},
		"other.js":        {Data: []byte("no")},
	}, "d", "/p/")
	js := files.URL("app.js")
	if !strings.HasPrefix(js, "/p/app.js?v=") || js == files.URL("app.css") {
		t.Errorf("URL(app.js) = %q", js)
	}

	get := func(target, ifNoneMatch string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", target, nil)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		rec := httptest.NewRecorder()
		files.ServeHTTP(rec, req)
		return rec
	}
	for _, tc := range []struct {
		target, contentType, cache string
	}{
		{js, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/p/app.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/p/app.js?v=000000000000", "text/javascript; charset=utf-8", "no-cache"}, // another version
		{files.URL("app.css"), "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/p/LICENSE.x", "text/plain; charset=utf-8", "no-cache"},
	} {
		rec := get(tc.target, "")
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tc.contentType ||
			rec.Header().Get("Cache-Control") != tc.cache || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d %v", tc.target, rec.Code, rec.Header())
		}
		if etag := rec.Header().Get("ETag"); get(tc.target, etag).Code != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %s: not 304", tc.target, etag)
		}
	}
	for _, target := range []string{"/p/", "/p/sub/hidden.js", "/p/sub", "/p/../other.js", "/other.js", "/app.js", "/p/missing.js"} {
		if rec := get(target, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, rec.Code)
		}
	}

	defer func() {
		if recover() == nil {
			t.Error("URL of a missing file does not panic")
		}
	}()
	files.URL("missing.js")
}
