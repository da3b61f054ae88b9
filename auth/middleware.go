package auth

import (
	"net/http"
	"strings"
	"time"

	"github.com/stift/stift-reports/apperr"
)

// Middleware authenticates the request's bearer token, an API token or,
// when a.JWT is set, a sign-in token, and puts its principal in the
// request context. Requests without a valid token get a
// 401 in the API's error shape and never reach next.
func Middleware(a *Authenticator, now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			apperr.Write(w, ErrUnauthorized)
			return
		}
		var p *Principal
		var err error
		if a.JWT != nil && LooksLikeJWT(secret) {
			p, err = a.JWT.Authenticate(r.Context(), secret, now())
		} else {
			p, err = a.Authenticate(r.Context(), secret, now())
		}
		if err != nil {
			apperr.Write(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}
