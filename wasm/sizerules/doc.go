// Package sizerules holds the rules that keep game-session.wasm small, and the check that
// enforces them: sizerules_test.go builds ./wasm for js/wasm with the module's own flags plus
// -ldflags=-dumpdep, reads the linker's dependency dump, and fails naming the whole chain
// (entry point → … → banned symbol) when a banned symbol is reachable. `go test ./...` runs it
// (so `./build.sh test` does); testdata/ holds one program per rule that the check must report.
//
// The budget it serves: the module's brotli bytes within ×1.12 of bench/floor (the smallest Go
// program with safejs and time that exports two functions), both built with the flags in
// buildflags.txt. The floor is 579,119 B brotli; 12 % of it is about 69 KB for everything the
// module does. Every cost below was measured on bench/floor's shape with those flags (go1.26,
// brotli -q 11), one use added, against a control that differs only by that use.
//
// # Build flags (buildflags.txt)
//
// -trimpath -ldflags="-s -w", and no inlining in our own packages and safejs
// (-gcflags=github.com/game-session/game-session/wasm/...=-l, -gcflags=github.com/hack-pad/safejs=-l;
// two pattern flags combine, each applies to its packages). On the module today: −8.6 KB
// (739,902 → 731,325 B); our packages alone −8.8 KB, safejs alone −2.2 KB, safejs on top of
// ours +0.2 KB; the floor +0.6 KB. An inlined body is copied to each call site; our code is
// not hot, the bytes are what matters.
//
// # The rules
//
// No context. context.WithCancel costs 32.1 KB, context.WithTimeout 36.8 KB: the package's
// types reach interfaces, and Deadline() returns a time.Time, which keeps time formatting
// (below). Cancel with a closed channel or a flag; time out with time.AfterFunc.
//
// No time formatting: time.Time.Format (14.3 KB), time.Time.String and GoString (15.5 KB).
// They are linked not only by calls: a time.Time that reaches an interface (a field of a type
// that is converted to any or error, a value sent on a chan time.Time, a *time.Timer field)
// keeps its String method and all the formatting under it. time.NewTimer costs 22.2 KB for
// that reason (its channel carries time.Time, and it reads GODEBUG), time.NewTicker and
// time.After likewise; time.AfterFunc costs nothing over the floor. The engine keeps instants
// as session.Instant (Unix nanoseconds), timers as AfterFunc and its stop func, and formats
// durations by hand (strconv). time.Duration.String is allowed: it costs 0.9 KB, and
// time.Duration is the unit of every engine interface (timeouts, round trips, options), where
// any Duration reaching an interface keeps it; a duration type of our own would cost more in
// clarity than it saves.
//
// No errors.As or errors.Is. errors.As costs 10.1 KB (it is built on internal/reflectlite);
// errors.Is 0.4 KB on the floor, more in the module: its Is/Unwrap interface checks keep
// those methods of every error type that has them. Compare sentinel errors directly, or walk
// Unwrap in a few lines.
//
// No internal/reflectlite beyond the floor's (the floor links a little of it: errors' init):
// errors.As and sort.Slice (7.9 KB) reach it. Use slices.SortFunc.
//
// No strings.ToUpper, ToLower, TrimSpace, TrimRight or Map: Unicode case and space tables.
// ToUpper costs 6.3 KB, TrimSpace 2.5 KB, TrimRight 2.7 KB, the four together 9.6 KB. The
// strings the module handles (option names, codes, URLs) are ASCII: a byte loop does it.
//
// No select with two or more cases: runtime.selectgo costs 5.6 KB over a one-case receive.
// This rule is the easiest to give up (one row in the test's table) if a loop needs it.
//
// No fmt in our packages. fmt costs 85 KB over a syscall/js floor (bench/floor-syscalljs with
// one fmt.Sprintf). safejs imports fmt today, so a call from our code adds almost nothing
// (42 B); the rule keeps our code from being a second reason to link it, so that replacing
// safejs would drop the 85 KB. Build strings with strconv and +. It is checked on the import
// graph (go list), since the dump keeps only the first edge into each symbol.
//
// No net/http, no encoding/json. bench/rival does the job with them: 2,096,860 B brotli,
// ×3.6 the floor.
//
// What the floor reaches is not ours: a symbol bench/floor also reaches (through safejs,
// fmt or the runtime) is excused, so the rules name what our code adds.
package sizerules
