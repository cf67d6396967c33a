package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testSecret = "test-secret"

// newTestServer returns the real handler with cfg's blanks filled in.
func newTestServer(t testing.TB, cfg config) *server {
	t.Helper()
	if cfg.ttl == 0 {
		cfg.ttl = 10 * time.Second
	}
	if cfg.secret == nil {
		cfg.secret = []byte(testSecret)
	}
	s, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startHTTP serves s over real HTTP for the test's lifetime.
func startHTTP(t testing.TB, s *server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// mint returns a valid token for user from s.
func mint(t testing.TB, s *server, user string) string {
	t.Helper()
	tok, _, err := s.tokens.mint(user, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// tokenBody is the JSON body the SDK sends.
func tokenBody(tok string) string {
	b, _ := json.Marshal(map[string]string{"auth_token": tok})
	return string(b)
}

// reply is a decoded API answer.
type reply struct {
	Status  int
	Header  http.Header
	Success bool   `json:"success"`
	Error   string `json:"error"`
	Message string `json:"message"`
	Raw     string
}

func decodeReply(t testing.TB, res *http.Response) reply {
	t.Helper()
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("bad JSON %q: %v", raw, err)
		}
	}
	return r
}

// post sends body to the op endpoint over HTTP with contentType.
func post(t testing.TB, c *http.Client, base, op, contentType, body string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/games/sessions/"+op, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return decodeReply(t, res)
}

// callOp is post with the SDK's JSON body for tok.
func callOp(t testing.TB, c *http.Client, base, op, tok string) reply {
	t.Helper()
	return post(t, c, base, op, "application/json", tokenBody(tok))
}

// serve runs one request through the handler without a network, for
// testing/synctest bubbles (a real listener would never let time advance).
// It is addressed to 127.0.0.1, as the tests' real requests are (httptest's
// default Host, example.com, is refused by /dev/).
func serve(s http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = "127.0.0.1"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// serveOp is serve for an API op with the SDK's body; it returns the
// status and the error code ("" on success).
func serveOp(t testing.TB, s http.Handler, op, tok string) (int, string) {
	t.Helper()
	rec := serve(s, http.MethodPost, "/api/games/sessions/"+op, "application/json", tokenBody(tok))
	var body apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: bad JSON %q", op, rec.Body.String())
	}
	return rec.Code, body.Error
}

// getJSON GETs base+path over HTTP and decodes the JSON answer into v.
func getJSON(t testing.TB, c *http.Client, url string, v any) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// do sends a request with an optional JSON body and returns the status.
func do(t testing.TB, c *http.Client, method, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}
