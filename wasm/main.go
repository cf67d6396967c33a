//go:build js && wasm

// Command game-session is the WebAssembly module: it hands its exports to the
// loader (which answers with its host, see wasm/browser/host.go), wires the
// browser pieces (fetch, page events, console) to the session engine and then
// stays alive to serve calls.
package main

import (
	"sync"

	"github.com/game-session/game-session/wasm/browser"
	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	// Go's own global is the loader's private one (goGlobal in the loader):
	// the hand-over hook lives there; the page is the host's business.
	private := safejs.Global()

	// The hand-over first: the host it returns is what the engine emits and
	// logs through. No call reaches the exports before main blocks below
	// (the loader lets them in from a microtask), so api.Engine is set in time.
	api := &browser.API{}
	host, err := browser.Handover(private, version, api)
	if err != nil {
		report(err)
		return
	}

	// The engine is made at the first call that needs it, not at load: V8
	// compiles a WebAssembly function when it first runs, so making the
	// engine here would add its code's compile to every page's time to
	// ready (bench start-up figure).
	var page *browser.Page // made with the engine: FirstStart calls engine() before it uses page
	engine := sync.OnceValue(func() *session.Engine {
		page = browser.NewPage(host)
		// One Worker times the heartbeats and sends them (DoAt) for sessions
		// with backgroundHeartbeats (the default), so that neither a hidden tab
		// nor a main thread stalled by the game delays them.
		clock := browser.NewWorkerClock(host)
		return session.New(session.Config{
			// The page's fetch, keepalive beacon and fetchLater, plus DoAt
			// through the clock's Worker (session.ScheduledTransport).
			Transport:       browser.NewWorkerTransport(browser.NewTransport(host), clock),
			BackgroundClock: clock,
			Locker:          browser.NewWebLocks(host), // singleTab
			Page:            page,
			Emit:            host.Emit,
			Log:             host.Debug,
		})
	})
	api.Engine = browser.EngineOf(engine)
	// The page's lifecycle listeners come with the first session, not with
	// the page load: a page that only loads the module gets none.
	api.FirstStart = func() {
		e := engine()
		if err := page.Watch(browser.PageHandlers{
			PageHide:         e.PageHide,
			PageShow:         e.PageShow,
			VisibilityChange: e.VisibilityChange,
			Online:           e.Online,
		}); err != nil {
			report(err)
		}
	}
	// The exported functions are Go callbacks: main must not return.
	select {}
}

// report says on the console why the module cannot work (there is no caller
// to reject: the loader rejects ready when main returns).
func report(err error) {
	if c, e := safejs.Global().Get("console"); e == nil {
		_, _ = c.Call("error", "game-session: "+err.Error())
	}
}
