package e2e

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Case 12: the playground (index.html at the repository root) drives a real
// session: a token, Start, the state badge and the heartbeat timeline.
func TestPlayground(t *testing.T) {
	t.Parallel()
	srv := steadyServer(t, "-root", repoRoot)
	p := newTab(t)
	const user = "playground"
	p.Navigate(srv.URL + "/?user=" + user) // else #user holds a random player name
	p.Do("get a token", chromedp.Click(chromedp.CSS("#get-token")))
	p.WaitJS(`document.getElementById("token-info").textContent.includes("Token for")`, 10*time.Second, "the token")
	p.Do("set a short interval and start",
		chromedp.Click(chromedp.CSS("#options summary")),
		chromedp.SendKeys(chromedp.CSS("#interval"), "900"),
		chromedp.Click(chromedp.CSS("#start")),
	)
	p.WaitJS(`document.getElementById("state").textContent.trim() === "active"`, 10*time.Second, "#state to show active")
	p.WaitJS(`document.querySelectorAll("#timeline .beat").length >= 2`, 10*time.Second, "2 beats on #timeline")
	calls := srv.WaitCalls(user, 5*time.Second, "2 heartbeats", count(2, "heartbeat"))
	assert.Len(t, served(ops(calls, "initiate")), 1)
	p.WaitJS(`document.getElementById("sessions").textContent.includes("playground")`, 10*time.Second, "#sessions to list the player")

	shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100)) // 100: PNG, else JPEG
	require.NoError(t, err, "screenshot")
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	require.NoError(t, err, "the screenshot is not a PNG")
	assert.GreaterOrEqual(t, cfg.Width, 400)
	assert.GreaterOrEqual(t, cfg.Height, 300)
	// A blank page compresses to a few KB; the playground has text, a
	// timeline and a table.
	assert.Greater(t, len(shot), 20_000, "the screenshot is suspiciously small")
	path := filepath.Join(t.TempDir(), "playground.png")
	require.NoError(t, os.WriteFile(path, shot, 0o644))
	t.Logf("screenshot %s: %dx%d, %d bytes", path, cfg.Width, cfg.Height, len(shot))
}
