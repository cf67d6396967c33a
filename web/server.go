package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"
)

// config is everything a server needs; main fills it from flags, tests
// build it by hand.
type config struct {
	ttl         time.Duration    // session lifetime without heartbeat
	secret      []byte           // HS256 key of the tokens
	corsOrigins []string         // origins allowed to call the API cross-origin; "*" = any, without credentials
	allowHosts  []string         // Host names /dev/ answers besides loopback ones
	devOrigins  []string         // origins allowed to call /dev/ cross-origin (no credentials)
	root        string           // static files; "" = none
	now         func() time.Time // nil = time.Now
	random      func() float64   // fault draws; nil = math/rand/v2
	log         *slog.Logger     // nil = discard
	callLogSize int              // ring size of /dev/calls; 0 = 10 000
}

// server is the whole dev server as one http.Handler.
type server struct {
	now    func() time.Time
	log    *slog.Logger
	store  *store
	tokens *tokens
	faults *faults
	calls  *callLog

	// keepAlives turns the HTTP server's keep-alives on or off (nil: no
	// HTTP server to tell, as in handler-only tests). They are off while
	// drop faults are on: a browser silently re-sends a request whose
	// reused keep-alive connection closed with no answer, so one injected
	// drop would show up as several calls and hide the fault from the
	// page. Turning them off also closes the idle connections left from
	// loading the page.
	keepAlives func(enabled bool)
	// writeTimeout is the HTTP server's WriteTimeout (0: none), which
	// allowDelay extends for calls that wait out injected latency.
	writeTimeout time.Duration

	handler http.Handler
}

func newServer(cfg config) (*server, error) {
	if cfg.ttl <= 0 {
		return nil, fmt.Errorf("ttl must be positive, got %v", cfg.ttl)
	}
	if len(cfg.secret) == 0 {
		return nil, fmt.Errorf("secret must not be empty")
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	if cfg.callLogSize <= 0 {
		cfg.callLogSize = 10_000
	}
	s := &server{
		now:    cfg.now,
		log:    cfg.log,
		store:  newStore(cfg.ttl, cfg.now),
		tokens: newTokens(cfg.secret, cfg.now),
		faults: newFaults(cfg.random),
		calls:  newCallLog(cfg.callLogSize),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/games/sessions/initiate", s.handleAPI("initiate", s.store.initiate))
	mux.HandleFunc("POST /api/games/sessions/heartbeat", s.handleAPI("heartbeat", s.store.heartbeat))
	mux.HandleFunc("POST /api/games/sessions/end", s.handleAPI("end", s.store.end))
	mux.HandleFunc("/api/games/sessions/{op}", s.handleAPIFallback)
	if cfg.root != "" {
		static, err := newStaticFiles(cfg.root)
		if err != nil {
			return nil, fmt.Errorf("static root: %w", err)
		}
		// The root stays open for the life of the process.
		mux.Handle("/", static)
	}
	apiCORS, err := corsHandler(cfg.corsOrigins)
	if err != nil {
		return nil, err
	}
	dev, err := devGuard(s.devRoutes(), cfg.allowHosts, cfg.devOrigins)
	if err != nil {
		return nil, err
	}
	// /dev/ has its own guard and CORS (guard.go); -cors-origin is for the
	// session API and the static files.
	top := http.NewServeMux()
	top.Handle("/dev/", dev)
	top.Handle("/", apiCORS.Handler(mux))
	s.handler = top
	return s, nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// corsHandler answers preflights and adds CORS headers for the allowed
// origins. Same-origin requests need none of it. A listed origin may send
// credentials (the SDK's credentials option may be "include"); "*" alone
// means any origin and is answered as a literal "*" without credentials,
// as the Fetch standard requires: reflecting every origin with credentials
// would let any site, and the "null" origin of sandboxed pages, act with the
// user's cookies. "null" cannot be listed, for the same reason.
func corsHandler(origins []string) (*cors.Cors, error) {
	opts := cors.Options{
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Content-Type"},
		MaxAge:         600,
	}
	switch {
	case len(origins) == 0:
		// rs/cors reads an empty list as "all origins": say "none" instead.
		opts.AllowOriginFunc = func(string) bool { return false }
	case slices.Contains(origins, "*"):
		if len(origins) > 1 {
			return nil, fmt.Errorf("-cors-origin: \"*\" means any origin; give it alone")
		}
		opts.AllowedOrigins = origins // rs/cors answers "*", and no credentials
	case slices.ContainsFunc(origins, func(o string) bool { return strings.EqualFold(o, "null") }):
		return nil, fmt.Errorf("-cors-origin: \"null\" is the origin of every sandboxed or file: page; it cannot be allowed")
	default:
		opts.AllowedOrigins = origins
		opts.AllowCredentials = true
	}
	return cors.New(opts), nil
}

// splitOrigins parses -cors-origin: comma-separated, blanks dropped, and a
// trailing slash removed (an Origin header never has one).
func splitOrigins(v string) []string {
	var out []string
	for o := range strings.SplitSeq(v, ",") {
		if o = strings.TrimSuffix(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// dropsChanged keeps connection reuse off exactly while drops are on.
func (s *server) dropsChanged(dropRate float64) {
	if s.keepAlives != nil {
		s.keepAlives(dropRate == 0)
	}
}
