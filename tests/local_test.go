package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/internal/localpg"
)

// localProject writes a project whose profile has the target given by
// target (YAML lines under `dev:`), in a directory the postgres OS user can
// traverse when the tests run as root (t.TempDir's parent may not be).
func localProject(t *testing.T, target string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gmodel-local-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"dbt_project.yml": "name: localproj\nversion: '1.0'\nprofile: localproj\n",
		"models/base.sql": "{{ config(materialized='table') }}\nselect 1 as id union all select 2",
		"models/more.sql": "select count(*) as n from {{ ref('base') }}",
		"profiles.yml":    "localproj:\n  target: dev\n  outputs:\n    dev:\n" + target,
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestManagedLocalTarget(t *testing.T) {
	if _, err := localpg.FindBinaries(); err != nil {
		t.Skip(err)
	}
	dir := localProject(t, "      type: postgres\n      managed: true\n      schema: analytics\n")
	if err := localpg.CheckDir(filepath.Join(dir, ".gmodel", "pg"), ""); err != nil {
		t.Skip(err)
	}
	pgdir := filepath.Join(dir, ".gmodel", "pg")
	t.Cleanup(func() { run(nil, nil, "local", "destroy", "--yes", "--project-dir", dir) })
	step := func(want string, args ...string) result {
		t.Helper()
		r := run(t, nil, append(args, "--project-dir", dir)...)
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Fatalf("gmodel %s: exit %d, want 0 and %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		if pw, err := os.ReadFile(filepath.Join(pgdir, "password")); err == nil && len(pw) > 0 &&
			strings.Contains(r.stdout+r.stderr, strings.TrimSpace(string(pw))) {
			t.Errorf("gmodel %s printed the generated password", strings.Join(args, " "))
		}
		return r
	}
	step("status:   stopped", "local", "status")
	step("Starting the managed local PostgreSQL", "run")
	r := step("status:   running", "local", "status")
	if !strings.Contains(r.stdout, "data dir: "+pgdir) || !strings.Contains(r.stdout, "version:  ") || !strings.Contains(r.stdout, "port:     ") {
		t.Errorf("local status:\n%s", r.stdout)
	}
	step("stopped", "local", "stop")
	step("status:   stopped", "local", "status")
	// Only `more` runs: it reads the table the first run built, so the data
	// outlived the stop.
	step("Starting the managed local PostgreSQL", "run", "-s", "more")
	// Running already: no second start.
	if r := step("", "run", "-s", "more"); strings.Contains(r.stderr, "Starting") {
		t.Errorf("started a running cluster again:\n%s", r.stderr)
	}
	step("running on port", "local", "start")
	step("destroyed", "local", "destroy", "--yes")
	if _, err := os.Stat(pgdir); !os.IsNotExist(err) {
		t.Errorf("%s after destroy: %v", pgdir, err)
	}
}

// A target not marked managed is never started: an unreachable server is
// an error.
func TestUnreachableTargetNotManaged(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir := localProject(t, fmt.Sprintf("      type: postgres\n      host: 127.0.0.1\n      port: %d\n      user: u\n      password: p\n      dbname: d\n      schema: s\n      connect_timeout: 2\n", port))
	r := run(t, nil, "run", "--project-dir", dir)
	if r.code != 2 {
		t.Errorf("exit %d, want 2\nstderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "Starting") {
		t.Errorf("started a server:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".gmodel")); !os.IsNotExist(err) {
		t.Errorf(".gmodel was created: %v", err)
	}
}
