// Package compiler turns a loaded project into a manifest: every model,
// seed, snapshot, analysis and test as a node with its resolved config,
// compiled SQL and dependencies, plus the dependency graph. It renders the
// project's Jinja (compiler/jinja) with the dbt context (ref, source, config,
// var, adapter.dispatch, ...) and never opens a database connection.
package compiler

import (
	"errors"
	"fmt"
	"github.com/gmodel/gmodel/internal/phase"
	"io"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// Target is what the compiler needs to know of the profile's target.
type Target struct {
	Name     string
	Profile  string
	Type     string // adapter type: postgres, athena
	Schema   string
	Database string
	User     string
	Threads  int
	Extra    map[string]any // other non-secret target keys, visible as target.<key>
}

// Options control one compilation.
type Options struct {
	Target       Target
	Vars         *project.OrderedMap // --vars, over the project's vars
	InvocationID string
	RunStartedAt time.Time
	Command      string // for flags.WHICH
	FullRefresh  bool
	// Workers bounds parallel parsing and rendering; 0 means GOMAXPROCS.
	Workers int
	// ParseOnly stops after the graph is built: no compiled SQL (parse, ls).
	ParseOnly bool
	// LookupEnv reads environment variables for env_var(); nil means none.
	LookupEnv func(string) (string, bool)
	// Log receives log()/print() output and warnings; nil discards them.
	Log io.Writer
	// Debug logs the time each compilation phase takes.
	Debug bool
	// Phases, when set, is the timer --debug logs the phases with (else
	// Compile starts its own when Debug is set).
	Phases *phase.Timer
	// IsIncremental answers is_incremental() for a node at run time; nil
	// (compile) means false.
	IsIncremental func(*Node) bool
}

// compiler holds the state of one Compile call.
type compiler struct {
	p       *project.Project
	opts    Options
	env     *jinja.Env
	dialect *Dialect

	macros       map[string]*jinja.Macro // the project's, by name
	builtin      map[string]*jinja.Macro // gmodel's copy of dbt's global project
	macroDefs    []*MacroNode
	builtinNodes []*MacroNode
	fastTestsOff map[string]bool
	cfgCache     map[string]*project.OrderedMap
	cfgMu        sync.Mutex
	nameMacros   nameMacros // which generate_*_name macros the project overrides
	docs         []*DocNode
	sources      map[string]*SourceNode // "source.table"
	srcList      []*SourceNode
	vars         map[string]jinja.Value

	nodes  []*Node            // every node, index = Node.index
	byName map[string][]*Node // ref() targets: models, seeds, snapshots

	names     []string
	namesOnce sync.Once

	errMu sync.Mutex
	errs  project.ErrorList
	logMu sync.Mutex

	exprCache sync.Map // test kwarg expression -> *jinja.Template
}

// Compile parses and compiles a project. On problems in the project's files
// it returns a project.ErrorList with every problem found, positioned.
func Compile(p *project.Project, opts Options) (*Manifest, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.RunStartedAt.IsZero() {
		opts.RunStartedAt = time.Now().UTC()
	}
	c := &compiler{
		p:        p,
		opts:     opts,
		env:      jinja.NewEnv(),
		dialect:  dialectFor(opts.Target.Type),
		macros:   map[string]*jinja.Macro{},
		builtin:  map[string]*jinja.Macro{},
		sources:  map[string]*SourceNode{},
		byName:   map[string][]*Node{},
		cfgCache: map[string]*project.OrderedMap{},
	}
	c.env.Resolve = c.resolveName
	c.env.ResolveNames = c.macroNames
	c.installGlobals()
	c.loadVars()

	phase := c.phases().Done
	c.loadBuiltinMacros()
	c.loadProjectMacros()
	c.loadDocs()
	c.loadSources()
	phase("macros, docs and sources")
	c.discoverNodes()
	phase("discover nodes")
	if err := c.err(); err != nil {
		return nil, err
	}
	c.renderAll(false)
	phase("parse and render")
	if err := c.err(); err != nil {
		return nil, err
	}
	c.finishConfigs()
	phase("configs and relations")
	c.buildGenericTests()
	phase("generic tests")
	if err := c.err(); err != nil {
		return nil, err
	}
	m := c.buildManifest()
	c.checkGraph(m)
	phase("graph")
	if err := c.err(); err != nil {
		return nil, err
	}
	if !opts.ParseOnly {
		c.compileSQL(m)
		phase("compiled SQL")
		if err := c.err(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// phases returns the timer of --debug: nil (logging nothing) without it.
func (c *compiler) phases() *phase.Timer {
	if c.opts.Phases != nil {
		return c.opts.Phases
	}
	if !c.opts.Debug || c.opts.Log == nil {
		return nil
	}
	return phase.New(c.opts.Log)
}

func (c *compiler) err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	if len(c.errs) == 0 {
		return nil
	}
	sort.SliceStable(c.errs, func(i, j int) bool {
		a, b := c.errs[i].Pos, c.errs[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return c.errs
}

func (c *compiler) addErr(pos project.Pos, msg, hint string) {
	c.errMu.Lock()
	c.errs = append(c.errs, &project.Error{Pos: pos, Msg: msg, Hint: hint})
	c.errMu.Unlock()
}

// hintError is an error from the dbt context that carries a hint for the user.
type hintError struct{ msg, hint string }

func (e *hintError) Error() string { return e.msg }

// Hint lets the template engine carry the hint in its own error.
func (e *hintError) Hint() string { return e.hint }

// addJinjaErr records an error from parsing or rendering a file, keeping the
// engine's position and any hint.
func (c *compiler) addJinjaErr(file string, err error, what string) {
	c.add(c.jinjaError(file, err, what))
}

func (c *compiler) add(e *project.Error) {
	c.errMu.Lock()
	c.errs = append(c.errs, e)
	c.errMu.Unlock()
}

// jinjaError turns an engine error into a positioned project error.
func (c *compiler) jinjaError(file string, err error, what string) *project.Error {
	pos := project.Pos{File: file, Line: 1, Col: 1}
	msg := err.Error()
	var je *jinja.Error
	if errors.As(err, &je) {
		pos = project.Pos{File: je.File, Line: je.Line, Col: je.Col}
		msg = je.Msg
	}
	hint := ""
	var he *hintError
	if errors.As(err, &he) {
		hint = he.hint
	}
	if je != nil && je.FullHint() != "" {
		hint = je.FullHint()
	}
	var ce *compilerError
	if errors.As(err, &ce) {
		msg = "compilation error: " + ce.msg
	}
	if what != "" {
		msg = what + ": " + msg
	}
	return &project.Error{Pos: pos, Msg: msg, Hint: hint}
}

// resolveName makes every project macro (and gmodel's built-in ones) global,
// as dbt does; project macros win over built-ins of the same name.
func (c *compiler) resolveName(s *jinja.State, name string) (jinja.Value, bool) {
	if name == "execute" {
		// Only the parse render gets here (the final one has execute in its
		// vars): what it produced may differ once execute is true.
		if s != nil {
			if rc, ok := s.Data.(*renderCtx); ok && rc.node != nil {
				rc.node.needsFinal = true
			}
		}
		return false, true
	}
	return c.lookupMacro(name)
}

// macroNames lists every macro name, for did-you-mean hints.
func (c *compiler) macroNames() []string {
	names := make([]string, 0, len(c.macros)+len(c.builtin))
	for k := range c.macros {
		names = append(names, k)
	}
	for k := range c.builtin {
		if _, dup := c.macros[k]; !dup {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

func (c *compiler) lookupMacro(name string) (jinja.Value, bool) {
	if m, ok := c.macros[name]; ok {
		return m, true
	}
	if m, ok := c.builtin[name]; ok {
		return m, true
	}
	return nil, false
}

func (c *compiler) loadVars() {
	c.vars = map[string]jinja.Value{}
	add := func(m *project.OrderedMap) {
		if m == nil {
			return
		}
		for _, k := range m.Keys {
			v := m.Values[k]
			// Package-scoped vars: `vars: {my_project: {x: 1}}`.
			if k == c.p.Name {
				if sub, ok := v.(*project.OrderedMap); ok {
					for _, sk := range sub.Keys {
						c.vars[sk] = toJinja(sub.Values[sk])
					}
					continue
				}
			}
			c.vars[k] = toJinja(v)
		}
	}
	add(c.p.Vars)
	add(c.opts.Vars)
}

// parallel runs fn for every index in [0,n) on the configured workers.
func (c *compiler) parallel(n int, fn func(i int)) {
	w := c.opts.Workers
	if w > n {
		w = n
	}
	if w <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	const chunk = 16
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				start := next
				next += chunk
				mu.Unlock()
				if start >= n {
					return
				}
				end := min(start+chunk, n)
				for i := start; i < end; i++ {
					fn(i)
				}
			}
		}()
	}
	wg.Wait()
}

// loadProjectMacros parses every macro file and registers its macros and
// generic tests.
func (c *compiler) loadProjectMacros() {
	files := c.p.MacroFiles
	tmpls := make([]*jinja.Template, len(files))
	c.parallel(len(files), func(i int) {
		t, err := c.env.Parse(files[i].Path, files[i].Content)
		if err != nil {
			c.addJinjaErr(files[i].Path, err, "")
			return
		}
		tmpls[i] = t
	})
	seen := map[string]*MacroNode{}
	for i, t := range tmpls {
		if t == nil {
			continue
		}
		f := files[i]
		for _, m := range t.Macros() {
			pos := project.Pos{File: f.Path, Line: m.Line, Col: 1}
			if prev, dup := seen[m.Name]; dup {
				c.addErr(pos, fmt.Sprintf("macro '%s' is defined twice: here and at %s:%d", m.Name, prev.OriginalFilePath, prev.Pos.Line),
					"rename or delete one of them")
				continue
			}
			mn := &MacroNode{
				UniqueID:         "macro." + c.p.Name + "." + m.Name,
				Name:             m.Name,
				PackageName:      c.p.Name,
				Path:             f.Path,
				OriginalFilePath: f.Path,
				MacroSQL:         macroSource(f.Content, m),
				Pos:              pos,
				macro:            m,
			}
			seen[m.Name] = mn
			c.macros[m.Name] = m
			c.macroDefs = append(c.macroDefs, mn)
		}
	}
	for _, patch := range c.p.MacroPatches {
		if mn := seen[patch.Name]; mn != nil {
			mn.Description = patch.Description
			mn.Arguments = patch.Arguments
		}
	}
}

// macroSource cuts a macro's own text out of its file, for the manifest.
func macroSource(content string, m *jinja.Macro) string {
	lines := strings.SplitAfter(content, "\n")
	if m.Line < 1 || m.Line > len(lines) {
		return ""
	}
	rest := strings.Join(lines[m.Line-1:], "")
	start := strings.Index(rest, "{%")
	if start < 0 {
		return ""
	}
	rest = rest[start:]
	depth := 0
	for i := 0; i < len(rest); {
		j := strings.Index(rest[i:], "{%")
		if j < 0 {
			break
		}
		j += i
		k := strings.Index(rest[j:], "%}")
		if k < 0 {
			break
		}
		k += j + 2
		tag := strings.Fields(strings.Trim(rest[j+2:k-2], "- "))
		if len(tag) > 0 {
			switch tag[0] {
			case "macro", "test", "materialization":
				depth++
			case "endmacro", "endtest", "endmaterialization":
				depth--
				if depth == 0 {
					return rest[:k]
				}
			}
		}
		i = k
	}
	return rest
}

// loadDocs collects {% docs %} blocks from .md files.
func (c *compiler) loadDocs() {
	seen := map[string]*DocNode{}
	for _, f := range c.p.DocFiles {
		t, err := c.env.Parse(f.Path, f.Content)
		if err != nil {
			c.addJinjaErr(f.Path, err, "")
			continue
		}
		for _, b := range t.Blocks() {
			if b.Kind != "docs" {
				continue
			}
			pos := project.Pos{File: f.Path, Line: b.Line, Col: b.Col}
			if prev := seen[b.Name]; prev != nil {
				c.addErr(pos, fmt.Sprintf("docs block '%s' is defined twice: here and at %s:%d", b.Name, prev.OriginalFilePath, prev.Pos.Line), "")
				continue
			}
			d := &DocNode{
				UniqueID:         "doc." + c.p.Name + "." + b.Name,
				Name:             b.Name,
				PackageName:      c.p.Name,
				Path:             trimDir(f.Path, f.Dir),
				OriginalFilePath: f.Path,
				BlockContents:    strings.TrimSpace(b.Body),
				Pos:              pos,
			}
			seen[b.Name] = d
			c.docs = append(c.docs, d)
		}
	}
	c.env.Globals["doc"] = jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
		if len(call.Args) < 1 || len(call.Args) > 2 {
			return nil, fmt.Errorf("doc() takes a docs block name (and optionally a package)")
		}
		name := jinja.ToString(call.Args[len(call.Args)-1])
		if d := seen[name]; d != nil {
			return d.BlockContents, nil
		}
		var all []string
		for k := range seen {
			all = append(all, k)
		}
		msg := fmt.Sprintf("doc('%s') names a docs block that does not exist", name)
		if s := didYouMean(name, all); s != "" {
			msg += fmt.Sprintf("; did you mean '%s'?", s)
		}
		return nil, &hintError{msg: msg, hint: "docs blocks are written as {% docs name %}...{% enddocs %} in a .md file"}
	})
}

func trimDir(p, dir string) string {
	if dir != "" && strings.HasPrefix(p, dir+"/") {
		return p[len(dir)+1:]
	}
	return p
}
