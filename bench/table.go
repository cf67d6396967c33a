package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// report is one bench run: what ran, on what, every figure's rows, the
// budgets checked, and per-figure details (raw samples, package sizes).
// It is printed as a table and written as JSON.
type report struct {
	Date      string            `json:"date"`
	StartedAt time.Time         `json:"startedAt"`
	Seconds   float64           `json:"seconds"`
	Machine   machine           `json:"machine"`
	Figures   []string          `json:"figures"`
	Baselines map[string]string `json:"baselines"`
	Rows      []row             `json:"rows"`
	Budgets   []budget          `json:"budgets"`
	Notes     []string          `json:"notes,omitempty"`
	Errors    []string          `json:"errors,omitempty"`
	Details   map[string]any    `json:"details"`
	Pass      bool              `json:"pass"`
}

// row is one measured quantity of game-session next to its same-run
// baselines (nil when a baseline does not apply to that quantity).
type row struct {
	Figure string   `json:"figure"`
	Metric string   `json:"metric"`
	Unit   string   `json:"unit"` // "B", "ms", "s", "B/beat", "/s", "%", ""
	Value  float64  `json:"value"`
	Floor  *float64 `json:"floor,omitempty"`
	Rival  *float64 `json:"rival,omitempty"`
}

// budget is a limit the run enforces: a broken one makes the command exit
// non-zero.
type budget struct {
	Name  string `json:"name"`
	Limit string `json:"limit"`
	Got   string `json:"got"`
	Pass  bool   `json:"pass"`
}

func f64(v float64) *float64 { return &v }

func (r *report) add(figure, metric, unit string, value float64, floor, rival *float64) {
	r.Rows = append(r.Rows, row{figure, metric, unit, value, floor, rival})
}

func (r *report) check(name, limit, got string, pass bool) {
	r.Budgets = append(r.Budgets, budget{name, limit, got, pass})
}

func (r *report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *report) detail(figure string, v any) {
	r.Details[figure] = v
}

func (r *report) baseline(name, what string) {
	r.Baselines[name] = what
}

func (r *report) fail(err string) {
	r.Errors = append(r.Errors, err)
}

// format renders v in unit for the table.
func format(v float64, unit string) string {
	switch unit {
	case "B":
		return groupDigits(int64(math.Round(v))) + " B"
	case "B/beat":
		return fmt.Sprintf("%.1f B/beat", v)
	case "ms":
		if math.Abs(v) >= 100 {
			return fmt.Sprintf("%.0f ms", v)
		}
		return fmt.Sprintf("%.2f ms", v)
	case "s":
		return fmt.Sprintf("%.3f s", v)
	case "/s":
		return groupDigits(int64(math.Round(v))) + " /s"
	case "%":
		return fmt.Sprintf("%.1f %%", v)
	}
	if v == math.Trunc(v) {
		return groupDigits(int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func ratio(v float64, base *float64) string {
	if base == nil {
		return ""
	}
	if *base <= 0 || v < 0 {
		return "—" // a ratio of signed changes means nothing
	}
	return fmt.Sprintf("×%.2f", v / *base)
}

func opt(v *float64, unit string) string {
	if v == nil {
		return ""
	}
	return format(*v, unit)
}

// cells are the table's rows as text, one cell per column (figure, metric,
// game-session, floor, ÷ floor, naive rival, ÷ rival); a figure's name
// stands only on its first row.
func (r *report) cells() [][]string {
	var out [][]string
	last := ""
	for _, x := range r.Rows {
		fig := x.Figure
		if fig == last {
			fig = ""
		}
		last = x.Figure
		out = append(out, []string{fig, x.Metric, format(x.Value, x.Unit),
			opt(x.Floor, x.Unit), ratio(x.Value, x.Floor), opt(x.Rival, x.Unit), ratio(x.Value, x.Rival)})
	}
	return out
}

// print writes the human table: figures, budgets, notes.
func (r *report) print(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "\ngame-session bench, %s (%s): %d cores, %s, %s, %s\n",
		r.Date, r.StartedAt.Format("15:04 MST"), m.Cores, m.CPU, m.Go, m.Chromium)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight|tabwriter.Debug)
	fmt.Fprintln(tw, "figure\tmetric\tgame-session\tfloor\t÷ floor\tnaive rival\t÷ rival\t")
	for _, cells := range r.cells() {
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	if len(r.Baselines) > 0 {
		fmt.Fprintln(w, "\nbaselines (built and measured in this run):")
		keys := make([]string, 0, len(r.Baselines))
		for k := range r.Baselines {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, r.Baselines[k])
		}
	}
	fmt.Fprintln(w, "\nbudgets:")
	for _, b := range r.Budgets {
		mark := "ok  "
		if !b.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "  %s %s: %s (limit %s)\n", mark, b.Name, b.Got, b.Limit)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "ERROR: %s\n", e)
	}
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\n%s in %.0f s\n", verdict, r.Seconds)
}

// write stores the report as indented JSON in dir, atomically (a .tmp file
// renamed into place, so an interrupted run leaves no half file).
func (r *report) write(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// markdown writes the report as the README's Performance table.
func (r *report) markdown(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "Measured %s on %d cores (%s), %s, %s, %s.\n\n", r.Date, m.Cores, m.CPU, m.OS, m.Go, m.Chromium)
	fmt.Fprintln(w, "| figure | metric | game-session | floor | ÷ floor | naive rival | ÷ rival |")
	fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|")
	for _, cells := range r.cells() {
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
	for _, b := range r.Budgets {
		mark := "ok"
		if !b.Pass {
			mark = "**broken**"
		}
		fmt.Fprintf(w, "- budget %s: %s (limit %s): %s\n", b.Name, b.Got, b.Limit, mark)
	}
}

// readReport loads a report written by write.
func readReport(path string) (*report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r report
	return &r, json.Unmarshal(data, &r)
}
