package session

import (
	"strconv"
	"unicode/utf8"
)

// MaxTokenBytes bounds an auth token. JWTs are a few hundred bytes to a few
// KiB; anything longer is a mistake (a whole document pasted in).
const MaxTokenBytes = 8 << 10

// ValidateToken checks an auth token before any request is sent: a non-empty
// string, not only white space, valid UTF-8, at most MaxTokenBytes, and with
// no control character: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and the
// line/paragraph separators U+2028/U+2029, which no token format uses and
// which break lines in logs and headers. Other Unicode is allowed.
func ValidateToken(token string) error {
	switch {
	case token == "":
		return invalidArgument("authToken must be a non-empty string")
	case onlySpace(token):
		return invalidArgument("authToken is only white space")
	case len(token) > MaxTokenBytes:
		return invalidArgument("authToken is too long (" + strconv.Itoa(len(token)) + " bytes, at most " + strconv.Itoa(MaxTokenBytes) + ")")
	case !utf8.ValidString(token):
		return invalidArgument("authToken is not valid text")
	}
	for i, c := range token {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 {
			return invalidArgument("authToken contains a control character (U+" + hex4(c) + " at byte " + strconv.Itoa(i) + ")")
		}
	}
	return nil
}

// redact is what logs show of a token: its first 4 characters, never more
// than a quarter of it.
func redact(token string) string {
	i := 0
	for range min(4, utf8.RuneCountInString(token)/4) {
		_, size := utf8.DecodeRuneInString(token[i:])
		i += size
	}
	return token[:i] + "…"
}

func onlySpace(s string) bool {
	for _, c := range s {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// isSpace is unicode.IsSpace (Unicode's White_Space) without the unicode
// package's range tables (wasm/sizerules): the set is 25 code points.
func isSpace(c rune) bool {
	switch {
	case c >= '\t' && c <= '\r', c == ' ', c == 0x85, c == 0xA0, c == 0x1680,
		c >= 0x2000 && c <= 0x200A, c == 0x2028, c == 0x2029, c == 0x202F, c == 0x205F, c == 0x3000:
		return true
	}
	return false
}

// hex4 is c in upper-case hex, at least 4 digits (no fmt: size rules).
func hex4(c rune) string {
	h := upperASCII(strconv.FormatInt(int64(c), 16))
	for len(h) < 4 {
		h = "0" + h
	}
	return h
}
