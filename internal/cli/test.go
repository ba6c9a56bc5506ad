package cli

import (
	"context"

	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/runner"
	"github.com/spf13/cobra"
)

type testOptions struct {
	f   *Factory
	g   *globalOptions
	ctx context.Context
	execFlags
}

func newCmdTest(f *Factory, g *globalOptions, runF func(*testOptions) error) *cobra.Command {
	opts := &testOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the selected data tests (generic and singular) against the target database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return testRun(opts)
		},
	}
	opts.register(cmd, true)
	return cmd
}

func testRun(opts *testOptions) error {
	return execute(opts.ctx, opts.f, opts.g, runner.CmdTest, &opts.execFlags, []string{compiler.Test})
}
