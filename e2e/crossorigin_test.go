package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Case 10: the page and the API live on different origins (different hosts,
// so cross-site too); the API allows the page's origin. Start, heartbeats and
// the end from pagehide (a keepalive fetch with a preflight) all arrive.
func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	pages := startServer(t)
	// The page is served as localhost, the API as 127.0.0.1.
	pageOrigin := strings.Replace(pages.URL, "127.0.0.1", "localhost", 1)
	api := steadyServer(t, "-cors-origin", pageOrigin)

	p := newTab(t)
	p.Navigate(pageOrigin + "/session.html")
	const user = "cross-origin"
	opts := steadyOpts()
	opts["apiBase"] = api.URL
	mustStart(t, p, api, user, opts)
	calls := api.WaitCalls(user, 10*time.Second, "2 heartbeats", count(2, "heartbeat"))
	for _, c := range calls {
		assert.Equal(t, 200, c.Status, "%v", c)
		assert.Equal(t, pageOrigin, c.Origin, "%v", c)
	}

	p.Navigate(pageOrigin + "/other.html")
	calls = api.WaitCalls(user, 5*time.Second, "the end after navigating away", count(1, "end"))
	end := ops(calls, "end")[0]
	assert.Equal(t, 200, end.Status, "%v", end)
	assert.Equal(t, pageOrigin, end.Origin)
	assert.Empty(t, pages.Calls(0), "the page's own server got API calls")
}
