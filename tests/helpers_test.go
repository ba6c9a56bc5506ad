// Package tests holds gmodel's end-to-end suites: they run the real command
// line (cli.MainWith) on testdata projects and check what a user would see.
package tests

import (
	"bytes"
	"context"
	"github.com/gmodel/gmodel/tests/testproject"
	"os"
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
func copyTree(t testing.TB, src string) string { return testproject.Copy(t, src) }

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
