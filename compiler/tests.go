package compiler

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// testTarget is what a YAML test is attached to.
type testTarget struct {
	name     string // the model/seed/snapshot name, or source.table
	node     *Node
	source   *SourceNode
	file     string   // the YAML file
	fileKey  string   // dbt's file_key_name: "models.orders", "sources.raw"
	modelStr string   // the `model` kwarg: "{{ get_where_subquery(ref('orders')) }}"
	fqnDirs  []string // the start of its tests' fqns: project and folders of file
	cfgKey   string   // its tests' key for shared configs (see baseConfigKeyed)
}

// testMacro is a generic test's macro, as macroForTest finds it.
type testMacro struct {
	macro jinja.Value
	ns    string
	err   error
}

// testJob is one generic test to build: a test of the YAML attached to a
// target, on a column or not.
type testJob struct {
	t     *testTarget
	def   *project.TestDef
	col   string
	macro *testMacro
	n     *Node
}

// buildGenericTests turns the tests attached in schema YAML into test nodes
// and renders them with the generic test macros.
func (c *compiler) buildGenericTests() {
	// One target per node or source with tests, shared by its columns'
	// tests; the capacity keeps the pointers into targets stable.
	targets := make([]testTarget, 0, len(c.nodes)+len(c.srcList))
	type group struct {
		t    *testTarget
		defs []*project.TestDef
		col  string
	}
	var groups []group
	numTests := 0
	// Most targets share a handful of YAML files, and with them the start
	// of their tests' fqns and their shared-config key.
	type fileFQN struct {
		dirs []string
		key  string
	}
	byFile := map[string]fileFQN{}
	addTarget := func(t testTarget, tests []*project.TestDef, cols []*project.Column) {
		var tp *testTarget
		add := func(defs []*project.TestDef, col string) {
			if len(defs) == 0 {
				return
			}
			if tp == nil {
				targets = append(targets, t)
				tp = &targets[len(targets)-1]
				f, ok := byFile[tp.file]
				if !ok {
					f.dirs = c.testFQNDirs(tp.file)
					f.key = treeKind(Test) + "\x00" + strings.Join(f.dirs, "\x00")
					byFile[tp.file] = f
				}
				tp.fqnDirs, tp.cfgKey = f.dirs, f.key
			}
			groups = append(groups, group{t: tp, defs: defs, col: col})
			numTests += len(defs)
		}
		add(tests, "")
		for _, col := range cols {
			add(col.Tests, col.Name)
		}
	}
	for _, n := range c.nodes {
		if n.patch == nil || n.disabled {
			continue
		}
		kind := treeKind(n.ResourceType)
		addTarget(testTarget{name: n.Name, node: n, file: n.patch.Pos.File, fileKey: kind + "." + n.Name,
			modelStr: "{{ get_where_subquery(ref('" + n.Name + "')) }}"}, n.patch.Tests, n.patch.Columns)
	}
	for _, s := range c.srcList {
		addTarget(testTarget{name: s.SourceName + "_" + s.Name, source: s, file: s.Pos.File, fileKey: "sources." + s.SourceName,
			modelStr: "{{ get_where_subquery(source('" + s.SourceName + "', '" + s.Name + "')) }}"}, s.def.Tests, s.Columns)
	}
	c.initFastTests()
	// A project has few distinct generic tests: find each one's macro once.
	macros := map[string]*testMacro{}
	jobs := make([]testJob, 0, numTests)
	for _, g := range groups {
		for _, def := range g.defs {
			tm := macros[def.Name]
			if tm == nil {
				tm = &testMacro{}
				tm.macro, tm.ns, tm.err = c.macroForTest(def.Name)
				macros[def.Name] = tm
			}
			jobs = append(jobs, testJob{t: g.t, def: def, col: g.col, macro: tm})
		}
	}
	// Building a test node (names, hash, config, relation) is independent
	// work; only numbering the nodes and spotting duplicates is sequential.
	// The nodes are allocated together: one allocation instead of thousands.
	slab := make([]Node, len(jobs))
	c.parallel(len(jobs), func(i int) {
		jobs[i].n = c.newGenericTest(&jobs[i], &slab[i])
	})
	tests := make([]*Node, 0, len(jobs))
	c.nodes = slices.Grow(c.nodes, len(jobs))
	seen := make(map[string]*Node, len(jobs))
	for _, j := range jobs {
		n := j.n
		if n == nil {
			continue
		}
		if prev := seen[n.UniqueID]; prev != nil {
			c.addErr(j.def.Pos, fmt.Sprintf("test '%s' is defined twice (also at %s:%d)", n.Name, prev.Pos.File, prev.Pos.Line),
				"give one of them a different `name:`")
			continue
		}
		seen[n.UniqueID] = n
		n.index = len(c.nodes)
		c.nodes = append(c.nodes, n)
		tests = append(tests, n)
	}
	c.parallel(len(tests), func(i int) { c.renderGenericTest(tests[i]) })
}

// testFQNDirs is the start of the fqn of the tests defined in file: the
// project, then the file's folders under its resource path.
func (c *compiler) testFQNDirs(file string) []string {
	fqn := []string{c.p.Name}
	for _, dirs := range [][]string{c.p.ModelPaths, c.p.SeedPaths, c.p.SnapshotPaths, c.p.AnalysisPaths, c.p.TestPaths} {
		for _, d := range dirs {
			if strings.HasPrefix(file, d+"/") {
				if dir := path.Dir(file[len(d)+1:]); dir != "." {
					fqn = append(fqn, strings.Split(dir, "/")...)
				}
			}
		}
	}
	return fqn
}

// macroForTest finds the generic test macro `test_<name>`.
func (c *compiler) macroForTest(name string) (jinja.Value, string, error) {
	ns, short := "", name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ns, short = name[:i], name[i+1:]
	}
	macro := "test_" + short
	var m *jinja.Macro
	switch ns {
	case "":
		if v, ok := c.lookupMacro(macro); ok {
			m, _ = v.(*jinja.Macro)
		}
	case c.p.Name, "dbt":
		m = c.macroIn(ns, macro)
	default:
		return nil, ns, fmt.Errorf("generic test '%s' comes from package '%s', which is not installed", name, ns)
	}
	if m == nil {
		var all []string
		for k := range c.macros {
			if strings.HasPrefix(k, "test_") {
				all = append(all, k[5:])
			}
		}
		for k := range c.builtin {
			if strings.HasPrefix(k, "test_") {
				all = append(all, k[5:])
			}
		}
		msg := fmt.Sprintf("no generic test named '%s'", name)
		if s := didYouMean(short, all); s != "" {
			msg += fmt.Sprintf("; did you mean '%s'?", s)
		}
		return nil, ns, &hintError{msg: msg, hint: "define it with {% test " + short + "(model, column_name) %} in macros/ or tests/generic/"}
	}
	return m, ns, nil
}

// appendIdentRuns appends s with each run of characters outside
// [0-9a-zA-Z_] replaced by one "_", as dbt's re.sub("[^0-9a-zA-Z_]+", "_", arg).
func appendIdentRuns(b []byte, s string) []byte {
	inRun := false
	for i := 0; i < len(s); i++ {
		if isIdentByte(s[i]) {
			b = append(b, s[i])
			inRun = false
		} else if !inRun {
			b = append(b, '_')
			inRun = true
		}
	}
	return b
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// newGenericTest fills n with the test node of j, or returns nil after
// reporting an unknown test.
func (c *compiler) newGenericTest(j *testJob, n *Node) *Node {
	t, def, column := j.t, j.def, j.col
	macro, ns, err := j.macro.macro, j.macro.ns, j.macro.err
	if err != nil {
		e := c.jinjaError(def.Pos.File, err, "")
		e.Pos = def.Pos
		c.add(e)
		return nil
	}
	short := def.Name
	if i := strings.LastIndexByte(short, '.'); i >= 0 {
		short = short[i+1:]
	}
	// kwargs in dbt's order: the test's own arguments, then column_name and model.
	kwargs := jinja.NewDictSize(def.Args.Len() + 2)
	if def.Args != nil {
		for _, k := range def.Args.Keys {
			kwargs.Set(k, toJinja(def.Args.Values[k]))
		}
	}
	if column != "" {
		kwargs.Set("column_name", column)
	}
	kwargs.Set("model", t.modelStr)

	testType := short
	if ns != "" {
		testType = ns + "_" + testType
	}
	if t.source != nil {
		testType = "source_" + testType
	}
	shortName, fullName := synthesizeTestNames(testType, t.name, def.Args, column)
	if def.CustomName != "" {
		shortName, fullName = def.CustomName, def.CustomName
	}
	hash := testHash(fullName, short, ns, kwargs)

	fqn := make([]string, len(t.fqnDirs), len(t.fqnDirs)+1)
	copy(fqn, t.fqnDirs)
	fqn = append(fqn, fullName)

	// n is zeroed: setting fields one by one spares building a whole Node
	// and copying it in.
	n.UniqueID = "test." + c.p.Name + "." + fullName + "." + hash
	n.Name = fullName
	n.ResourceType = Test
	n.PackageName = c.p.Name
	n.Path = shortName + ".sql"
	n.OriginalFilePath = t.file
	n.FQN = fqn
	n.RawCode = rawTestCode(ns, short, def.Config, shortName != fullName && !hasKey(def.Config, "alias"), shortName)
	n.Language = "sql"
	n.ColumnName = column
	n.FileKeyName = t.fileKey
	n.TestMetadata = &TestMetadata{Name: short, Kwargs: kwargs, Namespace: ns}
	n.Pos = def.Pos
	if t.node != nil {
		n.AttachedNode = t.node.UniqueID
	} else if t.source != nil {
		n.AttachedNode = t.source.UniqueID
	}
	n.testOn = t
	n.testDef = def
	c.baseConfigKeyed(n, t.cfgKey)
	if def.Config != nil && len(def.Config.Keys) > 0 {
		project.MergeConfig(n.ownConfig(), def.Config)
	}
	if shortName != fullName {
		if _, ok := configString(n.Config, "alias"); !ok {
			n.ownConfig().Values["alias"] = shortName
		}
	}
	if en, ok := n.Config.Values["enabled"].(bool); ok && !en {
		n.disabled = true
	}
	n.Tags = configStrings(n.Config.Values["tags"])
	n.tmplMacro = macro
	c.resolveRelation(n)
	return n
}

// renderGenericTest evaluates the test's kwargs (ref()/source() strings
// become relations) and calls its macro.
func (c *compiler) renderGenericTest(n *Node) {
	if n.disabled {
		return
	}
	if c.fastTest(n) {
		return
	}
	rc := &renderCtx{c: c, node: n, final: true}
	kwargs := jinja.NewDict()
	src := n.TestMetadata.Kwargs
	for _, k := range src.Keys() {
		v, _ := src.Get(k)
		if s, ok := v.(string); ok && isTestExpr(s) {
			ev, err := c.evalExpr(rc, s)
			if err != nil {
				pos := n.Pos
				if d := n.testDef; d != nil && d.Args != nil {
					if p, ok := d.Args.Pos[jinja.ToString(k)]; ok {
						pos = p
					}
				}
				c.add(c.atGenerated(c.jinjaError(n.OriginalFilePath, err, "test "+n.Name), pos))
				return
			}
			v = ev
		}
		kwargs.Set(k, v)
	}
	st := c.env.NewState(c.nodeRenderVars(rc), rc)
	out, err := jinja.CallValue(st, n.tmplMacro, nil, kwargs)
	if err != nil {
		c.add(c.atGenerated(c.jinjaError(n.OriginalFilePath, err, "test "+n.Name), n.Pos))
		return
	}
	n.rendered = jinja.ToString(out)
	if m, ok := n.tmplMacro.(*jinja.Macro); ok {
		n.DependsOnMacros = append(n.DependsOnMacros, c.macroID(m.Name))
	}
	n.DependsOnMacros = append(n.DependsOnMacros, c.macroID("get_where_subquery"))
}

// atGenerated points an error at pos when the engine could only place it
// inside code gmodel generated (a test's argument or call).
func (c *compiler) atGenerated(e *project.Error, pos project.Pos) *project.Error {
	if e.Pos.File == "" || strings.HasPrefix(e.Pos.File, "<") {
		e.Pos = pos
	}
	return e
}

func (c *compiler) macroID(name string) string {
	if _, ok := c.macros[name]; ok {
		return "macro." + c.p.Name + "." + name
	}
	return "macro.dbt." + name
}

func hasKey(m *project.OrderedMap, k string) bool {
	if m == nil {
		return false
	}
	_, ok := m.Values[k]
	return ok
}

// rawTestCode is the raw_code dbt records for a generic test: the macro call
// on the generated kwargs, then the test's config.
func rawTestCode(ns, name string, cfg *project.OrderedMap, setAlias bool, alias string) string {
	var code string
	if ns != "" {
		code = "{{ " + ns + ".test_" + name + "(**_dbt_generic_test_kwargs) }}"
	} else {
		code = "{{ test_" + name + "(**_dbt_generic_test_kwargs) }}"
	}
	var parts []string
	if cfg != nil {
		for _, k := range cfg.Keys {
			parts = append(parts, k+"="+pyLiteral(cfg.Values[k]))
		}
	}
	if setAlias {
		parts = append(parts, "alias="+strconv.Quote(alias))
	}
	if len(parts) > 0 {
		code += "{{ config(" + strings.Join(parts, ",") + ") }}"
	}
	return code
}

func pyLiteral(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return pyStr(v)
}

var refOrSource = regexp.MustCompile(`^\s*(ref|source)\s*\(`)

// isTestExpr reports whether a YAML test argument is Jinja to evaluate:
// `ref('x')`, `source('a', 'b')` or a `{{ ... }}` string.
func isTestExpr(s string) bool {
	return refOrSource.MatchString(s) || strings.Contains(s, "{{")
}

// evalExpr evaluates a Jinja expression (or a "{{ expr }}" string) to a value.
func (c *compiler) evalExpr(rc *renderCtx, s string) (jinja.Value, error) {
	expr := strings.TrimSpace(s)
	if strings.HasPrefix(expr, "{{") && strings.HasSuffix(expr, "}}") && strings.Count(expr, "{{") == 1 {
		expr = strings.TrimSpace(expr[2 : len(expr)-2])
	} else if strings.Contains(expr, "{{") {
		// A template with text around the expression renders to a string.
		t, err := c.env.Parse("<test argument>", s)
		if err != nil {
			return nil, err
		}
		return t.Render(c.nodeRenderVars(rc), rc)
	}
	var m *jinja.Macro
	if v, ok := c.exprCache.Load(expr); ok {
		m = v.(*jinja.Macro)
	} else {
		t, err := c.env.Parse("<test argument>", "{% macro __gm_eval() %}{{ return("+expr+") }}{% endmacro %}")
		if err != nil {
			return nil, fmt.Errorf("test argument %q is not a valid expression", s)
		}
		m = t.Macros()[0]
		c.exprCache.Store(expr, m)
	}
	return c.callMacro(rc, m, nil)
}

// synthesizeTestNames builds dbt's generic test names: the full name
// (`<test>_<model>_<args>`) and, when that reaches 64 characters, a short one
// with a hash, used as the alias and file name. The args are the test's
// YAML arguments (all but `model`) with column_name (when column is set)
// in its place, in sorted key order.
func synthesizeTestNames(testType, target string, args *project.OrderedMap, column string) (short, full string) {
	var keyBuf [8]string
	keys := keyBuf[:0]
	if args != nil {
		for _, k := range args.Keys {
			if k != "model" && (k != "column_name" || column == "") {
				keys = append(keys, k)
			}
		}
	}
	if column != "" {
		keys = append(keys, "column_name")
	}
	slices.Sort(keys)
	b := make([]byte, 0, len(testType)+len(target)+len(column)+16)
	b = append(b, testType...)
	b = append(b, '_')
	b = append(b, target...)
	identLen := len(b)
	b = append(b, '_')
	first := true
	flat := func(s string) {
		if !first {
			b = append(b, "__"...)
		}
		first = false
		b = appendIdentRuns(b, s)
	}
	for _, k := range keys {
		if k == "column_name" && column != "" {
			flat(column)
			continue
		}
		switch v := args.Values[k].(type) {
		case *project.OrderedMap:
			for _, kk := range v.Keys {
				flat(pyStr(v.Values[kk]))
			}
		case []any:
			for _, e := range v {
				flat(pyStr(e))
			}
		default:
			flat(pyStr(v))
		}
	}
	full = string(b)
	if len(full) >= 64 {
		sum := md5.Sum(b)
		trunc := full[:min(identLen, 30)]
		return trunc + "_" + hex.EncodeToString(sum[:]), full
	}
	return full, full
}

// testHash is the 10-character suffix of a generic test's unique id: the end
// of md5(name + repr(dbt's get_hashable_md of the test metadata)), that is
// of {'kwargs': ..., 'name': ..., 'namespace': ...} with sorted keys and
// every value but dicts and lists as a string.
func testHash(name, short, ns string, kwargs *jinja.Dict) string {
	b := make([]byte, 0, 256)
	b = append(b, name...)
	b = append(b, "{'kwargs': "...)
	b = appendHashable(b, kwargs)
	b = append(b, ", 'name': "...)
	b = appendPyRepr(b, short)
	b = append(b, ", 'namespace': "...)
	if ns != "" {
		b = appendPyRepr(b, ns)
	} else {
		b = append(b, "'None'"...)
	}
	b = append(b, '}')
	sum := md5.Sum(b)
	var h [32]byte
	hex.Encode(h[:], sum[:])
	return string(h[22:])
}

// appendHashable appends Python's repr() of dbt's get_hashable_md(value):
// dicts with sorted keys, lists kept, everything else str().
func appendHashable(b []byte, v jinja.Value) []byte {
	switch x := v.(type) {
	case *jinja.Dict:
		var keyBuf [8]string
		keys := keyBuf[:0]
		for _, k := range x.Keys() {
			keys = append(keys, jinja.ToString(k))
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendPyRepr(b, k)
			b = append(b, ": "...)
			val, _ := x.Get(k)
			b = appendHashable(b, val)
		}
		return append(b, '}')
	case *jinja.List:
		b = append(b, '[')
		for i, e := range x.Items {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendHashable(b, e)
		}
		return append(b, ']')
	}
	if str, ok := v.(string); ok {
		return appendPyRepr(b, str)
	}
	return appendPyRepr(b, jinja.ToString(v))
}

// pyStr is Python's str() of a decoded YAML value.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return jinja.ToString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				parts[i] = pyRepr(s)
			} else {
				parts[i] = pyStr(e)
			}
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *project.OrderedMap:
		parts := make([]string, len(x.Keys))
		for i, k := range x.Keys {
			val := x.Values[k]
			vs := pyStr(val)
			if s, ok := val.(string); ok {
				vs = pyRepr(s)
			}
			parts[i] = pyRepr(k) + ": " + vs
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// appendPyRepr appends Python's repr() of a string: single quotes unless
// the string has single quotes and no double ones. Runs of characters that
// need no escape are copied at once.
func appendPyRepr(b []byte, s string) []byte {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b = append(b, q)
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' && c != q {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			// Valid UTF-8 is kept as it is; an invalid byte becomes U+FFFD.
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = utf8.AppendRune(b, r)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		i++
		start = i
		switch {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == q:
			b = append(b, '\\', q)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		default: // other control characters and DEL
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	b = append(b, s[start:]...)
	return append(b, q)
}

// pyRepr is Python's repr() of a string.
func pyRepr(s string) string {
	return string(appendPyRepr(make([]byte, 0, len(s)+2), s))
}

// disableFastTests makes every generic test go through its Jinja macro; the
// tests of this package set it to check that both paths agree.
var disableFastTests = false

// fastTest renders the built-in unique and not_null tests, which are most
// of a project's tests, without the template engine. It produces exactly
// what their macros produce (TestFastTestsMatchMacros checks it) and steps
// aside whenever the project overrides any macro on their path.
func (c *compiler) fastTest(n *Node) bool {
	name := n.TestMetadata.Name
	if disableFastTests || n.TestMetadata.Namespace != "" || (name != "unique" && name != "not_null") || n.ColumnName == "" {
		return false
	}
	if c.fastTestsOff == nil {
		return false
	}
	if c.fastTestsOff[name] {
		return false
	}
	t := n.testOn
	var rel string
	switch {
	case t.node != nil:
		rel = (&Relation{node: t.node, dialect: c.dialect}).String()
		n.Refs = append(n.Refs, RefCall{Name: t.node.Name})
		n.DependsOnNodes = append(n.DependsOnNodes, t.node.UniqueID)
	case t.source != nil:
		rel = c.dialect.render(t.source.Database, t.source.Schema, t.source.Identifier)
		n.Sources = append(n.Sources, [2]string{t.source.SourceName, t.source.Name})
		n.DependsOnNodes = append(n.DependsOnNodes, t.source.UniqueID)
	default:
		return false
	}
	if where, ok := configString(n.Config, "where"); ok && where != "" {
		rel = "(select * from " + rel + " where " + where + ") dbt_subquery"
	}
	col := n.ColumnName
	var b strings.Builder
	b.Grow(3*len(col) + len(rel) + 128)
	b.WriteString("\n    \n    \n\n")
	if name == "unique" {
		for _, s := range [...]string{"select\n    ", col, " as unique_field,\n    count(*) as n_records\n\nfrom ", rel,
			"\nwhere ", col, " is not null\ngroup by ", col, "\nhaving count(*) > 1\n\n"} {
			b.WriteString(s)
		}
	} else {
		list := col
		if v, ok := n.Config.Values["store_failures"]; ok && jinja.IsTrue(toJinja(v)) {
			list = "*"
		}
		for _, s := range [...]string{"\n\nselect ", list, "\nfrom ", rel, "\nwhere ", col, " is null\n\n"} {
			b.WriteString(s)
		}
	}
	b.WriteString("\n")
	n.rendered = b.String()
	testMacro := "macro.dbt.test_unique"
	if name == "not_null" {
		testMacro = "macro.dbt.test_not_null"
	}
	n.DependsOnMacros = append(n.DependsOnMacros, testMacro, "macro.dbt.get_where_subquery")
	return true
}

// initFastTests records which built-in tests the project's macros leave
// untouched.
func (c *compiler) initFastTests() {
	c.fastTestsOff = map[string]bool{}
	overridden := func(names ...string) bool {
		for _, name := range names {
			for _, pre := range []string{"", "default__", c.dialect.Type + "__"} {
				if c.macros[pre+name] != nil {
					return true
				}
			}
		}
		return false
	}
	dispatchDbt := false
	for _, d := range c.p.Dispatch {
		if d.MacroNamespace == "dbt" {
			dispatchDbt = true
		}
	}
	for _, name := range []string{"unique", "not_null"} {
		c.fastTestsOff[name] = dispatchDbt || overridden("test_"+name, "get_where_subquery", "should_store_failures")
	}
}
