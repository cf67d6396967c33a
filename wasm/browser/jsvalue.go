//go:build js && wasm

package browser

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/hack-pad/safejs"
)

// maxDepth bounds how deep toGo descends, so a hostile or cyclic value cannot
// exhaust the stack; JSON from the session API is one or two levels deep.
const maxDepth = 32

// jsGlobal returns a property of the real global object (JSON, Object, Error,
// Promise...). The injected globals in NewTransport/WatchPage are only for the
// things tests fake: fetch, navigator, the event target. The built-ins in
// intrinsicNames are taken once, at first use, so that a page replacing
// globalThis.JSON or Reflect later does not reach into the module.
func jsGlobal(name string) safejs.Value {
	if !slices.Contains(intrinsicNames, name) {
		return readGlobal(name)
	}
	intrinsics.Lock()
	v, ok := intrinsics.m[name]
	intrinsics.Unlock()
	if ok {
		return v
	}
	v = readGlobal(name) // unlocked: it reads Reflect through here
	if !v.IsUndefined() {
		intrinsics.Lock()
		if intrinsics.m == nil {
			intrinsics.m = map[string]safejs.Value{}
		}
		intrinsics.m[name] = v
		intrinsics.Unlock()
	}
	return v
}

var (
	intrinsicNames = []string{"Array", "BigInt", "Date", "Error", "Function", "JSON", "Object",
		"Promise", "Reflect", "URL", "encodeURIComponent"}
	intrinsics struct {
		sync.Mutex
		m map[string]safejs.Value
	}
)

// readGlobal reads globalThis[name] through Reflect.get (see get): a getter
// a page put on the global object may throw. Only Reflect itself is read
// directly.
func readGlobal(name string) safejs.Value {
	if name == "Reflect" {
		v, err := safejs.Global().Get(name)
		if err != nil {
			return safejs.Undefined()
		}
		return v
	}
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

// newDict returns Object.create(null): an object with no prototype, so that
// setting its properties can run no setter a page put on Object.prototype
// and reading them later (fetch reading its init) finds no inherited getter.
// For the objects that only the browser reads: fetch's init and headers,
// lock options, property descriptors.
func newDict() (safejs.Value, error) {
	return jsGlobal("Object").Call("create", nil)
}

// dict is newDict with its properties set.
func dict(keys []string, vals []any) (safejs.Value, error) {
	d, err := newDict()
	if err != nil {
		return safejs.Undefined(), err
	}
	for i, k := range keys {
		if err := d.Set(k, vals[i]); err != nil {
			return safejs.Undefined(), err
		}
	}
	return d, nil
}

// defineAll gives obj each keys[i] as an own data property (writable,
// enumerable, configurable) of value vals[i], the shape an assignment makes.
// It defines rather than assigns: a definition runs no setter a page put on
// Object.prototype or Error.prototype, and works when those are frozen. For
// objects the game receives (event details, results, errors).
func defineAll(obj safejs.Value, keys []string, vals []any) error {
	desc, err := dict([]string{"writable", "enumerable", "configurable"}, []any{true, true, true})
	if err != nil {
		return err
	}
	for i, k := range keys {
		if err := desc.Set("value", vals[i]); err != nil {
			return err
		}
		ok, err := jsGlobal("Reflect").Call("defineProperty", obj, k, desc)
		if err != nil {
			return err
		}
		if b, _ := ok.Bool(); !b {
			return errors.New("cannot define property " + k)
		}
	}
	return nil
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
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = toJS(x[k])
		}
		if defineAll(obj, keys, vals) != nil {
			return safejs.Undefined()
		}
		return obj
	case []any:
		arr, err := jsGlobal("Array").New()
		if err != nil {
			return safejs.Undefined()
		}
		keys := make([]string, len(x))
		vals := make([]any, len(x))
		for i, el := range x {
			keys[i], vals[i] = strconv.Itoa(i), toJS(el)
		}
		if defineAll(arr, keys, vals) != nil {
			return safejs.Undefined()
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
	switch t := typeOf(v); t {
	case safejs.TypeObject:
		if isArray(v) {
			return "array"
		}
		return "object"
	case safejs.TypeNumber:
		if f, err := v.Float(); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return "non-finite number"
		}
		return "number"
	case typeOther:
		// BigInt.prototype.valueOf accepts nothing but a BigInt.
		if _, err := prop(prop(jsGlobal("BigInt"), "prototype"), "valueOf").Call("call", v); err == nil {
			return "bigint"
		}
		return "unsupported value"
	default:
		return t.String()
	}
}

// stringProp reads obj[name] as a string, "" when absent or not a string.
func stringProp(obj safejs.Value, name string) string {
	v := prop(obj, name)
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

// strLen is the length of the JS string s in UTF-16 code units, read without
// copying s into Go (js.Value.Length takes objects only): Object(s) is a
// String wrapper, whose own length cannot be redefined.
func strLen(s safejs.Value) (int, error) {
	if typeOf(s) != safejs.TypeString {
		return 0, errors.New("not a string")
	}
	wrapper, err := jsGlobal("Object").Invoke(s)
	if err != nil {
		return 0, err
	}
	n, err := get(wrapper, "length")
	if err != nil {
		return 0, err
	}
	return n.Int()
}
