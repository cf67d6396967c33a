package e2e

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11 item 7: `./build.sh serve` on a taken port fails before its
// build of dist/ (15-35 s), and says how to choose another port.
func TestServeBusyPort(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	wasm := filepath.Join(repoRoot, "dist", "game-session.wasm")
	before, err := os.Stat(wasm)
	require.NoError(t, err)

	// The bound only stops a build.sh that went on to build and serve.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./build.sh", "serve", "-addr", busy.Addr().String())
	cmd.Dir = repoRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("./build.sh serve on a taken port: %v after %v:\n%s", err, time.Since(start).Round(time.Millisecond), out.String())
	require.Error(t, err, "./build.sh serve on a taken port succeeded")
	assert.Contains(t, out.String(), "address already in use")
	assert.Contains(t, out.String(), "-addr 127.0.0.1:", "no hint of -addr")
	assert.NotContains(t, out.String(), "==> build dist/", "it built dist/ first")
	after, err := os.Stat(wasm)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime(), "dist/game-session.wasm was rebuilt")
	assert.False(t, strings.Contains(out.String(), "game-session dev server: http"), "a server started")
}
