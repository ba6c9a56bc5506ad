//go:build !linux

package atomicfile

import "os"

// replaceFile puts the file tmp in the place of path, atomically.
func replaceFile(tmp, path string) error {
	return os.Rename(tmp, path)
}
