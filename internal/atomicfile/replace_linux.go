package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// replaceFile puts the file tmp in the place of path, atomically. When path
// is a regular file the two names are exchanged (tmp then names the old
// content, for the caller to remove): ext4 flushes a file renamed over
// another one at once (auto_da_alloc), which makes the rename of a 98 MB
// manifest wait about 60 ms for the disk; an exchange is as atomic for
// readers and leaves the write-back to the kernel's usual schedule.
func replaceFile(tmp, path string) error {
	if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() {
		if unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_EXCHANGE) == nil {
			return nil
		}
	}
	// No old file, or a file system without RENAME_EXCHANGE.
	return os.Rename(tmp, path)
}
