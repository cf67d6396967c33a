package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 3: permanent mistakes fail fast and say where. A wrong
// apiBase path (the dev server answers 404/405 for it) rejects at once,
// naming the URL; an apiBase that already holds /api/games/sessions is
// INVALID_ARGUMENT with a hint and sends nothing; an API that does not allow
// the page's origin (no CORS) names the URL and CORS.
func TestPermanentMistakesFailFast(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t)
	p := openSession(t, srv)
	token := srv.Token("fail-fast")

	t.Run("wrong path", func(t *testing.T) {
		opts := steadyOpts()
		opts["apiBase"] = srv.URL + "/not-the-api"
		began := time.Now()
		o := p.Start(token, opts)
		took := time.Since(began)
		require.False(t, o.OK)
		assert.Equal(t, "SERVER_ERROR", o.Code, "%v", o)
		assert.Contains(t, []int{404, 405}, o.Status, "%v", o)
		assert.Contains(t, o.Message, srv.URL+"/not-the-api/api/games/sessions/initiate")
		assert.NotContains(t, o.Message, token)
		assert.Less(t, took, time.Second, "rejected at once, not after retries")
		assert.Equal(t, "ended", p.State())
	})

	t.Run("apiBase with the sessions path", func(t *testing.T) {
		opts := steadyOpts()
		opts["apiBase"] = srv.URL + "/api/games/sessions"
		o := p.Start(token, opts)
		require.False(t, o.OK)
		assert.Equal(t, "INVALID_ARGUMENT", o.Code, "%v", o)
		assert.Contains(t, o.Message, "without that path")
	})

	t.Run("an API without CORS for this page", func(t *testing.T) {
		api := steadyServer(t) // no -cors-origin: the page's origin is not allowed
		opts := steadyOpts()
		opts["apiBase"] = api.URL
		o := p.Start(api.Token("fail-fast"), opts)
		require.False(t, o.OK)
		assert.Equal(t, "NETWORK_ERROR", o.Code, "%v", o)
		assert.Contains(t, o.Message, api.URL+"/api/games/sessions/initiate")
		assert.Contains(t, o.Message, "CORS")
	})
	assert.Empty(t, ops(srv.CallsOf("fail-fast"), "initiate"), "no initiate reached the real API path")
}
