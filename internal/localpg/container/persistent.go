package container

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/jackc/pgx/v5"
	ctypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/gmodel/gmodel/internal/localpg"
)

// The persistent container of a project's managed local target: created
// once with the Docker API (not through testcontainers' container
// lifecycle, so no reaper ever tracks or removes it), named after the
// project's cluster directory, its data in a named volume, and started
// again (or created again) by later gmodel runs.
//
// The cluster directory (e.g. .gmodel/pg) then holds only:
//
//	container.json  the backend record: container, volume and image
//	password        the superuser's generated password (mode 0600)

// BackendFile is the record in a cluster directory saying the project's
// server runs in a Docker container.
const BackendFile = "container.json"

const (
	pgPort   = "5432/tcp"
	dataPath = "/var/lib/postgresql/data"
	// LabelDir is the label holding the cluster directory's absolute path.
	LabelDir = "dev.gmodel.dir"
	// LabelManaged marks containers and volumes gmodel manages.
	LabelManaged = "dev.gmodel.managed"
)

// Record is the content of BackendFile.
type Record struct {
	Backend   string `json:"backend"` // "docker"
	Container string `json:"container"`
	Volume    string `json:"volume"`
	Image     string `json:"image"`
	User      string `json:"user"`
}

// Name is the container name for the cluster directory dir:
// gmodel-<first 12 hex digits of the SHA-256 of its absolute path>.
func Name(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	return "gmodel-" + hex.EncodeToString(sum[:6]), nil
}

// ReadRecord reads dir's BackendFile; ok is false when there is none.
func ReadRecord(dir string) (rec Record, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, BackendFile))
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, false, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &rec)
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("container: %s: %w", filepath.Join(dir, BackendFile), err)
	}
	return rec, true, nil
}

// Spec is what the persistent container is created with.
type Spec struct {
	Name   string
	Image  string
	Volume string // named volume mounted at the data directory
	Labels map[string]string
	Env    map[string]string
	Cmd    []string
}

// Info is what the engine says about a container.
type Info struct {
	Exists  bool
	Running bool
	Image   string
	Port    int // the host port of 5432/tcp, when running
}

// Engine is the part of the Docker API the persistent container needs; the
// real one talks to the engine testcontainers-go finds. Tests replace
// NewEngine with a fake.
type Engine interface {
	Inspect(ctx context.Context, name string) (Info, error)
	Host(ctx context.Context) (string, error)
	Pull(ctx context.Context, image string) error
	Create(ctx context.Context, spec Spec) error
	Start(ctx context.Context, name string) error
	Stop(ctx context.Context, name string) error
	Remove(ctx context.Context, name, volume string) error
	Close() error
}

// NewEngine connects to the Docker engine. A variable for tests.
var NewEngine = func(ctx context.Context, log io.Writer) (Engine, error) {
	routeLogs(log)
	if err := Available(ctx); err != nil {
		return nil, err
	}
	p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(logger{}))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDocker, err)
	}
	return &dockerEngine{p: p}, nil
}

// Ready waits until the server accepts connections. A variable for tests.
var Ready = func(ctx context.Context, s *localpg.Server) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	for {
		c, err := pgx.Connect(ctx, s.DSN(""))
		if err == nil {
			return c.Close(ctx)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s does not accept connections: %w", s, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Status is what StatusPersistent finds.
type Status struct {
	Container string
	Volume    string
	Image     string
	Exists    bool // the container exists
	Running   bool
	Host      string
	Port      int
}

// StartPersistent starts the persistent container of the cluster
// directory opts.Dir: it starts it if stopped, creates it (and its volume)
// if missing, and records it in opts.Dir/BackendFile. opts.User, Image,
// Settings and Log are used. The returned server's Stop stops the
// container; its data stays in the volume.
func StartPersistent(ctx context.Context, opts localpg.Options) (*localpg.Server, error) {
	dir, err := filepath.Abs(opts.Dir)
	if err != nil || opts.Dir == "" {
		return nil, fmt.Errorf("container: start: a cluster directory is required (%v)", err)
	}
	rec, ok, err := ReadRecord(dir)
	if err != nil {
		return nil, err
	}
	if !ok {
		name, err := Name(dir)
		if err != nil {
			return nil, err
		}
		img := opts.Image
		if img == "" {
			img = DefaultImage
		}
		rec = Record{Backend: "docker", Container: name, Volume: name + "-data", Image: img, User: opts.SuperUser()}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("container: %w", err)
	}
	pw, err := readOrMakePassword(dir)
	if err != nil {
		return nil, err
	}
	e, err := NewEngine(ctx, opts.Log)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	info, err := e.Inspect(ctx, rec.Container)
	if err != nil {
		return nil, fmt.Errorf("container: inspect %s: %w", rec.Container, err)
	}
	if !info.Exists {
		if err := e.Pull(ctx, rec.Image); err != nil {
			return nil, fmt.Errorf("container: pull %s: %w", rec.Image, err)
		}
		spec := Spec{
			Name:   rec.Container,
			Image:  rec.Image,
			Volume: rec.Volume,
			Labels: map[string]string{LabelManaged: "true", LabelDir: dir},
			Env:    map[string]string{"POSTGRES_USER": rec.User, "POSTGRES_PASSWORD": pw, "POSTGRES_DB": "postgres"},
			Cmd:    append([]string{"postgres"}, opts.SettingArgs()...),
		}
		if err := e.Create(ctx, spec); err != nil {
			return nil, fmt.Errorf("container: create %s: %w", rec.Container, err)
		}
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "container: created %s (%s, volume %s)\n", rec.Container, rec.Image, rec.Volume)
		}
	}
	if err := writeRecord(dir, rec); err != nil {
		return nil, err
	}
	if !info.Running {
		if err := e.Start(ctx, rec.Container); err != nil {
			return nil, fmt.Errorf("container: start %s: %w", rec.Container, err)
		}
		if info, err = e.Inspect(ctx, rec.Container); err != nil {
			return nil, fmt.Errorf("container: inspect %s: %w", rec.Container, err)
		}
	}
	if info.Port == 0 {
		return nil, fmt.Errorf("container: %s publishes no port for %s", rec.Container, pgPort)
	}
	host, err := e.Host(ctx)
	if err != nil {
		return nil, fmt.Errorf("container: %w", err)
	}
	srv := localpg.External(host, info.Port, rec.User, pw, func(ctx context.Context) error {
		return StopPersistent(ctx, dir)
	})
	if err := Ready(ctx, srv); err != nil {
		return nil, fmt.Errorf("container: %s: %w", rec.Container, err)
	}
	return srv, nil
}

// StatusPersistent reports on the container recorded in dir.
func StatusPersistent(ctx context.Context, dir string) (Status, error) {
	rec, ok, err := ReadRecord(dir)
	if err != nil || !ok {
		return Status{}, err
	}
	st := Status{Container: rec.Container, Volume: rec.Volume, Image: rec.Image}
	e, err := NewEngine(ctx, nil)
	if err != nil {
		return st, err
	}
	defer e.Close()
	info, err := e.Inspect(ctx, rec.Container)
	if err != nil {
		return st, err
	}
	st.Exists, st.Running, st.Port = info.Exists, info.Running, info.Port
	if st.Running {
		st.Host, _ = e.Host(ctx)
	}
	return st, nil
}

// StopPersistent stops the container recorded in dir; its data is kept.
// A stopped or missing container is not an error.
func StopPersistent(ctx context.Context, dir string) error {
	rec, ok, err := ReadRecord(dir)
	if err != nil || !ok {
		return err
	}
	e, err := NewEngine(ctx, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	info, err := e.Inspect(ctx, rec.Container)
	if err != nil || !info.Running {
		return err
	}
	if err := e.Stop(ctx, rec.Container); err != nil {
		return fmt.Errorf("container: stop %s: %w", rec.Container, err)
	}
	return nil
}

// DestroyPersistent removes the container recorded in dir, its volume
// with all the data, and dir's record and password (then dir, if empty).
func DestroyPersistent(ctx context.Context, dir string) error {
	rec, ok, err := ReadRecord(dir)
	if err != nil || !ok {
		return err
	}
	e, err := NewEngine(ctx, nil)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.Remove(ctx, rec.Container, rec.Volume); err != nil {
		return fmt.Errorf("container: remove %s: %w", rec.Container, err)
	}
	for _, f := range []string{BackendFile, "password"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("container: %w", err)
		}
	}
	_ = os.Remove(dir)
	return nil
}

func writeRecord(dir string, rec Record) error {
	b, err := json.MarshalIndent(rec, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, BackendFile), append(b, '\n'), 0o600)
	}
	if err != nil {
		return fmt.Errorf("container: record: %w", err)
	}
	return nil
}

func readOrMakePassword(dir string) (string, error) {
	path := filepath.Join(dir, "password")
	b, err := os.ReadFile(path)
	if err == nil {
		if pw := strings.TrimSpace(string(b)); pw != "" {
			return pw, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("container: %w", err)
	}
	pw, err := password()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("container: %w", err)
	}
	return pw, nil
}

// dockerEngine is Engine over the Docker client testcontainers-go makes.
type dockerEngine struct {
	p *testcontainers.DockerProvider
}

func (d *dockerEngine) Close() error { return d.p.Close() }

func (d *dockerEngine) Host(ctx context.Context) (string, error) { return d.p.DaemonHost(ctx) }

func (d *dockerEngine) Pull(ctx context.Context, image string) error {
	if _, err := d.p.Client().ImageInspect(ctx, image); err == nil {
		return nil
	}
	return d.p.PullImage(ctx, image)
}

func (d *dockerEngine) Inspect(ctx context.Context, name string) (Info, error) {
	r, err := d.p.Client().ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, err
	}
	c := r.Container
	info := Info{Exists: true}
	if c.Config != nil {
		info.Image = c.Config.Image
	}
	if c.State != nil {
		info.Running = c.State.Running
	}
	if c.NetworkSettings != nil {
		for _, b := range c.NetworkSettings.Ports[network.MustParsePort(pgPort)] {
			if p, err := strconv.Atoi(b.HostPort); err == nil && p > 0 {
				info.Port = p
				break
			}
		}
	}
	return info, nil
}

func (d *dockerEngine) Create(ctx context.Context, s Spec) error {
	env := make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		env = append(env, k+"="+v)
	}
	port := network.MustParsePort(pgPort)
	_, err := d.p.Client().ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: s.Name,
		Config: &ctypes.Config{
			Image:        s.Image,
			Env:          env,
			Cmd:          s.Cmd,
			Labels:       s.Labels,
			ExposedPorts: network.PortSet{port: struct{}{}},
		},
		HostConfig: &ctypes.HostConfig{
			// 127.0.0.1 only; Docker picks a free host port at each start.
			PortBindings: network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1")}}},
			Mounts: []mount.Mount{{
				Type: mount.TypeVolume, Source: s.Volume, Target: dataPath,
				VolumeOptions: &mount.VolumeOptions{Labels: s.Labels},
			}},
		},
	})
	return err
}

func (d *dockerEngine) Start(ctx context.Context, name string) error {
	_, err := d.p.Client().ContainerStart(ctx, name, client.ContainerStartOptions{})
	return err
}

func (d *dockerEngine) Stop(ctx context.Context, name string) error {
	_, err := d.p.Client().ContainerStop(ctx, name, client.ContainerStopOptions{})
	return err
}

func (d *dockerEngine) Remove(ctx context.Context, name, volume string) error {
	_, err := d.p.Client().ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return err
	}
	_, err = d.p.Client().VolumeRemove(ctx, volume, client.VolumeRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return err
	}
	return nil
}
