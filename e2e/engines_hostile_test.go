package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The hostile-page cases of hostile_test.go whose outcome rests on the
// engine's own fetch and object model, run in every engine.

// A page that polluted Object.prototype and Error.prototype (pollutionJS)
// still starts, beats and ends its session: each engine's fetch reads its
// init dictionary its own way.
func TestEnginePollutedPrototypesStillStart(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		srv := steadyServer(t)
		p := openPage(t, e, srv.URL+"/session.html")
		require.True(t, evalIn[bool](p, "GameSession.ready.then(() => true)"), "%s: the module is ready", e.name())
		evalIn[int](p, pollutionJS)
		user := "polluted-" + e.name()
		p.MustStart(srv, user, steadyOpts())
		calls := srv.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))
		for _, c := range calls {
			assert.Equal(t, 200, c.Status, "%s: %v", e.name(), c)
		}
		bad := evalIn[Outcome](p, `(() => { try { return __settle(startSession(42)); }
			catch (e) { return { ok: false, name: "sync throw", message: String(e) }; } })()`)
		assert.Equal(t, "INVALID_ARGUMENT", bad.Code, "%s: %v", e.name(), bad)
		require.True(t, p.End().OK, "%s: endSession", e.name())
		srv.WaitCalls(user, 5*time.Second, "the end", count(1, "end"))
	})
}

// An API that answers with a redirect is a wrong apiBase in every engine:
// the module does not follow (the target sees nothing, no token) and
// rejects at once.
func TestEngineRedirectsAreNotFollowed(t *testing.T) {
	forEngines(t, func(t *testing.T, e engine) {
		pages := steadyServer(t)
		p := openPage(t, e, pages.URL+"/session.html")
		for _, status := range []int{307, 302} {
			asrv, api, target := redirectingAPI(t, status)

			token := pages.Token(fmt.Sprintf("redirected-%s-%d", e.name(), status))
			opts := steadyOpts()
			opts["apiBase"] = asrv.URL
			o := p.Start(token, opts)
			require.False(t, o.OK, "%s, %d: startSession resolved: the redirect was followed", e.name(), status)
			assert.Equal(t, "SERVER_ERROR", o.Code, "%s, %d: %v", e.name(), status, o)
			assert.Contains(t, o.Message, "redirect", "%s, %d", e.name(), status)
			assert.NotContains(t, o.Message, token, "%s, %d", e.name(), status)
			assert.Empty(t, target.list(), "%s, %d: the redirect target received requests", e.name(), status)
			posts := 0
			for _, r := range api.list() {
				if strings.HasPrefix(r, "POST ") {
					posts++
				}
			}
			assert.Equal(t, 1, posts, "%s, %d: one initiate, no retry", e.name(), status)
		}
	})
}
