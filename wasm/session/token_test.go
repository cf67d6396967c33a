package session

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateToken(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
		ok    bool
	}{
		{"jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9.sig-_", true},
		{"one char", "x", true},
		{"unicode", "tökén-日本語-🎮", true},
		{"inner space", "abc def", true},
		{"quotes and backslash", `a"b\c`, true},
		{"max length", strings.Repeat("a", MaxTokenBytes), true},
		{"empty", "", false},
		{"spaces", "   ", false},
		{"whitespace mix", " \t\n\r ", false},
		{"unicode spaces", "\u00a0\u2003", false},
		{"nul", "abc\x00def", false},
		{"newline", "abc\ndef", false},
		{"tab", "abc\tdef", false},
		{"escape", "\x1b[31m", false},
		{"del", "abc\x7f", false},
		{"c1 control", "abc\u0085", false},
		{"c1 end", "abc\u009f", false},
		{"line separator", "abc\u2028def", false},
		{"paragraph separator", "abc\u2029def", false},
		{"too long", strings.Repeat("a", MaxTokenBytes+1), false},
		{"invalid utf-8", "abc\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateToken(tc.token)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, CodeInvalidArgument, e.Code)
			assert.Equal(t, 0, e.Status)
			assert.NotEmpty(t, e.Message)
			assert.Less(t, len(e.Message), 200, "the message never echoes the token")
		})
	}
}

func TestRedactShowsAtMostAQuarter(t *testing.T) {
	assert.Equal(t, "eyJh…", redact(testToken))
	assert.Equal(t, "…", redact("abc"))
	assert.Equal(t, "ab…", redact("abcdefghi"))
	assert.Equal(t, "日本…", redact("日本語のトークン"))
}

func TestIsSpaceIsUnicodes(t *testing.T) {
	for c := rune(0); c <= 0x10FFFF; c++ {
		if isSpace(c) != unicode.IsSpace(c) {
			t.Fatalf("isSpace(%U) = %v, unicode.IsSpace says %v", c, isSpace(c), unicode.IsSpace(c))
		}
	}
}

func TestTrimSpaceASCIIKeepsMultibyteCharacters(t *testing.T) {
	assert.Equal(t, "voilà", trimSpaceASCII(" \t voilà\r\n"), "à ends in byte 0xA0, which is no space")
	assert.Equal(t, "…", trimSpaceASCII("…"))
}
