// Package cli is gmodel's command line: one cobra command per file, each a
// thin layer over the project, profiles, compiler and runner packages.
// Main is the only entry point; it returns the process exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	// The adapters gmodel is built with; each registers itself from init().
	_ "github.com/gmodel/gmodel/adapters/athena"
	_ "github.com/gmodel/gmodel/adapters/postgres"
)

// Exit codes, as dbt uses them.
const (
	ExitOK      = 0
	ExitFailure = 1 // a node or test failed
	ExitError   = 2 // usage, project or configuration error; cannot connect
	// ExitInterrupted: the run was cancelled (Ctrl-C), as shells report
	// a process ended by SIGINT.
	ExitInterrupted = 130
)

// Stdio is where a command reads and writes.
type Stdio struct {
	In  io.Reader
	Out io.Writer // results (e.g. `ls` output)
	Err io.Writer // logs, progress, errors
}

// Factory carries what commands share: the streams and the environment.
type Factory struct {
	IO        Stdio
	LookupEnv func(string) (string, bool)
	Getwd     func() (string, error)
	Home      func() (string, error)
	// PGBinaries finds the PostgreSQL server binaries for the managed
	// local target; nil means localpg.FindBinaries.
	PGBinaries func() (string, error)
}

// globalOptions are dbt's flags shared by every command.
type globalOptions struct {
	ProjectDir  string
	ProfilesDir string
	Profile     string
	Target      string
	Vars        string
	Threads     int
	Debug       bool
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error   { return &exitError{code: ExitError, err: err} }
func failureErr(err error) error { return &exitError{code: ExitFailure, err: err} }

// Main runs gmodel with args (without the program name) and returns the
// exit code. It never panics: a bug is reported as an internal error.
func Main(ctx context.Context, args []string, stdio Stdio) (code int) {
	f := &Factory{
		IO:        stdio,
		LookupEnv: os.LookupEnv,
		Getwd:     os.Getwd,
		Home:      os.UserHomeDir,
	}
	return MainWith(ctx, f, args)
}

// MainWith is Main with an explicit factory, for tests.
func MainWith(ctx context.Context, f *Factory, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(f.IO.Err, "internal error: %v\nThis is a bug in gmodel; please report it with the command you ran.\n", r)
			if _, ok := f.LookupEnv("GMODEL_TRACEBACK"); ok {
				fmt.Fprintf(f.IO.Err, "%s\n", debug.Stack())
			}
			code = ExitError
		}
	}()
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.Err)
	root.SetIn(f.IO.In)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(f.IO.Err, ee.err.Error())
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag.
	fmt.Fprintf(f.IO.Err, "error: %v\nRun 'gmodel --help' for usage.\n", err)
	return ExitError
}

func newRootCmd(f *Factory) *cobra.Command {
	g := &globalOptions{}
	cmd := &cobra.Command{
		Use:           "gmodel",
		Short:         "SQL modeling for medallion warehouses: dbt projects, one fast Go binary",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	cmd.SetVersionTemplate("gmodel {{.Version}}\n")
	pf := cmd.PersistentFlags()
	pf.StringVar(&g.ProjectDir, "project-dir", "", "directory holding dbt_project.yml or gmodel_project.yml (default: current directory)")
	pf.StringVar(&g.ProfilesDir, "profiles-dir", "", "directory holding profiles.yml (default: $GMODEL_PROFILES_DIR, $DBT_PROFILES_DIR, the project dir, ~/.gmodel, ~/.dbt)")
	pf.StringVar(&g.Profile, "profile", "", "profile to use (default: the project's profile: key)")
	pf.StringVarP(&g.Target, "target", "t", "", "target of the profile to use (default: the profile's target: key)")
	pf.StringVar(&g.Vars, "vars", "", "variables as a YAML or JSON mapping, e.g. '{start_date: 2024-01-01}'")
	pf.IntVar(&g.Threads, "threads", 0, "number of threads (default: the target's threads)")
	pf.BoolVarP(&g.Debug, "debug", "d", false, "log debugging information (secrets are never printed)")

	cmd.AddCommand(
		newCmdCompile(f, g, nil),
		newCmdParse(f, g, nil),
		newCmdLs(f, g, nil),
		newCmdRun(f, g, nil),
		newCmdSeed(f, g, nil),
		newCmdTest(f, g, nil),
		newCmdBuild(f, g, nil),
		newCmdLocal(f, g, nil),
		newCmdInit(f, g, nil),
		newCmdDebug(f, g, nil),
		newCmdClean(f, g, nil),
		newCmdDocs(f, g, nil),
	)
	return cmd
}

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "0.1.0-dev"
