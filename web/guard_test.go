package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// devRequests are one request to each /dev/ route.
var devRequests = []struct{ method, path, body string }{
	{"GET", "/dev/token?user=mallory", ""},
	{"GET", "/dev/sessions", ""},
	{"POST", "/dev/sessions/alice/expire", ""},
	{"GET", "/dev/faults", ""},
	{"POST", "/dev/faults", `{"dropRate":1}`},
	{"DELETE", "/dev/faults", ""},
	{"GET", "/dev/calls", ""},
	{"DELETE", "/dev/calls", ""},
}

// devAt sends one /dev/ request with Host host and extra headers through
// the handler.
func devAt(s http.Handler, method, path, body, host string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = host
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// /dev/ answers only loopback Hosts and -allow-host ones: a DNS-rebound
// page (Host evil.example) cannot mint a token, read the calls or set
// faults.
func TestDevRefusesForeignHosts(t *testing.T) {
	s := newTestServer(t, config{allowHosts: []string{"phone.lan", "192.168.1.20"}})
	refused := []string{
		"evil.example", "evil.example:8080", "EVIL.example.", "localhost.evil.example",
		"127.0.0.1.nip.io", "127.0.0.1.evil.example:8080", "localhost.example", "foo.localhost",
		"", "0.0.0.0:8080", "[::]:8080", "10.0.0.1", "192.168.1.21:8080", "phone.lan.evil.example",
		"[fe80::1%25lo]:8080", "2130706433", "127.1", "0x7f.0.0.1", "localhost:8080@evil.example",
	}
	for _, host := range refused {
		for _, d := range devRequests {
			rec := devAt(s, d.method, d.path, d.body, host, nil)
			if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "auth_token") {
				t.Errorf("Host %q: %s %s → %d %.80s", host, d.method, d.path, rec.Code, rec.Body)
			}
		}
	}
	if f := s.faults.get(); f.DropRate != 0 {
		t.Fatalf("a refused request set faults: %+v", f)
	}
	allowed := []string{
		"127.0.0.1", "127.0.0.1:8080", "localhost:8080", "LOCALHOST", "localhost.:8080",
		"[::1]:8080", "[::1]", "127.0.0.2:8080", "[::ffff:127.0.0.1]:8080", "phone.lan:8080", "PHONE.LAN", "192.168.1.20:8080",
	}
	for _, host := range allowed {
		if rec := devAt(s, "GET", "/dev/sessions", "", host, nil); rec.Code != http.StatusOK {
			t.Errorf("Host %q refused: %d %s", host, rec.Code, rec.Body)
		}
	}
	// The session API and the static files are not /dev/: no Host rule.
	tok := mint(t, s, "remote")
	req := httptest.NewRequest("POST", "/api/games/sessions/initiate", strings.NewReader(tokenBody(tok)))
	req.Host = "game.example"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("API under Host game.example: %d %s", rec.Code, rec.Body)
	}

	// The same over a real connection, as curl -H 'Host: evil.example' sends it.
	ts := startHTTP(t, s)
	req, _ = http.NewRequest("GET", ts.URL+"/dev/token?user=mallory", nil)
	req.Host = "evil.example"
	res, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || strings.Contains(string(body), "auth_token") {
		t.Fatalf("curl -H 'Host: evil.example' /dev/token: %d %s", res.StatusCode, body)
	}
	var e apiError
	if json.Unmarshal(body, &e) != nil || e.Error != "FORBIDDEN" || !strings.Contains(e.Message, "-allow-host") {
		t.Errorf("refusal body %s", body)
	}
}

// State-changing /dev/ calls must come from the server's own origin (or a
// -dev-origin): a cross-site text/plain POST to /dev/faults, as a form or
// a no-cors fetch sends it, is refused and not applied. Tools that send no
// Origin (curl, the Go tests) keep working.
func TestDevRefusesCrossOriginWrites(t *testing.T) {
	s := newTestServer(t, config{devOrigins: []string{"http://localhost:3000"}})
	const host = "127.0.0.1:8080"
	hostile := []map[string]string{
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
		{"Origin": "null", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "null"},
		{"Origin": "http://127.0.0.1:9999"}, // another port is another origin
		{"Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-site"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "http://localhost:3000.evil.example"},
	}
	for _, h := range hostile {
		for _, d := range devRequests {
			if d.method == "GET" {
				continue
			}
			h["Content-Type"] = "text/plain"
			rec := devAt(s, d.method, d.path, d.body, host, h)
			if rec.Code != http.StatusForbidden {
				t.Errorf("%v: %s %s → %d %s", h, d.method, d.path, rec.Code, rec.Body)
			}
		}
	}
	if f := s.faults.get(); f.DropRate != 0 {
		t.Fatalf("a cross-site POST set faults: %+v", f)
	}
	allowed := []map[string]string{
		nil, // curl, Go
		{"Origin": "http://127.0.0.1:8080"},
		{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"},
		{"Sec-Fetch-Site": "same-origin"},
		{"Sec-Fetch-Site": "none"},                                         // typed into the address bar
		{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, // the -dev-origin
	}
	for _, h := range allowed {
		rec := devAt(s, "POST", "/dev/faults", `{"dropRate":0.5}`, host, h)
		if rec.Code != http.StatusOK {
			t.Errorf("%v: POST /dev/faults → %d %s", h, rec.Code, rec.Body)
		}
		s.faults.clear()
	}
	// Reads need no Origin rule (without CORS the page cannot read them).
	if rec := devAt(s, "GET", "/dev/token?user=ok", "", host, nil); rec.Code != http.StatusOK {
		t.Errorf("GET /dev/token without Origin: %d", rec.Code)
	}
}

// /dev/ gets no CORS from -cors-origin (even "*"), only from -dev-origin,
// and never with credentials.
func TestDevCORS(t *testing.T) {
	s := newTestServer(t, config{corsOrigins: []string{"*"}, devOrigins: []string{"http://localhost:3000"}})
	ts := startHTTP(t, s)
	for _, origin := range []string{"https://any.example", "null", "http://localhost:3001"} {
		res := preflight(t, ts.Client(), ts.URL+"/dev/faults", origin)
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("preflight to /dev/faults from %s: Allow-Origin %q", origin, got)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/dev/token?user=x", nil)
		req.Header.Set("Origin", origin)
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("GET /dev/token from %s: Allow-Origin %q", origin, got)
		}
	}
	res := preflight(t, ts.Client(), ts.URL+"/dev/faults", "http://localhost:3000")
	if res.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight from the -dev-origin: %v", res.Header)
	}
	for _, bad := range [][]string{{"*"}, {"null"}, {"http://a.example/path"}} {
		if _, err := newServer(config{ttl: 1, secret: []byte("k"), devOrigins: bad}); err == nil {
			t.Errorf("-dev-origin %q accepted", bad)
		}
	}
	if _, err := newServer(config{ttl: 1, secret: []byte("k"), allowHosts: []string{"http://evil.example/"}}); err == nil {
		t.Error("-allow-host with a scheme accepted")
	}
}
