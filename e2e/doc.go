// Package e2e holds the end-to-end tests of game-session: the built dist/
// package, loaded by real pages in headless Chromium, talking to the dev
// server (go run ./web). Every case asserts what the server saw through its
// dev endpoints, not only what the page says.
//
// Run it through ./build.sh test (which builds dist/ first), or by hand:
//
//	./build.sh build && cd e2e && go test -count=1 ./...
//
// The dev server's start-up and client, its call record and the Chromium
// flags come from ../harness, shared with the bench.
//
// CHROMIUM names the browser (default /usr/bin/chromium); SOAK=1 adds the
// five-minute soak. The TestEngine* scenarios run in Chromium, Firefox and
// WebKit (engines_test.go): ENGINES=chromium,firefox,webkit picks them,
// FIREFOX (default /usr/bin/firefox-esr), WEBKIT_DRIVER (default
// /usr/bin/WebKitWebDriver) and MINIBROWSER name the other browsers.
package e2e
