package cli

import (
	"context"

	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/runner"
	"github.com/spf13/cobra"
)

type buildOptions struct {
	f   *Factory
	g   *globalOptions
	ctx context.Context
	execFlags
}

func newCmdBuild(f *Factory, g *globalOptions, runF func(*buildOptions) error) *cobra.Command {
	opts := &buildOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Load seeds, build models and run tests in graph order; a failing test skips what is built on its model",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return buildRun(opts)
		},
	}
	opts.register(cmd, true)
	return cmd
}

// Snapshots are selected too, so that the runner can say it leaves them out.
func buildRun(opts *buildOptions) error {
	return execute(opts.ctx, opts.f, opts.g, runner.CmdBuild, &opts.execFlags,
		[]string{compiler.Seed, compiler.Model, compiler.Snapshot, compiler.Test})
}
