// Package playground serves a GraphiQL playground for the GraphQL endpoint.
//
// Everything the page needs (GraphiQL, React, ReactDOM and the GraphiQL
// stylesheet, with its fonts inlined) is embedded in the binary with go:embed,
// so the playground works offline and loads nothing from a CDN or any other
// origin. The page's Content-Security-Policy enforces that.
//
// The embedded files live in assets/ and are refreshed with update.sh, which
// installs pinned versions from the npm registry; see assets/VERSIONS for the
// versions currently embedded.
//
// Mount the handler on both the page and the asset prefix:
//
//	h := playground.Handler("/graphql")
//	mux.Handle("GET /{$}", h)
//	mux.Handle("GET /playground/", h)
package playground

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/stift/stift-reports/internal/static"
)

// AssetPrefix is the URL path under which Handler serves the embedded assets.
const AssetPrefix = "/playground/"

// ContentSecurityPolicy is the Content-Security-Policy header sent with the
// playground page. Only same-origin scripts, styles and connections are
// allowed, so the GraphQL endpoint must be on the same origin as the page.
// 'unsafe-inline' is needed for the page's inline bootstrap script and for
// the inline styles GraphiQL sets; data: for the fonts and icons inlined in
// the GraphiQL stylesheet.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"connect-src 'self'"

// defaultQuery is shown in the query editor the first time the playground is
// opened (GraphiQL keeps the user's tabs in localStorage afterwards).
const defaultQuery = `# stift-reports GraphQL playground
#
# Paste your API token into the Headers tab
# below, after "Bearer ", then run the query
# with the play button (Ctrl-Enter).

query {
  viewer {
    tokenName
    scope
  }
  schools(first: 5) {
    totalCount
    edges {
      node {
        id
        name
      }
    }
  }
}
`

// defaultHeaders is shown in the headers editor until the user edits it.
const defaultHeaders = `{
  "Authorization": "Bearer "
}`

//go:embed assets
var assetsFS embed.FS

// assets are the embedded files, served under AssetPrefix.
var assets = static.New(assetsFS, "assets", AssetPrefix)

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stift-reports GraphQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{{.CSS}}">
<style>
html, body { height: 100%; margin: 0; overflow: hidden; }
#graphiql { height: 100vh; }
</style>
</head>
<body>
<div id="graphiql">Loading the GraphQL playground…</div>
<noscript>The GraphQL playground needs JavaScript.</noscript>
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}<script>
(function () {
  var endpoint = {{.Endpoint}};
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: endpoint }),
    defaultQuery: {{.DefaultQuery}},
    defaultHeaders: {{.DefaultHeaders}},
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    shouldPersistHeaders: true
  }));
})();
</script>
</body>
</html>
`))

type pageData struct {
	CSS            string
	Scripts        []string
	Endpoint       string
	DefaultQuery   string
	DefaultHeaders string
}

// Handler returns an http.Handler that serves the GraphiQL playground page on
// "/" (exactly) and its embedded assets under AssetPrefix ("/playground/").
// Every other path gets 404 Not Found. The page sends GraphQL requests to
// endpoint, a URL on the same origin such as "/graphql"; it is JSON-encoded
// into the page, so any string is safe to pass.
//
// Method routing is left to the caller's mux; the handler itself answers
// only GET and HEAD and replies 405 Method Not Allowed to anything else.
func Handler(endpoint string) http.Handler {
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, pageData{
		CSS: assets.URL("graphiql.min.css"),
		Scripts: []string{
			assets.URL("react.production.min.js"),
			assets.URL("react-dom.production.min.js"),
			assets.URL("graphiql.min.js"),
		},
		Endpoint:       endpoint,
		DefaultQuery:   defaultQuery,
		DefaultHeaders: defaultHeaders,
	})
	if err != nil {
		panic("playground: rendering page: " + err.Error())
	}
	return &handler{page: buf.Bytes()}
}

type handler struct {
	page []byte
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case p == "/":
		h.servePage(w, r)
	case strings.HasPrefix(p, AssetPrefix):
		assets.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", ContentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(h.page))
}
