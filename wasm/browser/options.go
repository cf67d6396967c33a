//go:build js && wasm

package browser

import (
	"math"
	"strings"
	"time"
	"unicode"

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

// ParseToken checks that the token argument is a JS string no longer than
// session.MaxTokenBytes UTF-16 code units (read as .length, before anything
// is copied into Go: a string with more code units has more UTF-8 bytes
// too), then applies session.ValidateToken. Errors never contain the token.
func ParseToken(v safejs.Value) (string, error) {
	if typeOf(v) != safejs.TypeString {
		return "", invalidArgument("authToken must be a string, got %s", typeName(v))
	}
	n, err := strLen(v)
	if err != nil {
		return "", invalidArgument("authToken could not be read")
	}
	if n > session.MaxTokenBytes {
		return "", invalidArgument("authToken is too long (%d characters, at most %d bytes)", n, session.MaxTokenBytes)
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
// plain object (see isPlainObject), an unknown key, a value of the wrong type
// or a read that throws is INVALID_ARGUMENT); ranges are Options.Validate's,
// which it calls. global supplies URL and location: apiBase is resolved
// against location.href. When the options give no apiBase, defaultBase is
// used: the loader's default (the script tag's data-api-base or
// configure({apiBase})), passed as startSession's third argument; when that
// is undefined, null or "", location.origin.
//
// This is the one options rule: the loader passes the options through
// untouched (it used to merge its default in itself, with another idea of a
// plain object).
func ParseOptions(global, v, defaultBase safejs.Value) (session.Options, error) {
	o := session.DefaultOptions()
	base, err := parseDefaultBase(defaultBase)
	if err != nil {
		return o, err
	}
	if v.IsUndefined() || v.IsNull() {
		return finishOptions(global, o, base)
	}
	plain, err := isPlainObject(v)
	if err != nil {
		return o, invalidArgument("options could not be read")
	}
	if !plain {
		return o, invalidArgument("options must be a plain object, got %s", typeName(v))
	}
	keys, err := objectKeys(v)
	if err != nil {
		return o, invalidArgument("options could not be read")
	}
	apiBase := base
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
		if typeOf(val) != want {
			return o, invalidArgument("options.%s must be a %s, got %s", k, want, typeName(val))
		}
		switch want {
		case safejs.TypeString:
			if n, err := strLen(val); err != nil || n > maxAPIBaseChars {
				return o, invalidArgument("options.%s is too long", k)
			}
			s, _ := val.String()
			if s == "" {
				return o, invalidArgument("options.%s must not be empty", k)
			}
			if k == "apiBase" && blank(s) {
				return o, invalidArgument("options.apiBase must not be blank")
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
				o.SingleTab = b
			case "takeover":
				o.Takeover = b
			case "debug":
				o.Debug = b
			case "backgroundHeartbeats":
				o.BackgroundHeartbeats = b
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
	return o, o.Validate()
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

// isPlainObject is the options rule for "a plain object": typeof "object",
// not null, and its prototype is null or an object that itself has no
// prototype, i.e. an object literal, Object.create(null), JSON.parse's
// objects, and those of another realm (an iframe's Object.prototype). Class
// instances, arrays, Dates, Maps, boxed primitives and functions are not. A
// Proxy counts by its target's prototype; one whose getPrototypeOf trap
// throws is an error (INVALID_ARGUMENT for the caller).
func isPlainObject(v safejs.Value) (bool, error) {
	if typeOf(v) != safejs.TypeObject {
		return false, nil
	}
	proto, err := jsGlobal("Reflect").Call("getPrototypeOf", v)
	if err != nil {
		return false, err
	}
	if proto.IsNull() {
		return true, nil
	}
	protoOfProto, err := jsGlobal("Reflect").Call("getPrototypeOf", proto)
	if err != nil {
		return false, err
	}
	return protoOfProto.IsNull(), nil
}

// parseDefaultBase reads the loader's default apiBase (startSession's third
// argument): undefined, null or "" mean none; otherwise it must be a string
// that is not blank.
func parseDefaultBase(v safejs.Value) (*string, error) {
	if v.IsUndefined() || v.IsNull() {
		return nil, nil
	}
	if typeOf(v) != safejs.TypeString {
		return nil, invalidArgument("the default apiBase (data-api-base or configure) must be a string, got %s", typeName(v))
	}
	if n, err := strLen(v); err != nil || n > maxAPIBaseChars {
		return nil, invalidArgument("the default apiBase (data-api-base or configure) is too long")
	}
	s, _ := v.String()
	switch {
	case s == "":
		return nil, nil
	case blank(s):
		return nil, invalidArgument("the default apiBase (data-api-base or configure) must not be blank")
	}
	return &s, nil
}

// maxAPIBaseChars bounds an apiBase string before it is copied into Go.
const maxAPIBaseChars = 4096

// blank reports whether s is only white space or control characters, what
// the URL parser strips: such an apiBase would resolve to the page itself.
func blank(s string) bool {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' || unicode.IsSpace(r) }) == ""
}

// clip bounds user-supplied text quoted in an error message.
func clip(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
