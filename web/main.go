// Command web is the game-session dev server: the reference implementation
// of the platform's session API (spec/session-api.md: initiate, heartbeat,
// end; sessions keyed by the token's user, expiring without heartbeats),
// DEV-ONLY endpoints under /dev/ to mint tokens, inspect sessions, inject
// faults and read back every call, and the playground (index.html) plus
// dist/ as static files.
//
//	go run ./web [-addr 127.0.0.1:8080] [-ttl 10s] [-secret KEY] [-check]
//	             [-cors-origin https://a.example,https://b.example] [-root DIR]
//	             [-allow-host 192.168.1.20] [-dev-origin http://localhost:3000]
//
// It prints one line to stdout, "game-session dev server: http://HOST:PORT/",
// once it is listening (tests start it with -addr 127.0.0.1:0 and read the
// port from that line); logs go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// modulePath identifies this repository's go.mod when looking for -root.
const modulePath = "github.com/game-session/game-session"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "game-session dev server:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	ttl := fs.Duration("ttl", 10*time.Second, "session lifetime without a heartbeat")
	secret := fs.String("secret", "dev-secret-change-me", "HS256 key the dev tokens are signed and checked with")
	corsOrigin := fs.String("cors-origin", "", `comma-separated origins allowed to call the session API cross-origin ("*" alone = any, without credentials); default none`)
	allowHost := fs.String("allow-host", "", "comma-separated Host names or addresses /dev/* answers besides loopback ones (e.g. this machine's LAN address); default none")
	devOrigin := fs.String("dev-origin", "", "comma-separated origins allowed to call /dev/* cross-origin (no credentials); default none")
	root := fs.String("root", "", "directory served as static files (default: the repository root, found from the working directory)")
	check := fs.Bool("check", false, "only check that -addr can be listened on, then exit (./build.sh serve does, before its build)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *check {
		ln, err := listen(*addr)
		if err != nil {
			return err
		}
		return ln.Close()
	}
	if *root == "" {
		*root = findRoot()
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := newServer(config{
		ttl:         *ttl,
		secret:      []byte(*secret),
		corsOrigins: splitOrigins(*corsOrigin),
		allowHosts:  splitOrigins(*allowHost),
		devOrigins:  splitOrigins(*devOrigin),
		root:        *root,
		log:         log,
	})
	if err != nil {
		return err
	}
	ln, err := listen(*addr)
	if err != nil {
		return err
	}

	// Requests waiting out injected latency watch this context, so a
	// shutdown does not wait for them.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	hs := newHTTPServer(srv, defaultTimeouts) // timeouts.go
	hs.BaseContext = func(net.Listener) context.Context { return base }
	hs.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)

	fmt.Fprintf(stdout, "game-session dev server: %s\n", displayURL(ln.Addr()))
	if exposed(ln.Addr()) { // exposure.go
		ifaces, _ := net.InterfaceAddrs()
		warnExposed(stdout, stderr, ln.Addr(), ifaces)
	}
	log.Info("serving", "addr", ln.Addr().String(), "root", *root, "ttl", *ttl,
		"corsOrigins", splitOrigins(*corsOrigin), "allowHosts", splitOrigins(*allowHost), "devOrigins", splitOrigins(*devOrigin))

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down")
	cancelBase()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listen listens on addr; a taken port's error says how to pick another.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%w: another program (another dev server?) has this port; "+
			"stop it, or choose another address with -addr, e.g. -addr 127.0.0.1:9000 (-addr 127.0.0.1:0 picks a free port)", err)
	}
	return ln, err
}

// displayURL is the URL to print for a listener, one this machine can open:
// an unspecified host (":8080", "0.0.0.0", "[::]") is shown as 127.0.0.1
// (the URLs other machines use are printed after it, with a warning:
// exposure.go).
func displayURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	// Go listens on both families for either unspecified address.
	if ip := net.ParseIP(host); ip == nil {
		host = "localhost"
	} else if ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// findRoot walks up from the working directory to this repository's
// go.mod (skipping nested modules such as e2e/), falling back on the
// first go.mod found, then on ".".
func findRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	first := ""
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if declaresModule(string(data), modulePath) {
				return dir
			}
			if first == "" {
				first = dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if first != "" {
		return first
	}
	return "."
}

// declaresModule reports whether go.mod text declares module path.
func declaresModule(gomod, path string) bool {
	for line := range strings.Lines(gomod) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "module" && strings.Trim(f[1], `"`) == path {
			return true
		}
	}
	return false
}
