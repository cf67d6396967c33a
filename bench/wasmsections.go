package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// A non-stripped Go .wasm carries a "name" custom section with every
// function's Go symbol name. `go tool nm` does not read wasm files, so the
// bench reads the module itself: each function body's size in the code
// section, named through the name section, summed by Go package. That says
// which packages cost the bytes (code only; the data section, mostly
// pclntab and read-only data, is reported as one number).

type wasmLayout struct {
	Sections map[string]int // section name → bytes (custom sections by their name)
	Funcs    map[string]int // function symbol → code bytes
}

func uleb(b []byte) (uint64, int, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, 0, errors.New("bad LEB128")
	}
	return v, n, nil
}

var sectionNames = map[byte]string{
	1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
	7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount",
}

func parseWasm(b []byte) (l *wasmLayout, err error) {
	// The section readers trust Go's linker output; a malformed file must
	// still give an error, not crash the bench.
	defer func() {
		if r := recover(); r != nil {
			l, err = nil, fmt.Errorf("malformed wasm: %v", r)
		}
	}()
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a wasm module")
	}
	l = &wasmLayout{Sections: map[string]int{}, Funcs: map[string]int{}}
	var importedFuncs uint64
	var bodies []int
	names := map[uint64]string{}
	p := b[8:]
	for len(p) > 0 {
		id := p[0]
		size, n, err := uleb(p[1:])
		if err != nil {
			return nil, err
		}
		start := 1 + n
		if uint64(len(p)-start) < size {
			return nil, errors.New("truncated section")
		}
		body := p[start : start+int(size)]
		name := sectionNames[id]
		switch id {
		case 0:
			nl, k, err := uleb(body)
			if err != nil || uint64(len(body)-k) < nl {
				return nil, errors.New("bad custom section")
			}
			name = "custom:" + string(body[k:k+int(nl)])
			if name == "custom:name" {
				parseNames(body[k+int(nl):], names)
			}
		case 2:
			importedFuncs = countFuncImports(body)
		case 10:
			bodies = codeSizes(body)
		}
		l.Sections[name] += start + int(size)
		p = p[start+int(size):]
	}
	for i, sz := range bodies {
		sym := names[importedFuncs+uint64(i)]
		if sym == "" {
			sym = fmt.Sprintf("func%d", importedFuncs+uint64(i))
		}
		l.Funcs[sym] += sz
	}
	return l, nil
}

func countFuncImports(b []byte) uint64 {
	count, n, err := uleb(b)
	if err != nil {
		return 0
	}
	b = b[n:]
	var funcs uint64
	for i := uint64(0); i < count && len(b) > 0; i++ {
		for range 2 { // module name, field name
			l, k, err := uleb(b)
			if err != nil {
				return funcs
			}
			b = b[k+int(l):]
		}
		kind := b[0]
		b = b[1:]
		switch kind {
		case 0: // func: type index
			funcs++
			_, k, _ := uleb(b)
			b = b[k:]
		case 1: // table: elemtype, limits
			b = b[1:]
			b = skipLimits(b)
		case 2: // memory: limits
			b = skipLimits(b)
		case 3: // global: valtype, mut
			b = b[2:]
		}
	}
	return funcs
}

func skipLimits(b []byte) []byte {
	flag := b[0]
	b = b[1:]
	_, k, _ := uleb(b)
	b = b[k:]
	if flag&1 == 1 {
		_, k, _ = uleb(b)
		b = b[k:]
	}
	return b
}

func codeSizes(b []byte) []int {
	count, n, err := uleb(b)
	if err != nil {
		return nil
	}
	b = b[n:]
	sizes := make([]int, 0, count)
	for i := uint64(0); i < count && len(b) > 0; i++ {
		sz, k, err := uleb(b)
		if err != nil {
			break
		}
		sizes = append(sizes, k+int(sz))
		b = b[k+int(sz):]
	}
	return sizes
}

// parseNames reads the function-names subsection; a malformed section
// leaves the names it could read (sizes are then reported unnamed).
func parseNames(b []byte, names map[uint64]string) {
	for len(b) > 0 {
		id := b[0]
		size, n, err := uleb(b[1:])
		if err != nil || uint64(len(b)-1-n) < size {
			return
		}
		sub := b[1+n : 1+n+int(size)]
		b = b[1+n+int(size):]
		if id != 1 { // function names
			continue
		}
		count, k, err := uleb(sub)
		if err != nil {
			return
		}
		sub = sub[k:]
		for i := uint64(0); i < count && len(sub) > 0; i++ {
			idx, k1, err := uleb(sub)
			if err != nil {
				return
			}
			sub = sub[k1:]
			l, k2, err := uleb(sub)
			if err != nil || uint64(len(sub)-k2) < l {
				return
			}
			sub = sub[k2:]
			names[idx] = string(sub[:l])
			sub = sub[l:]
		}
	}
}

// The wasm name section spells a symbol with every character other than
// letters, digits, '.' and '_' turned into '_' ("net/http.(*Transport).
// roundTrip" → "net_http.__Transport_.roundTrip"), so a package is found
// by matching the mangled import paths of the program's dependencies.
func mangle(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_':
			return r
		}
		return '_'
	}, s)
}

// packageOf returns the import path of the package that defines sym, given
// mangled import path → import path for every dependency.
func packageOf(sym string, pkgs map[string]string) string {
	for _, p := range []string{"type_.eq.", "type_.hash.", "type_."} {
		if rest, ok := strings.CutPrefix(sym, p); ok {
			sym = rest
			break
		}
	}
	best := ""
	for m := range pkgs {
		if len(m) > len(best) && strings.HasPrefix(sym, m+".") {
			best = m
		}
	}
	if best != "" {
		return pkgs[best]
	}
	if i := strings.Index(sym, "."); i > 0 {
		return sym[:i] // runtime helpers and linker symbols without a package
	}
	return sym
}

// byPackage sums code bytes per package, largest first.
func byPackage(funcs map[string]int, pkgs map[string]string) []pkgSize {
	sums := map[string]int{}
	for sym, sz := range funcs {
		sums[packageOf(sym, pkgs)] += sz
	}
	out := make([]pkgSize, 0, len(sums))
	for p, sz := range sums {
		out = append(out, pkgSize{Package: p, Bytes: sz})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes > out[j].Bytes
		}
		return out[i].Package < out[j].Package
	})
	return out
}

type pkgSize struct {
	Package string `json:"package"`
	Bytes   int    `json:"bytes"`
}

func sortPkgs(p []pkgSize) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].Bytes != p[j].Bytes {
			return p[i].Bytes > p[j].Bytes
		}
		return p[i].Package < p[j].Package
	})
}
