package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		action string
		yes    bool
	}{
		{[]string{"status"}, "status", false},
		{[]string{"start"}, "start", false},
		{[]string{"stop"}, "stop", false},
		{[]string{"destroy"}, "destroy", false},
		{[]string{"destroy", "--yes"}, "destroy", true},
	} {
		f, _, _ := testFactory()
		var got *localOptions
		cmd := newCmdLocal(f, &globalOptions{}, func(o *localOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got == nil || got.Action != tc.action || got.Yes != tc.yes {
			t.Errorf("%v: parsed %+v", tc.args, got)
		}
	}
}

// Nothing here starts a server: status of a project without a cluster, and
// destroy without --yes.
func TestLocalWithoutCluster(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"local", "status", "--project-dir", dir}, ExitOK, "status:   stopped"},
		{[]string{"local", "destroy", "--project-dir", dir}, ExitError, "--yes to confirm"},
		{[]string{"local", "destroy", "--yes", "--project-dir", dir}, ExitOK, "destroyed"},
		{[]string{"local", "nosuch", "--project-dir", dir}, ExitError, "unknown"},
	} {
		f, out, errb := testFactory()
		code := MainWith(context.Background(), f, tc.args)
		if code != tc.code || !strings.Contains(out.String()+errb.String(), tc.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", tc.args, code, out.String()+errb.String(), tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".gmodel")); !os.IsNotExist(err) {
		t.Errorf(".gmodel exists after status and destroy: %v", err)
	}
}

// Without the PostgreSQL binaries, a managed target stops the run with one
// message saying what to install, and nothing is created.
func TestManagedWithoutBinaries(t *testing.T) {
	dir := t.TempDir()
	for p, content := range map[string]string{
		"dbt_project.yml": "name: p\nversion: '1.0'\nprofile: p\n",
		"models/a.sql":    "select 1 as x",
		"profiles.yml":    "p:\n  target: local\n  outputs:\n    local:\n      type: postgres\n      managed: true\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"run"}, {"local", "start"}} {
		f, out, errb := testFactory()
		f.PGBinaries = func() (string, error) {
			return "", errors.New("localpg: PostgreSQL server binaries not found; install them: apt-get install postgresql")
		}
		code := MainWith(context.Background(), f, append(args, "--project-dir", dir))
		msg := out.String() + errb.String()
		if code != ExitError || strings.Count(msg, "apt-get install postgresql") != 1 {
			t.Errorf("%v: exit %d, output %q; want exit 2 and one install hint", args, code, msg)
		}
		if _, err := os.Stat(filepath.Join(dir, ".gmodel")); !os.IsNotExist(err) {
			t.Errorf("%v: .gmodel exists: %v", args, err)
		}
	}
}
