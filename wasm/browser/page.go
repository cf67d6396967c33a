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
	VisibilityChange func(visible bool)   // document.visibilityState === "visible"
	Online           func()
}

// Page watches a window's lifecycle events and answers navigator.onLine.
type Page struct {
	global safejs.Value
	remove []func()
}

var _ session.Page = (*Page)(nil)

// NewPage returns a Page for global (the window; tests pass a fake). It
// listens to nothing until Watch.
func NewPage(global safejs.Value) *Page { return &Page{global: global} }

// Online reports navigator.onLine, true where it is unknown.
func (p *Page) Online() bool {
	v := prop(prop(p.global, "navigator"), "onLine")
	if v.Type() != safejs.TypeBoolean {
		return true
	}
	b, _ := v.Bool()
	return b
}

// Visible reports document.visibilityState === "visible" (true without a document).
func (p *Page) Visible() bool {
	doc := prop(p.global, "document")
	if doc.IsUndefined() {
		return true
	}
	return stringProp(doc, "visibilityState") != "hidden"
}

// Watch adds the listeners: pagehide, pageshow and online on the window,
// visibilitychange on its document (on the window when there is none). Call
// Close to remove them. Where the global is no EventTarget (Node, a
// server-side render) there is no page life to watch and Watch does nothing.
func (p *Page) Watch(h PageHandlers) error {
	win := p.global
	if !isFunc(win, "addEventListener") {
		return nil
	}
	doc := prop(win, "document")
	if !isFunc(doc, "addEventListener") {
		doc = win
	}
	if h.PageHide != nil {
		if err := p.listen(win, "pagehide", func(safejs.Value) {
			guard("pagehide", h.PageHide)
		}); err != nil {
			return err
		}
	}
	if h.PageShow != nil {
		if err := p.listen(win, "pageshow", func(ev safejs.Value) {
			persisted, _ := prop(ev, "persisted").Bool()
			go guard("pageshow", func() { h.PageShow(persisted) })
		}); err != nil {
			return err
		}
	}
	if h.VisibilityChange != nil {
		if err := p.listen(doc, "visibilitychange", func(safejs.Value) {
			visible := p.Visible()
			go guard("visibilitychange", func() { h.VisibilityChange(visible) })
		}); err != nil {
			return err
		}
	}
	if h.Online != nil {
		if err := p.listen(win, "online", func(safejs.Value) {
			go guard("online", h.Online)
		}); err != nil {
			return err
		}
	}
	return nil
}

// listen adds fn as a listener for typ on target. The event's fields are
// read inside the callback (they are not valid later); fn must not block.
func (p *Page) listen(target safejs.Value, typ string, fn func(ev safejs.Value)) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		guard(typ, func() { fn(arg(args, 0)) })
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := target.Call("addEventListener", typ, f); err != nil {
		f.Release()
		return err
	}
	p.remove = append(p.remove, func() {
		_, _ = target.Call("removeEventListener", typ, f)
		f.Release()
	})
	return nil
}

// Close removes every listener Watch added.
func (p *Page) Close() {
	for _, r := range p.remove {
		r()
	}
	p.remove = nil
}

// guard runs fn and reports a panic on the console instead of letting it end
// the module: an event handler has no caller to reject.
func guard(what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			consoleCall("error", "game-session: "+what+": "+internalError(r).Error())
		}
	}()
	fn()
}
