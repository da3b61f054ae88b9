// Command idp runs an OpenID Connect identity provider stand-in
// (internal/idp) for the end-to-end checks, outside go test: discovery,
// a JWKS with one RSA key made at start, and a token endpoint that a
// browser page on the origins given may call, handing out RS256 tokens of
// one user. It checks no password: run it only on a loopback address, for
// tests.
//
//	go run ./e2e/idp -audience stift-reports -origins http://127.0.0.1:5173 \
//	  -claims '{"sub": "coordenacao", "school_ids": ["1e43c7cd-1bcd-4f29-bb72-71071621f0fe"]}'
//
// It prints "issuer http://127.0.0.1:PORT" on stdout once it serves: give
// that URL to the server as OIDC_ISSUER, and the audience as OIDC_AUDIENCE.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rs/cors"

	"github.com/stift/stift-reports/internal/idp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "idp:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("idp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address, loopback only (port 0: any free port)")
	audience := fs.String("audience", "", "the aud of the tokens (the server's OIDC_AUDIENCE); required")
	origins := fs.String("origins", "", "comma-separated origins of the pages that may call the token endpoint")
	claims := fs.String("claims", `{"sub": "e2e"}`, "the user's claims, a JSON object: sub and the scope claims")
	ttl := fs.Duration("ttl", time.Hour, "how long a token lasts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *audience == "" {
		return errors.New("-audience is required")
	}
	if *ttl <= 0 {
		return fmt.Errorf("-ttl %s: give a duration above zero", *ttl)
	}
	p, err := idp.New(*audience)
	if err != nil {
		return err
	}
	p.TTL = *ttl
	if err := json.Unmarshal([]byte(*claims), &p.User); err != nil || p.User == nil {
		return fmt.Errorf("-claims %.60q: give a JSON object, e.g. {\"sub\": \"e2e\", \"school_ids\": [\"…\"]}", *claims)
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("-addr %q: give a loopback host:port, e.g. 127.0.0.1:0", *addr)
	}
	var allowed []string
	for _, o := range strings.Split(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			allowed = append(allowed, o)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	issuer := "http://" + ln.Addr().String()
	p.SetIssuer(issuer)
	srv := &http.Server{
		Handler: cors.New(cors.Options{
			AllowedOrigins: allowed,
			AllowedMethods: []string{http.MethodGet, http.MethodPost},
		}).Handler(p),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "issuer %s\n", issuer)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}
