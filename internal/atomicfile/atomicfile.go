// Package atomicfile writes files that readers see whole or not at all: the
// artifacts under target/ (manifest.json, run_results.json, catalog.json),
// which other tools and gmodel docs serve may read while gmodel rewrites
// them. The CLI and the runner use it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write calls write on a temporary file in path's directory, then puts that
// file in path's place, so a reader sees the old file or the new one, never
// a part. The temporary file is removed when anything fails.
func Write(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	// After replaceFile the temporary name holds the old content, if any.
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return replaceFile(tmp.Name(), path)
}
