package container

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/internal/localpg"
)

type fakeEngine struct {
	info    Info
	created []Spec
	calls   []string
}

func (f *fakeEngine) Inspect(context.Context, string) (Info, error) { return f.info, nil }
func (f *fakeEngine) Host(context.Context) (string, error)          { return "127.0.0.1", nil }
func (f *fakeEngine) Pull(_ context.Context, img string) error {
	f.calls = append(f.calls, "pull "+img)
	return nil
}
func (f *fakeEngine) Create(_ context.Context, s Spec) error {
	f.created = append(f.created, s)
	f.info.Exists = true
	return nil
}
func (f *fakeEngine) Start(_ context.Context, n string) error {
	f.calls = append(f.calls, "start "+n)
	f.info.Running, f.info.Port = true, 40001
	return nil
}
func (f *fakeEngine) Stop(_ context.Context, n string) error {
	f.calls = append(f.calls, "stop "+n)
	f.info.Running, f.info.Port = false, 0
	return nil
}
func (f *fakeEngine) Remove(_ context.Context, n, v string) error {
	f.calls = append(f.calls, "remove "+n+" "+v)
	f.info = Info{}
	return nil
}
func (f *fakeEngine) Close() error { return nil }

func withFake(t *testing.T, e *fakeEngine) {
	oldE, oldR := NewEngine, Ready
	NewEngine = func(context.Context, io.Writer) (Engine, error) { return e, nil }
	Ready = func(context.Context, *localpg.Server) error { return nil }
	t.Cleanup(func() { NewEngine, Ready = oldE, oldR })
}

// The persistent container is created once, with the project's name, a
// named volume, gmodel's labels and no testcontainers session label (so
// no reaper removes it), then started again and reused.
func TestContainerPersistentLifecycle(t *testing.T) {
	e := &fakeEngine{}
	withFake(t, e)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), ".gmodel", "pg")
	srv, err := StartPersistent(ctx, localpg.Options{Dir: dir, Persistent: true})
	if err != nil {
		t.Fatal(err)
	}
	name, _ := Name(dir)
	if !strings.HasPrefix(name, "gmodel-") || len(name) != len("gmodel-")+12 {
		t.Fatalf("name %q", name)
	}
	if len(e.created) != 1 {
		t.Fatalf("created %d containers", len(e.created))
	}
	s := e.created[0]
	if s.Name != name || s.Volume != name+"-data" || s.Image != DefaultImage {
		t.Fatalf("spec %+v", s)
	}
	if s.Labels[LabelDir] != dir || s.Labels[LabelManaged] != "true" {
		t.Fatalf("labels %v", s.Labels)
	}
	for k := range s.Labels {
		if strings.Contains(k, "testcontainers") {
			t.Fatalf("testcontainers label %q: the reaper would remove the container", k)
		}
	}
	pwFile := filepath.Join(dir, "password")
	fi, err := os.Stat(pwFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v %v", fi, err)
	}
	if s.Env["POSTGRES_PASSWORD"] != srv.Password() || srv.Port != 40001 || srv.Dir != "" {
		t.Fatalf("server %v, env password matches: %v", srv, s.Env["POSTGRES_PASSWORD"] == srv.Password())
	}
	rec, ok, err := ReadRecord(dir)
	if err != nil || !ok || rec.Container != name || rec.Backend != "docker" {
		t.Fatalf("record %+v %v %v", rec, ok, err)
	}

	// Stopped, then started again: reused, not created again, same password.
	if err := StopPersistent(ctx, dir); err != nil {
		t.Fatal(err)
	}
	srv2, err := StartPersistent(ctx, localpg.Options{Dir: dir, Persistent: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.created) != 1 || srv2.Password() != srv.Password() {
		t.Fatalf("restart created %d containers; password kept: %v", len(e.created), srv2.Password() == srv.Password())
	}
	st, err := StatusPersistent(ctx, dir)
	if err != nil || !st.Running || st.Container != name {
		t.Fatalf("status %+v %v", st, err)
	}

	if err := DestroyPersistent(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if got := e.calls[len(e.calls)-1]; got != "remove "+name+" "+name+"-data" {
		t.Fatalf("last call %q", got)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s left: %v", dir, err)
	}
}
