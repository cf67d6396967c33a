//go:build js && wasm

// Command game-session is the WebAssembly module: it wires the browser pieces
// (fetch, page events, console) to the session engine, hands the API object
// to the loader and then stays alive to serve calls.
package main

import (
	"github.com/game-session/game-session/wasm/browser"
	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	// Go's own global is the loader's private one (see browser.PageGlobal):
	// the hand-over hook lives there; everything else uses the page's.
	private := safejs.Global()
	global := browser.PageGlobal(private)
	console, _ := global.Get("console")

	page := browser.NewPage(global)
	listeners := browser.NewListeners(console)
	engine := session.New(session.Config{
		Transport: browser.NewTransport(global), // fetch, keepalive beacon, fetchLater
		// Worker timers for sessions with backgroundHeartbeats (the default).
		BackgroundClock: browser.NewWorkerClock(global),
		Locker:          browser.NewWebLocks(global), // singleTab
		Page:            page,
		Emit:            listeners.Dispatch,
		Log:             browser.ConsoleLog(console),
	})
	if err := page.Watch(browser.PageHandlers{
		PageHide:         engine.PageHide,
		PageShow:         engine.PageShow,
		VisibilityChange: engine.VisibilityChange,
		Online:           engine.Online,
	}); err != nil {
		report("page events unavailable", err)
	}

	api, err := (&browser.API{Global: global, Engine: engine, Listeners: listeners, Version: version}).Object()
	if err != nil {
		report("cannot build the API", err)
		return
	}
	if err := browser.Handover(private, api); err != nil {
		report("cannot hand the API to the page", err)
	}
	// The exported functions are Go callbacks: main must not return.
	select {}
}

func report(what string, err error) {
	if c, e := safejs.Global().Get("console"); e == nil {
		_, _ = c.Call("error", "game-session: "+what+": "+err.Error())
	}
}
