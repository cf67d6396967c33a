package main

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startTimed serves s over a real listener with the server newHTTPServer
// builds for tm, and returns its URL and a channel that receives each
// connection as the server closes it.
func startTimed(t *testing.T, s *server, tm timeouts) (string, <-chan net.Conn) {
	t.Helper()
	hs := newHTTPServer(s, tm)
	closed := make(chan net.Conn, 100)
	hs.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateClosed || st == http.StateHijacked {
			closed <- c
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String(), closed
}

// Readers that ask for a large file and never read it are cut off after
// WriteTimeout, freeing their descriptors, instead of holding them for as
// long as they like.
func TestSlowReadersAreCut(t *testing.T) {
	root := t.TempDir()
	f, err := os.Create(filepath.Join(root, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(64 << 20) // sparse: no disk, far more than the socket buffers hold
	f.Close()
	s := newTestServer(t, config{root: root})
	tm := timeouts{readHeader: 5 * time.Second, read: 5 * time.Second, write: 500 * time.Millisecond, idle: 5 * time.Second}
	url, closed := startTimed(t, s, tm)

	const readers = 20
	// A small receive buffer so the server's writes block soon.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	start := time.Now()
	for range readers {
		c, err := d.Dial("tcp", strings.TrimPrefix(url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(20 * time.Second) // a bound, not synchronisation
	for i := range readers {
		select {
		case <-closed:
		case <-deadline:
			t.Fatalf("%d of %d slow readers still connected after 20 s (WriteTimeout %v)", readers-i, readers, tm.write)
		}
	}
	t.Logf("%d slow readers cut after %v (WriteTimeout %v)", readers, time.Since(start).Round(time.Millisecond), tm.write)
}

// Injected latency far beyond WriteTimeout still gets its answer: the
// delayed API call extends its own write deadline.
func TestFaultLatencyOutlastsWriteTimeout(t *testing.T) {
	s := newTestServer(t, config{})
	tm := timeouts{readHeader: 5 * time.Second, read: 5 * time.Second, write: 300 * time.Millisecond, idle: 5 * time.Second}
	url, _ := startTimed(t, s, tm)
	c := &http.Client{Timeout: 20 * time.Second}
	if code := do(t, c, "POST", url+"/dev/faults", `{"latencyMs":1200,"ops":["initiate"]}`); code != 200 {
		t.Fatalf("POST /dev/faults: %d", code)
	}
	start := time.Now()
	tok := mint(t, s, "patient")
	req, _ := http.NewRequest("POST", url+"/api/games/sessions/initiate", strings.NewReader(tokenBody(tok)))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("initiate delayed 1.2 s under a 300 ms WriteTimeout: %v", err)
	}
	r := decodeReply(t, res)
	if elapsed := time.Since(start); r.Status != 200 || elapsed < 1200*time.Millisecond {
		t.Fatalf("initiate: %d after %v: %s", r.Status, elapsed, r.Raw)
	}
	// Calls without injected latency keep the short deadline.
	if r := callOp(t, c, url, "heartbeat", tok); r.Status != 200 {
		t.Fatalf("heartbeat: %s", r.Raw)
	}
}

// The defaults bound every phase, and WriteTimeout is shorter than the
// longest injected latency, which is what allowDelay is for.
func TestDefaultTimeouts(t *testing.T) {
	tm := defaultTimeouts
	if tm.readHeader <= 0 || tm.read <= 0 || tm.write <= 0 || tm.idle <= 0 {
		t.Fatalf("unbounded phase: %+v", tm)
	}
	if tm.write >= maxFaultDelayMs*time.Millisecond {
		t.Fatalf("WriteTimeout %v already covers the longest fault: then it bounds nothing useful", tm.write)
	}
}
