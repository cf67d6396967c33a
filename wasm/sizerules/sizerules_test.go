//go:build !js

package sizerules

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// rules are the size rules of doc.go, each with what it costs (brotli, measured on
// bench/floor's shape with the module's flags; see doc.go for the controls).
var rules = []Rule{
	{Name: "no context", Symbols: []string{"context"},
		Why: "context.WithTimeout +36.8 KB: Deadline() puts time.Time in an interface, which keeps time formatting"},
	{Name: "no time formatting", Symbols: []string{"time.Time.Format", "time.Time.AppendFormat", "time.Time.appendFormat",
		"time.Time.String", "time.Time.GoString"},
		Why: "Time.Format +14.3 KB, Time.String +15.5 KB; time.NewTimer/NewTicker (chan time.Time) +22.2 KB for it, time.AfterFunc +0"},
	{Name: "no errors.As or errors.Is", Symbols: []string{"errors.As", "errors.Is"},
		Why: "errors.As +10.1 KB (reflectlite); errors.Is keeps every error type's Is/Unwrap"},
	{Name: "no internal/reflectlite beyond the floor's", Symbols: []string{"internal/reflectlite"},
		Why: "reached by errors.As (+10.1 KB) and sort.Slice (+7.9 KB)"},
	{Name: "no Unicode case mapping or trimming", Symbols: []string{"strings.ToUpper", "strings.ToLower",
		"strings.TrimSpace", "strings.TrimRight", "strings.Map"},
		Why: "Unicode tables: ToUpper +6.3 KB, TrimSpace +2.5 KB, TrimRight +2.7 KB, four of them +9.6 KB"},
	// The easiest rule to give up: delete this row if a loop needs a select.
	{Name: "no select with 2+ cases", Symbols: []string{"runtime.selectgo"},
		Why: "runtime.selectgo +5.6 KB over a one-case receive"},
	{Name: "no fmt in our packages", Imports: []string{"fmt"},
		Why: "fmt is 85 KB; safejs links it today, our code must not be a second reason"},
	{Name: "no net/http or encoding/json", Symbols: []string{"net/http/...", "encoding/json"},
		Why: "bench/rival does the job with them: ×3.6 the floor"},
}

var (
	buildFlags = sync.OnceValues(func() ([]string, error) { return ReadFlags("buildflags.txt") })
	floorProg  = sync.OnceValues(func() (*Program, error) {
		flags, err := buildFlags()
		if err != nil {
			return nil, err
		}
		return Build("../../bench", "./floor", flags)
	})
)

// build builds pkg (relative to the repository root) and bench/floor side by side.
func build(t *testing.T, pkg string) (mod, floor *Program) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the js/wasm module (-short)")
	}
	flags, err := buildFlags()
	if err != nil {
		t.Fatal(err)
	}
	var floorErr error
	var wg sync.WaitGroup
	wg.Go(func() { floor, floorErr = floorProg() })
	mod, err = Build("../..", pkg, flags)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if floorErr != nil {
		t.Fatal(floorErr)
	}
	return mod, floor
}

// TestModule is the check: ./wasm breaks no size rule.
func TestModule(t *testing.T) {
	t.Parallel()
	mod, floor := build(t, "./wasm")
	for _, v := range Check(mod, floor, rules) {
		t.Errorf("./wasm: %s", v)
	}
}

// TestFixtures shows the check fails where it must: each program under testdata/ is the floor's
// shape plus one banned use, and the check names exactly the rules it breaks, each with a chain
// from the entry point through the fixture's own code (others may start at a package's init).
func TestFixtures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dir  string
		want []string // rule names, in the table's order
	}{
		// context's Deadline() keeps time formatting, and its cancel uses 2-case selects.
		{"withcontext", []string{"no context", "no time formatting", "no select with 2+ cases"}},
		{"withtimeformat", []string{"no time formatting"}},
		{"witherrors", []string{"no errors.As or errors.Is", "no internal/reflectlite beyond the floor's"}},
		{"withstrings", []string{"no Unicode case mapping or trimming"}},
		{"withselect", []string{"no select with 2+ cases"}},
		{"withfmt", []string{"no fmt in our packages"}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			t.Parallel()
			mod, floor := build(t, "./wasm/sizerules/testdata/"+c.dir)
			var got []string
			for _, v := range Check(mod, floor, rules) {
				t.Logf("%s", v)
				got = append(got, v.Rule.Name)
				if len(v.Chains) == 0 {
					t.Errorf("%s: no chain", v.Rule.Name)
				}
				if !slices.ContainsFunc(v.Chains, func(chain []string) bool {
					return slices.ContainsFunc(chain, func(s string) bool {
						return isOwnSymbol(s) || strings.HasPrefix(s, OwnPrefix)
					})
				}) {
					t.Errorf("%s: no chain goes through the fixture's code", v.Rule.Name)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("rules broken: %q, want %q", got, c.want)
			}
		})
	}
}

// TestFloorBreaksNothing: the floor itself (checked against nothing) breaks no rule but the
// reflectlite one (errors' init links a little of it), so the excuse "the floor has it" stays narrow.
func TestFloorBreaksNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the js/wasm floor (-short)")
	}
	floor, err := floorProg()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Check(floor, nil, rules) {
		if v.Rule.Name != "no internal/reflectlite beyond the floor's" {
			t.Errorf("bench/floor: %s", v)
		}
	}
}
