//go:build unix

package localpg

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TempDirForTest returns a fresh directory, removed at cleanup, that the
// server's OS user can reach: t.TempDir's parent is private, and TMPDIR
// itself may be under /root, so it falls back to /tmp.
func TempDirForTest(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(filepath.Dir(d), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if CheckDir(filepath.Join(d, "x"), "") == nil {
		return d
	}
	d, err := reachableTemp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func reachableTemp() (string, error) {
	d, err := os.MkdirTemp("", "localpg-test-")
	if err == nil && CheckDir(filepath.Join(d, "x"), "") != nil {
		_ = os.RemoveAll(d)
		d, err = os.MkdirTemp("/tmp", "localpg-test-")
	}
	if err != nil {
		return "", err
	}
	return d, os.Chmod(d, 0o755)
}

var (
	cacheOnce sync.Once
	cacheDir  string
	cacheErr  error
)

// InitCacheForTest is one init cache for the whole test binary, so that
// most tests copy a cluster instead of running initdb;
// RemoveInitCacheForTest removes it.
func InitCacheForTest(t testing.TB) string {
	cacheOnce.Do(func() { cacheDir, cacheErr = reachableTemp() })
	if cacheErr != nil {
		t.Fatal(cacheErr)
	}
	return cacheDir
}

func RemoveInitCacheForTest() {
	if cacheDir != "" {
		_ = os.RemoveAll(cacheDir)
	}
}
