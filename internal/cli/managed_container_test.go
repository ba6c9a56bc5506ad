package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/internal/localpg"
	"github.com/gmodel/gmodel/internal/localpg/container"
)

// With a Docker engine answering and no cluster yet, the managed target
// uses the Docker backend, and local status/stop/destroy act on it.
func TestManagedChoosesContainer(t *testing.T) {
	old := dockerBackend
	t.Cleanup(func() { dockerBackend = old })
	var started, stopped, destroyed int
	dockerBackend.Available = func(context.Context) error { return nil }
	dockerBackend.Start = func(_ context.Context, o localpg.Options) (*localpg.Server, error) {
		started++
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(o.Dir, container.BackendFile), []byte(`{"backend":"docker","container":"gmodel-x"}`), 0o600); err != nil {
			return nil, err
		}
		return localpg.External("127.0.0.1", 1, "postgres", "pw", func(context.Context) error { return nil }), nil
	}
	dockerBackend.Status = func(context.Context, string) (container.Status, error) {
		return container.Status{Container: "gmodel-x", Exists: true}, nil
	}
	dockerBackend.Stop = func(context.Context, string) error { stopped++; return nil }
	dockerBackend.Destroy = func(_ context.Context, dir string) error { destroyed++; return os.RemoveAll(dir) }

	root := t.TempDir()
	f, out, _ := testFactory()
	f.PGBinaries = func() (string, error) { t.Fatal("binaries looked up"); return "", nil }
	if _, err := startManaged(context.Background(), f, root); err != nil || started != 1 {
		t.Fatalf("startManaged: %v, started %d", err, started)
	}
	for _, a := range []string{"status", "stop"} {
		code := MainWith(context.Background(), f, []string{"local", a, "--project-dir", root})
		if code != 0 {
			t.Fatalf("local %s: exit %d", a, code)
		}
	}
	if !strings.Contains(out.String(), "container: gmodel-x") || stopped != 1 {
		t.Fatalf("output %q, stopped %d", out.String(), stopped)
	}
	if code := MainWith(context.Background(), f, []string{"local", "destroy", "--yes", "--project-dir", root}); code != 0 || destroyed != 1 {
		t.Fatalf("destroy: exit %d, destroyed %d", code, destroyed)
	}
}

// Without Docker, the binaries are used; a project with a binaries cluster
// keeps it even when Docker answers.
func TestManagedFallsBackToBinaries(t *testing.T) {
	old := dockerBackend
	t.Cleanup(func() { dockerBackend = old })
	dockerBackend.Available = func(context.Context) error { return container.ErrNoDocker }
	dockerBackend.Start = func(context.Context, localpg.Options) (*localpg.Server, error) {
		t.Fatal("Docker backend used")
		return nil, nil
	}
	f, _, _ := testFactory()
	f.PGBinaries = func() (string, error) { return "", errors.New("install them: apt-get install postgresql") }
	_, err := startManaged(context.Background(), f, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "Docker") || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Fatalf("err = %v; want the install hint for Docker or PostgreSQL", err)
	}

	root := t.TempDir()
	data := filepath.Join(managedDir(root), "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "PG_VERSION"), []byte("16\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dockerBackend.Available = func(context.Context) error { return nil }
	if _, err := startManaged(context.Background(), f, root); err == nil || !strings.Contains(err.Error(), "apt-get") {
		t.Fatalf("existing binaries cluster: err = %v; want the binaries path", err)
	}
}
