// Package profiles finds and reads profiles.yml, dbt's file of connection
// targets, unchanged, and hands the chosen target to the adapter that
// decodes its own section strictly (see Decode). Values holding Jinja, such
// as "{{ env_var('PGPASSWORD') }}", are rendered through a hook the caller
// wires to the Jinja engine. Passwords are held as Secret so that they are
// never printed, and no error message ever quotes a value.
package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gmodel/gmodel/project"
	"gopkg.in/yaml.v3"
)

// FileName is the name of the profiles file.
const FileName = "profiles.yml"

// FindOptions says where Find looks. Nil functions default to the process
// environment and home directory.
type FindOptions struct {
	Dir        string // --profiles-dir
	ProjectDir string
	LookupEnv  func(string) (string, bool)
	Home       func() (string, error)
}

// Find returns the path of the profiles.yml to use. An explicit place is
// used alone, as dbt does, so that a missing file there is never replaced by
// another (perhaps production) one: --profiles-dir, else $GMODEL_PROFILES_DIR,
// else $DBT_PROFILES_DIR. Without one, Find tries the project directory,
// ~/.gmodel and ~/.dbt in that order. The error lists every place tried.
func Find(opts FindOptions) (string, error) {
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	home := opts.Home
	if home == nil {
		home = os.UserHomeDir
	}
	type place struct{ dir, why string }
	var places []place
	if opts.Dir != "" {
		places = []place{{opts.Dir, "--profiles-dir"}}
	} else if v, ok := lookup("GMODEL_PROFILES_DIR"); ok && v != "" {
		places = []place{{v, "$GMODEL_PROFILES_DIR"}}
	} else if v, ok := lookup("DBT_PROFILES_DIR"); ok && v != "" {
		places = []place{{v, "$DBT_PROFILES_DIR"}}
	} else {
		if opts.ProjectDir != "" {
			places = append(places, place{opts.ProjectDir, "the project directory"})
		}
		if h, err := home(); err == nil && h != "" {
			places = append(places, place{filepath.Join(h, ".gmodel"), ""}, place{filepath.Join(h, ".dbt"), ""})
		}
	}
	var tried []string
	for _, p := range places {
		path := filepath.Join(p.dir, FileName)
		st, err := os.Stat(path)
		if err == nil && st.Mode().IsRegular() {
			return path, nil
		}
		line := "  " + path
		if p.why != "" {
			line += " (" + p.why + ")"
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			line += ": " + unwrapPathError(err).Error()
		}
		tried = append(tried, line)
	}
	msg := "no " + FileName + " found"
	if len(tried) > 0 {
		msg += "; looked for:\n" + strings.Join(tried, "\n")
	}
	return "", &project.Error{
		Msg:  msg,
		Hint: "create " + FileName + " (dbt's format) in one of those places, or point --profiles-dir at its directory",
	}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Target is one output of a profile, ready for its adapter.
type Target struct {
	Profile  string // the profile's name
	Name     string // the target's name ("dev")
	Type     string // the adapter type ("postgres", "athena")
	Schema   string
	Database string // `database`, or dbt-postgres' `dbname`
	User     string
	Threads  int    // default 1
	File     string // the profiles.yml path, as given to Load
	Pos      project.Pos
	// Node is the output's mapping after rendering, with aliases and merge
	// keys resolved, for the adapter's strict Decode. It holds secrets in
	// clear: never print it.
	Node *yaml.Node
}

// Load reads the target of profile from the profiles file at path. target
// is the --target flag; when empty, the profile's `target:` key is used,
// else "default" (as dbt does). render renders strings holding Jinja; nil
// leaves them as they are. Errors are positioned in the file and never
// quote a value.
func Load(path string, profile, target string, render func(file string, pos project.Pos, s string) (string, error)) (*Target, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &project.Error{Pos: project.Pos{File: path}, Msg: "cannot read: " + unwrapPathError(err).Error(), Err: err}
	}
	root, err := project.ParseYAML(path, data)
	if err != nil {
		return nil, err
	}
	var errs project.ErrorList
	l := &loader{file: path, errs: &errs, render: render}
	t := l.load(root, profile, target)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

type loader struct {
	file   string
	errs   *project.ErrorList
	render func(file string, pos project.Pos, s string) (string, error)
}

func (l *loader) pos(n *yaml.Node) project.Pos { return project.NodePos(l.file, n) }

func (l *loader) errorf(n *yaml.Node, hint, format string, args ...any) {
	l.errs.Append(&project.Error{Pos: l.pos(n), Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func didYouMean(name string, candidates []string) string {
	if s := project.DidYouMean(name, candidates); s != "" {
		return "did you mean '" + s + "'?"
	}
	return ""
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

func (l *loader) load(root *yaml.Node, profile, target string) *Target {
	base := filepath.Base(l.file)
	if root == nil {
		l.errs.Add(project.Pos{File: l.file}, "%s is empty; it needs the profile '%s'", base, profile)
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "", "%s must be a mapping of profile names, not %s", base, kindName(root))
		return nil
	}
	var names []string
	var prof *yaml.Node
	for _, kv := range project.YAMLPairs(root) {
		if kv[0].Value == "config" { // dbt's old user config: accepted, unused
			continue
		}
		names = append(names, kv[0].Value)
		if kv[0].Value == profile {
			prof = kv[1]
		}
	}
	available := "none"
	if len(names) > 0 {
		available = quoteList(names)
	}
	if profile == "" {
		l.errorf(root, "set `profile:` in the project file, or pass --profile",
			"no profile named; profiles in %s: %s", base, available)
		return nil
	}
	if prof == nil {
		hint := didYouMean(profile, names)
		if hint == "" {
			hint = "add a profile '" + profile + "' to " + base + ", or change `profile:` in the project file"
		}
		l.errorf(root, hint, "profile '%s' not found in %s; available profiles: %s", profile, base, available)
		return nil
	}
	prof = resolve(prof)
	if prof.Kind != yaml.MappingNode {
		l.errorf(prof, "", "profile '%s' must be a mapping with 'target' and 'outputs', not %s", profile, kindName(prof))
		return nil
	}
	var targetNode, outputs, outputsKey *yaml.Node
	for _, kv := range project.YAMLPairs(prof) {
		switch kv[0].Value {
		case "target":
			targetNode = kv[1]
		case "outputs":
			outputsKey, outputs = kv[0], resolve(kv[1])
		default:
			l.errorf(kv[0], didYouMean(kv[0].Value, []string{"target", "outputs"}),
				"unknown key '%s' in profile '%s'", kv[0].Value, profile)
		}
	}
	if outputs == nil || outputs.Kind != yaml.MappingNode {
		at := prof
		if outputs != nil {
			at = outputs
		}
		l.errorf(at, "", "profile '%s' has no 'outputs' mapping", profile)
		return nil
	}
	var outNames []string
	outByName := map[string][2]*yaml.Node{}
	for _, kv := range project.YAMLPairs(outputs) {
		outNames = append(outNames, kv[0].Value)
		outByName[kv[0].Value] = kv
	}
	at := outputsKey // where a bad --target is reported
	if target == "" && targetNode != nil {
		target, at = l.renderTargetName(targetNode), targetNode
		if target == "" {
			return nil
		}
	}
	if target == "" {
		target = "default"
		if _, ok := outByName[target]; !ok {
			l.errorf(prof, "set `target:` in the profile, or pass --target",
				"profile '%s' has no `target:` and no output named 'default'; available targets: %s", profile, quoteList(outNames))
			return nil
		}
	}
	out, ok := outByName[target]
	if !ok {
		hint := didYouMean(target, outNames)
		if hint == "" {
			hint = "pass --target with one of them, or add the output to the profile"
		}
		l.errorf(at, hint, "target '%s' not found in profile '%s'; available targets: %s", target, profile, quoteList(outNames))
		return nil
	}
	if resolve(out[1]).Kind != yaml.MappingNode {
		l.errorf(out[1], "", "target '%s' must be a mapping of connection settings, not %s", target, kindName(out[1]))
		return nil
	}
	node := flatten(out[1])
	l.renderAll(node)
	t := &Target{Profile: profile, Name: target, Threads: 1, File: l.file, Pos: l.pos(out[0]), Node: node}
	l.common(t)
	return t
}

// renderTargetName renders the profile's `target:` value.
func (l *loader) renderTargetName(n *yaml.Node) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		l.errorf(n, "", "'target' must name an output, not %s", kindName(n))
		return ""
	}
	s := n.Value
	if l.render != nil && hasJinja(s) {
		out, err := l.render(l.file, l.pos(n), s)
		if err != nil {
			l.errs.Append(project.RenderError(l.pos(n), err))
			return ""
		}
		s = strings.TrimSpace(out)
		if s == "" {
			l.errorf(n, "", "'target' renders to an empty name")
		}
	}
	return s
}

// common fills the fields every adapter shares.
func (l *loader) common(t *Target) {
	for _, kv := range project.YAMLPairs(t.Node) {
		k, v := kv[0].Value, kv[1]
		var dst *string
		switch k {
		case "type":
			dst = &t.Type
		case "schema":
			dst = &t.Schema
		case "database", "dbname":
			dst = &t.Database
		case "user":
			dst = &t.User
		case "threads":
			if isNull(v) {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || err != nil {
				l.errorf(v, "", "'threads' must be an integer, not %s", kindName(v))
				continue
			}
			if n < 1 {
				l.errorf(v, "", "'threads' must be at least 1")
				continue
			}
			t.Threads = n
			continue
		default:
			continue
		}
		if v.Kind != yaml.ScalarNode {
			l.errorf(v, "", "'%s' must be a string, not %s", k, kindName(v))
			continue
		}
		if !isNull(v) {
			*dst = v.Value
		}
	}
	if t.Type == "" {
		l.errorf(t.Node, "set it to the adapter, e.g. 'type: postgres'", "target '%s' has no 'type'", t.Name)
	}
}

func hasJinja(s string) bool { return strings.Contains(s, "{{") || strings.Contains(s, "{%") }

// renderAll renders, in place, every string scalar of a flattened output
// that holds Jinja, then types the result as YAML would a plain scalar, so
// that "{{ env_var('PGPORT') }}" can fill an integer.
func (l *loader) renderAll(n *yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		if l.render == nil || n.ShortTag() != "!!str" || !hasJinja(n.Value) {
			return
		}
		out, err := l.render(l.file, l.pos(n), n.Value)
		if err != nil {
			l.errs.Append(project.RenderError(l.pos(n), err))
			return
		}
		n.Value, n.Style = out, 0
		n.Tag = retag(out)
		if n.Tag == "!!str" {
			n.Style = yaml.DoubleQuotedStyle
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			l.renderAll(n.Content[i])
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			l.renderAll(c)
		}
	}
}

// retag types a rendered value: integers, numbers and booleans as such,
// anything else as a string (never null: an empty value stays "").
func retag(s string) string {
	t := strings.TrimSpace(s)
	if _, err := strconv.ParseInt(t, 10, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil && !slices.Contains([]string{"inf", "+inf", "-inf", "nan"}, strings.ToLower(t)) {
		return "!!float"
	}
	switch t {
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	}
	return "!!str"
}

func resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// maxNodes bounds flatten, so that aliases of aliases cannot exhaust memory.
const maxNodes = 100_000

// flatten deep-copies n with aliases followed and merge keys applied, so
// that the copy can be rendered and decoded on its own. ParseYAML has
// removed alias cycles; the node budget stops exponential expansion.
func flatten(n *yaml.Node) *yaml.Node {
	budget := maxNodes
	var rec func(n *yaml.Node) *yaml.Node
	rec = func(n *yaml.Node) *yaml.Node {
		n = resolve(n)
		budget--
		if budget < 0 {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}
		}
		c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Line: n.Line, Column: n.Column}
		switch n.Kind {
		case yaml.MappingNode:
			for _, kv := range project.YAMLPairs(n) {
				k := *kv[0]
				k.Alias, k.Content = nil, nil
				c.Content = append(c.Content, &k, rec(kv[1]))
			}
		case yaml.SequenceNode:
			for _, x := range n.Content {
				c.Content = append(c.Content, rec(x))
			}
		}
		return c
	}
	return rec(n)
}

// kindName describes a node for "must be X, not Y" messages, never
// quoting its value.
func kindName(n *yaml.Node) string { return project.KindName(resolve(n)) }
