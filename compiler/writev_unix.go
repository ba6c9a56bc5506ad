//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package compiler

import "golang.org/x/sys/unix"

const writevSupported = true

func writev(fd uintptr, bufs [][]byte) (int, error) {
	return unix.Writev(int(fd), bufs)
}
