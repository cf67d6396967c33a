module github.com/game-session/game-session

go 1.26.8

require github.com/andybalholm/brotli v1.3.0
