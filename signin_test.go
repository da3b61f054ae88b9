package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stift/stift-reports/auth"
	"github.com/stift/stift-reports/db"
	"github.com/stift/stift-reports/ent"
	"github.com/stift/stift-reports/ent/group"
	"github.com/stift/stift-reports/ent/schema/gid"
	"github.com/stift/stift-reports/ent/school"
	"github.com/stift/stift-reports/internal/idp"
	"github.com/stift/stift-reports/internal/testdb"
	"github.com/stift/stift-reports/seed"
)

// signIn is an identity provider stand-in (internal/idp: discovery and a
// JWKS) and a verifier of its tokens for the audience "reports".
type signIn struct{ *idp.Provider }

func newSignIn(t *testing.T, d *db.DB) (*signIn, *auth.JWTVerifier) {
	t.Helper()
	p, err := idp.New("reports")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.SetIssuer(srv.URL)
	cfg := Config{OIDCIssuer: srv.URL, OIDCAudience: "reports", OIDCSchoolsClaim: "school_ids",
		OIDCGroupsClaim: "group_ids", OIDCRolesClaim: "roles", OIDCAllRole: "admin", OIDCRevealRole: "reveal"}
	v, err := auth.NewJWTVerifier(context.Background(), cfg.jwtConfig(nil), d.Client)
	if err != nil {
		t.Fatal(err)
	}
	return &signIn{p}, v
}

// forger returns a provider of the same issuer and key id whose key s does
// not publish.
func (s *signIn) forger(t *testing.T) *signIn {
	t.Helper()
	p, err := idp.New(s.Audience)
	if err != nil {
		t.Fatal(err)
	}
	p.SetIssuer(s.Issuer())
	return &signIn{p}
}

// token signs claims, issued an hour before the report server's clock
// (seed.Now) and expiring at exp.
func (s *signIn) token(t *testing.T, exp time.Time, claims map[string]any) string {
	t.Helper()
	c := map[string]any{"sub": "coordinator-1", "iat": seed.Now.Add(-time.Hour).Unix(), "exp": exp.Unix()}
	maps.Copy(c, claims)
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSignInTokens checks through the real handler that a sign-in token is
// just another principal: for each scope, every REST report (JSON and CSV)
// and a GraphQL query answer byte for byte what an API token of the same
// scope gets; a token without scope claims sees nothing; an expired or
// forged one gets the API's 401; API tokens keep working beside them.
func TestSignInTokens(t *testing.T) {
	t.Parallel()
	testdb.EachParallel(t, func(t *testing.T, d *db.DB) {
		idp, v := newSignIn(t, d)
		cfg := Config{}
		cfg.jwt = v
		s := newReportServer(t, d, cfg)
		ctx := auth.SystemContext(context.Background())
		sch := d.Client.School.Query().Order(ent.Asc(school.FieldName)).FirstX(ctx)
		groups := sch.QueryGroups().Order(ent.Asc(group.FieldName)).Limit(2).AllX(ctx)
		exp := seed.Now.Add(time.Hour)
		const gqlQuery = `{ viewer { scope scopeIds revealAnonymous }
			schools(first: 100) { totalCount edges { node { name groups(first: 100) { totalCount } } } }
			questions(first: 50) { totalCount edges { node { id description student { email } } } } }`

		for _, tc := range []struct {
			name   string
			spec   auth.TokenSpec
			claims map[string]any
		}{
			{"all", auth.TokenSpec{RevealAnonymous: true}, map[string]any{"roles": []string{"admin", "reveal"}}},
			{"schools", auth.TokenSpec{Schools: []gid.SchoolID{sch.ID}}, map[string]any{"school_ids": []string{sch.ID.String()}}},
			{"groups", auth.TokenSpec{Groups: []gid.GroupID{groups[0].ID, groups[1].ID}, RevealAnonymous: true},
				map[string]any{"group_ids": groups[0].ID.String() + " " + groups[1].ID.String(), "roles": "reveal"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.spec.Name = "signin-" + tc.name
				apiToken, jwt := s.newToken(t, tc.spec), idp.token(t, exp, tc.claims)
				for _, rc := range goldenCases(t, d) {
					for _, accept := range []string{"application/json", "text/csv"} {
						wantResp, want := s.post(t, rc.path, apiToken, accept, rc.body)
						gotResp, got := s.post(t, rc.path, jwt, accept, rc.body)
						if gotResp.StatusCode != wantResp.StatusCode || string(got) != string(want) {
							t.Errorf("%s %s: sign-in token got %s (%d bytes), API token %s (%d bytes)",
								rc.path, accept, gotResp.Status, len(got), wantResp.Status, len(want))
						}
					}
				}
				var want, got any
				if errs := s.gql(t, apiToken, gqlQuery, nil, &want); errs != nil {
					t.Fatalf("API token: %v", errs)
				}
				if errs := s.gql(t, jwt, gqlQuery, nil, &got); errs != nil {
					t.Fatalf("sign-in token: %v", errs)
				}
				if w, g := mustJSON(t, want), mustJSON(t, got); w != g {
					t.Errorf("GraphQL: sign-in token got\n%s\nAPI token got\n%s", g, w)
				}
			})
		}

		t.Run("no scope claims sees nothing", func(t *testing.T) {
			jwt := idp.token(t, exp, map[string]any{"roles": []string{"teacher"}})
			for _, rc := range goldenCases(t, d)[:2] {
				resp, body := s.post(t, rc.path, jwt, "application/json", rc.body)
				if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "[]" {
					t.Errorf("%s: %s %.200s, want 200 []", rc.path, resp.Status, body)
				}
			}
			var data struct {
				Viewer    struct{ Scope string }
				Schools   struct{ TotalCount int }
				Questions struct{ TotalCount int }
			}
			if errs := s.gql(t, jwt, gqlQuery, nil, &data); errs != nil {
				t.Fatal(errs)
			}
			if data.Viewer.Scope != "NONE" || data.Schools.TotalCount != 0 || data.Questions.TotalCount != 0 {
				t.Errorf("got %+v, want scope NONE and nothing", data)
			}
		})

		t.Run("refused", func(t *testing.T) {
			other := idp.forger(t)
			rc := goldenCases(t, d)[0]
			for name, tok := range map[string]string{
				"expired":        idp.token(t, seed.Now.Add(-time.Hour), map[string]any{"roles": "admin"}),
				"forged":         other.token(t, exp, map[string]any{"roles": "admin"}),
				"three dots":     "a.b.c",
				"an API token's": "stift_" + strings.Repeat("x", 43),
			} {
				resp, body := s.post(t, rc.path, tok, "application/json", rc.body)
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"code":401`) {
					t.Errorf("%s: %s %s, want 401 in the API's error shape", name, resp.Status, body)
				}
				if strings.Contains(s.logs.String(), tok) {
					t.Errorf("%s: the token was logged", name)
				}
			}
		})
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
