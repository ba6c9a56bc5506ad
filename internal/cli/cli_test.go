package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

func testFactory() (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Factory{
		IO:        Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		LookupEnv: func(string) (string, bool) { return "", false },
		Getwd:     os.Getwd,
		Home:      os.UserHomeDir,
	}, &out, &errb
}

// Flag parsing is tested apart from behaviour: runF captures the options.
func TestLsFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *lsOptions
	g := &globalOptions{}
	cmd := newCmdLs(f, g, func(o *lsOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-s", "+orders", "-s", "tag:x", "--exclude", "stg_*", "--resource-type", "model", "--output", "json", "--indirect-selection", "cautious"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.sel.Select, "|") != "+orders|tag:x" || strings.Join(got.sel.Exclude, "|") != "stg_*" ||
		strings.Join(got.ResourceTypes, "|") != "model" || got.Output != "json" || got.sel.IndirectSelection != "cautious" {
		t.Errorf("parsed %+v", got)
	}
}

func TestCompileFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *compileOptions
	cmd := newCmdCompile(f, &globalOptions{}, func(o *compileOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--write-compiled=false", "--models", "a"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.WriteCompiled || strings.Join(got.sel.Select, ",") != "a" {
		t.Errorf("parsed %+v", got)
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nosuch"}, ExitError, "unknown command"},
		{[]string{"compile", "--nosuch"}, ExitError, "unknown flag"},
		{[]string{"ls", "--output", "xml"}, ExitError, "--output must be one of"},
		{[]string{"ls", "--resource-type", "modle"}, ExitError, "is not one of"},
		{[]string{"compile", "--project-dir", "/nonexistent/dir"}, ExitError, "does not exist"},
		{[]string{"--version"}, ExitOK, "gmodel "},
	} {
		f, out, errb := testFactory()
		code := MainWith(context.Background(), f, tc.args)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tc.args, code, out.String()+errb.String(), tc.code, tc.want)
		}
	}
}
