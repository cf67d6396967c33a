package main

import (
	"net/http"
	"strings"
	"testing"
)

// preflight sends the OPTIONS request a browser sends before a
// cross-origin JSON POST.
func preflight(t *testing.T, c *http.Client, url, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestCORSPreflight(t *testing.T) {
	s := newTestServer(t, config{corsOrigins: splitOrigins(" https://game.example/, http://localhost:3000")})
	ts := startHTTP(t, s)
	url := ts.URL + "/api/games/sessions/heartbeat"

	for _, origin := range []string{"https://game.example", "http://localhost:3000"} {
		res := preflight(t, ts.Client(), url, origin)
		h := res.Header
		if res.StatusCode/100 != 2 ||
			h.Get("Access-Control-Allow-Origin") != origin ||
			h.Get("Access-Control-Allow-Methods") != "POST" ||
			h.Get("Access-Control-Allow-Headers") != "content-type" ||
			h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("allowed origin %s: %d %v", origin, res.StatusCode, h)
		}
	}

	for _, origin := range []string{"https://evil.example", "https://game.example.evil", "null"} {
		res := preflight(t, ts.Client(), url, origin)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("denied origin %s got Allow-Origin %q", origin, got)
		}
		if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("denied origin %s got Allow-Credentials %q", origin, got)
		}
	}

	// The actual POST from an allowed origin carries the CORS headers too.
	tok := mint(t, s, "hana")
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/games/sessions/initiate", strings.NewReader(tokenBody(tok)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://game.example")
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := decodeReply(t, res)
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://game.example" ||
		r.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("actual request: %d %v", r.Status, r.Header)
	}
}

// With no -cors-origin, nothing is allowed cross-origin (rs/cors would read
// an empty list as "everything").
func TestCORSDefaultNone(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	res := preflight(t, ts.Client(), ts.URL+"/api/games/sessions/initiate", "https://game.example")
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("default config allowed a cross-origin preflight: %q", got)
	}
}

// "*" allows any origin with a literal "*" and never with credentials
// (the Fetch standard refuses "*" with credentials; reflecting each origin
// instead would hand every site, and the "null" origin of sandboxed pages,
// the user's cookies). "null" cannot be listed, nor "*" mixed with others.
func TestCORSStarWithoutCredentials(t *testing.T) {
	s := newTestServer(t, config{corsOrigins: []string{"*"}})
	ts := startHTTP(t, s)
	for _, origin := range []string{"https://any.example", "null", "http://localhost:3000"} {
		res := preflight(t, ts.Client(), ts.URL+"/api/games/sessions/initiate", origin)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("preflight from %s: Allow-Origin %q, want *", origin, got)
		}
		if got := res.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("preflight from %s: Allow-Credentials %q", origin, got)
		}
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/games/sessions/heartbeat", strings.NewReader(tokenBody("x")))
		req.Header.Set("Origin", origin)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("POST from %s: %v", origin, res.Header)
		}
	}
	for _, bad := range []string{"null", "NULL", "*, https://a.example", "https://a.example,null"} {
		if _, err := newServer(config{ttl: 1, secret: []byte("k"), corsOrigins: splitOrigins(bad)}); err == nil {
			t.Errorf("-cors-origin %q accepted", bad)
		}
	}
}
