package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/gmodel/gmodel/internal/phase"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/compiler/selector"
	"github.com/gmodel/gmodel/internal/atomicfile"
	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/project"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// yamlMap converts a YAML mapping into an OrderedMap of plain values.
func yamlMap(n *yaml.Node) *project.OrderedMap {
	m := &project.OrderedMap{Values: map[string]any{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if _, dup := m.Values[k]; !dup {
			m.Keys = append(m.Keys, k)
		}
		m.Values[k] = yamlValue(n.Content[i+1])
	}
	return m
}

func yamlValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		return yamlMap(n)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = yamlValue(c)
		}
		return out
	case yaml.AliasNode:
		return yamlValue(n.Alias)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	return v
}

// selectFlags are dbt's node selection flags.
type selectFlags struct {
	Select            []string
	Exclude           []string
	Selector          string
	IndirectSelection string
}

func (s *selectFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&s.Select, "select", "s", nil, "nodes to include (dbt selection syntax; repeatable)")
	fl.StringArrayVar(&s.Exclude, "exclude", nil, "nodes to exclude (dbt selection syntax; repeatable)")
	fl.StringVar(&s.Selector, "selector", "", "a named selector from selectors.yml")
	fl.StringVar(&s.IndirectSelection, "indirect-selection", "eager", "which tests of selected nodes to include: eager, cautious, buildable or empty")
	// dbt accepts --models/-m as an older spelling of --select.
	fl.StringArrayVarP(&s.Select, "models", "m", nil, "alias of --select")
	_ = fl.MarkHidden("models")
}

// workspace is a loaded project with its target, ready to compile.
type workspace struct {
	project *project.Project
	target  *profiles.Target
	vars    *project.OrderedMap
	threads int
	debug   bool
	log     io.Writer
	// phases logs the time of each phase with --debug (nil without).
	phases *phase.Timer
}

// loadWorkspace loads the project and its profile target. Errors are usage
// errors (exit code 2).
func loadWorkspace(f *Factory, g *globalOptions) (*workspace, error) {
	dir := projectDir(f, g)
	cliVars, err := parseVars(g.Vars)
	if err != nil {
		return nil, usageErr(err)
	}
	render := compiler.YAMLRenderer(f.LookupEnv, cliVars)
	var timer *phase.Timer
	if g.Debug {
		timer = phase.New(f.IO.Err)
	}
	p, err := project.Load(dir, project.LoadOptions{Render: render})
	if err != nil {
		return nil, usageErr(err)
	}
	profileName := g.Profile
	if profileName == "" {
		profileName = p.Profile
	}
	if profileName == "" {
		return nil, usageErr(fmt.Errorf("%s: the project has no `profile:`; add one or pass --profile", p.File))
	}
	path, err := profiles.Find(profiles.FindOptions{
		Dir:        g.ProfilesDir,
		ProjectDir: p.Root,
		LookupEnv:  f.LookupEnv,
		Home:       f.Home,
	})
	if err != nil {
		return nil, usageErr(err)
	}
	t, err := profiles.Load(path, profileName, g.Target, render)
	if err != nil {
		return nil, usageErr(err)
	}
	if err := checkTargetType(t); err != nil {
		return nil, usageErr(err)
	}
	threads := t.Threads
	if g.Threads > 0 {
		threads = g.Threads
	}
	w := &workspace{project: p, target: t, vars: cliVars, threads: threads, debug: g.Debug, log: f.IO.Err, phases: timer}
	w.phases.Done("load project and profile")
	return w, nil
}

// parseVars reads --vars: a YAML (or JSON) mapping.
func parseVars(s string) (*project.OrderedMap, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var n yaml.Node
	err := yaml.Unmarshal([]byte(s), &n)
	var m *project.OrderedMap
	if err == nil {
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			err = fmt.Errorf("not a mapping")
		} else {
			m = yamlMap(n.Content[0])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("--vars: %v\n  hint: pass a YAML or JSON mapping, e.g. --vars '{start_date: \"2024-01-01\"}'", err)
	}
	return m, nil
}

func newInvocationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// compile runs the compiler over the workspace.
func (w *workspace) compile(f *Factory, command string, parseOnly bool) (*compiler.Manifest, error) {
	opts := w.compilerOptions(f, command)
	opts.ParseOnly = parseOnly
	opts.Phases = w.phases
	m, err := compiler.Compile(w.project, opts)
	if err != nil {
		return nil, usageErr(err)
	}
	return m, nil
}

// compilerOptions are the compiler's options for a command on the
// workspace (one invocation id and start time per call).
func (w *workspace) compilerOptions(f *Factory, command string) compiler.Options {
	t := w.target
	return compiler.Options{
		Target: compiler.Target{
			Name: t.Name, Profile: t.Profile, Type: t.Type, Schema: t.Schema,
			Database: t.Database, User: t.User, Threads: w.threads,
		},
		Vars:         w.vars,
		InvocationID: newInvocationID(),
		RunStartedAt: time.Now().UTC(),
		Command:      command,
		LookupEnv:    f.LookupEnv,
		Log:          f.IO.Err,
		Debug:        w.debug,
	}
}

// targetDir is the project's target-path, absolute.
func (w *workspace) targetDir() string { return targetDirOf(w.project) }

func targetDirOf(p *project.Project) string {
	tp := p.TargetPath
	if tp == "" {
		tp = "target"
	}
	if filepath.IsAbs(tp) {
		return tp
	}
	return filepath.Join(p.Root, tp)
}

// writeManifest writes target/manifest.json atomically.
func (w *workspace) writeManifest(m *compiler.Manifest) error {
	dir := w.targetDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "manifest.json"), func(fh *os.File) error {
		return m.WriteManifest(fh, w.threads)
	})
}

// writeFileAtomic writes path so that readers see the old file or the new
// one, never a part (see atomicfile.Write).
func writeFileAtomic(path string, write func(*os.File) error) error {
	return atomicfile.Write(path, write)
}

// selectNodes applies --select/--exclude/--selector to the manifest.
func (w *workspace) selectNodes(m *compiler.Manifest, s selectFlags, resourceTypes []string) ([]string, error) {
	selPath := filepath.Join(w.project.Root, "selectors.yml")
	var sels *selector.Selectors
	if b, err := os.ReadFile(selPath); err == nil {
		sels, err = selector.ParseSelectors("selectors.yml", b)
		if err != nil {
			return nil, usageErr(err)
		}
	}
	// Everything, when nothing narrows it: no flags, no default selector,
	// and only node types asked for (dbt's default for compile and run).
	if len(s.Select) == 0 && len(s.Exclude) == 0 && s.Selector == "" && sels.Default() == "" && resourceTypes != nil && !contains(resourceTypes, "source") {
		var ids []string
		for _, n := range m.Nodes {
			if contains(resourceTypes, n.ResourceType) {
				ids = append(ids, n.UniqueID)
			}
		}
		return ids, nil
	}
	g := selectorGraph(m)
	opts := selector.Options{
		Select:            s.Select,
		Exclude:           s.Exclude,
		Selector:          s.Selector,
		ResourceTypes:     resourceTypes,
		DefaultAll:        true,
		IndirectSelection: s.IndirectSelection,
		Warn: func(msg string) {
			if w.log != nil {
				fmt.Fprintf(w.log, "warning: %s\n", msg)
			}
		},
	}
	opts.Selectors = sels
	ids, err := selector.Select(g, opts)
	if err != nil {
		return nil, usageErr(err)
	}
	w.phases.Done("select")
	return ids, nil
}

func selectorGraph(m *compiler.Manifest) *selector.Graph {
	var nodes []*selector.Node
	for _, n := range m.Nodes {
		n := n
		sn := &selector.Node{
			UniqueID:     n.UniqueID,
			Name:         n.Name,
			ResourceType: n.ResourceType,
			Package:      n.PackageName,
			FQN:          n.FQN,
			Path:         n.OriginalFilePath,
			Tags:         n.Tags,
			ConfigFunc:   func() map[string]any { return compiler.PlainConfig(n.Config) },
			DependsOn:    n.DependsOnNodes,
			Version:      n.Version,
		}
		if n.ResourceType == compiler.Test {
			if n.TestMetadata != nil {
				sn.TestType = "generic"
				sn.TestName = n.TestMetadata.Name
			} else {
				sn.TestType = "singular"
			}
		}
		nodes = append(nodes, sn)
	}
	for _, s := range m.Sources {
		nodes = append(nodes, &selector.Node{
			UniqueID:     s.UniqueID,
			Name:         s.Name,
			ResourceType: "source",
			Package:      s.PackageName,
			FQN:          s.FQN,
			Path:         s.OriginalFilePath,
			Tags:         s.Tags,
			Config:       compiler.PlainConfig(s.Config),
			SourceName:   s.SourceName,
		})
	}
	return selector.NewGraph(nodes)
}

func (w *workspace) debugf(format string, args ...any) {
	if w.debug && w.log != nil {
		fmt.Fprintf(w.log, "debug: "+format+"\n", args...)
	}
}

// targetDecoders decode each adapter type's section of profiles.yml
// strictly, so a typo in a key is an error before anything runs.
var targetDecoders = map[string]func(*profiles.Target) error{
	"postgres": func(t *profiles.Target) error { _, err := profiles.DecodePostgres(t); return err },
	"athena":   func(t *profiles.Target) error { _, err := profiles.DecodeAthena(t); return err },
}

func checkTargetType(t *profiles.Target) error {
	dec, ok := targetDecoders[t.Type]
	if !ok {
		known := make([]string, 0, len(targetDecoders))
		for k := range targetDecoders {
			known = append(known, k)
		}
		sort.Strings(known)
		return &project.Error{Pos: t.Pos, Msg: fmt.Sprintf("unknown target type %q", t.Type),
			Hint: "gmodel supports type: " + strings.Join(known, ", ")}
	}
	if dec == nil {
		return nil
	}
	return dec(t)
}
