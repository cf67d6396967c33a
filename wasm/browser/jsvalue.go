//go:build js && wasm

package browser

import (
	"github.com/hack-pad/safejs"
)

// maxDepth bounds how deep toGo descends, so a hostile or cyclic value cannot
// exhaust the stack; JSON from the session API is one or two levels deep.
const maxDepth = 32

// The intrinsics the module calls, read once at start-up (package
// initialisation, before the loader gets Go's exports), so that a page
// replacing globalThis.Reflect or Date later does not reach into the module,
// and no call looks them up again. What tests fake (fetch, navigator,
// Worker...) the loader's host reads from its window (host.go), never Go.
// Reflect is read directly (it is where every other read goes through); the
// rest through Reflect.get (see readGlobal).
var (
	jsReflect    = method(safejs.Global(), "Reflect")
	reflectGet   = method(jsReflect, "get")
	jsObject     = readGlobal("Object")
	objectKeysFn = method(jsObject, "keys")
	jsArray      = readGlobal("Array")
	arrayIsArray = method(jsArray, "isArray")
	jsDate       = readGlobal("Date")
)

// method reads obj[name] with a plain Get, for the intrinsics only: values
// the module takes before any page code could run against them.
func method(obj safejs.Value, name string) safejs.Value {
	v, err := obj.Get(name)
	if err != nil {
		return safejs.Undefined()
	}
	return v
}

// readGlobal reads globalThis[name] through Reflect.get (see get): a getter
// a page put on the global object may throw.
func readGlobal(name string) safejs.Value {
	return prop(safejs.Global(), name)
}

// typeOther is typeOf's answer for the values syscall/js has no Type for: a
// BigInt, and document.all (typeof "undefined", yet not undefined).
const typeOther safejs.Type = -1

// typeOf is v.Type() for every value JS can make. syscall/js panics with
// "bad type flag" on a BigInt or document.all; read through here, they are
// typeOther, which no check accepts. Every type test of a value the page gave
// us goes through typeOf.
func typeOf(v safejs.Value) (t safejs.Type) {
	defer func() {
		if recover() != nil {
			t = typeOther
		}
	}()
	return v.Type()
}

// toGo converts a JS value made by JSON.parse (plain data: its reads cannot
// throw) into the plain Go values the
// engine expects: map[string]any, []any, string, float64, bool or nil.
// Anything else (undefined, functions, symbols) becomes nil.
func toGo(v safejs.Value) any { return toGoDepth(v, 0) }

func toGoDepth(v safejs.Value, depth int) any {
	switch typeOf(v) {
	case safejs.TypeString:
		s, _ := v.String()
		return s
	case safejs.TypeNumber:
		f, _ := v.Float()
		return f
	case safejs.TypeBoolean:
		b, _ := v.Bool()
		return b
	case safejs.TypeObject:
	default:
		return nil
	}
	if depth >= maxDepth {
		return nil
	}
	if isArray(v) {
		n, err := v.Length()
		if err != nil {
			return nil
		}
		out := make([]any, n)
		for i := range n {
			el, err := v.Index(i)
			if err == nil {
				out[i] = toGoDepth(el, depth+1)
			}
		}
		return out
	}
	keys, err := objectKeys(v)
	if err != nil {
		return nil
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		el, err := v.Get(k)
		if err == nil {
			out[k] = toGoDepth(el, depth+1)
		}
	}
	return out
}

func isArray(v safejs.Value) bool {
	r, err := arrayIsArray.Invoke(v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

// objectKeys returns Object.keys(v): own enumerable string keys.
func objectKeys(v safejs.Value) ([]string, error) {
	keys, err := objectKeysFn.Invoke(v)
	if err != nil {
		return nil, err
	}
	n, err := keys.Length()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := range n {
		k, err := keys.Index(i)
		if err != nil {
			return nil, err
		}
		s, err := k.String()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// stringOf is v as a Go string, "" when v is not a string.
func stringOf(v safejs.Value) string {
	if typeOf(v) != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

// isFunc reports whether obj[name] is a function.
func isFunc(obj safejs.Value, name string) bool {
	return typeOf(prop(obj, name)) == safejs.TypeFunction
}

// get reads obj[name] through Reflect.get called as a function. Unlike
// safejs's Value.Get, this is safe on objects the page gave us: wasm_exec.js
// wraps function calls in try/catch but not property reads, so a throwing
// getter or Proxy trap read with Get unwinds straight through the Go stack
// and kills the runtime ("traceback did not unwind completely"). Every read
// of a value we did not create goes through here.
func get(obj safejs.Value, name string) (safejs.Value, error) {
	if t := typeOf(obj); t != safejs.TypeObject && t != safejs.TypeFunction {
		return safejs.Undefined(), nil
	}
	return reflectGet.Invoke(obj, name)
}

// prop is get with failures read as undefined.
func prop(obj safejs.Value, name string) safejs.Value {
	v, err := get(obj, name)
	if err != nil {
		return safejs.Undefined()
	}
	return v
}
