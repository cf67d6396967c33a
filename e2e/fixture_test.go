package e2e

import (
	"io"
	"os"
	"path/filepath"
)

// makeFixtureRoot fills dir with the test pages of testdata/ and a copy of
// the built dist/ under dir/dist. It copies rather than symlinks because a
// static server may refuse links that leave its root.
func makeFixtureRoot(dir, repo string) error {
	if err := copyTree(filepath.Join(repo, "dist"), filepath.Join(dir, "dist")); err != nil {
		return err
	}
	return copyTree("testdata", dir)
}

// copyTree copies the regular files and directories under src into dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
