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

// startManaged starts the project's persistent cluster, or finds it
// running. Without the PostgreSQL server binaries it fails with one
// message saying what to install.
func startManaged(ctx context.Context, f *Factory, root string) (*localpg.Server, error) {
	find := f.PGBinaries
	if find == nil {
		find = localpg.FindBinaries
	}
	bin, err := find()
	if err != nil {
		return nil, fmt.Errorf("the managed local target needs PostgreSQL: %w", err)
	}
	dir := managedDir(root)
	if st, err := localpg.Status(ctx, dir); err == nil && !st.Running {
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
