package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gmodel/gmodel/internal/localpg"
)

type localOptions struct {
	f      *Factory
	g      *globalOptions
	ctx    context.Context
	Action string // status, start, stop or destroy
	Yes    bool   // destroy without asking
}

// newCmdLocal is `gmodel local status|start|stop|destroy`: the managed
// local PostgreSQL of the project (.gmodel/pg).
func newCmdLocal(f *Factory, g *globalOptions, runF func(*localOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "local",
		Short: "See and control the managed local PostgreSQL of the project (.gmodel/pg)",
		Long: "A postgres target with `managed: true` is served by a PostgreSQL cluster gmodel runs\n" +
			"itself in the project's .gmodel/pg, started by run, seed, test and build when it is down.",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr(fmt.Errorf("gmodel local: unknown action %q; use status, start, stop or destroy", args[0]))
			}
			return cmd.Help()
		},
	}
	sub := func(action, short string) *cobra.Command {
		opts := &localOptions{f: f, g: g, Action: action}
		c := &cobra.Command{
			Use:   action,
			Short: short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				opts.ctx = cmd.Context()
				if runF != nil {
					return runF(opts)
				}
				return localRun(opts)
			},
		}
		if action == "destroy" {
			c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "confirm: delete the cluster and all its data")
		}
		return c
	}
	cmd.AddCommand(
		sub("status", "Print whether the cluster runs, its port, data directory and version"),
		sub("start", "Start the cluster, creating it if needed"),
		sub("stop", "Stop the cluster; its data is kept"),
		sub("destroy", "Stop the cluster and delete it with all its data (needs --yes)"),
	)
	return cmd
}

func localRun(opts *localOptions) error {
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	root, err := projectRoot(opts.f, opts.g)
	if err != nil {
		return usageErr(err)
	}
	dir := managedDir(root)
	out := opts.f.IO.Out
	docker, err := usesDocker(dir)
	if err != nil {
		return usageErr(err)
	}
	if docker && opts.Action != "start" {
		return localDocker(ctx, opts, dir)
	}
	switch opts.Action {
	case "status":
		st, err := localpg.Status(ctx, dir)
		if err != nil {
			return usageErr(err)
		}
		state := "stopped"
		switch {
		case st.Running:
			state = "running"
		case !st.Initialized:
			state = "stopped (not created yet)"
		}
		fmt.Fprintf(out, "status:   %s\n", state)
		if st.Port != 0 {
			fmt.Fprintf(out, "port:     %d\n", st.Port)
		}
		fmt.Fprintf(out, "data dir: %s\n", dir)
		if st.Version != "" {
			fmt.Fprintf(out, "version:  %s\n", st.Version)
		}
	case "start":
		srv, err := startManaged(ctx, opts.f, root)
		if err != nil {
			return usageErr(err)
		}
		if srv.Dir == "" {
			fmt.Fprintf(out, "running on %s:%d (Docker; %s)\n", srv.Host, srv.Port, dir)
		} else {
			fmt.Fprintf(out, "running on port %d (%s)\n", srv.Port, dir)
		}
	case "stop":
		if err := localpg.Stop(ctx, dir); err != nil {
			return usageErr(err)
		}
		fmt.Fprintln(out, "stopped")
	case "destroy":
		if !opts.Yes {
			return usageErr(fmt.Errorf("gmodel local destroy deletes %s and all its data; run it again with --yes to confirm", dir))
		}
		if err := localpg.Destroy(ctx, dir); err != nil {
			return usageErr(err)
		}
		// .gmodel itself goes too when the cluster was all it held.
		_ = os.Remove(filepath.Dir(dir))
		fmt.Fprintf(out, "destroyed %s\n", dir)
	default:
		return usageErr(errors.New("unknown action " + opts.Action))
	}
	return nil
}

// localDocker is status, stop and destroy for a project whose managed
// server is its persistent Docker container.
func localDocker(ctx context.Context, opts *localOptions, dir string) error {
	out := opts.f.IO.Out
	switch opts.Action {
	case "status":
		st, err := dockerBackend.Status(ctx, dir)
		if err != nil {
			return usageErr(err)
		}
		state := "stopped"
		switch {
		case st.Running:
			state = "running"
		case !st.Exists:
			state = "stopped (container not created yet)"
		}
		fmt.Fprintf(out, "status:    %s\n", state)
		fmt.Fprintf(out, "backend:   docker (image %s)\n", st.Image)
		fmt.Fprintf(out, "container: %s\n", st.Container)
		fmt.Fprintf(out, "volume:    %s\n", st.Volume)
		if st.Running {
			fmt.Fprintf(out, "address:   %s:%d\n", st.Host, st.Port)
		}
		fmt.Fprintf(out, "data dir:  %s\n", dir)
	case "stop":
		if err := dockerBackend.Stop(ctx, dir); err != nil {
			return usageErr(err)
		}
		fmt.Fprintln(out, "stopped")
	case "destroy":
		if !opts.Yes {
			return usageErr(fmt.Errorf("gmodel local destroy deletes the Docker container and volume of %s and all its data; run it again with --yes to confirm", dir))
		}
		if err := dockerBackend.Destroy(ctx, dir); err != nil {
			return usageErr(err)
		}
		_ = os.Remove(filepath.Dir(dir))
		fmt.Fprintf(out, "destroyed the container and volume of %s\n", dir)
	default:
		return usageErr(errors.New("unknown action " + opts.Action))
	}
	return nil
}

// projectRoot is the project directory (--project-dir, $DBT_PROJECT_DIR or
// the current directory), absolute, as loadWorkspace finds it.
func projectRoot(f *Factory, g *globalOptions) (string, error) {
	dir := projectDir(f, g)
	if !filepath.IsAbs(dir) {
		wd, err := f.Getwd()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(wd, dir)
	}
	return filepath.Clean(dir), nil
}
