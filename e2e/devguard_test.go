package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dev server's /dev/ guard (web/guard.go) as a real browser meets it:
// a page of the server's own origin changes faults with a fetch POST; a page
// of another site (the same server as localhost: another origin and site)
// sends a text/plain no-cors POST, as a form would, and it is not applied;
// nor may it read /dev/token (no CORS on /dev/).
func TestDevGuardInBrowser(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	faults := func() (f Faults) {
		res, err := devClient.Get(srv.URL + "/dev/faults")
		require.NoError(t, err)
		defer res.Body.Close()
		require.NoError(t, json.NewDecoder(res.Body).Decode(&f))
		return f
	}
	p := newTab(t)

	p.Navigate(srv.URL + "/other.html")
	status, err := tryEval[int](p, `fetch("/dev/faults", {method: "POST", headers: {"Content-Type": "application/json"},
		body: JSON.stringify({errorRate: 0.25, ops: ["end"]})}).then(r => r.status)`)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status, "same-origin POST /dev/faults")
	assert.Equal(t, 0.25, faults().ErrorRate, "same-origin POST applied")
	srv.ClearFaults()

	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	p.Navigate(other + "/other.html")
	sent, err := tryEval[string](p, `fetch(`+jsString(srv.URL+"/dev/faults")+`, {method: "POST", mode: "no-cors",
		headers: {"Content-Type": "text/plain"}, body: '{"dropRate":1}'}).then(() => "sent", e => "failed: " + e)`)
	require.NoError(t, err)
	assert.Equal(t, "sent", sent, "the cross-site POST left the browser")
	assert.Zero(t, faults().DropRate, "cross-site text/plain POST /dev/faults applied")
	read, err := tryEval[string](p, `fetch(`+jsString(srv.URL+"/dev/token?user=mallory")+`).then(r => r.text(), e => "refused: " + e.name)`)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(read, "refused: "), "another site read /dev/token: %.60q", read)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
