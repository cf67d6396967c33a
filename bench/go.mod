module github.com/game-session/game-session/bench

go 1.26.8

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/game-session/game-session/harness v0.0.0
	github.com/hack-pad/safejs v0.1.1
)

require (
	github.com/game-session/game-session v0.0.0
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
)

// The harness shared with e2e/ lives in this repository (see ../harness/doc.go).
replace github.com/game-session/game-session/harness => ../harness

replace github.com/game-session/game-session => ../
