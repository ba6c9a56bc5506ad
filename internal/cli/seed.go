package cli

import (
	"context"

	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/runner"
	"github.com/spf13/cobra"
)

type seedOptions struct {
	f   *Factory
	g   *globalOptions
	ctx context.Context
	execFlags
}

func newCmdSeed(f *Factory, g *globalOptions, runF func(*seedOptions) error) *cobra.Command {
	opts := &seedOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Load the seed CSV files into tables (COPY), replacing their rows",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return seedRun(opts)
		},
	}
	opts.register(cmd, false)
	return cmd
}

func seedRun(opts *seedOptions) error {
	return execute(opts.ctx, opts.f, opts.g, runner.CmdSeed, &opts.execFlags, []string{compiler.Seed})
}
