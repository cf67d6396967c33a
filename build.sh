#!/usr/bin/env bash
# game-session build entry point.
#   ./build.sh [build]   write dist/ (the npm package: .wasm, wasm_exec.js, loaders, types)
#   ./build.sh serve     build, then run the dev server (reference API + playground)
#   ./build.sh test      everything: format, vet, native, js/wasm, JS packaging, browser e2e
#   ./build.sh bench     size, start-up, punctuality and server benchmarks
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

GOROOT_DIR=$(go env GOROOT)
VERSION=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' js/package.json | head -1)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

log() { printf '\n==> %s\n' "$*"; }

build() {
  log "build dist/ (game-session $VERSION, $(go version | cut -d' ' -f3))"
  mkdir -p dist
  GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w -X main.version=$VERSION" \
    -o dist/game-session.wasm ./wasm
  # wasm_exec.js must match the Go that built the .wasm: always copy it fresh.
  cp "$GOROOT_DIR/lib/wasm/wasm_exec.js" dist/wasm_exec.js
  for f in game-session.js game-session.mjs game-session.d.ts; do
    sed "s/0\.0\.0-dev/$VERSION/" "js/$f" > "dist/$f"
  done
  sed "s/0\.0\.0-dev/$VERSION/" js/package.dist.json > dist/package.json
  cp README.md dist/README.md
  go run ./web/precompress dist/game-session.wasm
  ls -l dist
}

# need_chromium installs Debian's chromium where it can, else says how.
need_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    [ -x "$CHROMIUM" ] && return 0
  fi
  echo "Chromium is missing at $CHROMIUM. Install it with: sudo apt-get install -y chromium" >&2
  return 1
}

# need_node checks for Node.js and npm (js/wasm tests and the JS packaging).
need_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian's nodejs and npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    command -v node >/dev/null && return 0
  fi
  echo "Node.js is missing. Install it with: sudo apt-get install -y nodejs npm" >&2
  return 1
}

test_static() {
  log "gofmt, go vet"
  local unformatted
  unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
  if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; return 1; fi
  go vet ./...
  GOOS=js GOARCH=wasm go vet ./wasm/...
  (cd harness && go vet ./...)
  (cd e2e && go vet ./...)
  (cd bench && go vet ./... && GOOS=js GOARCH=wasm go vet ./floor ./rival)
  log "the .wasm must not link net/http or encoding/json"
  local heavy
  heavy=$(GOOS=js GOARCH=wasm go list -deps ./wasm | grep -E '^(net/http|encoding/json)$' || true)
  if [ -n "$heavy" ]; then echo "wasm links: $heavy" >&2; return 1; fi
}

test_native() {
  log "native tests (-race): engine, dev server, the e2e/bench harness, bench's own helpers"
  go test -race -count=1 ./...
  (cd harness && go test -race -count=1 ./...)
  (cd bench && go test -race -count=1 ./...)
}

test_wasm() {
  log "js/wasm tests under Node: browser package"
  need_node
  PATH="$GOROOT_DIR/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test -count=1 ./wasm/...
}

test_js() {
  log "JS packaging: types, npm pack"
  need_node
  (cd js && npm ci --no-audit --no-fund --loglevel=error && npm test)
}

test_e2e() {
  log "browser end-to-end tests (headless Chromium)"
  need_chromium
  (cd e2e && CHROMIUM="$CHROMIUM" go test -count=1 -timeout 15m "$@" ./...)
}

cmd=${1:-build}
shift || true
case "$cmd" in
  build) build ;;
  serve)
    build
    # A built binary, not `go run`: signals reach the server itself.
    go build -o .bin/devserver ./web
    exec .bin/devserver "$@"
    ;;
  test)
    # ./build.sh test -soak adds the 5-minute soak to the e2e suite.
    if [ "${1:-}" = "-soak" ]; then export SOAK=1; shift; fi
    build
    test_static
    test_native
    test_wasm
    [ -f js/package.json ] && test_js
    [ -f e2e/go.mod ] && test_e2e "$@"
    log "all tests passed"
    ;;
  bench)
    build
    need_chromium
    (cd bench && CHROMIUM="$CHROMIUM" go run . -out results "$@")
    ;;
  *)
    echo "usage: $0 [build|serve|test|bench]" >&2
    exit 2
    ;;
esac
