package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// The session API, per spec/session-api.md: three POST
// endpoints, each taking {"auth_token": "..."} and answering
// {"success":true} or {"success":false,"error":"CODE","message":"..."}.
//
// Choices where the spec is silent:
//   - Content-Type application/json or text/plain (navigator.sendBeacon with
//     a string body sends text/plain and needs no CORS preflight), any
//     charset parameter; a missing Content-Type is read as JSON; anything
//     else is 415 UNSUPPORTED_MEDIA_TYPE.
//   - A body that is not a JSON object, or has no non-empty string
//     "auth_token", is 401 UNAUTHORIZED ("missing token"): the spec's
//     "missing or invalid token". No 400 BAD_REQUEST, because 400 on these
//     endpoints already means ALREADY_IN_GAME / NO_ACTIVE_SESSION to a client
//     that falls back on the status.
//   - Bodies over 16 KiB are 413 PAYLOAD_TOO_LARGE; a body that cannot be
//     read (connection broken mid-upload) gets no answer.
//   - Other methods are 405 METHOD_NOT_ALLOWED with "Allow: POST".

const (
	codeAlreadyInGame   = "ALREADY_IN_GAME"
	codeNoActiveSession = "NO_ACTIVE_SESSION"
	codeUnauthorized    = "UNAUTHORIZED"
)

// maxBodyBytes caps API request bodies; a token is well under 1 KiB.
const maxBodyBytes = 16 << 10

var (
	errUnsupportedMediaType = errors.New("send the JSON body as application/json (or text/plain)")
	errMissingToken         = errors.New("missing token")
)

// decodeRequest returns the auth_token of an API request body sent with
// contentType. It fails with errUnsupportedMediaType or errMissingToken.
func decodeRequest(contentType string, body []byte) (string, error) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil || (mt != "application/json" && mt != "text/plain") {
			return "", errUnsupportedMediaType
		}
	}
	// Decode into a map rather than a struct: encoding/json matches struct
	// fields case-insensitively, and the field is "auth_token", exactly.
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return "", errMissingToken
	}
	raw, ok := fields["auth_token"]
	if !ok {
		return "", errMissingToken
	}
	var token string
	if err := json.Unmarshal(raw, &token); err != nil || token == "" {
		return "", errMissingToken // null, a number, an object, or ""
	}
	return token, nil
}

// apiError is the error body of every API endpoint.
type apiError struct {
	Success bool   `json:"success"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// apiCall is one call in progress: what it came to so far, recorded in the
// call log and the log line exactly once, just before the client can see
// the answer (so a client that got its answer finds the call in
// /dev/calls), or when the handler ends some other way.
type apiCall struct {
	s      *server
	r      *http.Request
	op     string
	seq    uint64
	start  time.Time
	user   string
	status int // 0 when the call was dropped or abandoned
	code   string
	fault  string
	done   bool
	// answerDelay is the injected response leg, waited in respond.
	answerDelay time.Duration
}

func (c *apiCall) record() {
	if c.done {
		return
	}
	c.done = true
	c.s.calls.finish(c.seq, c.user, c.status, c.code, c.fault)
	// Never the token: the user it names is enough to follow a session.
	c.s.log.Info("api", "op", c.op, "user", c.user, "status", c.status, "code", c.code,
		"fault", c.fault, "origin", clip(c.r.Header.Get("Origin"), maxCallField), "duration", c.s.now().Sub(c.start))
}

// respond records the call and answers status with the success body or
// the error body for code, after the injected response leg: a client that
// gives up during it gets nothing, but the call stays logged with the
// status the server decided (the store has acted).
func (c *apiCall) respond(w http.ResponseWriter, status int, code, message string) {
	c.status, c.code = status, code
	if c.answerDelay > 0 && !sleep(c.r.Context(), c.answerDelay) {
		c.record()
		return
	}
	c.record()
	writeAPI(w, status, code, message)
}

// writeAPI writes an API answer: {"success":true} for 200, else the error body.
func writeAPI(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if status == http.StatusOK {
		io.WriteString(w, `{"success":true}`)
		return
	}
	json.NewEncoder(w).Encode(apiError{Error: code, Message: message})
}

// handleAPI serves POST /api/games/sessions/{op}; apply is the store
// operation for op.
func (s *server) handleAPI(op string, apply func(user string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		c := &apiCall{s: s, r: r, op: op, start: start,
			seq: s.calls.begin(start, op, r.Header.Get("Content-Type"), r.Header.Get("Origin"))}
		defer c.record() // canceled, or a panic

		// Read and check the request without side effects first, so that
		// an injected fault below can stand for a call that never arrived.
		body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		var token string
		var reqErr error
		if readErr == nil {
			token, reqErr = decodeRequest(r.Header.Get("Content-Type"), body)
		}
		var authErr error
		if readErr == nil && reqErr == nil {
			c.user, authErr = s.tokens.user(token)
		}

		if !s.injectFault(w, c) {
			return
		}

		var tooBig *http.MaxBytesError
		switch {
		case errors.As(readErr, &tooBig):
			c.respond(w, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
				fmt.Sprintf("request body over %d bytes", maxBodyBytes))
		case readErr != nil:
			// A broken or timed-out upload: nobody is left to read an
			// answer, and a 400 would read as a session error to a client
			// falling back on the status. Close the connection instead.
			c.code = "BODY_READ_ERROR"
			c.record()
			panic(http.ErrAbortHandler)
		case errors.Is(reqErr, errUnsupportedMediaType):
			c.respond(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", reqErr.Error())
		case reqErr != nil:
			c.respond(w, http.StatusUnauthorized, codeUnauthorized, reqErr.Error())
		case authErr != nil:
			c.respond(w, http.StatusUnauthorized, codeUnauthorized, authErr.Error())
		default:
			switch err := apply(c.user); {
			case err == nil:
				c.respond(w, http.StatusOK, "", "")
			case errors.Is(err, errAlreadyInGame):
				c.respond(w, http.StatusBadRequest, codeAlreadyInGame, err.Error())
			case errors.Is(err, errNoActiveSession):
				c.respond(w, http.StatusBadRequest, codeNoActiveSession, err.Error())
			default:
				c.respond(w, http.StatusInternalServerError, "SERVER_ERROR", err.Error())
			}
		}
	}
}

// injectFault applies the configured fault for the call and reports
// whether it should still be served.
func (s *server) injectFault(w http.ResponseWriter, c *apiCall) bool {
	p := s.faults.plan(c.op)
	s.allowDelay(w, p.delay+p.response) // both legs, past WriteTimeout (timeouts.go)
	if p.delay > 0 && !sleep(c.r.Context(), p.delay) {
		c.code = "CANCELED" // the client gave up (or the server is shutting down)
		return false
	}
	// The request leg is over: this is when the call reaches the platform.
	s.calls.acted(c.seq, s.now())
	c.answerDelay = p.response
	switch p.action {
	case faultDrop:
		c.fault = "drop"
		dropConnection(w, c.record)
		return false
	case faultError:
		c.fault = "error"
		c.respond(w, p.status, p.code, "injected fault (dev server)")
		return false
	}
	return true
}

// sleep waits d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without a response, the
// way a lost packet or a crashed proxy looks to the browser; before is
// called just before the client can notice.
func dropConnection(w http.ResponseWriter, before func()) {
	conn, _, err := http.NewResponseController(w).Hijack()
	before()
	if err != nil {
		// Not hijackable (HTTP/2, or a recorder in tests): abort the
		// handler, which makes net/http reset the stream or connection
		// without writing a response.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// handleAPIFallback answers every other request under /api/games/sessions/:
// 405 with Allow: POST for a known endpoint, 404 otherwise. These are not
// API calls and are not in the call log.
func (s *server) handleAPIFallback(w http.ResponseWriter, r *http.Request) {
	switch op := r.PathValue("op"); op {
	case "initiate", "heartbeat", "end":
		w.Header().Set("Allow", http.MethodPost)
		writeAPI(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" not allowed, use POST")
	default:
		writeAPI(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint")
	}
}
