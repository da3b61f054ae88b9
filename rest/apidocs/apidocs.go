// Package apidocs serves the documentation of the REST report endpoints for
// people: the OpenAPI document (rest.OpenAPIHandler, /openapi.json)
// rendered by Redoc.
//
// Redoc's standalone bundle, and the small script that starts it, are
// embedded in the binary with go:embed, so the page works offline and loads
// nothing from a CDN or any other origin. Its Content-Security-Policy
// enforces that, and allows no inline script. The bundle lives in assets/
// and is refreshed with update.sh, which fetches a pinned release from the
// npm registry; assets/VERSIONS says which one is embedded.
//
// Mount the handler on both the page and the asset prefix:
//
//	h := apidocs.Handler("/openapi.json")
//	mux.Handle("GET /docs", h)
//	mux.Handle("GET /docs/", h)
package apidocs

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/stift/stift-reports/internal/static"
)

// PagePath is the URL path of the page.
const PagePath = "/docs"

// AssetPrefix is the URL path under which Handler serves the embedded
// assets.
const AssetPrefix = "/docs/"

// LoadStyleHashes are the SHA-256 sources of the two <style> elements that
// Redoc's bundle adds while it loads, before Redoc.init can hand it the
// page's nonce: an empty one, and the stylesheet of perfect-scrollbar (its
// side menu's scrollbars). They depend on the embedded bundle: update.sh
// tells what to do when a new Redoc changes them.
var LoadStyleHashes = []string{
	"'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
	"'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
}

// ContentSecurityPolicy is the Content-Security-Policy header of a page
// served with nonce. Scripts, images, fonts and connections come from the
// page's own origin only, and no script is inline; data: is allowed for
// images, for the page's empty favicon and the icons that Redoc's
// stylesheets inline as data: URIs. Redoc styles itself
// with <style> elements it makes at run time (styled-components); those
// are allowed by the page's nonce, which Redoc puts on them, or by their
// hash (LoadStyleHashes), not by 'unsafe-inline'. Web workers fall back
// to 'self', so Redoc's search, which runs in a blob: worker, is off.
func ContentSecurityPolicy(nonce string) string {
	return "default-src 'self'; script-src 'self'; " +
		"style-src 'self' 'nonce-" + nonce + "' " + strings.Join(LoadStyleHashes, " ") + "; " +
		"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
}

//go:embed assets
var assetsFS embed.FS

// assets are the embedded files, served under AssetPrefix.
var assets = static.New(assetsFS, "assets", AssetPrefix)

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stift-reports REST API</title>
<link rel="icon" href="data:,">
<style nonce="{{.Nonce}}">body { margin: 0; }</style>
</head>
<body>
<div id="redoc" data-spec-url="{{.SpecURL}}">Loading the API documentation…</div>
<noscript>This page needs JavaScript. The OpenAPI document it shows is <a href="{{.SpecURL}}">{{.SpecURL}}</a>.</noscript>
<script src="{{.Redoc}}"></script>
<script src="{{.Init}}" nonce="{{.Nonce}}"></script>
</body>
</html>
`))

type pageData struct {
	SpecURL, Redoc, Init, Nonce string
}

// Handler returns an http.Handler that serves the documentation page on
// PagePath ("/docs", exactly), its embedded assets under AssetPrefix
// ("/docs/"), and redirects "/docs/" itself to the page. Every other path
// gets 404 Not Found. The page shows the OpenAPI document at specURL, a URL
// on the same origin such as "/openapi.json"; any string is safe to pass.
//
// Method routing is left to the caller's mux; the handler itself answers
// only GET and HEAD and replies 405 Method Not Allowed to anything else.
func Handler(specURL string) http.Handler {
	return &handler{data: pageData{
		SpecURL: specURL,
		Redoc:   assets.URL("redoc.standalone.js"),
		Init:    assets.URL("init.js"),
	}}
}

type handler struct {
	data pageData // without the nonce, which each response draws anew
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case p == PagePath:
		h.servePage(w, r)
	case p == AssetPrefix:
		http.Redirect(w, r, PagePath, http.StatusMovedPermanently)
	case strings.HasPrefix(p, AssetPrefix):
		assets.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// servePage renders the page with a nonce of its own: a nonce must not be
// guessable, so the page is never cached.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	data := h.data
	data.Nonce = newNonce()
	var page bytes.Buffer
	if err := pageTemplate.Execute(&page, data); err != nil {
		panic("apidocs: rendering page: " + err.Error())
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy(data.Nonce))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page.Bytes()))
}

// newNonce returns 128 random bits in base64url, without padding: a CSP
// nonce that HTML does not escape.
func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}
