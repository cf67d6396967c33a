//go:build js && wasm

package browser

import (
	"slices"
	"sync"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// eventTypes are the types GameSession.on accepts.
var eventTypes = []session.EventType{
	session.EventStateChange, session.EventHeartbeat, session.EventRenew,
	session.EventError, session.EventEnd,
}

type listener struct {
	id int
	fn safejs.Value
}

// Listeners is the registry behind GameSession.on: JS listeners per event
// type, called with each engine Event's detail.
type Listeners struct {
	console safejs.Value // where a throwing listener is reported

	mu     sync.Mutex
	nextID int
	byType map[session.EventType][]listener
	unsub  safejs.Func // one Go function behind every unsubscribe (On)
}

// NewListeners returns an empty registry that reports listener exceptions
// with console.error.
func NewListeners(console safejs.Value) *Listeners {
	return &Listeners{console: console, byType: map[session.EventType][]listener{}}
}

// On is GameSession.on(type, listener): it checks its arguments (an unknown
// type or a listener that is not a function is INVALID_ARGUMENT) and returns
// an unsubscribe function. That function is l.unsub bound to the listener's
// type and id (Function.prototype.bind): no Go function per subscription, so
// nothing to release however often a game subscribes, and unsubscribing
// twice is harmless.
func (l *Listeners) On(_ safejs.Value, args []safejs.Value) (any, error) {
	typArg, fn := arg(args, 0), arg(args, 1)
	if typeOf(typArg) != safejs.TypeString {
		return nil, invalidArgument("event type must be a string, got %s", typeName(typArg))
	}
	// Event types are short: a longer string is unknown without copying it.
	if n, err := strLen(typArg); err != nil || n > 32 {
		return nil, invalidArgument("unknown event type (statechange, heartbeat, renew, error or end)")
	}
	s, _ := typArg.String()
	typ := session.EventType(s)
	if !slices.Contains(eventTypes, typ) {
		return nil, invalidArgument("unknown event type %q (statechange, heartbeat, renew, error or end)", clip(s))
	}
	if typeOf(fn) != safejs.TypeFunction {
		return nil, invalidArgument("listener must be a function, got %s", typeName(fn))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.unsub.Value().IsUndefined() {
		unsub, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			typ, _ := arg(args, 0).String()
			id, _ := arg(args, 1).Int()
			l.remove(session.EventType(typ), id)
			return nil
		})
		if err != nil {
			return nil, internalError(err)
		}
		l.unsub = unsub
	}
	off, err := l.unsub.Value().Call("bind", nil, string(typ), l.nextID+1)
	if err != nil {
		return nil, internalError(err)
	}
	l.nextID++
	l.byType[typ] = append(l.byType[typ], listener{id: l.nextID, fn: fn})
	return off, nil
}

func (l *Listeners) remove(typ session.EventType, id int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byType[typ] = slices.DeleteFunc(l.byType[typ], func(x listener) bool { return x.id == id })
}

// Count is the number of listeners for typ.
func (l *Listeners) Count(typ session.EventType) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byType[typ])
}

// Dispatch calls every listener of ev.Type with a fresh JS object made from
// ev.Detail (a listener changing it affects no other listener). It is the
// engine's Emit. A listener that throws is reported on the console and does
// not stop the others; the list is copied first, so a listener may
// (un)subscribe while being called.
func (l *Listeners) Dispatch(ev session.Event) {
	l.mu.Lock()
	list := slices.Clone(l.byType[ev.Type])
	l.mu.Unlock()
	for _, x := range list {
		detail := toJS(detailOf(ev))
		if _, err := x.fn.Invoke(detail); err != nil {
			l.report(ev.Type, err)
		}
	}
}

func (l *Listeners) report(typ session.EventType, err error) {
	if !isFunc(l.console, "error") {
		return
	}
	thrown := thrownValue(err)
	if thrown.IsUndefined() {
		_, _ = l.console.Call("error", "game-session: "+string(typ)+" listener failed: "+err.Error())
		return
	}
	_, _ = l.console.Call("error", "game-session: "+string(typ)+" listener threw:", thrown)
}

// detailOf is ev's detail object as design.md names its fields.
func detailOf(ev session.Event) map[string]any {
	switch ev.Type {
	case session.EventStateChange:
		return map[string]any{"state": string(ev.State), "previous": string(ev.Previous)}
	case session.EventHeartbeat:
		return map[string]any{"rttMs": float64(ev.RTT) / 1e6, "at": ev.At.UnixMilli()}
	case session.EventError:
		return map[string]any{"code": string(ev.Err.Code), "status": float64(ev.Err.Status), "message": ev.Err.Message, "fatal": ev.Fatal}
	}
	return map[string]any{"reason": ev.Reason}
}
