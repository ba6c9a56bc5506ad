package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
)

type compileOptions struct {
	f   *Factory
	g   *globalOptions
	sel selectFlags
	// WriteCompiled writes each node's SQL under target/compiled; without
	// it only the manifest (which holds the compiled SQL too) is written.
	WriteCompiled bool
}

func newCmdCompile(f *Factory, g *globalOptions, runF func(*compileOptions) error) *cobra.Command {
	opts := &compileOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "compile",
		Short: "Compile the project's SQL into target/compiled and write target/manifest.json (no database connection)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return compileRun(opts)
		},
	}
	opts.sel.register(cmd)
	cmd.Flags().BoolVar(&opts.WriteCompiled, "write-compiled", true, "write each node's compiled SQL under target/compiled (the manifest holds it either way)")
	return cmd
}

func compileRun(opts *compileOptions) error {
	start := time.Now()
	w, err := loadWorkspace(opts.f, opts.g)
	if err != nil {
		return err
	}
	m, err := w.compile(opts.f, "compile", false)
	if err != nil {
		return err
	}
	ids, err := w.selectNodes(m, opts.sel, compiledTypes)
	if err != nil {
		return err
	}
	n := 0
	if opts.WriteCompiled {
		n, err = m.WriteCompiled(ids)
		if err != nil {
			return usageErr(fmt.Errorf("writing compiled SQL: %w", err))
		}
		w.phases.Done("write compiled files")
	}
	if err := w.writeManifest(m); err != nil {
		return usageErr(fmt.Errorf("writing the manifest: %w", err))
	}
	w.phases.Done("write manifest")
	fmt.Fprintf(opts.f.IO.Err, "Compiled %d of %d nodes into %s in %.2fs\n", n, len(m.Nodes),
		relTo(w.project.Root, filepath.Join(w.targetDir(), "compiled")), time.Since(start).Seconds())
	return nil
}

// writeCompiled writes the compiled SQL of the selected nodes to their
// compiled_path under the project.
// compiledTypes are the resource types compile writes SQL for.
var compiledTypes = []string{"model", "snapshot", "analysis", "test"}

func relTo(base, p string) string {
	if r, err := filepath.Rel(base, p); err == nil {
		return r
	}
	return p
}
