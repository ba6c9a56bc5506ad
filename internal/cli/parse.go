package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

type parseOptions struct {
	f *Factory
	g *globalOptions
}

func newCmdParse(f *Factory, g *globalOptions, runF func(*parseOptions) error) *cobra.Command {
	opts := &parseOptions{f: f, g: g}
	return &cobra.Command{
		Use:   "parse",
		Short: "Parse the project, check it for errors and write target/manifest.json (no database connection)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return parseRun(opts)
		},
	}
}

func parseRun(opts *parseOptions) error {
	start := time.Now()
	w, err := loadWorkspace(opts.f, opts.g)
	if err != nil {
		return err
	}
	m, err := w.compile(opts.f, "parse", true)
	if err != nil {
		return err
	}
	if err := w.writeManifest(m); err != nil {
		return usageErr(fmt.Errorf("writing the manifest: %w", err))
	}
	fmt.Fprintf(opts.f.IO.Err, "Parsed %d nodes, %d sources, %d macros in %.2fs\n", len(m.Nodes), len(m.Sources), len(m.Macros), time.Since(start).Seconds())
	return nil
}
