package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/rs/cors"
)

// The /dev/ endpoints mint tokens and change the server's behaviour, so
// they answer only requests a developer's own browser or tools make:
//   - Host must be a loopback name or address (localhost, 127.0.0.0/8,
//     ::1) or one given with -allow-host. A page on another site cannot
//     reach them through DNS rebinding (its requests carry its own host
//     name) — but anyone who can connect directly chooses the Host header:
//     binding beyond loopback exposes /dev/token to the network (main.go
//     warns).
//   - State-changing requests (POST, DELETE) must come from the server's
//     own origin or a -dev-origin, as net/http's CrossOriginProtection
//     decides from Sec-Fetch-Site and Origin; requests with neither header
//     (curl, Go tests) pass. So a cross-site text/plain form or fetch POST
//     to /dev/faults is refused before it is read.
//   - No CORS unless -dev-origin names origins, and then never with
//     credentials: the -cors-origin list is for the session API only.
// Refusals are 403 with the API's error body, code FORBIDDEN.

// devGuard wraps the /dev/ routes with the checks above.
func devGuard(next http.Handler, allowHosts, devOrigins []string) (http.Handler, error) {
	hosts := map[string]bool{}
	for _, h := range allowHosts {
		n := normalHost(h)
		if n == "" || strings.ContainsAny(n, "/@ ") {
			return nil, fmt.Errorf("-allow-host %q: want a host name or address (no scheme or path)", h)
		}
		hosts[n] = true
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range devOrigins {
		if o == "*" || o == "null" {
			return nil, fmt.Errorf("-dev-origin %q: list the origins allowed to use /dev/*", o)
		}
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("-dev-origin: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		forbidden(w, "cross-origin "+r.Method+" to /dev/ refused: only this server's own pages (or a -dev-origin) may change it")
	}))
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Content-Type"},
		MaxAge:         600,
	}
	if len(devOrigins) == 0 {
		opts.AllowOriginFunc = func(string) bool { return false } // an empty list would mean all
	} else {
		opts.AllowedOrigins = devOrigins
	}
	inner := cors.New(opts).Handler(cop.Handler(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := normalHost(r.Host); !isLoopbackHost(h) && !hosts[h] {
			forbidden(w, fmt.Sprintf("/dev/ answers only loopback hosts; Host %q is not one (start the server with -allow-host to add it)", clip(r.Host, 64)))
			return
		}
		inner.ServeHTTP(w, r)
	}), nil
}

// forbidden answers 403 in the API's error shape.
func forbidden(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusForbidden, apiError{Error: "FORBIDDEN", Message: message})
}

// normalHost is a Host header (or -allow-host value) without its port and
// IPv6 brackets, lower-cased, without a trailing dot.
func normalHost(hostport string) string {
	h := hostport
	// Only a numeric port is a port: "localhost:8080@evil.example" stays
	// whole, and no loopback name.
	if host, port, err := net.SplitHostPort(hostport); err == nil && port != "" && strings.Trim(port, "0123456789") == "" {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// isLoopbackHost reports whether a normalHost names this machine only:
// "localhost" or a loopback address (an IPv4-mapped ::ffff:127.x too).
// Other names that resolve to loopback (*.localhost, a hosts-file entry)
// are not trusted: their resolution is not ours to check.
func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Zone() == "" && a.Unmap().IsLoopback()
}
