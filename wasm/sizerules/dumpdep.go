//go:build !js

package sizerules

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Graph is what the linker's -dumpdep prints: one line "from -> to" each time its dead-code pass
// marks a symbol reachable, in the order it marks them. "_" (or nothing) as from is a root (the
// entry point, main's init tasks). A symbol is printed once when first reached, and again when
// the pass re-marks it: a type converted to an interface somewhere is marked again with the
// flag <UsedInIface>, which keeps its exported methods (that is how time.Time in an interface
// links time.Time.String and the formatting under it).
type Graph struct {
	marks  []mark
	byName map[string][]int // symbol (flags cut off) → its marks, in dump order
}

type mark struct {
	from, to       string // symbol names, flags cut off; from "" is a root
	fromRaw, toRaw string // as printed, with the linker's flags
}

// ParseDump reads -dumpdep output (go build's stderr: "# pkg" headers and "from -> to" lines).
func ParseDump(r io.Reader) (*Graph, error) {
	g := &Graph{byName: map[string][]int{}}
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimSuffix(line, "\n")
		// A symbol that holds a string constant is named by it (go:string." -> "), but such a
		// symbol has no relocations, so it is never a from: the first " -> " splits the line.
		if from, to, ok := strings.Cut(line, " -> "); ok && !strings.HasPrefix(line, "#") {
			m := mark{from: bare(from), to: bare(to), fromRaw: from, toRaw: to}
			if m.from == "_" {
				m.from, m.fromRaw = "", ""
			}
			g.byName[m.to] = append(g.byName[m.to], len(g.marks))
			g.marks = append(g.marks, m)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(g.marks) == 0 {
		return nil, errors.New("no dependency lines (was the program linked with -ldflags=-dumpdep?)")
	}
	return g, nil
}

// bare cuts the linker's flags (" <UsedInIface>", " <ReflectMethod>") off a printed symbol.
func bare(s string) string {
	if i := strings.LastIndex(s, " <"); i >= 0 && strings.HasSuffix(s, ">") && !strings.HasPrefix(s, "go:string.") {
		return s[:i]
	}
	return s
}

// Reachable reports whether the linker kept sym.
func (g *Graph) Reachable(sym string) bool { return len(g.byName[sym]) > 0 }

// Symbols returns every reachable symbol, in the order the linker reached them.
func (g *Graph) Symbols() []string {
	out := make([]string, 0, len(g.byName))
	for i, m := range g.marks {
		if g.byName[m.to][0] == i {
			out = append(out, m.to)
		}
	}
	return out
}

// Chain returns how the linker reached sym, root first: each symbol is followed by the one whose
// relocation (or method table, for a type) marked it. Each step goes to the parent's latest mark
// before the child's, so the chain is the causal one and has no loops: a type's method follows
// the type's <UsedInIface> mark when that is what kept the method.
func (g *Graph) Chain(sym string) []string {
	idx := g.byName[sym]
	if len(idx) == 0 {
		return nil
	}
	i := idx[0]
	var rev []string
	for {
		m := g.marks[i]
		rev = append(rev, m.toRaw)
		if m.from == "" {
			break
		}
		marks := g.byName[m.from]
		k, _ := slices.BinarySearch(marks, i) // marks before i: marks[:k]
		if k == 0 {
			rev = append(rev, m.fromRaw+" (reached before the dump begins)")
			break
		}
		i = marks[k-1]
	}
	slices.Reverse(rev)
	return rev
}

// parent is the symbol whose mark first reached sym ("" for a root).
func (g *Graph) parent(sym string) string {
	if idx := g.byName[sym]; len(idx) > 0 {
		return g.marks[idx[0]].from
	}
	return ""
}

// Normalize spells a method the same whatever its receiver: "time.(*Time).String" →
// "time.Time.String" (the pointer wrapper of a value method is the same code reached).
func Normalize(sym string) string {
	if i := strings.Index(sym, ".(*"); i >= 0 {
		if j := strings.Index(sym[i:], ")."); j >= 0 {
			return sym[:i] + "." + sym[i+3:i+j] + sym[i+j+1:]
		}
	}
	return sym
}

// auxSuffixes name the data the compiler attaches to a function (stack maps, argument info).
// They are content-addressed: two functions with equal data share one symbol, named after
// either, so "runtime.throw -> time.Time.String.arginfo1" says nothing about time.Time.String.
var auxSuffixes = []string{".arginfo0", ".arginfo1", ".argliveinfo", ".stkobj", ".args_stackmap", ".opendefer", ".wrapinfo"}

// Matches reports whether pattern names sym: "errors.As" names errors.As and its closures
// (errors.As.func1); a package path ("context", "internal/reflectlite") names every symbol of
// that package, and "net/http/..." those of its subpackages too. Receivers are normalized
// (see Normalize); the compiler's per-function data symbols (see auxSuffixes) never match.
func Matches(pattern, sym string) bool {
	if strings.HasPrefix(sym, "gclocals") {
		return false
	}
	for _, s := range auxSuffixes {
		if strings.HasSuffix(sym, s) {
			return false
		}
	}
	sym = Normalize(sym)
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return strings.HasPrefix(sym, base+".") || strings.HasPrefix(sym, base+"/")
	}
	return sym == pattern || strings.HasPrefix(sym, pattern+".")
}

// Rule is one size rule: a symbol (or package) that must not be reachable, or a package that
// our own packages must not import.
type Rule struct {
	Name string
	Why  string // one line: what it costs, measured (see doc.go)
	// Symbols: patterns (see Matches) that must not be reachable in the module beyond what
	// the floor (bench/floor, built with the same flags) reaches itself.
	Symbols []string
	// Imports: packages that no package under OwnPrefix may import, even if the floor links
	// them through a dependency (safejs imports fmt; we must not add our own calls).
	Imports []string
}

// OwnPrefix is the import path prefix of our own packages.
const OwnPrefix = "github.com/game-session/game-session"

// Program is one js/wasm program built for the check.
type Program struct {
	Pkg     string              // import path of the main package
	Graph   *Graph              // the linker's dependency dump
	Imports map[string][]string // every package it builds → its imports (go list -deps)
}

// Violation is a rule the module breaks.
type Violation struct {
	Rule    Rule
	Symbols []string   // banned symbols reachable in the module (not in the floor)
	Chains  [][]string // how the module reaches them: one chain per caller that enters them
	More    int        // further callers not shown
}

// maxChains is how many chains a violation shows.
const maxChains = 4

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "size rule %q broken (%s)\n", v.Rule.Name, v.Rule.Why)
	if len(v.Symbols) > 0 {
		shown := v.Symbols[:min(len(v.Symbols), 8)]
		fmt.Fprintf(&b, "  %d banned symbols reachable: %s", len(v.Symbols), strings.Join(shown, ", "))
		if len(v.Symbols) > len(shown) {
			fmt.Fprintf(&b, ", … %d more", len(v.Symbols)-len(shown))
		}
		b.WriteString("\n")
	}
	for _, c := range v.Chains {
		b.WriteString("  chain:\n")
		// The runtime's start-up path to main.main is the same in every chain: one line.
		if k := slices.Index(c, "main.main"); k > 0 {
			c = append([]string{strings.Join(c[:k+1], " -> ")}, c[k+1:]...)
		}
		for i, s := range c {
			arrow := "->"
			if i == 0 {
				arrow = "  "
			}
			fmt.Fprintf(&b, "    %s %s\n", arrow, s)
		}
	}
	if v.More > 0 {
		fmt.Fprintf(&b, "  and %d more callers reach them\n", v.More)
	}
	return b.String()
}

// Check returns the rules mod breaks. floor may be nil (nothing is then excused as the floor's).
func Check(mod, floor *Program, rules []Rule) []Violation {
	var out []Violation
	for _, r := range rules {
		var v Violation
		if len(r.Symbols) > 0 {
			v = checkSymbols(mod, floor, r)
		}
		if len(r.Imports) > 0 {
			checkImports(mod, r, &v)
		}
		if len(v.Symbols) > 0 || len(v.Chains) > 0 {
			v.Rule = r
			out = append(out, v)
		}
	}
	return out
}

func matchesAny(patterns []string, sym string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return Matches(p, sym) })
}

func checkSymbols(mod, floor *Program, r Rule) Violation {
	var v Violation
	banned := map[string]bool{}
	for _, s := range mod.Graph.Symbols() {
		if matchesAny(r.Symbols, s) && (floor == nil || !floor.Graph.Reachable(s)) {
			banned[s] = true
			v.Symbols = append(v.Symbols, s)
		}
	}
	// A chain for each symbol that enters the banned set from outside it (a banned package's
	// type descriptors count as inside), one per caller; chains through our code first.
	inside := func(p string) bool {
		if banned[p] {
			return true
		}
		typ, ok := strings.CutPrefix(p, "type:")
		return ok && matchesAny(r.Symbols, strings.TrimPrefix(typ, "*")) && (floor == nil || !floor.Graph.Reachable(p))
	}
	callers := map[string]bool{}
	var chains [][]string
	for _, s := range v.Symbols {
		p := mod.Graph.parent(s)
		if inside(p) || callers[p] {
			continue
		}
		callers[p] = true
		chains = append(chains, mod.Graph.Chain(s))
	}
	slices.SortStableFunc(chains, func(a, b []string) int {
		return boolRank(slices.ContainsFunc(b, isOwnSymbol)) - boolRank(slices.ContainsFunc(a, isOwnSymbol))
	})
	v.Chains = chains[:min(len(chains), maxChains)]
	v.More = len(chains) - len(v.Chains)
	return v
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkImports names, for each of our packages that imports a banned package, the import chain
// from the main package, and the dump's first edge from our code into that package if it has one
// (the dump keeps only the first edge into each symbol, so an edge may be another package's).
func checkImports(mod *Program, r Rule, v *Violation) {
	pkgs := make([]string, 0, len(mod.Imports))
	for p := range mod.Imports {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	for _, p := range pkgs {
		if !strings.HasPrefix(p, OwnPrefix) {
			continue
		}
		for _, bad := range r.Imports {
			if !slices.Contains(mod.Imports[p], bad) {
				continue
			}
			chain := importChain(mod, p)
			chain = append(chain, bad+"  (imported by "+p+")")
			v.Chains = append(v.Chains, chain)
		}
	}
	edges := 0
	for _, s := range mod.Graph.Symbols() {
		from := mod.Graph.parent(s)
		if !matchesAny(r.Imports, s) || !isOwnSymbol(from) {
			continue
		}
		if edges++; edges <= maxChains {
			v.Chains = append(v.Chains, mod.Graph.Chain(s))
		} else {
			v.More++
		}
	}
}

// isOwnSymbol reports whether a linker symbol is code of our packages (main is ./wasm, or a
// fixture's main).
func isOwnSymbol(sym string) bool {
	sym = strings.TrimPrefix(sym, "type:")
	return strings.HasPrefix(sym, OwnPrefix+"/") || strings.HasPrefix(sym, "main.")
}

// importChain is the shortest import path from the main package to pkg.
func importChain(mod *Program, pkg string) []string {
	prev := map[string]string{mod.Pkg: ""}
	queue := []string{mod.Pkg}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == pkg {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, q := range mod.Imports[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return []string{pkg}
}

// ReadFlags reads the build flags file (buildflags.txt): one argument a line, # comments.
func ReadFlags(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var flags []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			flags = append(flags, line)
		}
	}
	return flags, nil
}

// WithLdflags returns flags with extra appended to their -ldflags (added if there is none):
// go build keeps only the last -ldflags without a package pattern.
func WithLdflags(flags []string, extra string) []string {
	out := slices.Clone(flags)
	for i, f := range out {
		if v, ok := strings.CutPrefix(f, "-ldflags="); ok {
			out[i] = "-ldflags=" + strings.TrimSpace(v+" "+extra)
			return out
		}
	}
	return append(out, "-ldflags="+extra)
}

// Build builds pkg (run in dir) for js/wasm with flags and -dumpdep, and lists its imports.
// It links to a fresh path: when the target is already up to date, go build does not link
// again, it replays the output cached for those bytes (so a plain build of the same bytes to
// the same path can print a dump that an earlier -dumpdep build left).
func Build(dir, pkg string, flags []string) (*Program, error) {
	tmp, err := os.MkdirTemp("", "sizerules-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	env := append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	args := append([]string{"build"}, WithLdflags(flags, "-dumpdep")...)
	args = append(args, "-o", filepath.Join(tmp, "out.wasm"), pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String(), 40))
	}
	g, err := ParseDump(&stderr)
	if err != nil {
		return nil, fmt.Errorf("go %s: %v", strings.Join(args, " "), err)
	}
	cmd = exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", pkg)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v", pkg, err)
	}
	p := &Program{Graph: g, Imports: map[string][]string{}}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			p.Imports[f[0]] = f[1:]
			p.Pkg = f[0] // -deps lists the package itself last
		}
	}
	return p, nil
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}
