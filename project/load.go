package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"
)

// Project file names, in order of preference.
const (
	GmodelProjectFile = "gmodel_project.yml"
	DbtProjectFile    = "dbt_project.yml"
)

// LoadOptions are the caller's hooks into Load.
type LoadOptions struct {
	// Render renders a YAML string value that holds Jinja ("{{" or "{%"),
	// e.g. "{{ env_var('X', 'd') }}". The caller wires it to the Jinja
	// engine. It is never called for hooks (on-run-start, on-run-end,
	// pre-hook, post-hook), for project vars, query-comment, descriptions or
	// tests: dbt renders those later, at run time. Nil leaves strings as
	// they are.
	Render func(file string, pos Pos, s string) (string, error)
}

// Load reads the project in dir. It reports every problem it finds, in all
// files, as one ErrorList; the Project is returned only when there are none.
func Load(dir string, opts LoadOptions) (*Project, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("project directory %s: %w", dir, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, ErrorList{{
			Msg:  fmt.Sprintf("project directory %s does not exist", dir),
			Hint: "pass the project's directory with --project-dir",
		}}
	}
	p := &Project{Root: root}
	var errs ErrorList
	var data []byte
	for _, name := range []string{GmodelProjectFile, DbtProjectFile} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err == nil {
			p.File, data = name, b
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			errs.Add(Pos{File: name}, "cannot read the project file: %v", unwrapPathError(err))
			p.File = name
			break
		}
	}
	if p.File == "" {
		return nil, ErrorList{{
			Msg:  fmt.Sprintf("no %s or %s in %s", DbtProjectFile, GmodelProjectFile, root),
			Hint: fmt.Sprintf("create %s (or %s) there, or pass the project's directory with --project-dir", DbtProjectFile, GmodelProjectFile),
		}}
	}
	l := &loader{p: p, errs: &errs, opts: opts}
	if data != nil {
		l.projectFile(data)
	}
	l.setDefaults()
	l.collectFiles()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loader holds the state of one Load.
type loader struct {
	p    *Project
	errs *ErrorList
	opts LoadOptions
	// patch names already seen, per kind, for the duplicate check
	seen map[string]Pos
}

// projectKeys are the keys of a dbt config-version 2 project file.
var projectKeys = []string{
	"name", "version", "config-version", "profile",
	"model-paths", "source-paths", "seed-paths", "data-paths", "test-paths",
	"analysis-paths", "macro-paths", "snapshot-paths", "docs-paths", "asset-paths",
	"target-path", "log-path", "packages-install-path", "clean-targets",
	"vars", "require-dbt-version", "quoting", "dispatch",
	"on-run-start", "on-run-end", "query-comment", "flags",
	"restrict-access", "dbt-cloud",
	"models", "seeds", "tests", "data_tests", "snapshots", "sources", "analyses",
	"metrics", "semantic-models", "saved-queries", "exposures", "unit_tests",
}

// projectNoRender are the project keys dbt leaves unrendered at load time.
var projectNoRender = map[string]bool{
	"on-run-start": true, "on-run-end": true, "query-comment": true, "vars": true, "dbt-cloud": true,
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (l *loader) projectFile(data []byte) {
	p := l.p
	root, nodes := parseDocument(p.File, data, l.errs)
	if root == nil {
		if len(*l.errs) == 0 {
			l.errs.Add(Pos{File: p.File, Line: 1, Col: 1}, "the project file is empty; it needs at least 'name'")
		}
		return
	}
	d := newDecoder(p.File, l.errs, l.opts.Render).sized(nodes)
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "the project file must be a mapping of keys, not %s", kindName(root))
		return
	}
	d.renderStrings(root, nil, func(path []string) bool {
		if projectNoRender[path[0]] {
			return true
		}
		return len(path) > 1 && isHookKey(path[len(path)-1])
	})
	hasName := false
	for _, kv := range d.pairs(root) {
		k, v := kv.name, kv.val
		what := "'" + k + "'"
		switch k {
		case "name":
			hasName = true
			name, ok := d.str(v, what)
			switch {
			case !ok:
			case name == "":
				d.errorf(v, "the project name must not be empty")
			case !identRe.MatchString(name):
				d.errorHint(v, "use letters, digits and underscores, not starting with a digit",
					"project name '%s' is not a valid identifier", name)
			default:
				p.Name = name
			}
		case "version":
			p.Version, _ = d.str(v, what)
		case "config-version":
			if n, ok := d.integer(v, what); ok && n != 2 {
				d.errorHint(v, "gmodel reads dbt projects of config-version 2 (dbt 0.17 and later)",
					"config-version %d is not supported", n)
			}
			p.ConfigVersion = 2
		case "profile":
			p.Profile, _ = d.str(v, what)
		case "model-paths", "source-paths":
			p.ModelPaths = l.paths(d, kv, p.ModelPaths)
		case "seed-paths", "data-paths":
			p.SeedPaths = l.paths(d, kv, p.SeedPaths)
		case "test-paths":
			p.TestPaths = l.paths(d, kv, p.TestPaths)
		case "analysis-paths":
			p.AnalysisPaths = l.paths(d, kv, p.AnalysisPaths)
		case "macro-paths":
			p.MacroPaths = l.paths(d, kv, p.MacroPaths)
		case "snapshot-paths":
			p.SnapshotPaths = l.paths(d, kv, p.SnapshotPaths)
		case "docs-paths":
			p.DocsPaths = l.paths(d, kv, p.DocsPaths)
			if p.DocsPaths == nil {
				p.DocsPaths = []string{}
			}
		case "asset-paths":
			p.AssetPaths = l.paths(d, kv, p.AssetPaths)
		case "target-path":
			p.TargetPath = l.path(d, v, what)
		case "log-path":
			p.LogPath = l.path(d, v, what)
		case "packages-install-path":
			p.PackagesInstallPath = l.path(d, v, what)
		case "clean-targets":
			p.CleanTargets, _ = d.strList(v, what)
		case "vars":
			p.Vars = d.omap(v, what)
		case "require-dbt-version":
			p.RequireDbtVersion, _ = d.strList(v, what)
		case "quoting":
			p.Quoting = d.quoting(v, what)
		case "dispatch":
			p.Dispatch = l.dispatch(d, v)
		case "on-run-start":
			p.OnRunStart = d.hooks(v, what)
		case "on-run-end":
			p.OnRunEnd = d.hooks(v, what)
		case "query-comment":
			p.HasQueryComment = true
			switch resolveAlias(v).Kind {
			case yaml.ScalarNode, yaml.MappingNode:
				p.QueryComment = d.value(v)
			default:
				d.errorf(v, "%s must be a string or a mapping, not %s", what, kindName(v))
			}
		case "flags":
			p.Flags = d.omap(v, what)
		case "restrict-access":
			if !isNull(v) {
				p.RestrictAccess, _ = d.boolean(v, what)
			}
		case "dbt-cloud":
			// dbt Cloud's own settings; nothing for gmodel.
			d.omap(v, what)
		case "models":
			p.Models = l.tree(d, kv, "models")
		case "seeds":
			p.Seeds = l.tree(d, kv, "seeds")
		case "tests", "data_tests":
			if p.Tests != nil {
				d.errorf(kv.key, "both 'tests' and 'data_tests' are set; use only 'data_tests'")
			}
			p.Tests = l.tree(d, kv, "tests")
		case "snapshots":
			p.Snapshots = l.tree(d, kv, "snapshots")
		case "sources":
			p.SourceConfigs = l.tree(d, kv, "sources")
		case "analyses":
			p.Analyses = l.tree(d, kv, "analyses")
		case "metrics", "semantic-models", "saved-queries", "exposures", "unit_tests":
			if p.OtherConfigs == nil {
				p.OtherConfigs = map[string]*ConfigTree{}
			}
			p.OtherConfigs[k] = l.tree(d, kv, k)
		default:
			d.unknownKey(kv, p.File, projectKeys)
		}
	}
	if !hasName {
		d.errorHint(root, "add the project's name, e.g. 'name: my_project' (letters, digits and underscores)",
			"missing required key 'name'")
	}
}

// paths decodes a list of directories relative to the project root.
func (l *loader) paths(d *decoder, kv pair, prev []string) []string {
	list, _ := d.strList(kv.val, "'"+kv.name+"'")
	var out []string
	for _, s := range list {
		if c := l.clean(s); c != "" {
			out = append(out, c)
		}
	}
	return append(prev, out...)
}

func (l *loader) path(d *decoder, v *yaml.Node, what string) string {
	s, ok := d.str(v, what)
	if !ok || s == "" {
		return ""
	}
	return l.clean(s)
}

// clean tidies a configured path: slashes, no "./" or "a/../". Relative
// paths are relative to the project root.
func (l *loader) clean(s string) string {
	s = filepath.ToSlash(s)
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return path.Clean(s)
}

func (l *loader) setDefaults() {
	p := l.p
	def := func(v *[]string, d string) {
		if v == nil || *v == nil {
			*v = []string{d}
		}
	}
	def(&p.ModelPaths, "models")
	def(&p.SeedPaths, "seeds")
	def(&p.TestPaths, "tests")
	def(&p.MacroPaths, "macros")
	def(&p.SnapshotPaths, "snapshots")
	def(&p.AnalysisPaths, "analyses")
	if p.AssetPaths == nil {
		p.AssetPaths = []string{}
	}
	if p.DocsPaths == nil {
		for _, list := range [][]string{p.ModelPaths, p.SeedPaths, p.TestPaths, p.MacroPaths, p.SnapshotPaths, p.AnalysisPaths} {
			for _, d := range list {
				if !slices.Contains(p.DocsPaths, d) {
					p.DocsPaths = append(p.DocsPaths, d)
				}
			}
		}
	}
	if p.TargetPath == "" {
		p.TargetPath = "target"
	}
	if p.LogPath == "" {
		p.LogPath = "logs"
	}
	if p.PackagesInstallPath == "" {
		p.PackagesInstallPath = "dbt_packages"
	}
	if p.CleanTargets == nil {
		p.CleanTargets = []string{p.TargetPath}
	}
	if p.ConfigVersion == 0 {
		p.ConfigVersion = 2
	}
	if p.Vars == nil {
		p.Vars = NewOrderedMap()
	}
	for _, t := range []**ConfigTree{&p.Models, &p.Seeds, &p.Tests, &p.Snapshots, &p.SourceConfigs, &p.Analyses} {
		if *t == nil {
			*t = &ConfigTree{Configs: NewOrderedMap(), Children: map[string]*ConfigTree{}}
		}
	}
}

func (d *decoder) quoting(n *yaml.Node, what string) map[string]bool {
	pairs, ok := d.mapping(n, what)
	if !ok || pairs == nil {
		return nil
	}
	out := map[string]bool{}
	for _, kv := range pairs {
		if isNull(kv.val) {
			continue
		}
		if b, ok := d.boolean(kv.val, what+" '"+kv.name+"'"); ok {
			out[kv.name] = b
		}
	}
	return out
}

func (l *loader) dispatch(d *decoder, n *yaml.Node) []Dispatch {
	items, _ := d.list(n, "'dispatch'")
	var out []Dispatch
	for _, it := range items {
		pairs, ok := d.mapping(it, "a 'dispatch' entry")
		if !ok {
			continue
		}
		var e Dispatch
		for _, kv := range pairs {
			switch kv.name {
			case "macro_namespace":
				e.MacroNamespace, _ = d.str(kv.val, "'macro_namespace'")
			case "search_order":
				e.SearchOrder, _ = d.strList(kv.val, "'search_order'")
			default:
				d.unknownKey(kv, "a 'dispatch' entry", []string{"macro_namespace", "search_order"})
			}
		}
		if e.MacroNamespace == "" {
			d.errorf(it, "a 'dispatch' entry needs 'macro_namespace'")
			continue
		}
		out = append(out, e)
	}
	return out
}

// hooks decodes on-run-start/on-run-end: a string, or a list of strings and
// {sql, transaction} mappings.
func (d *decoder) hooks(n *yaml.Node, what string) []Hook {
	n = resolveAlias(n)
	if isNull(n) {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []Hook
	for _, it := range items {
		it = resolveAlias(it)
		switch it.Kind {
		case yaml.ScalarNode:
			if isNull(it) {
				continue
			}
			out = append(out, Hook{SQL: it.Value, Transaction: true, Pos: d.pos(it)})
		case yaml.MappingNode:
			h := Hook{Transaction: true, Pos: d.pos(it)}
			for _, kv := range d.pairs(it) {
				switch kv.name {
				case "sql":
					h.SQL, _ = d.str(kv.val, "hook 'sql'")
				case "transaction":
					h.Transaction, _ = d.boolean(kv.val, "hook 'transaction'")
				default:
					d.unknownKey(kv, "a hook", []string{"sql", "transaction"})
				}
			}
			out = append(out, h)
		default:
			d.errorf(it, "%s must be SQL strings or {sql, transaction} mappings, not %s", what, kindName(it))
		}
	}
	return out
}

// ParseHooks turns a pre-hook/post-hook config value (as stored in a config
// map: a string, an *OrderedMap {sql, transaction}, or a list of those) into
// hooks. Positions come from the maps where known.
func ParseHooks(v any) ([]Hook, error) {
	var out []Hook
	var add func(v any) error
	add = func(v any) error {
		switch v := v.(type) {
		case nil:
		case string:
			out = append(out, Hook{SQL: v, Transaction: true})
		case []any:
			for _, x := range v {
				if err := add(x); err != nil {
					return err
				}
			}
		case *OrderedMap:
			h := Hook{Transaction: true, Pos: v.Pos["sql"]}
			for _, k := range v.Keys {
				switch x := v.Values[k]; k {
				case "sql":
					s, ok := x.(string)
					if !ok {
						return fmt.Errorf("hook 'sql' must be a string, not %T", x)
					}
					h.SQL = s
				case "transaction":
					b, ok := x.(bool)
					if !ok {
						return fmt.Errorf("hook 'transaction' must be true or false, not %T", x)
					}
					h.Transaction = b
				default:
					return fmt.Errorf("unknown key '%s' in a hook", k)
				}
			}
			out = append(out, h)
		default:
			return fmt.Errorf("a hook must be SQL text or {sql, transaction}, not %T", v)
		}
		return nil
	}
	if err := add(v); err != nil {
		return nil, err
	}
	return out, nil
}

// isHookKey reports whether a config key (maybe "+"-prefixed) is a hook,
// which stays unrendered until run time.
func isHookKey(k string) bool {
	switch normalizeConfigKey(k) {
	case "pre-hook", "post-hook":
		return true
	}
	return false
}

// relPath is p relative to root with forward slashes.
func relPath(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
