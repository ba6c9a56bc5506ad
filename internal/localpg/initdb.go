package localpg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// initdbArgs are initdb's arguments but -D and --pwfile. The C locale makes
// sorting and case mapping the same on every machine.
func initdbArgs(opts *Options) []string {
	args := []string{"-U", opts.user(), "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C"}
	if opts.FSyncOff {
		args = append(args, "-N")
	}
	return args
}

// initCluster creates Dir/data and Dir/password, from opts.InitCache when
// set, else with initdb. data appears only complete (built aside, renamed).
func initCluster(ctx context.Context, opts *Options, as *osUser) error {
	dir := opts.Dir
	tmp := filepath.Join(dir, "data.tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	args := initdbArgs(opts)
	begin := time.Now()
	if opts.InitCache != "" {
		tpl, err := cachedInit(ctx, opts, as, args)
		if err == nil {
			err = copyTree(ctx, filepath.Join(tpl, "data"), tmp, as)
		}
		if err == nil {
			err = copyFile(filepath.Join(tpl, "password"), filepath.Join(dir, "password"), 0o600, as)
		}
		if err == nil {
			opts.logf("copied the cluster for %s from %s (%s)", dir, tpl, time.Since(begin).Round(time.Millisecond))
			return os.Rename(tmp, filepath.Join(dir, "data"))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		opts.logf("init cache %s: %v; running initdb", opts.InitCache, err)
		if err := os.RemoveAll(tmp); err != nil {
			return err
		}
	}
	pw := newPassword()
	if err := runInitdb(ctx, opts, as, tmp, pw, args); err != nil {
		return err
	}
	opts.logf("initdb %s (%s)", dir, time.Since(begin).Round(time.Millisecond))
	if err := writeFileAtomic(filepath.Join(dir, "password"), []byte(pw+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "data"))
}

// runInitdb runs initdb into target, whose parent as owns, with the
// superuser's password pw.
func runInitdb(ctx context.Context, opts *Options, as *osUser, target, pw string, args []string) error {
	parent := filepath.Dir(target)
	pwfile, err := os.CreateTemp(parent, "pwfile-")
	if err != nil {
		return err
	}
	defer os.Remove(pwfile.Name())
	_, werr := pwfile.WriteString(pw + "\n")
	if cerr := pwfile.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	if err := as.chown(pwfile.Name()); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, filepath.Join(opts.BinDir, "initdb"),
		append([]string{"-D", target, "--pwfile=" + pwfile.Name()}, args...)...)
	cmd.Dir = parent
	cmd.Env = serverEnv()
	cmd.SysProcAttr = sysProcAttr(as, false)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("initdb: %w", ctx.Err())
		}
		return fmt.Errorf("initdb %s: %w\n%s", target, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// cachedInit returns a directory holding data/ and password made by initdb
// with args, making it first if needed. Concurrent callers (test binaries
// started together) wait on a lock for the first one's initdb.
func cachedInit(ctx context.Context, opts *Options, as *osUser, args []string) (string, error) {
	version, err := exec.CommandContext(ctx, filepath.Join(opts.BinDir, "postgres"), "--version").Output()
	if err != nil {
		return "", fmt.Errorf("postgres --version: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d\n%s", opts.BinDir, version, as.uid, strings.Join(args, "\x00"))
	tpl := filepath.Join(opts.InitCache, "initdb-"+hex.EncodeToString(h.Sum(nil))[:16])
	if complete(tpl) {
		return tpl, nil
	}
	if err := os.MkdirAll(opts.InitCache, 0o755); err != nil {
		return "", err
	}
	if err := as.reaches(filepath.Join(opts.InitCache, "x")); err != nil {
		return "", err
	}
	// One initdb at a time: test binaries starting together wait for the
	// first one's result rather than each running initdb on shared cores.
	unlock, err := lockFile(ctx, filepath.Join(opts.InitCache, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if complete(tpl) {
		return tpl, nil
	}
	removeTemps(opts.InitCache)
	tmp, err := os.MkdirTemp(opts.InitCache, "tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := as.chown(tmp); err != nil {
		return "", err
	}
	pw := newPassword()
	if err := runInitdb(ctx, opts, as, filepath.Join(tmp, "data"), pw, args); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "password"), []byte(pw+"\n"), 0o600); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, tpl); err != nil && !complete(tpl) {
		return "", err
	}
	return tpl, nil
}

func complete(tpl string) bool {
	_, err1 := os.Stat(filepath.Join(tpl, "data", "PG_VERSION"))
	_, err2 := os.Stat(filepath.Join(tpl, "password"))
	return err1 == nil && err2 == nil
}

// removeTemps removes what builders killed mid-initdb left behind; the
// lock is held, so no builder is at work.
func removeTemps(cache string) {
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "tmp-") {
			_ = os.RemoveAll(filepath.Join(cache, e.Name()))
		}
	}
}

// copyTree copies the directory src to dst (which must not exist), owned by as.
func copyTree(ctx context.Context, src, dst string, as *osUser) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil {
				return err
			}
			return as.chown(target)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
			return as.chown(target)
		case d.Type().IsRegular():
			return copyFile(path, target, info.Mode().Perm(), as)
		default:
			return fmt.Errorf("copy %s: not a regular file", path)
		}
	})
}

func copyFile(src, dst string, mode os.FileMode, as *osUser) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return as.chown(dst)
}

// prepareDir creates dir (its missing parents world-traversable, dir
// itself private) and, when the server runs as another OS user, checks
// that the user can reach it and gives it dir.
func prepareDir(dir string, as *osUser) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := as.reaches(dir); err != nil {
		return err
	}
	if err := as.chown(dir); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// chownTree gives everything under dir to as (a data directory left owned
// by root, say), and makes data/ private as postgres requires.
func chownTree(dir string, as *osUser) error {
	if as.switchTo {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return as.chownIfNeeded(path)
		})
		if err != nil {
			return fmt.Errorf("give %s to OS user %s: %w", dir, as.name, err)
		}
	}
	data := filepath.Join(dir, "data")
	fi, err := os.Stat(data)
	if err != nil {
		return err
	}
	if p := fi.Mode().Perm(); p != 0o700 && p != 0o750 {
		return os.Chmod(data, 0o700)
	}
	return nil
}
