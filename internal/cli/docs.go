package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/docsite"
)

type docsGenerateOptions struct {
	f *Factory
	g *globalOptions
	// NoCompile skips compiling SQL: the manifest comes from parsing only.
	NoCompile bool
	// Static would write one self-contained HTML file; not yet supported.
	Static bool
}

func newCmdDocs(f *Factory, g *globalOptions, runF func(*docsGenerateOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Generate the project's documentation artifacts",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCmdDocsGenerate(f, g, runF))
	return cmd
}

func newCmdDocsGenerate(f *Factory, g *globalOptions, runF func(*docsGenerateOptions) error) *cobra.Command {
	opts := &docsGenerateOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Compile the project, write target/manifest.json and read target/catalog.json from the warehouse",
		Long: `Compile the project as 'gmodel compile' does, write target/manifest.json, then
read the columns, types, comments, owners and statistics of every model, seed,
snapshot and source relation from the warehouse into target/catalog.json
(dbt's catalog v1 layout). Relations not built yet are left out.

--static (one self-contained HTML file) is not yet supported.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return docsGenerateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.NoCompile, "no-compile", false, "do not compile SQL: build the manifest from parsing only")
	fl.BoolVar(&opts.Static, "static", false, "write one self-contained HTML file (not yet supported)")
	return cmd
}

func docsGenerateRun(ctx context.Context, opts *docsGenerateOptions) error {
	if opts.Static {
		return usageErr(errors.New("docs generate --static is not yet supported"))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	w, err := loadWorkspace(opts.f, opts.g)
	if err != nil {
		return err
	}
	var adapterLog io.Writer
	if w.debug {
		adapterLog = opts.f.IO.Err
	}
	// The adapter opens first: a managed local target sets the database,
	// schema and user the compiler must see.
	ad, err := w.openAdapter(ctx, opts.f, adapters.Options{Threads: 1, Log: adapterLog})
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		return usageErr(err)
	}
	defer closeWithin(ad, time.Second)

	var m *compiler.Manifest
	m, err = w.compile(opts.f, "generate", opts.NoCompile)
	if err != nil {
		return err
	}
	if err := w.writeManifest(m); err != nil {
		return usageErr(fmt.Errorf("writing the manifest: %w", err))
	}
	w.phases.Done("write manifest")

	rels := docsite.Relations(m)
	cat := docsite.New(compiler.DbtVersion, m.GeneratedAt, m.InvocationID)
	if err := cat.Fill(ctx, ad, rels); err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		return failureErr(err)
	}
	w.phases.Done("read catalog")
	path := filepath.Join(w.targetDir(), "catalog.json")
	if err := writeFileAtomic(path, func(fh *os.File) error { return cat.Write(fh) }); err != nil {
		return usageErr(fmt.Errorf("writing the catalog: %w", err))
	}
	fmt.Fprintf(opts.f.IO.Err, "Catalog of %d of %d relations written to %s in %.2fs\n",
		len(cat.Nodes)+len(cat.Sources), len(rels), relTo(w.project.Root, path), time.Since(start).Seconds())
	return nil
}
