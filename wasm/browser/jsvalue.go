//go:build js && wasm

package browser

import (
	"math"

	"github.com/hack-pad/safejs"
)

// maxDepth bounds how deep toGo descends, so a hostile or cyclic value cannot
// exhaust the stack; JSON from the session API is one or two levels deep.
const maxDepth = 32

// jsGlobal reads a property of the real global object (JSON, Object, Error,
// Promise...). The injected globals in NewTransport/WatchPage are only for the
// things tests fake: fetch, navigator, the event target.
func jsGlobal(name string) safejs.Value {
	v, err := safejs.Global().Get(name)
	if err != nil {
		return safejs.Undefined()
	}
	return v
}

// toGo converts a JS value made by JSON.parse (plain data: its reads cannot
// throw) into the plain Go values the
// engine expects: map[string]any, []any, string, float64, bool or nil.
// Anything else (undefined, functions, symbols) becomes nil.
func toGo(v safejs.Value) any { return toGoDepth(v, 0) }

func toGoDepth(v safejs.Value, depth int) any {
	switch v.Type() {
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

// toJS converts plain Go values (what session.Event.Detail holds) into JS
// values. Integer types become numbers; unknown types become undefined
// rather than panicking inside js.ValueOf.
func toJS(x any) any {
	switch x := x.(type) {
	case nil:
		return safejs.Null()
	case safejs.Value:
		return x
	case safejs.Func:
		return x.Value()
	case string, bool, float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case map[string]any:
		obj, err := jsGlobal("Object").New()
		if err != nil {
			return safejs.Undefined()
		}
		for k, el := range x {
			_ = obj.Set(k, toJS(el))
		}
		return obj
	case []any:
		arr, err := jsGlobal("Array").New()
		if err != nil {
			return safejs.Undefined()
		}
		for i, el := range x {
			_ = arr.SetIndex(i, toJS(el))
		}
		return arr
	default:
		return safejs.Undefined()
	}
}

func isArray(v safejs.Value) bool {
	r, err := jsGlobal("Array").Call("isArray", v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

// objectKeys returns Object.keys(v): own enumerable string keys.
func objectKeys(v safejs.Value) ([]string, error) {
	keys, err := jsGlobal("Object").Call("keys", v)
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

// typeName names a JS value's type for error messages ("null", "array",
// "number"...), never its content: the value may be a token.
func typeName(v safejs.Value) string {
	switch v.Type() {
	case safejs.TypeObject:
		if isArray(v) {
			return "array"
		}
		return "object"
	case safejs.TypeNumber:
		if f, err := v.Float(); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return "non-finite number"
		}
	}
	return v.Type().String()
}

// stringProp reads obj[name] as a string, "" when absent or not a string.
func stringProp(obj safejs.Value, name string) string {
	v := prop(obj, name)
	if v.Type() != safejs.TypeString {
		return ""
	}
	s, _ := v.String()
	return s
}

// isFunc reports whether obj[name] is a function.
func isFunc(obj safejs.Value, name string) bool {
	return prop(obj, name).Type() == safejs.TypeFunction
}

// get reads obj[name] through Reflect.get called as a function. Unlike
// safejs's Value.Get, this is safe on objects the page gave us: wasm_exec.js
// wraps function calls in try/catch but not property reads, so a throwing
// getter or Proxy trap read with Get unwinds straight through the Go stack
// and kills the runtime ("traceback did not unwind completely"). Every read
// of a value we did not create goes through here.
func get(obj safejs.Value, name string) (safejs.Value, error) {
	if obj.Type() != safejs.TypeObject && obj.Type() != safejs.TypeFunction {
		return safejs.Undefined(), nil
	}
	return jsGlobal("Reflect").Call("get", obj, name)
}

// prop is get with failures read as undefined.
func prop(obj safejs.Value, name string) safejs.Value {
	v, err := get(obj, name)
	if err != nil {
		return safejs.Undefined()
	}
	return v
}
