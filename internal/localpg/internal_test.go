//go:build unix

package localpg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"initdb", "postgres"} {
			if err := os.WriteFile(filepath.Join(d, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	for _, v := range []string{"9.6", "15", "16", "10"} {
		mk("lib/postgresql/" + v + "/bin")
	}
	if err := os.MkdirAll(filepath.Join(root, "lib/postgresql/17/bin"), 0o755); err != nil { // client only
		t.Fatal(err)
	}
	onPath := mk("opt/pg/bin")
	linkDir := filepath.Join(root, "usr-local-bin")
	if err := os.MkdirAll(linkDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(onPath, "initdb"), filepath.Join(linkDir, "initdb")); err != nil {
		t.Fatal(err)
	}
	globs := []string{filepath.Join(root, "lib/postgresql/*/bin")}
	none := []string{filepath.Join(root, "nowhere/*/bin")}
	const debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
	const ubuntu = "ID=ubuntu\nID_LIKE=debian\n"
	const fedora = "ID=fedora\n"

	for _, tc := range []struct {
		name, path string
		globs      []string
		goos, rel  string
		want       string // the directory found, or text the error must hold
	}{
		{"highest version", "", globs, "linux", debian, filepath.Join(root, "lib/postgresql/16/bin")},
		{"PATH first", onPath, globs, "linux", debian, onPath},
		{"PATH link into the real bin dir", linkDir, globs, "linux", debian, onPath},
		{"debian", "", none, "linux", debian, "apt-get install postgresql"},
		{"ubuntu", "", none, "linux", ubuntu, "apt-get install postgresql"},
		{"fedora", "", none, "linux", fedora, "dnf install postgresql-server"},
		{"unknown linux", "", none, "linux", "", "Debian/Ubuntu: apt-get install postgresql"},
		{"macOS", "", none, "darwin", "", "brew install postgresql@16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findBinaries(tc.path, tc.globs, tc.goos, tc.rel)
			if strings.HasPrefix(tc.want, root) {
				if err != nil || got != tc.want {
					t.Fatalf("findBinaries = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrNoBinaries) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("findBinaries = %q, %v; want ErrNoBinaries saying %q", got, err, tc.want)
			}
			if !strings.Contains(err.Error(), "looked on PATH, "+tc.globs[0]) {
				t.Errorf("error does not say where it looked: %v", err)
			}
		})
	}
}

func TestServerHidesPassword(t *testing.T) {
	s := &Server{Dir: "/x", Host: "127.0.0.1", Port: 5432, User: "postgres", password: "s3cr3t-pw"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		if out := fmt.Sprintf(verb, s); strings.Contains(out, "s3cr3t") {
			t.Errorf("%s prints the password: %s", verb, out)
		}
	}
	if dsn := s.DSN("db"); dsn != "postgres://postgres:s3cr3t-pw@127.0.0.1:5432/db?sslmode=disable" {
		t.Errorf("DSN = %q", dsn)
	}
}

// TestPortTakenAtLaunch: a port taken between the check and postgres' bind
// is reported as errPortInUse, which Start retries with another port.
func TestPortTakenAtLaunch(t *testing.T) {
	ctx := context.Background()
	opts := Options{Dir: filepath.Join(TempDirForTest(t), "pg"), FSyncOff: true, InitCache: InitCacheForTest(t)}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	opts.Dir, _ = filepath.Abs(opts.Dir)
	opts.BinDir, _ = FindBinaries()
	as, err := resolveOSUser("")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := launch(ctx, &opts, as, l.Addr().(*net.TCPAddr).Port)
	if err == nil {
		_ = s2.Stop(ctx)
	}
	if !errors.Is(err, errPortInUse) {
		t.Fatalf("launch on a busy port: %v, want errPortInUse", err)
	}
}

func TestSocketDir(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want bool
	}{
		{"/tmp/gmodel-pgtest-0/run-123", true},
		{"/tmp/" + strings.Repeat("x", 90), false}, // sun_path holds 107 bytes
		{"/tmp/a,b", false},
	} {
		if got := socketDir(tc.dir, 65535) != ""; got != tc.want {
			t.Errorf("socketDir(%q) used = %v, want %v", tc.dir, got, tc.want)
		}
	}
}

func TestExternalStopsOnce(t *testing.T) {
	calls := 0
	s := External("h", 1, "u", "pw", func(context.Context) error { calls++; return errors.New("gone") })
	for i := 0; i < 2; i++ {
		if err := s.Destroy(context.Background()); err == nil || err.Error() != "gone" {
			t.Fatalf("Destroy = %v, want the first stop's error", err)
		}
	}
	if calls != 1 {
		t.Fatalf("stop called %d times, want 1", calls)
	}
}
