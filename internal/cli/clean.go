package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

type cleanOptions struct {
	f *Factory
	g *globalOptions
}

func newCmdClean(f *Factory, g *globalOptions, runF func(*cleanOptions) error) *cobra.Command {
	opts := &cleanOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Delete the project's clean-targets (default: the target-path); only paths inside the project",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return cleanRun(opts)
		},
	}
	return cmd
}

// cleanRun checks every clean target before deleting any: a path outside
// the project, the project itself, or one holding or inside the project's
// sources (models, seeds, macros...) is refused, as dbt refuses them.
func cleanRun(opts *cleanOptions) error {
	f := opts.f
	p, err := loadProject(f, opts.g)
	if err != nil {
		return err
	}
	var protected []string
	for _, list := range [][]string{p.ModelPaths, p.SeedPaths, p.TestPaths, p.MacroPaths, p.SnapshotPaths, p.AnalysisPaths, p.DocsPaths} {
		for _, d := range list {
			protected = append(protected, absIn(p.Root, d))
		}
	}
	protected = append(protected, filepath.Join(p.Root, p.File))

	var errs []string
	var paths []string
	for _, ct := range p.CleanTargets {
		abs := absIn(p.Root, ct)
		rel, err := filepath.Rel(p.Root, abs)
		switch {
		case err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)):
			errs = append(errs, fmt.Sprintf("%s: clean-targets: %q is outside the project directory %s; gmodel clean only deletes paths inside the project", p.File, ct, p.Root))
		case rel == ".":
			errs = append(errs, fmt.Sprintf("%s: clean-targets: %q is the project directory itself", p.File, ct))
		default:
			ok := true
			for _, pr := range protected {
				if within(abs, pr) || within(pr, abs) {
					errs = append(errs, fmt.Sprintf("%s: clean-targets: %q overlaps the project's sources (%s); gmodel clean does not delete them", p.File, ct, relTo(p.Root, pr)))
					ok = false
					break
				}
			}
			if ok {
				paths = append(paths, abs)
			}
		}
	}
	if len(errs) > 0 {
		return usageErr(errors.New(strings.Join(errs, "\n") + "\n  hint: remove these from clean-targets in " + p.File))
	}
	out := f.IO.Out
	for _, abs := range paths {
		rel := filepath.ToSlash(relTo(p.Root, abs))
		if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(out, "Nothing to clean: %s does not exist\n", rel)
			continue
		}
		if err := os.RemoveAll(abs); err != nil {
			return usageErr(fmt.Errorf("clean %s: %w", rel, err))
		}
		fmt.Fprintf(out, "Cleaned %s\n", rel)
	}
	fmt.Fprintln(out, "Finished cleaning all paths.")
	return nil
}

// within reports whether path b is a or inside it.
func within(a, b string) bool {
	rel, err := filepath.Rel(a, b)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// absIn is p, made absolute against root when relative, and cleaned.
func absIn(root, p string) string {
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return filepath.Clean(p)
}

// projectDir is the project directory as loadWorkspace finds it:
// --project-dir, else $DBT_PROJECT_DIR, else the current directory.
func projectDir(f *Factory, g *globalOptions) string {
	if g.ProjectDir != "" {
		return g.ProjectDir
	}
	if v, ok := f.LookupEnv("DBT_PROJECT_DIR"); ok && v != "" {
		return v
	}
	return "."
}
