package compiler

import (
	"io"
	"os"
	"syscall"
)

// batchWriter writes several buffers in one system call (writev) when the
// destination is a file that allows it, else one Write per buffer.
type batchWriter struct {
	w  io.Writer
	rc syscall.RawConn // nil: one Write per buffer
}

func newBatchWriter(w io.Writer) *batchWriter {
	bw := &batchWriter{w: w}
	if f, ok := w.(*os.File); ok && writevSupported {
		if rc, err := f.SyscallConn(); err == nil {
			bw.rc = rc
		}
	}
	return bw
}

// write writes the buffers in order, all of them or up to the first error.
// It changes neither bufs nor the buffers.
func (bw *batchWriter) write(bufs [][]byte) error {
	if bw.rc == nil {
		for _, b := range bufs {
			if _, err := bw.w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	for len(bufs) > 0 {
		var n int
		var werr error
		if err := bw.rc.Write(func(fd uintptr) bool {
			n, werr = writev(fd, bufs)
			return werr != syscall.EAGAIN
		}); err != nil {
			return err
		}
		if werr == syscall.EINTR {
			continue
		}
		if werr != nil {
			return &os.PathError{Op: "write", Path: bw.w.(*os.File).Name(), Err: werr}
		}
		if n == 0 {
			return &os.PathError{Op: "write", Path: bw.w.(*os.File).Name(), Err: io.ErrShortWrite}
		}
		// Drop what was written; a short write leaves the rest of a buffer
		// (in a copy of the list, which belongs to the caller).
		if n < total(bufs) {
			bufs = append([][]byte(nil), bufs...)
		}
		for n > 0 {
			if n < len(bufs[0]) {
				bufs[0] = bufs[0][n:]
				break
			}
			n -= len(bufs[0])
			bufs = bufs[1:]
		}
		for len(bufs) > 0 && len(bufs[0]) == 0 {
			bufs = bufs[1:]
		}
	}
	return nil
}

func total(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}
