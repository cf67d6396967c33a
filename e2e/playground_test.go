package e2e

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// Issue 11 item 7: the playground at a desktop and a phone width, through a
// start, heartbeats, failing heartbeats and a recovery. Layout facts are
// asserted from the page's own boxes; the screenshots are kept for a person
// to look at (the log names them).
func TestPlaygroundLayout(t *testing.T) {
	t.Parallel()
	for _, vp := range []struct {
		name string
		w, h int64
		opts []chromedp.EmulateViewportOption
	}{
		{"desktop", 1280, 800, nil},
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}},
	} {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			srv := steadyServer(t, "-root", repoRoot)
			p := newTab(t)
			p.Do("set the viewport", chromedp.EmulateViewport(vp.w, vp.h, vp.opts...))
			user := "layout-" + vp.name
			p.Navigate(srv.URL + "/?interval=900&user=" + user)
			p.WaitJS(`document.getElementById("version").textContent !== ""`, 15*time.Second, "the module to be ready")
			assert.False(t, eval[bool](p, `document.getElementById("start").disabled`), "Start is disabled before any session")

			// A slow initiate holds the session in "starting": Start must be off.
			srv.SetFaults(Faults{LatencyMs: 1500, Ops: []string{"initiate"}})
			p.Do("start", chromedp.Click(chromedp.CSS("#start")))
			p.WaitJS(`document.getElementById("state").textContent.trim() === "starting"`, 10*time.Second, "#state to show starting")
			assert.True(t, eval[bool](p, `document.getElementById("start").disabled`), "Start is enabled while the session starts")
			p.WaitJS(`document.getElementById("state").textContent.trim() === "active"`, 15*time.Second, "#state to show active")
			assert.True(t, eval[bool](p, `document.getElementById("start").disabled`), "Start is enabled while the session is active")
			srv.ClearFaults()
			p.WaitJS(`document.querySelectorAll("#timeline .beat").length >= 2`, 10*time.Second, "2 beats on #timeline")

			// Failing heartbeats put several error marks close together.
			srv.SetFaults(Faults{ErrorRate: 1, ErrorStatus: 503, Ops: []string{"heartbeat"}})
			p.WaitJS(`document.querySelectorAll("#timeline .error").length >= 3`, 15*time.Second, "3 errors on #timeline")
			srv.ClearFaults()
			p.WaitJS(`document.getElementById("state").textContent.trim() === "active"`, 15*time.Second, "#state to show active again")
			p.WaitJS(`document.querySelectorAll("#timeline .beat").length >= 4`, 10*time.Second, "more beats on #timeline")
			srv.WaitCalls(user, 5*time.Second, "a heartbeat", count(1, "heartbeat"))

			f := eval[layoutFacts](p, layoutFactsJS)
			t.Logf("layout at %dx%d: %+v", vp.w, vp.h, f)
			shot, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
			require.NoError(t, err, "screenshot")
			dir := filepath.Join(os.TempDir(), "game-session-playground")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			path := filepath.Join(dir, vp.name+".png")
			require.NoError(t, os.WriteFile(path, shot, 0o644))
			t.Logf("screenshot: %s", path)

			assert.True(t, strings.HasPrefix(f.Favicon, "data:"), "no inline favicon (the browser asks for /favicon.ico: 404): %q", f.Favicon)
			for _, line := range strings.Split(p.consoleText(), "\n") {
				// The browser logs the injected 503s and the 400 NO_ACTIVE_SESSION
				// of the session they let expire; nothing else may fail.
				if strings.Contains(line, "[error]") && !apiFailure.MatchString(line) {
					t.Errorf("the page logged an error: %s", line)
				}
			}
			assert.LessOrEqual(t, f.ScrollWidth, f.ViewportWidth, "the page scrolls sideways")
			assert.Empty(t, f.OutsideViewport, "elements outside the viewport")
			assert.Empty(t, f.RowGaps, "grid rows that leave the main area's right part empty")
			assert.Empty(t, f.ClippedAxis, "timeline axis labels cut off by the timeline's edge")
			assert.Empty(t, f.Overlaps, "timeline labels drawn over each other")
			assert.NotEmpty(t, f.BeatLabels)
			for _, l := range f.BeatLabels {
				assert.Regexp(t, `^\d+ ms$`, l, "a round trip's label has no unit")
			}
			assert.NotEqual(t, f.IdleColor, f.RenewingColor, "the renewing badge looks like idle")
			assert.Contains(t, f.StateList, "renewing", "the timeline's list of states")
		})
	}
}

var apiFailure = regexp.MustCompile(`Failed to load resource: the server responded with a status of (503|400)\b`)

// layoutFacts are what layoutFactsJS reads from the playground.
type layoutFacts struct {
	Favicon         string   `json:"favicon"`
	ViewportWidth   float64  `json:"viewportWidth"`
	ScrollWidth     float64  `json:"scrollWidth"`
	OutsideViewport []string `json:"outsideViewport"`
	RowGaps         []string `json:"rowGaps"`
	ClippedAxis     []string `json:"clippedAxis"`
	Overlaps        []string `json:"overlaps"`
	BeatLabels      []string `json:"beatLabels"`
	IdleColor       string   `json:"idleColor"`
	RenewingColor   string   `json:"renewingColor"`
	StateList       string   `json:"stateList"`
}

const layoutFactsJS = `(() => {
  const vw = document.documentElement.clientWidth;
  const name = (e) => e.id ? "#" + e.id : e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "") +
    (e.textContent ? " " + JSON.stringify(e.textContent.trim().slice(0, 30)) : "");
  const shown = (e) => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0 && getComputedStyle(e).visibility !== "hidden"; };
  const icon = document.querySelector('link[rel~="icon"]');
  const facts = { favicon: icon ? icon.href : "", viewportWidth: vw, scrollWidth: document.documentElement.scrollWidth,
    outsideViewport: [], rowGaps: [], clippedAxis: [], overlaps: [], beatLabels: [] };

  // Everything but the timeline's drawing (the SVG clips its own content) lies within the viewport.
  for (const e of document.body.querySelectorAll("*")) {
    if (e.closest("svg") && e.tagName.toLowerCase() !== "svg") continue;
    if (!shown(e)) continue;
    const b = e.getBoundingClientRect();
    if (b.left < -0.5 || b.right > vw + 0.5) facts.outsideViewport.push(name(e) + " [" + Math.round(b.left) + ", " + Math.round(b.right) + "]");
  }

  // Each row of cards reaches the right edge of main's content box.
  const main = document.querySelector("main"), ms = getComputedStyle(main), mb = main.getBoundingClientRect();
  const right = mb.right - parseFloat(ms.paddingRight);
  const rows = new Map();
  for (const c of main.children) {
    if (!shown(c)) continue;
    const b = c.getBoundingClientRect(), top = Math.round(b.top);
    rows.set(top, Math.max(rows.get(top) || 0, b.right));
  }
  for (const [top, r] of rows) if (r < right - 2) facts.rowGaps.push("row at " + top + " ends at " + Math.round(r) + ", main at " + Math.round(right));

  // The timeline's axis and lane labels lie wholly inside it.
  const svg = document.getElementById("timeline"), sb = svg.getBoundingClientRect();
  const marks = "g.beat, g.mark, g.renew, g.error, g.call";
  for (const e of svg.querySelectorAll("text")) {
    if (e.closest(marks) || !shown(e)) continue;
    const b = e.getBoundingClientRect();
    if (b.left < sb.left - 0.5 || b.right > sb.right + 0.5) facts.clippedAxis.push(JSON.stringify(e.textContent) + " [" + Math.round(b.left - sb.left) + ", " + Math.round(b.right - sb.left) + "] of " + Math.round(sb.width));
  }
  // The labels of the marks (beats, errors, renewals, start/end) do not overlap, where in view.
  const labels = [...svg.querySelectorAll("g.beat text, g.mark text, g.renew text, g.error text")]
    .filter((e) => shown(e) && e.getBoundingClientRect().left >= sb.left);
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i].getBoundingClientRect(), b = labels[j].getBoundingClientRect();
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
        facts.overlaps.push(JSON.stringify(labels[i].textContent) + " over " + JSON.stringify(labels[j].textContent));
      }
    }
  }
  facts.overlaps = facts.overlaps.slice(0, 10);
  facts.beatLabels = [...svg.querySelectorAll("g.beat text")].map((e) => e.textContent);

  // The badge of each state has its own colour; the timeline lists the states it draws.
  const badge = (s) => {
    const e = Object.assign(document.createElement("span"), { className: "badge", textContent: s });
    e.dataset.state = s;
    document.body.append(e);
    const c = getComputedStyle(e).backgroundColor;
    e.remove();
    return c;
  };
  facts.idleColor = badge("idle");
  facts.renewingColor = badge("renewing");
  const list = document.getElementById("states");
  facts.stateList = list ? list.textContent : "";
  return facts;
})()`
