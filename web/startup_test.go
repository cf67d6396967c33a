package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

// A taken port fails with a hint of -addr, and -check finds that out
// without serving (./build.sh serve asks before its long build).
func TestBusyPortNamesAddr(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	for _, extra := range [][]string{{"-check"}, nil} {
		args := append([]string{"-addr", addr, "-root", t.TempDir()}, extra...)
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil {
			t.Fatalf("run %v on a busy port: no error", args)
		}
		for _, want := range []string{"address already in use", "-addr 127.0.0.1:"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("run %v: %q lacks %q", args, err, want)
			}
		}
	}
}

// -check on a free port returns at once and leaves the port free.
func TestCheckFreePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := run(context.Background(), []string{"-addr", addr, "-check"}, io.Discard, io.Discard); err != nil {
		t.Fatalf("-check on a free port: %v", err)
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the port is not free after -check: %v", err)
	}
	again.Close()
}
