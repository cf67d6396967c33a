package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkHeartbeat measures heartbeats per second through the whole
// handler (CORS wrapper, routing, body read and decode, HS256 check, store,
// call log, log line to a discarding logger), without the network.
//
//	go test -run '^$' -bench Heartbeat -cpu 1 ./web
func BenchmarkHeartbeat(b *testing.B) {
	s := newTestServer(b, config{})
	tok := mint(b, s, "bench")
	if code := serve(s, http.MethodPost, "/api/games/sessions/initiate", "application/json", tokenBody(tok)).Code; code != 200 {
		b.Fatalf("initiate: %d", code)
	}
	body := []byte(tokenBody(tok))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/games/sessions/heartbeat", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("heartbeat: %d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "heartbeats/s")
}
