//go:build unix

package project

import (
	"os"
	"syscall"
)

// readInto reads the file at path into buf (grown as needed) and returns
// the filled part. It costs three system calls per file (open, read until
// EOF, close; and an fstat for a file bigger than buf) where os.ReadFile
// makes six (two more fstat calls, and the os.File bookkeeping): a project
// of 10,000 models is read 10,000 times.
func readInto(path string, buf []byte) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = buf[:cap(buf)]
	n := 0
	statted := false
	for {
		if n == len(buf) {
			// A file bigger than the buffer (a big schema file) is sized
			// once, so that it is not read into ever doubling buffers.
			size := 0
			if !statted {
				statted = true
				var st syscall.Stat_t
				if syscall.Fstat(fd, &st) == nil && st.Size > int64(n) && st.Size < 1<<40 {
					size = int(st.Size)
				}
			}
			if size > n {
				sized := make([]byte, size+1) // +1 to see EOF without growing again
				copy(sized, buf[:n])
				buf = sized
			} else {
				buf = append(buf[:n], 0)
			}
			buf = buf[:cap(buf)]
		}
		m, err := syscall.Read(fd, buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
	}
}
