package main

import (
	"context"
	"path/filepath"
	"time"

	"github.com/game-session/game-session/harness"
)

// devServer is one running reference server (the repo's web/, built once per
// bench run) started fresh for each figure so that no figure sees another
// figure's sessions, faults or call log. The process and its /dev/ client
// are the harness's, shared with the e2e suite.
type devServer struct{ *harness.DevServer }

// call is one entry of GET /dev/calls.
type call = harness.Call

// buildDevServer compiles the repo's web/ command into dir.
func buildDevServer(repo, dir string) (string, error) {
	bin := filepath.Join(dir, "gs-devserver")
	return bin, harness.BuildDevServer(repo, bin)
}

// startDevServer starts bin on a free loopback port and waits for the one
// line it prints with its address.
func startDevServer(bin, root string, ttl time.Duration, flags ...string) (*devServer, error) {
	h, err := harness.StartDevServer(bin, append([]string{"-ttl", ttl.String(), "-root", root}, flags...)...)
	if err != nil {
		return nil, err
	}
	return &devServer{h}, nil
}

// token asks the server for a dev token for user, valid for an hour.
func (s *devServer) token(ctx context.Context, user string) (string, error) {
	return s.Token(ctx, user, time.Hour)
}

// calls returns every call the server saw after seq.
func (s *devServer) calls(ctx context.Context, since int64) ([]call, error) {
	return s.Calls(ctx, since)
}

// faults sets the server's fault injection.
func (s *devServer) faults(ctx context.Context, f harness.Faults) error {
	return s.SetFaults(ctx, f)
}

// post calls one session API endpoint as a client would.
func (s *devServer) post(ctx context.Context, op, token string) error {
	return s.Post(ctx, op, token)
}

// waitCalls polls /dev/calls until match returns true for the calls seen so
// far, or ctx ends. Polling an observable condition, not sleeping a guess.
func (s *devServer) waitCalls(ctx context.Context, since int64, every time.Duration, match func([]call) bool) ([]call, error) {
	return s.WaitCalls(ctx, since, every, match)
}
