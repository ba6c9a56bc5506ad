package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanFlags(t *testing.T) {
	f, _, _ := testFactory()
	ran := false
	cmd := newCmdClean(f, &globalOptions{}, func(*cleanOptions) error { ran = true; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || !ran {
		t.Fatalf("ran %v, err %v", ran, err)
	}
	cmd = newCmdClean(f, &globalOptions{}, func(*cleanOptions) error { t.Error("ran"); return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err == nil {
		t.Error("clean extra: no error")
	}
}

func mkdirs(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "f"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func setCleanTargets(t *testing.T, dir, targets string) {
	t.Helper()
	path := filepath.Join(dir, "dbt_project.yml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "clean-targets:\n  - \"target\"\n  - \"logs\"\n", "clean-targets: "+targets+"\n", 1)
	if s == string(b) {
		t.Fatal("clean-targets not found in the scaffold")
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestClean(t *testing.T) {
	dir := initProject(t, "shop")
	target, logs, managed := filepath.Join(dir, "target"), filepath.Join(dir, "logs"), filepath.Join(dir, ".gmodel", "pg")
	mkdirs(t, filepath.Join(target, "compiled"), managed)

	f, out, errb := testFactory()
	if code := MainWith(context.Background(), f, []string{"clean", "--project-dir", dir}); code != ExitOK {
		t.Fatalf("clean: exit %d: %s", code, errb)
	}
	if exists(target) || !exists(managed) || !exists(filepath.Join(dir, "models", "schema.yml")) {
		t.Errorf("after clean: target %v, .gmodel/pg %v, models %v", exists(target), exists(managed), exists(filepath.Join(dir, "models")))
	}
	for _, want := range []string{"Cleaned target\n", "Nothing to clean: logs does not exist\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_ = logs

	// The default is the target-path alone.
	setCleanTargets(t, dir, "null")
	mkdirs(t, target, logs)
	f, _, errb = testFactory()
	if code := MainWith(context.Background(), f, []string{"clean", "--project-dir", dir}); code != ExitOK {
		t.Fatalf("clean: exit %d: %s", code, errb)
	}
	if exists(target) || !exists(logs) {
		t.Errorf("default clean-targets: target %v, logs %v", exists(target), exists(logs))
	}
}

// A path outside the project, the project itself or its sources are
// refused, and then nothing at all is deleted.
func TestCleanRefuses(t *testing.T) {
	for _, tc := range []struct {
		targets string
		want    string
	}{
		{`["target", "../outside"]`, "outside the project directory"},
		{`["target", "/"]`, "outside the project directory"},
		{`["target", "."]`, "the project directory itself"},
		{`["target", "models/silver"]`, "overlaps the project's sources (models)"},
		{`["target", "seeds"]`, "overlaps the project's sources (seeds)"},
	} {
		dir := initProject(t, "shop")
		outside := filepath.Join(filepath.Dir(dir), "outside")
		mkdirs(t, filepath.Join(dir, "target"), outside)
		setCleanTargets(t, dir, tc.targets)
		f, out, errb := testFactory()
		code := MainWith(context.Background(), f, []string{"clean", "--project-dir", dir})
		if code != ExitError || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: exit %d, %q; want exit 2 and %q", tc.targets, code, errb, tc.want)
		}
		if !exists(outside) || !exists(filepath.Join(dir, "target")) || !exists(filepath.Join(dir, "models", "silver")) || !exists(filepath.Join(dir, "seeds")) {
			t.Errorf("%s: something was deleted; output %s", tc.targets, out)
		}
	}
}
