package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gmodel/gmodel/compiler"
	"github.com/spf13/cobra"
)

type lsOptions struct {
	f             *Factory
	g             *globalOptions
	sel           selectFlags
	ResourceTypes []string
	Output        string
	OutputKeys    []string
}

var lsResourceTypes = []string{"model", "seed", "snapshot", "test", "source", "analysis", "exposure", "metric", "semantic_model", "saved_query", "unit_test", "all", "default"}

func newCmdLs(f *Factory, g *globalOptions, runF func(*lsOptions) error) *cobra.Command {
	opts := &lsOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the project's resources, one per line on stdout (no database connection)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Output {
			case "name", "path", "json", "selector":
			default:
				return usageErr(fmt.Errorf("--output must be one of name, path, json, selector (got %q)", opts.Output))
			}
			for _, rt := range opts.ResourceTypes {
				if !contains(lsResourceTypes, rt) {
					return usageErr(fmt.Errorf("--resource-type %q is not one of %s", rt, strings.Join(lsResourceTypes, ", ")))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return lsRun(opts)
		},
	}
	opts.sel.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.ResourceTypes, "resource-type", nil, "only these resource types (repeatable): "+strings.Join(lsResourceTypes, ", "))
	fl.StringArrayVar(&opts.ResourceTypes, "resource-types", nil, "alias of --resource-type")
	_ = fl.MarkHidden("resource-types")
	fl.StringVarP(&opts.Output, "output", "o", "selector", "output format: name, path, json or selector")
	fl.StringSliceVar(&opts.OutputKeys, "output-keys", nil, "keys to include with --output json")
	return cmd
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func lsRun(opts *lsOptions) error {
	w, err := loadWorkspace(opts.f, opts.g)
	if err != nil {
		return err
	}
	m, err := w.compile(opts.f, "list", true)
	if err != nil {
		return err
	}
	var rts []string
	for _, rt := range opts.ResourceTypes {
		if rt == "all" || rt == "default" {
			rts = nil
			break
		}
		rts = append(rts, rt)
	}
	ids, err := w.selectNodes(m, opts.sel, rts)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(opts.f.IO.Out)
	defer out.Flush()
	for _, id := range ids {
		line, err := lsLine(m, id, opts)
		if err != nil {
			return usageErr(err)
		}
		if line != "" {
			fmt.Fprintln(out, line)
		}
	}
	if len(ids) == 0 {
		fmt.Fprintln(opts.f.IO.Err, "No nodes selected!")
	}
	return nil
}

// lsLine formats one resource the way `dbt ls` does.
func lsLine(m *compiler.Manifest, id string, opts *lsOptions) (string, error) {
	if n := m.ByID[id]; n != nil {
		switch opts.Output {
		case "name":
			return n.Name, nil
		case "path":
			return n.OriginalFilePath, nil
		case "selector":
			return strings.Join(n.FQN, "."), nil
		}
		obj := map[string]any{
			"name":               n.Name,
			"resource_type":      n.ResourceType,
			"package_name":       n.PackageName,
			"original_file_path": n.OriginalFilePath,
			"unique_id":          n.UniqueID,
			"alias":              n.Alias,
			"config":             compiler.PlainConfig(n.Config),
			"tags":               n.Tags,
			"depends_on":         map[string]any{"nodes": n.DependsOnNodes, "macros": n.DependsOnMacros},
		}
		return jsonLine(obj, opts.OutputKeys)
	}
	if s := m.SourceByID[id]; s != nil {
		switch opts.Output {
		case "name":
			return s.SourceName + "." + s.Name, nil
		case "path":
			return s.OriginalFilePath, nil
		case "selector":
			return "source:" + strings.Join(s.FQN, "."), nil
		}
		obj := map[string]any{
			"name":               s.Name,
			"source_name":        s.SourceName,
			"resource_type":      "source",
			"package_name":       s.PackageName,
			"original_file_path": s.OriginalFilePath,
			"unique_id":          s.UniqueID,
			"config":             compiler.PlainConfig(s.Config),
			"tags":               s.Tags,
		}
		return jsonLine(obj, opts.OutputKeys)
	}
	return "", nil
}

func jsonLine(obj map[string]any, keys []string) (string, error) {
	if len(keys) > 0 {
		sub := map[string]any{}
		for _, k := range keys {
			if v, ok := obj[k]; ok {
				sub[k] = v
			}
		}
		obj = sub
	}
	b, err := json.Marshal(obj)
	return string(b), err
}
