//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package compiler

import "errors"

const writevSupported = false

func writev(uintptr, [][]byte) (int, error) {
	return 0, errors.ErrUnsupported
}
