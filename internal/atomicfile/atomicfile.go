// Package atomicfile writes files that readers see whole or not at all: the
// artifacts under target/ (manifest.json, run_results.json, catalog.json),
// which other tools and gmodel docs serve may read while gmodel rewrites
// them. The CLI and the runner use it.
package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Write calls write on a temporary file in path's directory, then puts that
// file in path's place, so a reader sees the old file or the new one, never
// a part. The temporary file is removed when anything fails.
//
// The file gets the permissions os.WriteFile(path, data, 0o644) would give
// a new file (0644 under the usual umask), as dbt's artifacts have.
func Write(path string, write func(*os.File) error) error {
	tmp, err := createTemp(path)
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

// createTemp creates a new file named after path in its directory. Unlike
// os.CreateTemp (mode 0600) it asks for 0644, which the umask then narrows.
func createTemp(path string) (*os.File, error) {
	prefix := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	for try := 0; ; try++ {
		f, err := os.OpenFile(prefix+strconv.FormatUint(uint64(rand.Uint32()), 10), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}
