//go:build js && wasm

package browser

import (
	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// PageHandlers receive the page lifecycle events. Nil handlers are skipped.
type PageHandlers struct {
	// PageHide is called synchronously inside the pagehide event: a
	// keepalive fetch must start before the handler returns to survive the
	// navigation. It must not block.
	PageHide func()
	// The others run in a goroutine started from the event.
	PageShow         func(persisted bool) // event.persisted: back/forward cache restore
	VisibilityChange func(visible bool)   // document.visibilityState !== "hidden"
	Online           func()
}

// Page is the page's life as the loader's host sees it: its lifecycle events
// and navigator.onLine.
type Page struct {
	host *Host
}

var _ session.Page = (*Page)(nil)

// NewPage returns a Page for host's window. It listens to nothing until Watch.
func NewPage(host *Host) *Page { return &Page{host: host} }

// Online reports navigator.onLine, true where it is unknown.
func (p *Page) Online() bool {
	v, err := p.host.online.Invoke()
	if err != nil || typeOf(v) != safejs.TypeBoolean {
		return true
	}
	b, _ := v.Bool()
	return b
}

// Watch has the host add the listeners (pagehide, pageshow and online on the
// window, visibilitychange on its document), all calling one Go function
// with the event's type and the one fact read from it in JS. Where the
// window is no EventTarget (Node, a server-side render) there is no page
// life to watch and the host adds nothing. Call it once.
func (p *Page) Watch(h PageHandlers) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		typ, _ := arg(args, 0).String()
		flag, _ := arg(args, 1).Bool()
		guard(typ, func() { h.dispatch(typ, flag) })
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := p.host.listen.Invoke(f); err != nil {
		f.Release()
		return err
	}
	return nil
}

// dispatch runs inside the event: pagehide's handler at once, the others in
// a goroutine (they must not hold up the page).
func (h PageHandlers) dispatch(typ string, flag bool) {
	switch {
	case typ == "pagehide" && h.PageHide != nil:
		h.PageHide()
	case typ == "pageshow" && h.PageShow != nil:
		go guard(typ, func() { h.PageShow(flag) })
	case typ == "visibilitychange" && h.VisibilityChange != nil:
		go guard(typ, func() { h.VisibilityChange(flag) })
	case typ == "online" && h.Online != nil:
		go guard(typ, h.Online)
	}
}

// guard runs fn and reports a panic on the console instead of letting it end
// the module: an event handler has no caller to reject.
func guard(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			consoleError("game-session: " + what + ": " + internalError(r).Error())
		}
	}()
	fn()
}

// consoleError writes text with console.error on the page's console,
// ignoring failures: reporting must never break the caller.
func consoleError(text string) {
	c := readGlobal("console")
	if isFunc(c, "error") {
		_, _ = c.Call("error", text)
	}
}
