//go:build !js

package sizerules

import (
	"slices"
	"strings"
	"testing"
)

// A dump in go1.26's format (go build -ldflags=-dumpdep prints it on stderr).
const dump = `# example.com/prog
_ -> _rt0_wasm_js
_ -> go:main.inittasks
_rt0_wasm_js -> main.main
main.main -> example.com/prog/engine.Start
example.com/prog/engine.Start -> type:example.com/prog/engine.state
runtime.throw -> example.com/prog/engine.Start.arginfo1
runtime.(*gcControllerState).endCycle -> go:string." B -> "
 -> go:info.runtime.mheap
type:example.com/prog/engine.state -> time.Time.Before
example.com/prog/engine.Start -> runtime.convT
runtime.convT -> type:time.Time
example.com/prog/engine.Start.func1 -> fmt.Sprintf
example.com/prog/engine.Start -> example.com/prog/engine.Start.func1
runtime.convT -> type:example.com/prog/engine.state <UsedInIface>
type:example.com/prog/engine.state <UsedInIface> -> type:time.Time <UsedInIface>
type:time.Time <UsedInIface> -> time.(*Time).String
time.(*Time).String -> time.Time.String
`

func TestParseDump(t *testing.T) {
	g, err := ParseDump(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	if !g.Reachable(`go:string." B -> "`) {
		t.Errorf("a string symbol holding \" -> \" is not parsed whole")
	}
	if !g.Reachable("go:info.runtime.mheap") || g.parent("go:info.runtime.mheap") != "" {
		t.Errorf("a line with no parent name is not a root")
	}
	// time.Time.String is kept by time.Time's <UsedInIface> mark (the later one), which the
	// state type's conversion to an interface made: the chain says so.
	want := []string{"_rt0_wasm_js", "main.main", "example.com/prog/engine.Start", "runtime.convT",
		"type:example.com/prog/engine.state <UsedInIface>", "type:time.Time <UsedInIface>",
		"time.(*Time).String", "time.Time.String"}
	if got := g.Chain("time.Time.String"); !slices.Equal(got, want) {
		t.Errorf("Chain:\n got %q\nwant %q", got, want)
	}
	if got := g.Chain("example.com/prog/engine.Start.func1"); len(got) != 4 {
		t.Errorf("Chain of a closure: %q", got)
	}
	if g.Chain("context.Background") != nil {
		t.Errorf("an unreachable symbol has a chain")
	}
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, sym string
		want         bool
	}{
		{"context", "context.(*cancelCtx).Done", true},
		{"context", "type:context.cancelCtx", false},
		{"errors.As", "errors.As", true},
		{"errors.As", "errors.As.func1", true},
		{"errors.As", "errors.Assert", false},
		{"time.Time.String", "time.(*Time).String", true},
		{"time.Time.String", "time.Time.String.arginfo1", false}, // shared data, named after any function
		{"runtime.selectgo", "runtime.selectgo.stkobj", false},
		{"net/http/...", "net/http.(*Client).Do", true},
		{"net/http/...", "net/http/internal.chunkedReader", true},
		{"net/http", "net/http/internal.chunkedReader", false},
		{"internal/reflectlite", "internal/reflectlite.Swapper", true},
	} {
		if got := Matches(c.pattern, c.sym); got != c.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", c.pattern, c.sym, got, c.want)
		}
	}
}

func TestWithLdflags(t *testing.T) {
	got := WithLdflags([]string{"-trimpath", "-ldflags=-s -w", "-gcflags=x=-l"}, "-dumpdep")
	want := []string{"-trimpath", "-ldflags=-s -w -dumpdep", "-gcflags=x=-l"}
	if !slices.Equal(got, want) {
		t.Errorf("WithLdflags = %q, want %q", got, want)
	}
}
