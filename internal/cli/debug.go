package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/postgres"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/project"
	"github.com/spf13/cobra"
)

type debugOptions struct {
	f   *Factory
	g   *globalOptions
	ctx context.Context
	// ConfigDir prints the directory of the profiles.yml in use and stops,
	// as dbt debug --config-dir does.
	ConfigDir bool
}

func newCmdDebug(f *Factory, g *globalOptions, runF func(*debugOptions) error) *cobra.Command {
	opts := &debugOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "debug",
		Short: "Show the resolved project, profile and target (secrets masked) and test the connection",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return debugRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.ConfigDir, "config-dir", false, "print the directory of the profiles.yml in use, then exit")
	return cmd
}

// debugRun prints what it finds step by step, so that the last lines
// before an error say how far loading got. Exit codes: 0 all checks
// passed, 1 the connection failed, 2 the project or profile is invalid.
func debugRun(opts *debugOptions) error {
	ctx := opts.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	f, g := opts.f, opts.g
	out := f.IO.Out
	if !opts.ConfigDir {
		fmt.Fprintf(out, "gmodel version: %s\n", Version)
		fmt.Fprintf(out, "go version: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}

	cliVars, err := parseVars(g.Vars)
	if err != nil {
		return usageErr(err)
	}
	render := compiler.YAMLRenderer(f.LookupEnv, cliVars)
	p, err := project.Load(projectDir(f, g), project.LoadOptions{Render: render})
	if err != nil {
		fmt.Fprintln(out, "project: ERROR invalid")
		return usageErr(err)
	}
	if !opts.ConfigDir {
		fmt.Fprintf(out, "project file: %s\n", filepath.Join(p.Root, p.File))
		fmt.Fprintf(out, "project name: %s\n", p.Name)
	}

	profileName := g.Profile
	if profileName == "" {
		profileName = p.Profile
	}
	if profileName == "" {
		return usageErr(fmt.Errorf("%s: the project has no `profile:`; add one or pass --profile", p.File))
	}
	path, err := profiles.Find(profiles.FindOptions{
		Dir: g.ProfilesDir, ProjectDir: p.Root, LookupEnv: f.LookupEnv, Home: f.Home,
	})
	if err != nil {
		fmt.Fprintln(out, "profiles.yml: ERROR not found")
		return usageErr(err)
	}
	if opts.ConfigDir {
		fmt.Fprintf(out, "profiles.yml is in %s\n", filepath.Dir(path))
		return nil
	}
	fmt.Fprintf(out, "profiles.yml: %s\n", path)
	fmt.Fprintf(out, "profile: %s\n", profileName)
	t, err := profiles.Load(path, profileName, g.Target, render)
	if err == nil {
		err = checkTargetType(t)
	}
	if err != nil {
		fmt.Fprintln(out, "target: ERROR invalid")
		return usageErr(err)
	}
	fmt.Fprintf(out, "target: %s\n", t.Name)
	threads := t.Threads
	if g.Threads > 0 {
		threads = g.Threads
	}
	if t.Type == "athena" {
		return debugAthena(ctx, out, t, threads)
	}
	printTarget(out, t, threads)

	// The target type's own checks, one line each, before the login.
	var failed []string
	for _, c := range targetChecks(ctx, t) {
		if c.err != nil {
			fmt.Fprintf(out, "%s: ERROR %v\n", c.name, c.err)
			failed = append(failed, c.name)
		} else {
			fmt.Fprintf(out, "%s: OK %s\n", c.name, c.info)
		}
	}
	if ctx.Err() != nil {
		return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
	}
	if len(failed) > 0 {
		fmt.Fprintln(out, "Connection test: skipped")
		what := "check"
		if len(failed) > 1 {
			what = "checks"
		}
		return failureErr(fmt.Errorf("%d %s failed: %s", len(failed), what, strings.Join(failed, ", ")))
	}

	w := &workspace{project: p, target: t, vars: cliVars, threads: threads, debug: g.Debug, log: f.IO.Err}
	var adapterLog io.Writer
	if w.debug {
		adapterLog = f.IO.Err
	}
	start := time.Now()
	err = checkConnection(ctx, f, w, adapters.Options{Threads: 1, Log: adapterLog})
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		fmt.Fprintf(out, "Connection test: ERROR\n  %v\n", err)
		return failureErr(errors.New("1 check failed: the connection test"))
	}
	fmt.Fprintf(out, "Connection test: OK (%.2fs)\n", time.Since(start).Seconds())
	fmt.Fprintln(out, "All checks passed!")
	return nil
}

// printTarget prints the target's connection settings. Only decoded,
// known fields are printed, never t.Node, which holds secrets in clear.
func printTarget(out io.Writer, t *profiles.Target, threads int) {
	row := func(k, v string) { fmt.Fprintf(out, "  %-9s %s\n", k+":", v) }
	row("type", t.Type)
	if t.Type == "postgres" {
		// checkTargetType has decoded it already.
		pg, err := profiles.DecodePostgres(t)
		if err == nil {
			if pg.Managed {
				row("managed", "true (gmodel runs this server; host, port and user are its own)")
			} else {
				row("host", pg.Host)
				row("port", strconv.Itoa(pg.Port))
				if pg.User == "" && pg.PasswordSecret != "" {
					row("user", "(from the secret)")
				} else {
					row("user", pg.User)
				}
				switch {
				case pg.Method == profiles.MethodIAM:
					row("password", "(an RDS IAM token for each connection: method iam)")
				case pg.PasswordSecret != "":
					row("password", fmt.Sprintf("(from AWS Secrets Manager: %s)", pg.PasswordSecret))
				default:
					row("password", maskedSecret(pg.Password))
				}
			}
			row("database", pg.Database)
			row("schema", pg.Schema)
			row("threads", strconv.Itoa(threads))
			if pg.SSLMode != "" {
				row("sslmode", pg.SSLMode)
			}
			if pg.SSLRootCert != "" {
				row("sslrootcert", pg.SSLRootCert)
			}
			if pg.Region != "" {
				row("region", pg.Region)
			}
			if pg.AWSProfile != "" {
				row("aws_profile", pg.AWSProfile)
			}
			return
		}
	}
	row("user", t.User)
	row("database", t.Database)
	row("schema", t.Schema)
	row("threads", strconv.Itoa(threads))
}

// maskedSecret shows whether a secret is set, never its value.
func maskedSecret(s profiles.Secret) string {
	if s == "" {
		return "(not set)"
	}
	return "******"
}

// targetCheck is a line of debug before the connection test.
type targetCheck struct {
	name, info string
	err        error // one line, never a secret
}

// targetChecks are the checks of t's adapter type that come before the
// connection test: what is missing or failing, one line each. An adapter
// type with such checks has its case here.
func targetChecks(ctx context.Context, t *profiles.Target) []targetCheck {
	switch t.Type {
	case "postgres":
		return postgresChecks(ctx, t)
	}
	return nil
}

// postgresChecks: AWS region, credentials and secret or IAM token for
// RDS targets, the CA file, the host and the TLS handshake. A managed
// target has none: gmodel starts that server itself.
func postgresChecks(ctx context.Context, t *profiles.Target) []targetCheck {
	pg, err := profiles.DecodePostgres(t)
	if err != nil || pg.Managed {
		return nil
	}
	var out []targetCheck
	for _, c := range postgres.Diagnose(ctx, pg) {
		out = append(out, targetCheck{name: c.Name, info: c.Info, err: c.Err})
	}
	return out
}

// checkConnection opens the target as run does (a managed target is
// started) and runs `select 1`.
func checkConnection(ctx context.Context, f *Factory, w *workspace, opts adapters.Options) error {
	ad, err := w.openAdapter(ctx, f, opts)
	if err != nil {
		return err
	}
	defer closeWithin(ad, time.Second)
	if _, err := ad.Query(ctx, "select 1"); err != nil {
		return err
	}
	return nil
}
