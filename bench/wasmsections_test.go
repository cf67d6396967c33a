package main

import "testing"

// A hand-made module: one imported function, two bodies (3 and 5 bytes
// with their size byte), and a name section naming the second body.
var tinyWasm = []byte{
	0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00,
	// type section: one type () -> ()
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
	// import section: "a"."b" func type 0
	0x02, 0x07, 0x01, 0x01, 'a', 0x01, 'b', 0x00, 0x00,
	// function section: two functions of type 0
	0x03, 0x03, 0x02, 0x00, 0x00,
	// code section: body sizes 2 and 4
	0x0a, 0x09, 0x02,
	0x02, 0x00, 0x0b,
	0x04, 0x00, 0x01, 0x01, 0x0b,
	// custom "name" section, function names: index 2 → "net_http.Get"
	0x00, 0x16, 0x04, 'n', 'a', 'm', 'e',
	0x01, 0x0f, 0x01, 0x02, 0x0c, 'n', 'e', 't', '_', 'h', 't', 't', 'p', '.', 'G', 'e', 't',
}

func TestParseWasm(t *testing.T) {
	l, err := parseWasm(tinyWasm)
	if err != nil {
		t.Fatal(err)
	}
	if l.Funcs["func1"] != 3 || l.Funcs["net_http.Get"] != 5 || len(l.Funcs) != 2 {
		t.Fatalf("funcs: %v", l.Funcs)
	}
	if l.Sections["code"] != 11 || l.Sections["custom:name"] != 24 {
		t.Fatalf("sections: %v", l.Sections)
	}
	if _, err := parseWasm([]byte("not wasm")); err == nil {
		t.Fatal("parsed garbage")
	}
}

func TestPackageOf(t *testing.T) {
	pkgs := map[string]string{}
	for _, p := range []string{"net/http", "net", "github.com/hack-pad/safejs", "github.com/hack-pad/safejs/internal/catch", "time"} {
		pkgs[mangle(p)] = p
	}
	for sym, want := range map[string]string{
		"net_http.__Transport_.roundTrip": "net/http",
		"net.Dial":                        "net",
		"github.com_hack_pad_safejs_internal_catch.Try_go.shape.int_": "github.com/hack-pad/safejs/internal/catch",
		"github.com_hack_pad_safejs.Value.Get.func1":                  "github.com/hack-pad/safejs",
		"type_.eq.time.Location":                                      "time",
		"runtime.mallocgc":                                            "runtime",
		"wasm_pc_f_loop":                                              "wasm_pc_f_loop",
	} {
		if got := packageOf(sym, pkgs); got != want {
			t.Errorf("packageOf(%q) = %q, want %q", sym, got, want)
		}
	}
}
