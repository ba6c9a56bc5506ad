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
// still wrong; the fixes belong in compiler/ (see each reason). Once one is
// fixed the case fails: regenerate with -update, read the golden, and take
// the case off this list.
var knownBad = map[string]string{
	// compiler.addJinjaErr keeps jinja.Error.Msg and drops its hint and
	// macro call chain (jinja.Error.FullHint).
	"jinja_bad_expression":           "hint dropped: a value is missing before '}}'",
	"jinja_error_in_macro_file":      "call chain dropped: which model called the macro",
	"jinja_error_in_macro_undefined": "call chain dropped: which model called the macro",
	"jinja_expression_extra_token":   "hint dropped: where the '{{' is and where '}}' goes",
	"jinja_macro_too_many_args":      "hint dropped: the macro's signature and file",
	"jinja_macro_unknown_kwarg":      "hint dropped: the macro's signature and file",
	"jinja_nested_macro_error":       "call chain dropped: inner <- outer <- model",
	"jinja_stray_endfor":             "hint dropped: no open {% for %} to close",
	"jinja_unclosed_comment":         "hint dropped: end the comment with '#}'",
	"jinja_unclosed_expression":      "hint dropped: where the '{{' is and where '}}' goes",
	"jinja_unclosed_for":             "hint dropped: add {% endfor %}",
	"jinja_unclosed_if":              "hint dropped: add {% endif %}",
	"jinja_unknown_filter":           "hint dropped: did you mean 'upper'?",
	"jinja_unknown_tag_typo":         "hint dropped: did you mean 'for'?",
	"multi_errors_several_files":     "hints dropped for c.sql and d.sql",
	// ...and the compiler does not set jinja.Env.ResolveNames, so an
	// undefined macro gets no did-you-mean.
	"jinja_undefined_macro_typo": "no hint: did you mean 'cents_to_dollars'?",
	// compiler.YAMLRenderer flattens the engine's error to its message, so
	// project.RenderError finds no hint.
	"profile_env_var_unset":       "hint dropped: export ERR_DB_USER=... or give env_var() a default",
	"project_var_in_yaml_missing": "hint dropped: define the var or give var() a default",
	// compiler/graph.go positions graph problems at the node's 1:1, not at
	// the ref() that causes them (jinja.Call.Line/Col now tell where).
	"graph_cycle":        "at models/a.sql:1:1, not the ref('c') at 2:18",
	"graph_ref_disabled": "at models/m.sql:1:1, not the ref('old') at 1:18",
	"graph_self_ref":     "at models/m.sql:1:1, not the ref('m') at 1:18",
	// compiler/tests.go positions a relationships test's bad `to:` at the
	// test entry (7:13), not at the value (8:19).
	"graph_relationships_bad_ref": "at the test entry, not the to: value",
	// doc() problems are positioned at the model/column entry, not at the
	// description (project's DescriptionPos), and the compiler's lax
	// didYouMean offers 'base_doc' for 'id_doc'.
	"graph_doc_missing": "wrong position and a misleading did-you-mean",
	// The CLI stops at the first phase with problems: project YAML, then
	// profiles, then templates; the unknown ref and the profile typo are
	// not reported with the schema typo.
	"multi_errors_all_phases": "only the first phase's problems are reported",
}

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
