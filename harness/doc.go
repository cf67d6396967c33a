// Package harness is what the end-to-end suite (e2e/) and the bench
// (bench/) share: starting the dev server from its built binary and talking
// to its /dev/ endpoints, the call record it keeps (Call) and what to read
// from it (HealthOf), Chromium's flags and launch, and the network
// conditions both emulate (Conditions, Emulate).
//
// Why a third Go module: e2e/ and bench/ are modules of their own (they
// pull in chromedp, which the root module, shipped as the .wasm and the
// dev server, must not need), and neither should import the other. Both
// require this module through a replace directive to ../harness, so the
// code lives in one place and builds from the repository alone:
//
//	require github.com/game-session/game-session/harness v0.0.0
//	replace github.com/game-session/game-session/harness => ../harness
//
// Everything here returns errors rather than taking a testing.TB: the e2e
// suite wraps it in helpers that fail the test, the bench reports errors in
// its table.
package harness
