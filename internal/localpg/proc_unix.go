//go:build unix

package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// osUser is who runs initdb and postgres.
type osUser struct {
	name     string
	uid, gid uint32
	groups   []uint32
	switchTo bool // this process is root: run as this user, and give it Dir
}

func resolveOSUser(name string) (*osUser, error) {
	if os.Geteuid() != 0 {
		u := &osUser{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}
		if cur, err := user.Current(); err == nil {
			u.name = cur.Username
		}
		return u, nil
	}
	name = orDefault(name, "postgres")
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root, and initdb and postgres refuse root, so they run as OS user %q, which was not found (%v); %s, or set another user in Options.OSUser",
			name, err, installHint(runtime.GOOS, readOSRelease()))
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	ou := &osUser{name: name, uid: uint32(uid), gid: uint32(gid), switchTo: true}
	if gids, err := u.GroupIds(); err == nil {
		for _, g := range gids {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				ou.groups = append(ou.groups, uint32(n))
			}
		}
	}
	return ou, nil
}

func (u *osUser) chown(path string) error {
	if !u.switchTo {
		return nil
	}
	return os.Lchown(path, int(u.uid), int(u.gid))
}

func (u *osUser) chownIfNeeded(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == u.uid && st.Gid == u.gid {
		return nil
	}
	return u.chown(path)
}

// CheckDir reports whether the OS user that would run the server (osUser,
// "" meaning "postgres") can reach dir: when this process runs as root,
// every existing parent of dir must be traversable by that user. A
// directory made by t.TempDir is not (its parent is private to root); one
// under /tmp made by os.MkdirTemp, with its mode opened to 0755, is. When
// this process is not root the server runs as this process's user, and
// CheckDir returns nil.
func CheckDir(dir, osUser string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := resolveOSUser(osUser)
	if err == nil {
		err = u.reaches(dir)
	}
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	return nil
}

// reaches checks that u can traverse every existing parent of dir.
func (u *osUser) reaches(dir string) error {
	if !u.switchTo {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var chain []string
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		p := chain[i]
		fi, err := os.Stat(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil // created later, world-traversable
		}
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			continue
		}
		bit := os.FileMode(0o001)
		switch {
		case st.Uid == u.uid:
			bit = 0o100
		case st.Gid == u.gid || containsGID(u.groups, st.Gid):
			bit = 0o010
		}
		if fi.Mode().Perm()&bit == 0 {
			return fmt.Errorf("OS user %s cannot reach %s: %s is mode %04o, owned by uid %d; use a directory whose every parent %s can traverse (under /tmp, for example), or chmod o+x %s",
				u.name, abs, p, fi.Mode().Perm(), st.Uid, u.name, p)
		}
	}
	return nil
}

func containsGID(gids []uint32, g uint32) bool {
	for _, x := range gids {
		if x == g {
			return true
		}
	}
	return false
}

// sysProcAttr runs the process as u, in a session of its own (a Ctrl-C in
// the terminal is for gmodel, which stops the server itself), and ties it to
// this process when tie is set.
func sysProcAttr(u *osUser, tie bool) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setsid: true}
	if u.switchTo {
		attr.Credential = &syscall.Credential{Uid: u.uid, Gid: u.gid, Groups: u.groups}
	}
	if tie {
		setParentDeathSignal(attr, syscall.SIGQUIT) // postgres' immediate shutdown
	}
	return attr
}

// startProcess starts cmd and returns a channel closed when it exits.
func startProcess(cmd *exec.Cmd, tie bool) (<-chan struct{}, error) {
	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		if tie {
			// The parent-death signal fires when the thread that started
			// the child ends, not the process: hold this thread until the
			// child exits (returning while locked then ends the thread).
			runtime.LockOSThread()
		}
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return exited, nil
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func signalProcess(pid int, sig syscall.Signal) error {
	if pid <= 0 {
		return fmt.Errorf("bad pid %d", pid)
	}
	err := syscall.Kill(pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// lockFile takes an exclusive lock on path, polling so that ctx can end
// the wait, and returns its release.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}
