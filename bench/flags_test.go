package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The bench builds its baselines from the same flags file as build.sh.
func TestReadBuildFlags(t *testing.T) {
	flags, err := readBuildFlags(filepath.Join("..", buildFlagsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(flags, "-trimpath") || !slices.Contains(flags, "-ldflags=-s -w") {
		t.Errorf("flags %q: want -trimpath and -ldflags=-s -w", flags)
	}
	for _, f := range flags {
		if strings.HasPrefix(f, "#") || strings.TrimSpace(f) != f {
			t.Errorf("flag %q: a comment or blank kept", f)
		}
	}
}

func TestUnstripped(t *testing.T) {
	got := unstripped([]string{"-trimpath", "-ldflags=-s -w -X main.v=1", "-gcflags=x=-l"})
	want := []string{"-trimpath", "-ldflags=-X main.v=1", "-gcflags=x=-l"}
	if !slices.Equal(got, want) {
		t.Errorf("unstripped = %q, want %q", got, want)
	}
}
