package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/postgres"
	"github.com/gmodel/gmodel/internal/localpg"
	"github.com/gmodel/gmodel/internal/localpg/container"
	"github.com/gmodel/gmodel/profiles"
)

// managedDir is the cluster directory of a project's managed local target.
func managedDir(projectRoot string) string {
	return filepath.Join(projectRoot, ".gmodel", "pg")
}

// openAdapter opens the workspace's target. A postgres target marked
// `managed: true` is served by the project's own cluster (.gmodel/pg),
// started when it is not running; any other target is opened as written,
// so an unreachable remote server stays an error.
func (w *workspace) openAdapter(ctx context.Context, f *Factory, opts adapters.Options) (adapters.Adapter, error) {
	if w.target.Type != "postgres" {
		return adapters.Open(ctx, w.target, opts)
	}
	cfg, err := profiles.DecodePostgres(w.target)
	if err != nil || !cfg.Managed {
		return adapters.Open(ctx, w.target, opts)
	}
	srv, err := startManaged(ctx, f, w.project.Root)
	if err != nil {
		return nil, err
	}
	if cfg.Database == "" {
		cfg.Database = w.target.Profile
	}
	if cfg.Schema == "" {
		cfg.Schema = "public"
	}
	if err := ensureDatabase(ctx, srv, cfg.Database); err != nil {
		return nil, err
	}
	// The cluster's generated credentials replace the profile's; the
	// compiler sees the same database, schema and user as the adapter.
	cfg.Host, cfg.Port, cfg.User = srv.Host, srv.Port, srv.User
	cfg.Password = profiles.Secret(srv.Password())
	cfg.SSLMode = "disable"
	w.target.Database, w.target.Schema, w.target.User = cfg.Database, cfg.Schema, cfg.User
	return postgres.New(ctx, cfg, opts)
}

// dockerBackend is the Docker side of the managed target; tests replace it.
var dockerBackend = struct {
	Available func(context.Context) error
	Start     func(context.Context, localpg.Options) (*localpg.Server, error)
	Status    func(context.Context, string) (container.Status, error)
	Stop      func(context.Context, string) error
	Destroy   func(context.Context, string) error
}{container.Available, container.StartPersistent, container.StatusPersistent, container.StopPersistent, container.DestroyPersistent}

// usesDocker says whether the project's managed server is its persistent
// Docker container (recorded in dir) rather than a local-binaries cluster.
func usesDocker(dir string) (bool, error) {
	_, ok, err := container.ReadRecord(dir)
	return ok, err
}

// startManaged starts the project's persistent server, or finds it
// running: the project's Docker container when it has one; else its
// local-binaries cluster when it has one; else a new container when a
// Docker engine answers; else a new cluster from the local PostgreSQL
// binaries. Without either it fails with one message saying what to
// install.
func startManaged(ctx context.Context, f *Factory, root string) (*localpg.Server, error) {
	dir := managedDir(root)
	docker, err := usesDocker(dir)
	if err != nil {
		return nil, fmt.Errorf("the managed local target: %w", err)
	}
	st, _ := localpg.Status(ctx, dir)
	if !docker && !st.Initialized && dockerBackend.Available(ctx) == nil {
		docker = true
	}
	if docker {
		if s, err := dockerBackend.Status(ctx, dir); err == nil && !s.Running {
			fmt.Fprintf(f.IO.Err, "Starting the managed local PostgreSQL in Docker (container %s)\n", s.Container)
		} else if err == nil && s.Container == "" {
			fmt.Fprintf(f.IO.Err, "Starting the managed local PostgreSQL in Docker (data in %s)\n", dir)
		}
		srv, err := dockerBackend.Start(ctx, localpg.Options{Dir: dir, Persistent: true})
		if err != nil {
			return nil, fmt.Errorf("the managed local target runs in Docker: %w (start Docker, or `gmodel local destroy --yes` to drop it)", err)
		}
		return srv, nil
	}
	find := f.PGBinaries
	if find == nil {
		find = localpg.FindBinaries
	}
	bin, err := find()
	if err != nil {
		return nil, fmt.Errorf("the managed local target needs Docker or PostgreSQL: no Docker engine answered, and %w", err)
	}
	if !st.Running {
		fmt.Fprintf(f.IO.Err, "Starting the managed local PostgreSQL in %s\n", dir)
	}
	srv, err := localpg.Start(ctx, localpg.Options{Dir: dir, BinDir: bin, Persistent: true})
	if err != nil {
		return nil, fmt.Errorf("the managed local target: %w", err)
	}
	return srv, nil
}

// ensureDatabase creates database on srv unless it exists.
func ensureDatabase(ctx context.Context, srv *localpg.Server, database string) error {
	conn, err := pgx.Connect(ctx, srv.DSN(""))
	if err != nil {
		return fmt.Errorf("the managed local target: connect to %s: %w", srv, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	err = conn.QueryRow(ctx, "select exists (select from pg_database where datname = $1)", database).Scan(&exists)
	if err == nil && !exists {
		_, err = conn.Exec(ctx, "create database "+pgx.Identifier{database}.Sanitize())
		var pe interface{ SQLState() string }
		if errors.As(err, &pe) && pe.SQLState() == "42P04" { // created meanwhile
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("the managed local target: create database %q: %w", database, err)
	}
	return nil
}
