//go:build js && wasm

// Command rival is the naive way to do game-session's job, kept as a baseline:
// the standard library's net/http (which wraps fetch on js/wasm) and
// encoding/json, a time.Ticker heartbeat loop and http.Post for every call.
// It does the happy path only (no retries, expiry recovery, pagehide end or
// single-tab rule): a developer's first try, not a strawman. The bench builds
// it with the same flags as the module and compares size, start-up and the
// cost per heartbeat.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hack-pad/safejs"
)

type session struct {
	mu     sync.Mutex
	base   string
	token  string
	ticker *time.Ticker
	done   chan struct{}
}

var current session

type body struct {
	AuthToken string `json:"auth_token"`
}

type answer struct {
	Success bool   `json:"success"`
	Error   string `json:"error"`
}

func post(base, op, token string) error {
	payload, err := json.Marshal(body{AuthToken: token})
	if err != nil {
		return err
	}
	resp, err := http.Post(base+"/api/games/sessions/"+op, "application/json", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return err
	}
	if !a.Success {
		return fmt.Errorf("%s: %d %s", op, resp.StatusCode, a.Error)
	}
	return nil
}

func (s *session) start(token, base string, interval time.Duration) error {
	if err := post(base, "initiate", token); err != nil {
		return err
	}
	s.mu.Lock()
	s.base, s.token = base, token
	s.ticker = time.NewTicker(interval)
	s.done = make(chan struct{})
	ticker, done := s.ticker, s.done
	s.mu.Unlock()
	go func() {
		for {
			select {
			case <-ticker.C:
				if err := post(base, "heartbeat", token); err != nil {
					fmt.Println("rival: heartbeat:", err)
				}
			case <-done:
				return
			}
		}
	}()
	return nil
}

func (s *session) end() error {
	s.mu.Lock()
	if s.ticker == nil {
		s.mu.Unlock()
		return fmt.Errorf("no session")
	}
	s.ticker.Stop()
	close(s.done)
	s.ticker = nil
	base, token := s.base, s.token
	s.mu.Unlock()
	return post(base, "end", token)
}

// promise runs work in a goroutine (a FuncOf callback must not block) and
// settles a JS Promise with its outcome.
func promise(work func() error) any {
	var executor safejs.Func
	executor, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer executor.Release()
			if err := work(); err != nil {
				_, _ = reject.Invoke(err.Error())
				return
			}
			_, _ = resolve.Invoke(map[string]any{"success": true})
		}()
		return nil
	})
	if err != nil {
		return nil
	}
	ctor, err := safejs.Global().Get("Promise")
	if err != nil {
		return nil
	}
	p, err := ctor.New(executor)
	if err != nil {
		return nil
	}
	return p
}

func main() {
	global := safejs.Global()
	start, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		token, _ := args[0].String()
		base, _ := safejs.MustGetGlobal("location").Get("origin")
		origin, _ := base.String()
		interval := 9 * time.Second
		if len(args) > 1 && args[1].Type() == safejs.TypeObject {
			if v, err := args[1].Get("apiBase"); err == nil && v.Type() == safejs.TypeString {
				origin, _ = v.String()
			}
			if v, err := args[1].Get("heartbeatIntervalMs"); err == nil && v.Type() == safejs.TypeNumber {
				ms, _ := v.Int()
				interval = time.Duration(ms) * time.Millisecond
			}
		}
		return promise(func() error { return current.start(token, origin, interval) })
	})
	if err != nil {
		panic(err)
	}
	end, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any {
		return promise(current.end)
	})
	if err != nil {
		panic(err)
	}
	if err := global.Set("startSession", start); err != nil {
		panic(err)
	}
	if err := global.Set("endSession", end); err != nil {
		panic(err)
	}
	if hook, err := global.Get("__benchReady"); err == nil && hook.Type() == safejs.TypeFunction {
		_, _ = hook.Invoke()
	}
	select {}
}
