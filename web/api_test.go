package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestSessionLifecycle(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	alice, bob := mint(t, s, "alice"), mint(t, s, "bob")

	steps := []struct {
		op, tok string
		status  int
		code    string
	}{
		{"heartbeat", alice, 400, "NO_ACTIVE_SESSION"},
		{"end", alice, 400, "NO_ACTIVE_SESSION"},
		{"initiate", alice, 200, ""},
		{"initiate", alice, 400, "ALREADY_IN_GAME"},
		{"initiate", bob, 200, ""}, // sessions are per user
		{"heartbeat", alice, 200, ""},
		{"heartbeat", alice, 200, ""},
		{"end", alice, 200, ""},
		{"end", alice, 400, "NO_ACTIVE_SESSION"},
		{"heartbeat", alice, 400, "NO_ACTIVE_SESSION"},
		{"heartbeat", bob, 200, ""}, // alice's end did not touch bob's
		{"initiate", alice, 200, ""},
	}
	for i, st := range steps {
		r := callOp(t, c, ts.URL, st.op, st.tok)
		if r.Status != st.status || r.Error != st.code || r.Success != (st.status == 200) {
			t.Fatalf("step %d %s: got %d %q success=%v, want %d %q", i, st.op, r.Status, r.Error, r.Success, st.status, st.code)
		}
		if r.Status == 200 && r.Raw != `{"success":true}` {
			t.Errorf("step %d: success body %q", i, r.Raw)
		}
		if r.Status != 200 && r.Message == "" {
			t.Errorf("step %d: error without message: %s", i, r.Raw)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("step %d: Content-Type %q", i, ct)
		}
	}
}

// A second token for the same user addresses the same session: the session
// belongs to the user, not to the token or the tab.
func TestSessionKeyedByUserNotToken(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	tok1 := mint(t, s, "carol")
	tok2, _, err := s.tokens.mint("carol", 2*time.Hour)
	if err != nil || tok1 == tok2 {
		t.Fatalf("want two distinct tokens: %v", err)
	}
	if r := callOp(t, ts.Client(), ts.URL, "initiate", tok1); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	if r := callOp(t, ts.Client(), ts.URL, "initiate", tok2); r.Error != "ALREADY_IN_GAME" {
		t.Fatalf("second token: %s", r.Raw)
	}
	if r := callOp(t, ts.Client(), ts.URL, "end", tok2); r.Status != 200 {
		t.Fatalf("end with the other token: %s", r.Raw)
	}
}

// signed returns a token with claims, signed with method and key.
func signed(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUnauthorized(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	future := time.Now().Add(time.Hour).Unix()
	secret := []byte(testSecret)
	valid := mint(t, s, "dave")
	expired, _, err := s.tokens.mint("dave", 0)
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		contentType, body, wantMsg string
	}{
		"empty body":         {"application/json", ``, "missing token"},
		"not JSON":           {"application/json", `auth_token=abc`, "missing token"},
		"JSON array":         {"application/json", `["x"]`, "missing token"},
		"no auth_token":      {"application/json", `{"token":"x"}`, "missing token"},
		"wrong key case":     {"application/json", `{"AUTH_TOKEN":` + `"` + valid + `"}`, "missing token"},
		"empty auth_token":   {"application/json", `{"auth_token":""}`, "missing token"},
		"null auth_token":    {"application/json", `{"auth_token":null}`, "missing token"},
		"number auth_token":  {"application/json", `{"auth_token":42}`, "missing token"},
		"trailing garbage":   {"application/json", tokenBody(valid) + `x`, "missing token"},
		"malformed":          {"application/json", tokenBody("not.a.jwt"), "malformed token"},
		"two segments":       {"application/json", tokenBody("abc.def"), "malformed token"},
		"bad signature":      {"application/json", tokenBody(signed(t, jwt.SigningMethodHS256, []byte("other"), jwt.MapClaims{"sub": "dave", "exp": future})), "bad token signature"},
		"tampered signature": {"application/json", tokenBody(valid[:len(valid)-2] + "AA"), "signature"},
		"expired":            {"application/json", tokenBody(expired), "token expired"},
		"not valid yet":      {"application/json", tokenBody(signed(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "dave", "nbf": future})), "not valid yet"},
		"no sub":             {"application/json", tokenBody(signed(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"exp": future})), "no user"},
		"empty sub":          {"application/json", tokenBody(signed(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "", "exp": future})), "no user"},
		"sub not a string":   {"application/json", tokenBody(signed(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": 7, "exp": future})), "malformed token"},
		"HS384":              {"application/json", tokenBody(signed(t, jwt.SigningMethodHS384, secret, jwt.MapClaims{"sub": "dave", "exp": future})), "only HS256"},
		"HS512":              {"application/json", tokenBody(signed(t, jwt.SigningMethodHS512, secret, jwt.MapClaims{"sub": "dave", "exp": future})), "only HS256"},
		"alg none":           {"application/json", tokenBody(signed(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"sub": "dave", "exp": future})), "only HS256"},
	}
	for name, tc := range cases {
		for _, op := range apiOps {
			r := post(t, ts.Client(), ts.URL, op, tc.contentType, tc.body)
			if r.Status != http.StatusUnauthorized || r.Error != "UNAUTHORIZED" {
				t.Errorf("%s/%s: got %d %s", name, op, r.Status, r.Raw)
				continue
			}
			if !strings.Contains(r.Message, tc.wantMsg) {
				t.Errorf("%s/%s: message %q, want it to mention %q", name, op, r.Message, tc.wantMsg)
			}
		}
	}
	// None of those touched dave's (absent) session; a good token works.
	if r := callOp(t, ts.Client(), ts.URL, "initiate", valid); r.Status != 200 {
		t.Fatalf("valid token after the bad ones: %s", r.Raw)
	}
}

// A token without exp is accepted (RFC 7519 makes exp optional).
func TestTokenWithoutExpAccepted(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	tok := signed(t, jwt.SigningMethodHS256, []byte(testSecret), jwt.MapClaims{"sub": "erin"})
	if r := callOp(t, ts.Client(), ts.URL, "initiate", tok); r.Status != 200 {
		t.Fatalf("got %s", r.Raw)
	}
}

func TestContentTypes(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	c := ts.Client()
	cases := []struct {
		contentType string
		status      int
		code        string
	}{
		{"text/plain;charset=UTF-8", 200, ""}, // what sendBeacon sends
		{"application/json", 200, ""},
		{"application/json; charset=utf-8", 200, ""},
		{"Application/JSON", 200, ""},
		{"text/plain", 200, ""},
		{"", 200, ""},
		{"application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"multipart/form-data; boundary=x", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"application/json; charset", 415, "UNSUPPORTED_MEDIA_TYPE"}, // unparseable
	}
	for i, tc := range cases {
		tok := mint(t, s, "user"+string(rune('a'+i)))
		r := post(t, c, ts.URL, "initiate", tc.contentType, tokenBody(tok))
		if r.Status != tc.status || r.Error != tc.code {
			t.Errorf("Content-Type %q: got %d %s, want %d %s", tc.contentType, r.Status, r.Raw, tc.status, tc.code)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	for _, op := range apiOps {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			req, _ := http.NewRequest(m, ts.URL+"/api/games/sessions/"+op, nil)
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r := decodeReply(t, res)
			if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "POST" || r.Error != "METHOD_NOT_ALLOWED" {
				t.Errorf("%s %s: %d Allow=%q %s", m, op, r.Status, r.Header.Get("Allow"), r.Raw)
			}
		}
	}
	r := callOp(t, ts.Client(), ts.URL, "pause", "x")
	if r.Status != http.StatusNotFound || r.Error != "NOT_FOUND" {
		t.Errorf("unknown op: %d %s", r.Status, r.Raw)
	}
}

func TestBodyTooLarge(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	tok := mint(t, s, "frank")
	// Exactly at the cap is fine: pad the JSON with spaces.
	atCap := tokenBody(tok)
	atCap += strings.Repeat(" ", maxBodyBytes-len(atCap))
	if r := post(t, ts.Client(), ts.URL, "initiate", "application/json", atCap); r.Status != 200 {
		t.Fatalf("body of exactly %d bytes: %d %s", maxBodyBytes, r.Status, r.Raw)
	}
	over := atCap + " "
	r := post(t, ts.Client(), ts.URL, "end", "application/json", over)
	if r.Status != http.StatusRequestEntityTooLarge || r.Error != "PAYLOAD_TOO_LARGE" {
		t.Fatalf("body of %d bytes: %d %s", len(over), r.Status, r.Raw)
	}
	// The oversized end did not end the session.
	if r := callOp(t, ts.Client(), ts.URL, "heartbeat", tok); r.Status != 200 {
		t.Fatalf("session gone after a 413: %s", r.Raw)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (sb *syncBuffer) Write(p []byte) (int, error) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.b.Write(p)
}

func (sb *syncBuffer) String() string {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.b.String()
}

// Each API call is logged with user, op, status and code, never the token.
func TestLogLinesWithoutToken(t *testing.T) {
	var logs syncBuffer
	s := newTestServer(t, config{log: slog.New(slog.NewTextHandler(&logs, nil))})
	ts := startHTTP(t, s)
	tok := mint(t, s, "gina")
	callOp(t, ts.Client(), ts.URL, "initiate", tok)
	callOp(t, ts.Client(), ts.URL, "initiate", tok)
	bad := tok[:len(tok)-3] + "xyz"
	callOp(t, ts.Client(), ts.URL, "heartbeat", bad)

	out := logs.String()
	for _, want := range []string{
		"op=initiate user=gina status=200",
		"op=initiate user=gina status=400 code=ALREADY_IN_GAME",
		`op=heartbeat user="" status=401 code=UNAUTHORIZED`,
		"duration=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	// No piece of either token's signature or payload in the log.
	for _, secret := range []string{tok, bad, strings.Split(tok, ".")[1], strings.Split(tok, ".")[2]} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains token material %q:\n%s", secret, out)
		}
	}
}

// A body cut short (the client's upload broke) gets no answer at all: a 400
// would read as NO_ACTIVE_SESSION to a client falling back on the status.
func TestTruncatedBodyGetsNoAnswer(t *testing.T) {
	s := newTestServer(t, config{})
	ts := startHTTP(t, s)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/games/sessions/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"auth_token\":")
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if len(got) != 0 {
		t.Fatalf("got an answer: %q (%v)", got, err)
	}
	calls, _ := s.calls.since(0)
	if len(calls) != 1 || calls[0].Status != 0 || calls[0].Code != "BODY_READ_ERROR" {
		t.Fatalf("calls %+v", calls)
	}
}
