// Package tests holds gmodel's end-to-end suites: they run the real command
// line (cli.MainWith) on testdata projects and check what a user would see.
package tests

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/internal/cli"
)

// result is what one gmodel invocation produced.
type result struct {
	code   int
	stdout string
	stderr string
}

// run runs gmodel with args and a fixed environment (no host variables
// leak in), like a user would in a shell.
func run(t testing.TB, env map[string]string, args ...string) result {
	if t != nil {
		t.Helper()
	}
	var out, errb bytes.Buffer
	f := &cli.Factory{
		IO: cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		LookupEnv: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		},
		Getwd: os.Getwd,
		Home:  func() (string, error) { return os.TempDir(), nil },
	}
	code := cli.MainWith(context.Background(), f, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// copyTree copies a testdata project into a fresh directory so tests never
// write into the repository.
func copyTree(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			if info.Name() == "target" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		outf, err := os.Create(target)
		if err != nil {
			return err
		}
		defer outf.Close()
		_, err = io.Copy(outf, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
