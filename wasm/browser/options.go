//go:build js && wasm

package browser

import (
	"math"
	"strings"
	"time"

	"github.com/game-session/game-session/wasm/session"
	"github.com/hack-pad/safejs"
)

// optionKinds lists every startSession option and the JS type it must have.
var optionKinds = map[string]safejs.Type{
	"apiBase":              safejs.TypeString,
	"heartbeatIntervalMs":  safejs.TypeNumber,
	"sessionTtlMs":         safejs.TypeNumber,
	"requestTimeoutMs":     safejs.TypeNumber,
	"credentials":          safejs.TypeString,
	"singleTab":            safejs.TypeBoolean,
	"takeover":             safejs.TypeBoolean,
	"debug":                safejs.TypeBoolean,
	"backgroundHeartbeats": safejs.TypeBoolean,
}

// ParseToken checks that the token argument is a JS string, then applies
// session.ValidateToken. Errors never contain the token.
func ParseToken(v safejs.Value) (string, error) {
	if v.Type() != safejs.TypeString {
		return "", invalidArgument("authToken must be a string, got %s", typeName(v))
	}
	if !wellFormed(v) {
		// Go would receive U+FFFD in place of the lone surrogate and send a
		// different token than the game gave.
		return "", invalidArgument("authToken is not valid text (it contains a lone UTF-16 surrogate)")
	}
	s, err := v.String()
	if err != nil {
		return "", invalidArgument("authToken could not be read")
	}
	if err := session.ValidateToken(s); err != nil {
		return "", err
	}
	return s, nil
}

// wellFormed reports whether the JS string s has no lone surrogates:
// encodeURIComponent throws URIError on exactly those (and exists everywhere,
// unlike String.prototype.isWellFormed).
func wellFormed(s safejs.Value) bool {
	_, err := jsGlobal("encodeURIComponent").Invoke(s)
	return err == nil
}

// ParseOptions turns startSession's JS options argument into session.Options.
// It checks JS types only (undefined/null mean all defaults; anything but a
// plain object, an unknown key or a value of the wrong type is
// INVALID_ARGUMENT); ranges are Options.Validate's, which it calls.
// global supplies URL and location: apiBase is resolved against
// location.href and defaults to location.origin.
func ParseOptions(global safejs.Value, v safejs.Value) (session.Options, error) {
	var o session.Options
	if v.IsUndefined() || v.IsNull() {
		return finishOptions(global, o, nil)
	}
	if !isPlainObject(v) {
		return o, invalidArgument("options must be an object, got %s", typeName(v))
	}
	keys, err := objectKeys(v)
	if err != nil {
		return o, invalidArgument("options could not be read")
	}
	var apiBase *string
	for _, k := range keys {
		want, ok := optionKinds[k]
		if !ok {
			return o, invalidArgument("unknown option %q", clip(k))
		}
		val, err := get(v, k)
		if err != nil {
			return o, invalidArgument("options.%s could not be read", k)
		}
		if val.IsUndefined() {
			continue // {x: undefined} is the same as leaving x out
		}
		if val.Type() != want {
			return o, invalidArgument("options.%s must be a %s, got %s", k, want, typeName(val))
		}
		switch want {
		case safejs.TypeString:
			s, _ := val.String()
			if s == "" {
				return o, invalidArgument("options.%s must not be empty", k)
			}
			switch k {
			case "apiBase":
				apiBase = &s
			case "credentials":
				o.Credentials = s
			}
		case safejs.TypeBoolean:
			b, _ := val.Bool()
			switch k {
			case "singleTab":
				o.SingleTab = &b
			case "takeover":
				o.Takeover = b
			case "debug":
				o.Debug = b
			case "backgroundHeartbeats":
				o.BackgroundHeartbeats = &b
			}
		case safejs.TypeNumber:
			f, _ := val.Float()
			d, err := millis(k, f)
			if err != nil {
				return o, err
			}
			switch k {
			case "heartbeatIntervalMs":
				o.HeartbeatInterval = d
			case "sessionTtlMs":
				o.SessionTTL = d
			case "requestTimeoutMs":
				o.RequestTimeout = d
			}
		}
	}
	return finishOptions(global, o, apiBase)
}

// millis converts a JS millisecond count to a Duration. Zero means "default"
// in session.Options, so a number that is not a positive finite count is
// rejected here rather than silently replaced by the default; the real range
// check is Validate's. Values too large for a Duration saturate (and then
// fail Validate).
func millis(key string, f float64) (time.Duration, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return 0, invalidArgument("options.%s must be a positive finite number of milliseconds", key)
	}
	ns := f * float64(time.Millisecond)
	if ns >= math.MaxInt64 {
		return time.Duration(math.MaxInt64), nil
	}
	if ns < 1 {
		return 1, nil // below a nanosecond: keep it non-zero so Validate sees it
	}
	return time.Duration(ns), nil
}

// finishOptions resolves apiBase (or defaults it) and calls Validate.
func finishOptions(global safejs.Value, o session.Options, apiBase *string) (session.Options, error) {
	base, err := resolveAPIBase(global, apiBase)
	if err != nil {
		return o, err
	}
	o.APIBase = base
	return o.Validate()
}

// resolveAPIBase returns apiBase resolved with new URL(apiBase, location.href)
// as origin+path without a trailing slash (the engine appends
// "/api/games/sessions/..."), or location.origin when apiBase is absent.
func resolveAPIBase(global safejs.Value, apiBase *string) (string, error) {
	loc := prop(global, "location")
	if apiBase == nil {
		origin := stringProp(loc, "origin")
		if !strings.HasPrefix(origin, "http://") && !strings.HasPrefix(origin, "https://") {
			return "", invalidArgument("options.apiBase is required: this page has no http(s) origin")
		}
		return origin, nil
	}
	args := []any{*apiBase}
	if href := stringProp(loc, "href"); href != "" {
		args = append(args, href)
	}
	u, err := jsGlobal("URL").New(args...)
	if err != nil {
		return "", invalidArgument("options.apiBase is not a valid URL")
	}
	switch proto := stringProp(u, "protocol"); proto {
	case "http:", "https:":
	default:
		return "", invalidArgument("options.apiBase must be an http: or https: URL, got %q", clip(proto))
	}
	if stringProp(u, "username") != "" || stringProp(u, "password") != "" {
		return "", invalidArgument("options.apiBase must not contain credentials")
	}
	if stringProp(u, "search") != "" || stringProp(u, "hash") != "" {
		return "", invalidArgument("options.apiBase must not have a query or fragment")
	}
	return stringProp(u, "origin") + strings.TrimRight(stringProp(u, "pathname"), "/"), nil
}

// isPlainObject: a non-null object whose tag is [object Object] (not an
// array, Date, Map, function...). The tag test also works for objects from
// another realm (an iframe), where a prototype comparison would not.
func isPlainObject(v safejs.Value) bool {
	if v.Type() != safejs.TypeObject {
		return false
	}
	toString, err := prop(prop(jsGlobal("Object"), "prototype"), "toString").Call("call", v)
	if err != nil {
		return false
	}
	tag, _ := toString.String()
	return tag == "[object Object]"
}

// clip bounds user-supplied text quoted in an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
