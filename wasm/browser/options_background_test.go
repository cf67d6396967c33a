//go:build js && wasm

package browser

import (
	"testing"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backgroundHeartbeats reaches the engine: it picks the session's clock.
func TestParseOptionsBackgroundHeartbeats(t *testing.T) {
	env := newFakeEnv(t)
	for src, want := range map[string]bool{
		"return undefined":                         true,
		"return {}":                                true,
		"return {backgroundHeartbeats: true}":      true,
		"return {backgroundHeartbeats: false}":     false,
		"return {backgroundHeartbeats: undefined}": true,
	} {
		o, err := ParseOptions(env, jsEval(t, src), safejs.Undefined())
		require.NoError(t, err, src)
		assert.Equal(t, want, o.BackgroundHeartbeats, src)
	}
	_, err := ParseOptions(env, jsEval(t, `return {backgroundHeartbeats: "no"}`), safejs.Undefined())
	assert.Error(t, err)
}
