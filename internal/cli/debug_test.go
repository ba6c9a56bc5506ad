package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDebugFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *debugOptions
	cmd := newCmdDebug(f, &globalOptions{}, func(o *debugOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--config-dir"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.ConfigDir {
		t.Errorf("parsed %+v", got)
	}
}

// closedPort is a local TCP port with nothing listening.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

const debugSecret = "s3cret-debug-never-printed"

func TestDebug(t *testing.T) {
	dir := initProject(t, "shop")
	profile := fmt.Sprintf(`shop:
  target: dev
  outputs:
    dev:
      type: postgres
      host: 127.0.0.1
      port: %d
      user: alice
      password: "{{ env_var('SHOP_PASSWORD') }}"
      dbname: shop
      schema: analytics
      threads: 3
      connect_timeout: 5
`, closedPort(t))
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"refused", nil, ExitFailure, []string{
			"gmodel version: " + Version, "go version: go",
			"project file: " + filepath.Join(dir, "dbt_project.yml"), "project name: shop",
			"profiles.yml: " + filepath.Join(dir, "profiles.yml"), "profile: shop", "target: dev",
			"type:     postgres", "host:     127.0.0.1", "user:     alice", "password: ******",
			"database: shop", "schema:   analytics", "threads:  3",
			"Connection test: ERROR", "1 check failed"}},
		{"threads flag", []string{"--threads", "7"}, ExitFailure, []string{"threads:  7"}},
		{"config dir", []string{"--config-dir"}, ExitOK, []string{"profiles.yml is in " + dir}},
		{"unknown target", []string{"--target", "nosuch"}, ExitError, []string{"profile: shop", "target: ERROR", "nosuch"}},
		{"no project", []string{"--project-dir", filepath.Join(dir, "nosuch")}, ExitError, []string{"does not exist"}},
	} {
		f, out, errb := testFactory()
		f.LookupEnv = func(k string) (string, bool) {
			if k == "SHOP_PASSWORD" {
				return debugSecret, true
			}
			return "", false
		}
		args := append([]string{"debug", "--project-dir", dir}, tc.args...)
		code := MainWith(context.Background(), f, args)
		all := out.String() + errb.String()
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.name, code, tc.code, all)
		}
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, all)
			}
		}
		if strings.Contains(all, debugSecret) {
			t.Errorf("%s: the password is in the output:\n%s", tc.name, all)
		}
		if tc.name == "refused" && !strings.Contains(strings.ToLower(all), "refused") {
			t.Errorf("refused: the error does not say the connection was refused:\n%s", all)
		}
	}
}
