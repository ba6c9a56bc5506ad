package cli

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/runner"
	"github.com/spf13/cobra"
)

// execFlags are the flags shared by run, seed, test and build.
type execFlags struct {
	sel           selectFlags
	FullRefresh   bool
	FailFast      bool
	StoreFailures bool // test and build
}

func (e *execFlags) register(cmd *cobra.Command, storeFailures bool) {
	e.sel.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&e.FullRefresh, "full-refresh", false, "rebuild incremental models from scratch and recreate seed tables")
	fl.BoolVarP(&e.FailFast, "fail-fast", "x", false, "stop at the first failure: cancel running statements and skip the rest")
	if storeFailures {
		fl.BoolVar(&e.StoreFailures, "store-failures", false, "store the failing rows of every test in <schema>_dbt_test__audit")
	}
}

type runOptions struct {
	f   *Factory
	g   *globalOptions
	ctx context.Context
	execFlags
}

func newCmdRun(f *Factory, g *globalOptions, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Build the selected models in the target database, in dependency order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	opts.register(cmd, false)
	return cmd
}

func runRun(opts *runOptions) error {
	return execute(opts.ctx, opts.f, opts.g, runner.CmdRun, &opts.execFlags, []string{compiler.Model})
}

// execute runs one of run, seed, test and build: it loads the workspace,
// opens the target's adapter and hands both to the runner. Exit codes: 1
// when a node or test failed, 2 when the run could not start (project,
// profile, connection, lock), 130 when it was cancelled.
func execute(ctx context.Context, f *Factory, g *globalOptions, command string, e *execFlags, resourceTypes []string) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := loadWorkspace(f, g)
	if err != nil {
		return err
	}
	var adapterLog io.Writer
	if w.debug {
		adapterLog = f.IO.Err
	}
	threads := max(w.threads, 1)
	ad, err := w.openAdapter(ctx, f, adapters.Options{Threads: threads, Log: adapterLog})
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		return usageErr(err)
	}
	// Closing waits for connections in use; a cancelled run must not hang
	// on a server that does not answer.
	defer closeWithin(ad, time.Second)

	copts := w.compilerOptions(f, command)
	rep, err := runner.Run(ctx, runner.Options{
		Command: command,
		Project: w.project,
		Compile: copts,
		Select: func(m *compiler.Manifest) ([]string, error) {
			return w.selectNodes(m, e.sel, resourceTypes)
		},
		Adapter:       ad,
		Threads:       threads,
		FullRefresh:   e.FullRefresh,
		FailFast:      e.FailFast,
		StoreFailures: e.StoreFailures,
		TargetDir:     w.targetDir(),
		Args:          invocationArgs(command, g, e, w),
		Log:           f.IO.Err,
	})
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return usageErr(err)
	}
	switch {
	case rep.Interrupted:
		return &exitError{code: ExitInterrupted, err: errors.New("")}
	case rep.Failed():
		return failureErr(errors.New(""))
	}
	return nil
}

func closeWithin(ad adapters.Adapter, d time.Duration) {
	done := make(chan struct{})
	go func() { _ = ad.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// invocationArgs is run_results.json's "args": the invocation's flags,
// without null values, as dbt records them.
func invocationArgs(command string, g *globalOptions, e *execFlags, w *workspace) map[string]any {
	args := map[string]any{
		"which":              command,
		"threads":            w.threads,
		"full_refresh":       e.FullRefresh,
		"fail_fast":          e.FailFast,
		"project_dir":        w.project.Root,
		"target":             w.target.Name,
		"profile":            w.target.Profile,
		"indirect_selection": e.sel.IndirectSelection,
		"select":             nonNil(e.sel.Select),
		"exclude":            nonNil(e.sel.Exclude),
	}
	if command == runner.CmdTest || command == runner.CmdBuild {
		args["store_failures"] = e.StoreFailures
	}
	if e.sel.Selector != "" {
		args["selector"] = e.sel.Selector
	}
	if g.ProfilesDir != "" {
		args["profiles_dir"] = g.ProfilesDir
	}
	if w.vars != nil {
		args["vars"] = compiler.PlainConfig(w.vars)
	} else {
		args["vars"] = map[string]any{}
	}
	return args
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
