//go:build !unix

package localpg

import (
	"context"
	"errors"
	"os/exec"
	"syscall"
)

var errUnsupported = errors.New("running PostgreSQL from local binaries is supported on Unix only; use package container")

type osUser struct {
	name     string
	uid      uint32
	switchTo bool
}

func resolveOSUser(string) (*osUser, error) { return nil, errUnsupported }

func (u *osUser) chown(string) error         { return nil }
func (u *osUser) chownIfNeeded(string) error { return nil }
func (u *osUser) reaches(string) error       { return nil }

// CheckDir reports whether the server's OS user can reach dir; off Unix
// there is no local server, and it returns nil.
func CheckDir(dir, osUser string) error { return nil }

func sysProcAttr(*osUser, bool) *syscall.SysProcAttr { return nil }

func startProcess(cmd *exec.Cmd, _ bool) (<-chan struct{}, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return exited, nil
}

func processAlive(int) bool                   { return false }
func signalProcess(int, syscall.Signal) error { return errUnsupported }
func processStart(int) string                 { return "" }
func processCwd(int) (string, bool)           { return "", false }

func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
