package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, s *testServer) {
		for _, path := range []string{"/healthz", "/readyz"} {
			resp, err := http.Get(s.base + path)
			if err != nil {
				t.Fatal(err)
			}
			if body := readAll(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) {
				t.Errorf("GET %s = %d %s", path, resp.StatusCode, body)
			}
		}
		resp, err := http.Get(s.base + "/nowhere")
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, resp); resp.StatusCode != 404 || body != `{"error":{"code":404,"message":"Not found."}}`+"\n" {
			t.Errorf("GET /nowhere = %d %s", resp.StatusCode, body)
		}
	})
}
