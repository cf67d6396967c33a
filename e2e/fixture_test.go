package e2e

import (
	"path/filepath"

	"github.com/game-session/game-session/harness"
)

// makeFixtureRoot fills dir with the test pages of testdata/ and a copy of
// the built dist/ under dir/dist. It copies rather than symlinks because a
// static server may refuse links that leave its root.
func makeFixtureRoot(dir, repo string) error {
	if err := harness.CopyTree(filepath.Join(repo, "dist"), filepath.Join(dir, "dist")); err != nil {
		return err
	}
	return harness.CopyTree("testdata", dir)
}
