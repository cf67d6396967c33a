package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
)

// A developer may bind the dev server beyond loopback (-addr 0.0.0.0:8080)
// to try a game on a phone. Then everyone who can reach the port can mint
// tokens for any user at /dev/token, end sessions and inject faults: the
// Host check (guard.go) stops web pages from doing it through a browser,
// not people on the network, who choose their own Host header. The start-up
// says so loudly and lists the URLs the server is really reachable at.

// exposed reports whether the listener accepts connections from other
// machines: any address but a loopback one.
func exposed(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	return err != nil || !ap.Addr().Unmap().IsLoopback()
}

// reachableURLs are the URLs other machines can use for a listener on
// addr, given this machine's interface addresses: addr's own IP, or for an
// unspecified one (0.0.0.0, ::) every non-loopback, non-link-local address
// of the matching family (both for ::, which also accepts IPv4).
func reachableURLs(addr net.Addr, ifaces []net.Addr) []string {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return nil
	}
	port := strconv.Itoa(int(ap.Port()))
	ip := ap.Addr().Unmap()
	if !ip.IsUnspecified() {
		return []string{"http://" + net.JoinHostPort(ip.String(), port) + "/"}
	}
	var out []string
	for _, ia := range ifaces {
		pfx, err := netip.ParsePrefix(ia.String())
		if err != nil {
			continue
		}
		a := pfx.Addr().Unmap()
		if a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || (ip.Is4() && !a.Is4()) {
			continue
		}
		out = append(out, "http://"+net.JoinHostPort(a.String(), port)+"/")
	}
	return out
}

// warnExposed prints the reachable URLs (stdout, after the start line) and
// the warning (stderr) for a listener beyond loopback.
func warnExposed(stdout, stderr io.Writer, addr net.Addr, ifaces []net.Addr) {
	urls := reachableURLs(addr, ifaces)
	for _, u := range urls {
		fmt.Fprintf(stdout, "game-session dev server: also reachable at %s\n", u)
	}
	w := func(format string, a ...any) { fmt.Fprintf(stderr, "WARNING: "+format+"\n", a...) }
	where := addr.String()
	if ap, err := netip.ParseAddrPort(where); err == nil && ap.Addr().IsUnspecified() {
		where = fmt.Sprintf("every address of this machine, port %d", ap.Port())
	}
	w("the dev server listens on %s, beyond this machine (-addr).", where)
	w("Anyone who can reach it can mint valid tokens for ANY user at /dev/token,")
	w("end sessions and inject faults: the Host check stops web pages, not people on the network.")
	for _, u := range urls {
		if host, _, err := net.SplitHostPort(u[len("http://") : len(u)-1]); err == nil {
			w("To use /dev/* (the playground) from %s, add -allow-host %s.", u, host)
		}
	}
	w("Use -addr 127.0.0.1:PORT unless every device on this network is yours.")
}
