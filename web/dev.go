package main

// ---------------------------------------------------------------------------
// DEV ONLY. Everything under /dev/ exists so that people (the playground)
// and tests (Go, browser e2e) can drive the reference server: mint tokens
// for any user, look at and kill sessions, inject faults, and read back
// every API call the server saw. None of it belongs on a real platform
// server: /dev/token hands out valid tokens to anyone who asks.
// ---------------------------------------------------------------------------

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of GET /dev/token?ttl=SECONDS. ttl=0 mints an already expired
// token, for tests of UNAUTHORIZED.
const (
	defaultTokenTTL = time.Hour
	maxTokenTTL     = 31 * 24 * time.Hour
)

// devRoutes returns the /dev/ handler. It is its own ServeMux so that its
// method patterns get net/http's automatic 405 + Allow.
func (s *server) devRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/token", s.handleToken)
	mux.HandleFunc("GET /dev/sessions", s.handleSessions)
	mux.HandleFunc("POST /dev/sessions/{user}/expire", s.handleExpire)
	mux.HandleFunc("GET /dev/faults", s.handleFaultsGet)
	mux.HandleFunc("POST /dev/faults", s.handleFaultsSet)
	mux.HandleFunc("DELETE /dev/faults", s.handleFaultsClear)
	mux.HandleFunc("GET /dev/calls", s.handleCalls)
	mux.HandleFunc("DELETE /dev/calls", s.handleCallsClear)
	return mux
}

// writeJSON answers v as JSON; dev answers are never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// devError answers a bad dev request in the API's error shape.
func devError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, apiError{Error: "INVALID_ARGUMENT", Message: message})
}

// validUser accepts the user names /dev/token mints for: 1..maxUserLen
// bytes of printable UTF-8 with no spaces at either end.
func validUser(u string) error {
	switch {
	case u == "" || len(u) > maxUserLen:
		return fmt.Errorf("user must be 1..%d bytes", maxUserLen)
	case strings.TrimSpace(u) != u:
		return fmt.Errorf("user must not start or end with spaces")
	case !utf8.ValidString(u) || strings.ContainsFunc(u, func(r rune) bool { return !unicode.IsPrint(r) }):
		return fmt.Errorf("user must be printable UTF-8")
	}
	return nil
}

// GET /dev/token?user=NAME[&ttl=SECONDS] → {"auth_token","user","expiresAt"}
func (s *server) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user := q.Get("user")
	if err := validUser(user); err != nil {
		devError(w, http.StatusBadRequest, err.Error())
		return
	}
	ttl := defaultTokenTTL
	if v := q.Get("ttl"); v != "" {
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil || sec < 0 || time.Duration(sec)*time.Second > maxTokenTTL {
			devError(w, http.StatusBadRequest, fmt.Sprintf("ttl must be 0..%d seconds", int64(maxTokenTTL/time.Second)))
			return
		}
		ttl = time.Duration(sec) * time.Second
	}
	token, exp, err := s.tokens.mint(user, ttl)
	if err != nil {
		devError(w, http.StatusInternalServerError, "could not sign the token")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"auth_token": token, "user": user, "expiresAt": exp.UnixMilli(),
	})
}

// GET /dev/sessions → {"sessions":[...], "ttlMs": N}
func (s *server) handleSessions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"sessions": s.store.list(), "ttlMs": s.store.ttl.Milliseconds(),
	})
}

// POST /dev/sessions/{user}/expire → 204, whether or not there was one:
// afterwards the user has no session, which is all the caller asked for.
func (s *server) handleExpire(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	had := s.store.expire(user)
	s.log.Info("dev expire", "user", clip(user, maxCallField), "hadSession", had)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// GET /dev/faults → the configuration in effect.
func (s *server) handleFaultsGet(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.faults.get())
}

// POST /dev/faults replaces the configuration; unknown fields are an error
// (a typo such as "dropRatio" must not silently inject nothing).
func (s *server) handleFaultsSet(w http.ResponseWriter, r *http.Request) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	var c faultConfig
	if err := dec.Decode(&c); err != nil {
		devError(w, http.StatusBadRequest, "bad faults JSON: "+err.Error())
		return
	}
	c, err := s.faults.set(c)
	if err != nil {
		devError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.dropsChanged(c.DropRate)
	s.log.Info("dev faults", "latencyMs", c.LatencyMs, "jitterMs", c.JitterMs,
		"requestLatencyMs", c.RequestLatencyMs, "requestJitterMs", c.RequestJitterMs,
		"responseLatencyMs", c.ResponseLatencyMs, "responseJitterMs", c.ResponseJitterMs, "dropRate", c.DropRate,
		"errorRate", c.ErrorRate, "errorStatus", c.ErrorStatus, "ops", c.Ops)
	writeJSON(w, http.StatusOK, c)
}

// DELETE /dev/faults → 204, no faults.
func (s *server) handleFaultsClear(w http.ResponseWriter, r *http.Request) {
	s.faults.clear()
	s.dropsChanged(0)
	s.log.Info("dev faults cleared")
	w.WriteHeader(http.StatusNoContent)
}

// GET /dev/calls?since=SEQ → {"calls":[...], "last": SEQ}; pass last as
// the next since to get only newer calls.
func (s *server) handleCalls(w http.ResponseWriter, r *http.Request) {
	var after uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			devError(w, http.StatusBadRequest, "since must be a non-negative integer")
			return
		}
		after = n
	}
	calls, last := s.calls.since(after)
	writeJSON(w, http.StatusOK, map[string]any{"calls": calls, "last": last})
}

// DELETE /dev/calls → 204; sequence numbers keep counting.
func (s *server) handleCallsClear(w http.ResponseWriter, r *http.Request) {
	s.calls.clear()
	w.WriteHeader(http.StatusNoContent)
}
