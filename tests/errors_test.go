package tests

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want.txt goldens of TestErrors")

// errorsDir holds the malformed-project cases: one folder per case with a
// small project, a profiles.yml, want.txt (the exact stderr, the case's copy
// written as $PROJECT) and optionally args (the command and its flags, one
// line; default "compile").
const errorsDir = "errors"

// knownBad are cases whose golden records the current output although it is
// still wrong, with the reason. Once one is fixed the case fails: regenerate
// with -update, read the golden, and take the case off this list.
//
// multi_errors_all_phases is not here on purpose: problems are reported per
// phase (project YAML, then the profile, then templates), as dbt does, since
// a later phase needs what the earlier one reads.
var knownBad = map[string]string{}

// The secret every case's profile carries; it must never be printed.
const errorsSecret = "pw-must-not-leak"

// TestErrors runs gmodel on each malformed project and checks that the user
// gets every problem as path:line:col: message, exit code 2, nothing on
// stdout, and neither a Go panic nor the password.
func TestErrors(t *testing.T) {
	entries, err := os.ReadDir(errorsDir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, e.Name()) // ReadDir sorts by name
		}
	}
	if len(cases) < 40 {
		t.Errorf("only %d cases in %s; the suite wants at least 40", len(cases), errorsDir)
	}
	for name := range knownBad {
		if !slices.Contains(cases, name) {
			t.Errorf("knownBad names %q, which is not a case in %s", name, errorsDir)
		}
	}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(errorsDir, name)
			dir := copyTree(t, src)
			args := []string{"compile"}
			if b, err := os.ReadFile(filepath.Join(src, "args")); err == nil {
				args, err = splitArgs(strings.TrimSpace(string(b)))
				if err != nil {
					t.Fatalf("args: %v", err)
				}
			}
			args = append(args, "--project-dir", dir, "--profiles-dir", dir)
			r := run(t, nil, args...)

			for what, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				for _, bad := range []string{"panic", "goroutine ", errorsSecret} {
					if strings.Contains(out, bad) {
						t.Errorf("%s contains %q:\n%s", what, bad, out)
					}
				}
			}
			if r.code != 2 {
				t.Errorf("exit code %d, want 2", r.code)
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
			got := strings.ReplaceAll(r.stderr, dir, "$PROJECT")
			wantFile := filepath.Join(src, "want.txt")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				if why, ok := knownBad[name]; ok {
					t.Errorf("known-bad case (%s) changed: if it is fixed, run with -update, read want.txt and remove the case from knownBad", why)
				}
				t.Errorf("stderr differs from %s\n--- got\n%s--- want\n%s", wantFile, got, want)
			}
		})
	}
}

// splitArgs splits a command line on blanks; single or double quotes keep
// blanks inside one argument.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, os.ErrInvalid
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}
