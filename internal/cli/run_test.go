package cli

import (
	"context"
	"strings"
	"testing"
)

func TestExecFlags(t *testing.T) {
	f, _, _ := testFactory()
	g := &globalOptions{}
	var got *execFlags
	for _, tc := range []struct {
		name string
		cmd  func() interface{ Execute() error }
		args []string
	}{
		{"run", func() interface{ Execute() error } {
			c := newCmdRun(f, g, func(o *runOptions) error { got = &o.execFlags; return nil })
			c.SetArgs([]string{"-s", "+orders", "--exclude", "tag:slow", "--full-refresh", "-x"})
			return c
		}, nil},
		{"seed", func() interface{ Execute() error } {
			c := newCmdSeed(f, g, func(o *seedOptions) error { got = &o.execFlags; return nil })
			c.SetArgs([]string{"--select", "+orders", "--exclude", "tag:slow", "--full-refresh", "--fail-fast"})
			return c
		}, nil},
		{"test", func() interface{ Execute() error } {
			c := newCmdTest(f, g, func(o *testOptions) error { got = &o.execFlags; return nil })
			c.SetArgs([]string{"-s", "+orders", "--exclude", "tag:slow", "--full-refresh", "-x", "--store-failures"})
			return c
		}, nil},
		{"build", func() interface{ Execute() error } {
			c := newCmdBuild(f, g, func(o *buildOptions) error { got = &o.execFlags; return nil })
			c.SetArgs([]string{"-s", "+orders", "--exclude", "tag:slow", "--full-refresh", "-x", "--store-failures"})
			return c
		}, nil},
	} {
		got = nil
		if err := tc.cmd().Execute(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got == nil || strings.Join(got.sel.Select, ",") != "+orders" || strings.Join(got.sel.Exclude, ",") != "tag:slow" ||
			!got.FullRefresh || !got.FailFast {
			t.Errorf("%s: parsed %+v", tc.name, got)
		}
		if (tc.name == "test" || tc.name == "build") != got.StoreFailures {
			t.Errorf("%s: store failures %v", tc.name, got.StoreFailures)
		}
	}
}

func TestExecExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--nosuch"}, ExitError, "unknown flag"},
		{[]string{"seed", "--store-failures"}, ExitError, "unknown flag"},
		{[]string{"build", "--project-dir", "/nonexistent/dir"}, ExitError, "does not exist"},
		// A server that cannot exist: one line, exit 2, no secret.
		{[]string{"run", "--project-dir", "../../tests/testdata/jaffle_shop", "--profiles-dir", "../../tests/testdata/jaffle_shop_profiles"}, ExitError, "db.invalid"},
	} {
		f, out, errb := testFactory()
		code := MainWith(context.Background(), f, tc.args)
		all := out.String() + errb.String()
		if code != tc.code || !strings.Contains(all, tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tc.args, code, all, tc.code, tc.want)
		}
		if strings.Contains(all, "s3cret-never-printed") || strings.Contains(all, "goroutine ") {
			t.Errorf("%v: secret or stack trace in the output: %q", tc.args, all)
		}
	}
}
