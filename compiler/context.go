package compiler

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// renderCtx is the state of one render of one node, reachable from the Go
// functions of the dbt context through jinja.State.Data.
type renderCtx struct {
	c    *compiler
	node *Node
	// final is false during the parse render, when relations print as
	// placeholders and execute is false.
	final bool
	// test kwargs for generic tests (`_dbt_generic_test_kwargs`)
	mu sync.Mutex

	// config, model and this of a render through rc's Var (see
	// newRenderCtx): one allocation for the render's whole context.
	cfg   configObj
	model nodeObj
	this  Relation
}

// newRenderCtx returns the context of one render of n; as a jinja.Vars it
// supplies config, model, this and (in the final render) execute.
func (c *compiler) newRenderCtx(n *Node, final bool) *renderCtx {
	rc := &renderCtx{c: c, node: n, final: final}
	rc.cfg = configObj{rc: rc}
	rc.model = nodeObj{n: n, rc: rc}
	rc.this = Relation{node: n, dialect: c.dialect, rc: rc}
	return rc
}

// Var implements jinja.Vars: the names nodeRenderVars puts in a map.
func (rc *renderCtx) Var(name string) (jinja.Value, bool) {
	switch name {
	case "config":
		return &rc.cfg, true
	case "model":
		return &rc.model, true
	case "this":
		return &rc.this, true
	case "execute":
		// While parsing, `execute` is left to resolveName, which notes
		// its use.
		if rc.final {
			return true, true
		}
	}
	return nil, false
}

// VarNames implements jinja.Vars.
func (rc *renderCtx) VarNames() []string {
	if rc.final {
		return []string{"config", "model", "this", "execute"}
	}
	return []string{"config", "model", "this"}
}

func rcOf(c *jinja.Call) *renderCtx {
	if c.State == nil {
		return nil
	}
	rc, _ := c.State.Data.(*renderCtx)
	return rc
}

// installGlobals puts the dbt context that does not change per node into env.
func (c *compiler) installGlobals() {
	g := c.env.Globals
	g["ref"] = jinja.Func(c.fnRef)
	g["source"] = jinja.Func(c.fnSource)
	g["var"] = jinja.Func(c.fnVar)
	g["env_var"] = jinja.Func(c.fnEnvVar)
	g["is_incremental"] = jinja.Func(c.fnIsIncremental)
	g["log"] = jinja.Func(c.fnLog)
	g["print"] = jinja.Func(c.fnPrint)
	g["run_query"] = jinja.Func(func(*jinja.Call) (jinja.Value, error) { return nil, nil })
	g["target"] = c.targetDict()
	g["run_started_at"] = newDatetime(c.opts.RunStartedAt)
	g["invocation_id"] = c.opts.InvocationID
	g["project_name"] = c.p.Name
	g["adapter"] = &adapterObj{c: c}
	g["exceptions"] = &exceptionsObj{c: c}
	g["modules"] = modulesObj{}
	g["dbt"] = &namespaceObj{c: c, pkg: "dbt"}
	g["flags"] = c.flagsDict()
	g["graph"] = jinja.NewDict()
	g["selected_resources"] = jinja.NewList()
	g["fromjson"] = jinja.Func(fnFromJSON)
	g["tojson"] = jinja.Func(fnToJSON)
	g["fromyaml"] = jinja.Func(fnFromYAML)
	g["toyaml"] = jinja.Func(fnToYAML)
	g["zip"] = jinja.Func(fnZip)
	g["set"] = jinja.Func(fnSet)
	g["local_md5"] = jinja.Func(fnMD5)
	g["builtins"] = &builtinsObj{c: c}
	if c.p != nil {
		g[c.p.Name] = &namespaceObj{c: c, pkg: c.p.Name}
	}
	c.env.Filters["as_text"] = func(_ *jinja.State, v jinja.Value, _ []jinja.Value, _ *jinja.Dict) (jinja.Value, error) {
		return jinja.ToString(v), nil
	}
	c.env.Filters["as_bool"] = filterAsBool
	c.env.Filters["as_number"] = filterAsNumber
	c.env.Filters["as_native"] = filterAsNative
}

func (c *compiler) targetDict() *jinja.Dict {
	t := c.opts.Target
	d := jinja.NewDict()
	d.Set("name", t.Name)
	d.Set("target_name", t.Name)
	d.Set("profile_name", t.Profile)
	d.Set("type", t.Type)
	d.Set("schema", t.Schema)
	d.Set("database", t.Database)
	if t.Type == "postgres" {
		d.Set("dbname", t.Database)
	}
	d.Set("threads", int64(t.Threads))
	d.Set("user", t.User)
	for _, k := range sortedKeys(t.Extra) {
		if _, ok := d.Get(k); !ok {
			d.Set(k, t.Extra[k])
		}
	}
	return d
}

func (c *compiler) flagsDict() *jinja.Dict {
	d := jinja.NewDict()
	d.Set("FULL_REFRESH", c.opts.FullRefresh)
	d.Set("STORE_FAILURES", false)
	d.Set("WHICH", c.opts.Command)
	return d
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nodeRenderVars are the names that differ per node, as a map (see
// renderCtx.Var for the same without one).
func (c *compiler) nodeRenderVars(rc *renderCtx) map[string]jinja.Value {
	n := rc.node
	vars := map[string]jinja.Value{
		"config": &configObj{rc: rc},
		"model":  &nodeObj{n: n, rc: rc},
		"this":   &Relation{node: n, dialect: c.dialect, rc: rc},
	}
	// While parsing, `execute` is left to resolveName, which notes its use.
	if rc.final {
		vars["execute"] = true
	}
	return vars
}

func (c *compiler) fnRef(call *jinja.Call) (jinja.Value, error) {
	rc := rcOf(call)
	if rc == nil {
		return nil, fmt.Errorf("ref() is only available in a model")
	}
	var name, pkg string
	switch len(call.Args) {
	case 1:
		name = jinja.ToString(call.Args[0])
	case 2:
		pkg, name = jinja.ToString(call.Args[0]), jinja.ToString(call.Args[1])
	default:
		return nil, fmt.Errorf("ref() takes 1 or 2 arguments (name, or package and name), got %d", len(call.Args))
	}
	version := ""
	for _, k := range call.Kwargs.Keys() {
		ks := jinja.ToString(k)
		v, _ := call.Kwargs.Get(k)
		switch ks {
		case "version", "v":
			version = jinja.ToString(v)
		case "package":
			pkg = jinja.ToString(v)
		default:
			return nil, fmt.Errorf("ref() got an unexpected keyword argument %q", ks)
		}
	}
	target, err := c.resolveRef(pkg, name, version)
	if err != nil {
		return nil, err
	}
	n := rc.node
	rc.mu.Lock()
	if n.Refs == nil {
		// Models mostly have a few refs: room for them in one go.
		n.Refs = make([]RefCall, 0, 4)
	}
	n.Refs = append(n.Refs, RefCall{Name: name, Package: pkg, Version: version})
	n.DependsOnNodes = appendDep(n.DependsOnNodes, target.UniqueID)
	n.noteDepPos(target.UniqueID, callPos(call, n))
	rc.mu.Unlock()
	rel := &Relation{node: target, dialect: c.dialect}
	if !rc.final {
		rel.rc = rc
	}
	return rel, nil
}

// resolveRef finds the node a ref() names, with a did-you-mean hint when
// there is none.
func (c *compiler) resolveRef(pkg, name, version string) (*Node, error) {
	if pkg != "" && pkg != c.p.Name && pkg != "dbt" {
		return nil, fmt.Errorf("ref('%s', '%s'): package %q is not installed (this project is %q)", pkg, name, pkg, c.p.Name)
	}
	cands := c.byName[name]
	if version != "" {
		var vs []*Node
		for _, n := range cands {
			if n.Version == version {
				vs = append(vs, n)
			}
		}
		cands = vs
	}
	if len(cands) == 0 {
		msg := fmt.Sprintf("ref('%s') names a node that does not exist", name)
		if version != "" {
			msg = fmt.Sprintf("ref('%s', version=%s) names a version that does not exist", name, version)
		}
		if s := didYouMean(name, c.refNames()); s != "" {
			msg += fmt.Sprintf("; did you mean '%s'?", s)
		}
		return nil, &hintError{msg: msg, hint: "check the model, seed or snapshot name (file name without .sql/.csv)"}
	}
	return cands[0], nil
}

func (c *compiler) refNames() []string {
	c.namesOnce.Do(func() {
		for k := range c.byName {
			c.names = append(c.names, k)
		}
		sort.Strings(c.names)
	})
	return c.names
}

func (c *compiler) fnSource(call *jinja.Call) (jinja.Value, error) {
	rc := rcOf(call)
	if len(call.Args) != 2 {
		return nil, fmt.Errorf("source() takes 2 arguments (source name, table name), got %d", len(call.Args))
	}
	src, tbl := jinja.ToString(call.Args[0]), jinja.ToString(call.Args[1])
	s := c.sources[src+"."+tbl]
	if s == nil {
		var all []string
		for k := range c.sources {
			all = append(all, k)
		}
		sort.Strings(all)
		msg := fmt.Sprintf("source('%s', '%s') names a source table that does not exist", src, tbl)
		if m := didYouMean(src+"."+tbl, all); m != "" {
			parts := strings.SplitN(m, ".", 2)
			msg += fmt.Sprintf("; did you mean source('%s', '%s')?", parts[0], parts[1])
		}
		return nil, &hintError{msg: msg, hint: "sources are declared under `sources:` in a schema .yml file"}
	}
	if rc != nil {
		rc.mu.Lock()
		rc.node.Sources = append(rc.node.Sources, [2]string{src, tbl})
		rc.node.DependsOnNodes = appendDep(rc.node.DependsOnNodes, s.UniqueID)
		rc.node.noteDepPos(s.UniqueID, callPos(call, rc.node))
		rc.mu.Unlock()
	}
	return &Relation{Database: s.Database, Schema: s.Schema, Identifier: s.Identifier, dialect: c.dialect}, nil
}

func (c *compiler) fnVar(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 || len(call.Args) > 2 {
		return nil, fmt.Errorf("var() takes 1 or 2 arguments (name, default), got %d", len(call.Args))
	}
	name := jinja.ToString(call.Args[0])
	if v, ok := c.vars[name]; ok {
		return v, nil
	}
	if len(call.Args) == 2 {
		return call.Args[1], nil
	}
	where := ""
	if rc := rcOf(call); rc != nil {
		where = fmt.Sprintf(" (used by %s)", rc.node.UniqueID)
	}
	return nil, &hintError{msg: fmt.Sprintf("required var '%s' not found%s", name, where),
		hint: fmt.Sprintf("define it under `vars:` in %s, pass --vars '{%s: ...}', or give var() a default", c.p.File, name)}
}

func (c *compiler) fnEnvVar(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 || len(call.Args) > 2 {
		return nil, fmt.Errorf("env_var() takes 1 or 2 arguments (name, default), got %d", len(call.Args))
	}
	name := jinja.ToString(call.Args[0])
	if v, ok := c.lookupEnv(name); ok {
		return v, nil
	}
	if len(call.Args) == 2 {
		return call.Args[1], nil
	}
	return nil, &hintError{msg: fmt.Sprintf("env var required but not provided: '%s'", name),
		hint: fmt.Sprintf("export %s=... or give env_var() a default", name)}
}

func (c *compiler) lookupEnv(name string) (string, bool) {
	if c.opts.LookupEnv != nil {
		return c.opts.LookupEnv(name)
	}
	return "", false
}

func (c *compiler) fnIsIncremental(call *jinja.Call) (jinja.Value, error) {
	rc := rcOf(call)
	if rc == nil || c.opts.IsIncremental == nil {
		return false, nil
	}
	if !rc.final {
		// The answer needs the node's final relation: render it again.
		rc.node.needsFinal = true
		return false, nil
	}
	return c.opts.IsIncremental(rc.node), nil
}

func (c *compiler) fnLog(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) == 0 {
		return "", nil
	}
	info := len(call.Args) > 1 && jinja.IsTrue(call.Args[1])
	if v, ok := call.Kwargs.Get("info"); ok {
		info = jinja.IsTrue(v)
	}
	if info && c.opts.Log != nil {
		c.logMu.Lock()
		fmt.Fprintln(c.opts.Log, jinja.ToString(call.Args[0]))
		c.logMu.Unlock()
	}
	return "", nil
}

func (c *compiler) fnPrint(call *jinja.Call) (jinja.Value, error) {
	if c.opts.Log != nil && len(call.Args) > 0 {
		c.logMu.Lock()
		fmt.Fprintln(c.opts.Log, jinja.ToString(call.Args[0]))
		c.logMu.Unlock()
	}
	return "", nil
}

// configObj is `config`: callable to set configs, with get/require to read them.
type configObj struct{ rc *renderCtx }

func (o *configObj) CallJinja(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) > 1 {
		return nil, fmt.Errorf("config() takes keyword arguments only")
	}
	if o.rc.final {
		return "", nil
	}
	if len(call.Args) == 0 {
		// The engine never reuses the Kwargs of a call to a Go function:
		// keeping it spares a copy.
		o.rc.mu.Lock()
		o.rc.node.cfgCalls = append(o.rc.node.cfgCalls, call.Kwargs)
		o.rc.mu.Unlock()
		return "", nil
	}
	d := jinja.NewDict()
	if len(call.Args) == 1 {
		m, ok := call.Args[0].(*jinja.Dict)
		if !ok {
			return nil, fmt.Errorf("config() takes keyword arguments or one dict")
		}
		for _, k := range m.Keys() {
			v, _ := m.Get(k)
			d.Set(k, v)
		}
	}
	for _, k := range call.Kwargs.Keys() {
		v, _ := call.Kwargs.Get(k)
		d.Set(k, v)
	}
	o.rc.mu.Lock()
	o.rc.node.cfgCalls = append(o.rc.node.cfgCalls, d)
	o.rc.mu.Unlock()
	return "", nil
}

func (o *configObj) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "get", "require":
		require := name == "require"
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) < 1 {
				return nil, fmt.Errorf("config.%s() needs a config name", name)
			}
			key := jinja.ToString(call.Args[0])
			if v, ok := o.lookup(key); ok && v != nil {
				return v, nil
			}
			if require {
				return nil, fmt.Errorf("config '%s' is required for %s", key, o.rc.node.UniqueID)
			}
			if len(call.Args) > 1 {
				return call.Args[1], nil
			}
			if v, ok := call.Kwargs.Get("default"); ok {
				return v, nil
			}
			return nil, nil
		}), true
	case "set":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) != 2 {
				return nil, fmt.Errorf("config.set() takes a name and a value")
			}
			d := jinja.NewDict()
			d.Set(call.Args[0], call.Args[1])
			o.rc.mu.Lock()
			o.rc.node.cfgCalls = append(o.rc.node.cfgCalls, d)
			o.rc.mu.Unlock()
			return "", nil
		}), true
	}
	return nil, false
}

// lookup reads a config value as known at this point of the render: the
// project and YAML configs, then config() calls made so far.
func (o *configObj) lookup(key string) (jinja.Value, bool) {
	n := o.rc.node
	o.rc.mu.Lock()
	defer o.rc.mu.Unlock()
	for i := len(n.cfgCalls) - 1; i >= 0; i-- {
		if v, ok := n.cfgCalls[i].Get(key); ok {
			return v, true
		}
	}
	if n.Config != nil {
		if v, ok := n.Config.Values[key]; ok {
			return toJinja(v), true
		}
	}
	return nil, false
}

// nodeObj is `model` (and the `node` argument of generate_*_name): the node
// as dbt exposes it to templates.
type nodeObj struct {
	n  *Node
	rc *renderCtx
}

func (o *nodeObj) Getattr(name string) (jinja.Value, bool) {
	n := o.n
	switch name {
	case "name":
		return n.Name, true
	case "unique_id":
		return n.UniqueID, true
	case "resource_type":
		return n.ResourceType, true
	case "package_name":
		return n.PackageName, true
	case "path":
		return n.Path, true
	case "original_file_path":
		return n.OriginalFilePath, true
	case "fqn":
		return stringList(n.FQN), true
	case "alias":
		return n.Alias, true
	case "schema":
		return n.Schema, true
	case "database":
		return n.Database, true
	case "tags":
		return stringList(n.Tags), true
	case "description":
		return n.Description, true
	case "raw_code", "raw_sql":
		return n.RawCode, true
	case "language":
		return "sql", true
	case "version":
		if n.Version == "" {
			return nil, true
		}
		return n.Version, true
	case "config":
		return toJinja(n.Config), true
	case "meta":
		return toJinja(n.Meta), true
	case "columns":
		d := jinja.NewDict()
		for _, col := range n.Columns {
			cd := jinja.NewDict()
			cd.Set("name", col.Name)
			cd.Set("description", col.Description)
			cd.Set("data_type", nilIfEmpty(col.DataType))
			d.Set(col.Name, cd)
		}
		return d, true
	case "refs":
		l := jinja.NewList()
		for _, r := range n.Refs {
			d := jinja.NewDict()
			d.Set("name", r.Name)
			d.Set("package", nilIfEmpty(r.Package))
			d.Set("version", nilIfEmpty(r.Version))
			l.Items = append(l.Items, d)
		}
		return l, true
	case "depends_on":
		d := jinja.NewDict()
		d.Set("nodes", stringList(n.DependsOnNodes))
		d.Set("macros", stringList(n.DependsOnMacros))
		return d, true
	case "test_metadata":
		if n.TestMetadata == nil {
			return nil, true
		}
		d := jinja.NewDict()
		d.Set("name", n.TestMetadata.Name)
		d.Set("kwargs", n.TestMetadata.Kwargs)
		d.Set("namespace", nilIfEmpty(n.TestMetadata.Namespace))
		return d, true
	case "column_name":
		return nilIfEmpty(n.ColumnName), true
	case "get":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) == 0 {
				return nil, fmt.Errorf("get() needs a key")
			}
			if v, ok := o.Getattr(jinja.ToString(call.Args[0])); ok {
				return v, nil
			}
			if len(call.Args) > 1 {
				return call.Args[1], nil
			}
			return nil, nil
		}), true
	}
	return nil, false
}

func nilIfEmpty(s string) jinja.Value {
	if s == "" {
		return nil
	}
	return s
}

func stringList(ss []string) *jinja.List {
	l := &jinja.List{Items: make([]jinja.Value, len(ss))}
	for i, s := range ss {
		l.Items[i] = s
	}
	return l
}

// toJinja converts decoded YAML values (and OrderedMaps) to Jinja values.
func toJinja(v any) jinja.Value {
	switch x := v.(type) {
	case nil:
		return nil
	case *project.OrderedMap:
		d := jinja.NewDict()
		if x == nil {
			return d
		}
		for _, k := range x.Keys {
			d.Set(k, toJinja(x.Values[k]))
		}
		return d
	case map[string]any:
		d := jinja.NewDict()
		for _, k := range sortedKeys(x) {
			d.Set(k, toJinja(x[k]))
		}
		return d
	case []any:
		l := &jinja.List{Items: make([]jinja.Value, len(x))}
		for i, e := range x {
			l.Items[i] = toJinja(e)
		}
		return l
	case []string:
		return stringList(x)
	case int:
		return int64(x)
	case int64, float64, bool, string:
		return x
	case *jinja.Dict, *jinja.List:
		return x
	}
	return v
}

// fromJinja converts a Jinja value into a plain Go value for configs.
func fromJinja(v jinja.Value) any {
	switch x := v.(type) {
	case *jinja.Dict:
		m := &project.OrderedMap{Values: map[string]any{}}
		for _, k := range x.Keys() {
			val, _ := x.Get(k)
			ks := jinja.ToString(k)
			m.Keys = append(m.Keys, ks)
			m.Values[ks] = fromJinja(val)
		}
		return m
	case *jinja.List:
		out := make([]any, len(x.Items))
		for i, e := range x.Items {
			out[i] = fromJinja(e)
		}
		return out
	case jinja.Undefined:
		return nil
	case int64:
		return int(x)
	case nil, bool, float64, string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return jinja.ToString(v)
}

// callPos is where a call is written, in the file's own lines.
func callPos(call *jinja.Call, n *Node) project.Pos {
	if call.State == nil || call.Line == 0 {
		return n.Pos
	}
	pos := project.Pos{File: call.State.File(), Line: call.Line, Col: call.Col}
	if pos.File == n.OriginalFilePath {
		pos.Line += n.lineShift
	}
	return pos
}

// appendDep appends a dependency's unique id, with room for a few more on
// the first.
func appendDep(deps []string, id string) []string {
	if deps == nil {
		deps = make([]string, 0, 4)
	}
	return append(deps, id)
}

// depPos is where a node first refers to one dependency.
type depPos struct {
	id  string
	pos project.Pos
}

// noteDepPos remembers where the node first refers to a dependency. Nodes
// have few dependencies: a slice scan beats a map.
func (n *Node) noteDepPos(id string, pos project.Pos) {
	for _, d := range n.depPos {
		if d.id == id {
			return
		}
	}
	if n.depPos == nil {
		n.depPos = make([]depPos, 0, 4)
	}
	n.depPos = append(n.depPos, depPos{id, pos})
}

// posOfDep is where the node refers to a dependency, or the node's own
// position when unknown.
func (n *Node) posOfDep(id string) project.Pos {
	for _, d := range n.depPos {
		if d.id == id {
			return d.pos
		}
	}
	return n.Pos
}
