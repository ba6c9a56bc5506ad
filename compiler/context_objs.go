package compiler

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gmodel/gmodel/compiler/jinja"
	"gopkg.in/yaml.v3"
)

// adapterObj is `adapter`: dispatch and quoting without a connection.
type adapterObj struct{ c *compiler }

func (a *adapterObj) Getattr(name string) (jinja.Value, bool) {
	c := a.c
	switch name {
	case "dispatch":
		return jinja.Func(c.fnDispatch), true
	case "quote":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) != 1 {
				return nil, fmt.Errorf("adapter.quote() takes 1 argument")
			}
			return c.dialect.quote(jinja.ToString(call.Args[0])), nil
		}), true
	case "type":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) { return c.dialect.Type, nil }), true
	case "get_relation", "load_relation":
		// No connection while compiling: nothing exists yet.
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) { return nil, nil }), true
	case "get_columns_in_relation":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) { return jinja.NewList(), nil }), true
	case "quote_as_configured":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) < 1 {
				return nil, fmt.Errorf("adapter.quote_as_configured() needs an identifier")
			}
			return c.dialect.quote(jinja.ToString(call.Args[0])), nil
		}), true
	}
	return nil, false
}

// fnDispatch implements adapter.dispatch(name, macro_namespace=None): the
// first of `<adapter>__name`, `default__name` found in the search order
// (the namespace's `dispatch:` search_order if configured, else the root
// project then the namespace itself).
func (c *compiler) fnDispatch(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("adapter.dispatch() needs a macro name")
	}
	name := jinja.ToString(call.Args[0])
	ns := ""
	if len(call.Args) > 1 && call.Args[1] != nil {
		ns = jinja.ToString(call.Args[1])
	}
	if v, ok := call.Kwargs.Get("macro_namespace"); ok && v != nil {
		ns = jinja.ToString(v)
	}
	if v, ok := call.Kwargs.Get("packages"); ok && v != nil {
		return nil, fmt.Errorf("adapter.dispatch(): the 'packages' argument was removed in dbt 0.20; use macro_namespace")
	}
	order := c.searchOrder(ns)
	prefixes := []string{c.dialect.Type + "__", "default__"}
	for _, pkg := range order {
		for _, pre := range prefixes {
			if m := c.macroIn(pkg, pre+name); m != nil {
				return m, nil
			}
		}
	}
	return nil, fmt.Errorf("adapter.dispatch('%s'): no macro named %s%s or default__%s in %s", name,
		prefixes[0], name, name, strings.Join(order, ", "))
}

func (c *compiler) searchOrder(ns string) []string {
	for _, d := range c.p.Dispatch {
		if d.MacroNamespace == ns && len(d.SearchOrder) > 0 {
			return d.SearchOrder
		}
	}
	if ns == "" || ns == c.p.Name {
		return []string{c.p.Name, "dbt"}
	}
	return []string{c.p.Name, ns}
}

// macroIn returns the macro of a package ("dbt" is the built-in one).
func (c *compiler) macroIn(pkg, name string) *jinja.Macro {
	if pkg == "dbt" {
		return c.builtin[name]
	}
	if pkg == c.p.Name {
		return c.macros[name]
	}
	return nil
}

// namespaceObj is a package namespace such as `dbt` or the project's name:
// `dbt.dateadd(...)` calls the built-in macro even when the project
// overrides the global name.
type namespaceObj struct {
	c   *compiler
	pkg string
}

func (o *namespaceObj) Getattr(name string) (jinja.Value, bool) {
	if m := o.c.macroIn(o.pkg, name); m != nil {
		return m, true
	}
	return nil, false
}

// exceptionsObj is `exceptions`.
type exceptionsObj struct{ c *compiler }

// compilerError is raised by exceptions.raise_compiler_error.
type compilerError struct{ msg string }

func (e *compilerError) Error() string { return e.msg }

func (o *exceptionsObj) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "raise_compiler_error", "raise_not_implemented", "raise_fail_fast_error":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			msg := ""
			if len(call.Args) > 0 {
				msg = jinja.ToString(call.Args[0])
			}
			return nil, &compilerError{msg: msg}
		}), true
	case "warn":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) > 0 && o.c.opts.Log != nil {
				o.c.logMu.Lock()
				fmt.Fprintf(o.c.opts.Log, "warning: %s\n", jinja.ToString(call.Args[0]))
				o.c.logMu.Unlock()
			}
			return "", nil
		}), true
	}
	return nil, false
}

// builtinsObj is dbt's `builtins`: the original ref/source/config, for
// projects that override them with macros.
type builtinsObj struct{ c *compiler }

func (o *builtinsObj) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "ref":
		return jinja.Func(o.c.fnRef), true
	case "source":
		return jinja.Func(o.c.fnSource), true
	}
	return nil, false
}

// modulesObj is `modules`, with the parts of Python's datetime that models use.
type modulesObj struct{}

func (modulesObj) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "datetime":
		return datetimeModule{}, true
	}
	return nil, false
}

type datetimeModule struct{}

func (datetimeModule) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "datetime":
		return datetimeClass{}, true
	case "date":
		return dateClass{}, true
	case "timedelta":
		return jinja.Func(fnTimedelta), true
	}
	return nil, false
}

type datetimeClass struct{}

func (datetimeClass) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "now":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) { return newDatetime(time.Now()), nil }), true
	case "utcnow":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) {
			d := newDatetime(time.Now().UTC())
			d.naive = true
			return d, nil
		}), true
	case "strptime":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) != 2 {
				return nil, fmt.Errorf("strptime() takes a string and a format")
			}
			t, err := time.Parse(strftimeToGo(jinja.ToString(call.Args[1])), jinja.ToString(call.Args[0]))
			if err != nil {
				return nil, fmt.Errorf("strptime: %v", err)
			}
			d := newDatetime(t)
			d.naive = true
			return d, nil
		}), true
	}
	return nil, false
}

func (datetimeClass) CallJinja(call *jinja.Call) (jinja.Value, error) {
	parts := [7]int{0, 1, 1, 0, 0, 0, 0}
	for i, a := range call.Args {
		if i >= 7 {
			break
		}
		n, ok := a.(int64)
		if !ok {
			return nil, fmt.Errorf("datetime() arguments must be integers")
		}
		parts[i] = int(n)
	}
	t := time.Date(parts[0], time.Month(parts[1]), parts[2], parts[3], parts[4], parts[5], parts[6]*1000, time.UTC)
	d := newDatetime(t)
	d.naive = true
	return d, nil
}

type dateClass struct{}

func (dateClass) Getattr(name string) (jinja.Value, bool) {
	if name == "today" {
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) {
			d := newDatetime(time.Now())
			d.dateOnly = true
			return d, nil
		}), true
	}
	return nil, false
}

func fnTimedelta(call *jinja.Call) (jinja.Value, error) {
	var d time.Duration
	units := map[string]time.Duration{"days": 24 * time.Hour, "hours": time.Hour, "minutes": time.Minute, "seconds": time.Second, "weeks": 7 * 24 * time.Hour}
	for _, k := range call.Kwargs.Keys() {
		v, _ := call.Kwargs.Get(k)
		u, ok := units[jinja.ToString(k)]
		if !ok {
			return nil, fmt.Errorf("timedelta() got an unexpected keyword argument '%s'", jinja.ToString(k))
		}
		switch n := v.(type) {
		case int64:
			d += time.Duration(n) * u
		case float64:
			d += time.Duration(n * float64(u))
		}
	}
	if len(call.Args) > 0 {
		if n, ok := call.Args[0].(int64); ok {
			d += time.Duration(n) * 24 * time.Hour
		}
	}
	return timedelta(d), nil
}

type timedelta time.Duration

// Datetime is a Python datetime as templates see it.
type Datetime struct {
	t        time.Time
	naive    bool
	dateOnly bool
}

func newDatetime(t time.Time) *Datetime { return &Datetime{t: t} }

// String prints as Python's str(datetime).
func (d *Datetime) String() string {
	if d.dateOnly {
		return d.t.Format("2006-01-02")
	}
	s := d.t.Format("2006-01-02 15:04:05")
	if us := d.t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if !d.naive {
		s += d.t.Format("-07:00")
	}
	return s
}

func (d *Datetime) Getattr(name string) (jinja.Value, bool) {
	switch name {
	case "year":
		return int64(d.t.Year()), true
	case "month":
		return int64(d.t.Month()), true
	case "day":
		return int64(d.t.Day()), true
	case "hour":
		return int64(d.t.Hour()), true
	case "minute":
		return int64(d.t.Minute()), true
	case "second":
		return int64(d.t.Second()), true
	case "microsecond":
		return int64(d.t.Nanosecond() / 1000), true
	case "strftime":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) != 1 {
				return nil, fmt.Errorf("strftime() takes a format")
			}
			return strftime(d.t, jinja.ToString(call.Args[0])), nil
		}), true
	case "isoformat":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) {
			return strings.Replace(d.String(), " ", "T", 1), nil
		}), true
	case "date":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) {
			return &Datetime{t: d.t, naive: true, dateOnly: true}, nil
		}), true
	case "timestamp":
		return jinja.Func(func(*jinja.Call) (jinja.Value, error) {
			return float64(d.t.UnixNano()) / 1e9, nil
		}), true
	case "add", "__add__":
		return jinja.Func(func(call *jinja.Call) (jinja.Value, error) {
			if len(call.Args) == 1 {
				if td, ok := call.Args[0].(timedelta); ok {
					return &Datetime{t: d.t.Add(time.Duration(td)), naive: d.naive, dateOnly: d.dateOnly}, nil
				}
			}
			return nil, fmt.Errorf("can only add a timedelta to a datetime")
		}), true
	}
	return nil, false
}

var strftimeCodes = map[byte]string{
	'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06",
	'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'p': "PM", 'z': "-0700", 'Z': "MST", 'f': "000000",
}

func strftimeToGo(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '%' && i+1 < len(f) {
			if g, ok := strftimeCodes[f[i+1]]; ok {
				b.WriteString(g)
				i++
				continue
			}
			if f[i+1] == '%' {
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(f[i])
	}
	return b.String()
}

func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] == '%' && i+1 < len(f) {
			c := f[i+1]
			i++
			switch c {
			case 'f':
				fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
			case 'j':
				fmt.Fprintf(&b, "%03d", t.YearDay())
			case '%':
				b.WriteByte('%')
			default:
				if g, ok := strftimeCodes[c]; ok {
					b.WriteString(t.Format(g))
				} else {
					b.WriteByte('%')
					b.WriteByte(c)
				}
			}
			continue
		}
		b.WriteByte(f[i])
	}
	return b.String()
}

func fnFromJSON(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("fromjson() needs a string")
	}
	v, err := decodeJSONOrdered(jinja.ToString(call.Args[0]))
	if err != nil {
		if len(call.Args) > 1 {
			return call.Args[1], nil
		}
		return nil, fmt.Errorf("fromjson(): %v", err)
	}
	return v, nil
}

func fnToJSON(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("tojson() needs a value")
	}
	b, err := json.Marshal(plain(call.Args[0]))
	if err != nil {
		return nil, fmt.Errorf("tojson(): %v", err)
	}
	return string(b), nil
}

func fnFromYAML(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("fromyaml() needs a string")
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(jinja.ToString(call.Args[0])), &n); err != nil {
		if len(call.Args) > 1 {
			return call.Args[1], nil
		}
		return nil, fmt.Errorf("fromyaml(): %v", err)
	}
	return yamlToJinja(&n), nil
}

func fnToYAML(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("toyaml() needs a value")
	}
	b, err := yaml.Marshal(plain(call.Args[0]))
	if err != nil {
		return nil, fmt.Errorf("toyaml(): %v", err)
	}
	return string(b), nil
}

func fnZip(call *jinja.Call) (jinja.Value, error) {
	out := jinja.NewList()
	if len(call.Args) == 0 {
		return out, nil
	}
	n := -1
	for _, a := range call.Args {
		l, ok := a.(*jinja.List)
		if !ok {
			return nil, fmt.Errorf("zip() arguments must be lists")
		}
		if n < 0 || len(l.Items) < n {
			n = len(l.Items)
		}
	}
	for i := 0; i < n; i++ {
		t := jinja.NewTuple()
		for _, a := range call.Args {
			t.Items = append(t.Items, a.(*jinja.List).Items[i])
		}
		out.Items = append(out.Items, t)
	}
	return out, nil
}

func fnSet(call *jinja.Call) (jinja.Value, error) {
	out := jinja.NewList()
	if len(call.Args) == 0 {
		return out, nil
	}
	l, ok := call.Args[0].(*jinja.List)
	if !ok {
		return nil, fmt.Errorf("set() takes a list")
	}
	seen := map[string]bool{}
	for _, it := range l.Items {
		k := jinja.Repr(it)
		if !seen[k] {
			seen[k] = true
			out.Items = append(out.Items, it)
		}
	}
	return out, nil
}

func fnMD5(call *jinja.Call) (jinja.Value, error) {
	if len(call.Args) < 1 {
		return nil, fmt.Errorf("local_md5() needs a string")
	}
	sum := md5.Sum([]byte(jinja.ToString(call.Args[0])))
	return hex.EncodeToString(sum[:]), nil
}

func filterAsBool(_ *jinja.State, v jinja.Value, _ []jinja.Value, _ *jinja.Dict) (jinja.Value, error) {
	if s, ok := v.(string); ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no", "":
			return false, nil
		}
	}
	return jinja.IsTrue(v), nil
}

func filterAsNumber(_ *jinja.State, v jinja.Value, _ []jinja.Value, _ *jinja.Dict) (jinja.Value, error) {
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
		return nil, fmt.Errorf("as_number: %q is not a number", s)
	}
	return v, nil
}

func filterAsNative(_ *jinja.State, v jinja.Value, _ []jinja.Value, _ *jinja.Dict) (jinja.Value, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return s, nil
	}
	return yamlToJinja(&n), nil
}

// plain converts a Jinja value to plain Go values for JSON/YAML encoding.
func plain(v jinja.Value) any {
	switch x := v.(type) {
	case *jinja.Dict:
		m := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			val, _ := x.Get(k)
			m[jinja.ToString(k)] = plain(val)
		}
		return m
	case *jinja.List:
		out := make([]any, len(x.Items))
		for i, e := range x.Items {
			out[i] = plain(e)
		}
		return out
	case jinja.Undefined:
		return nil
	case nil, bool, int64, float64, string:
		return x
	}
	return jinja.ToString(v)
}

func yamlToJinja(n *yaml.Node) jinja.Value {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlToJinja(n.Content[0])
	case yaml.MappingNode:
		d := jinja.NewDict()
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.Set(n.Content[i].Value, yamlToJinja(n.Content[i+1]))
		}
		return d
	case yaml.SequenceNode:
		l := jinja.NewList()
		for _, c := range n.Content {
			l.Items = append(l.Items, yamlToJinja(c))
		}
		return l
	case yaml.AliasNode:
		return yamlToJinja(n.Alias)
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		return toJinja(v)
	}
	return nil
}

func decodeJSONOrdered(s string) (jinja.Value, error) {
	// YAML is a superset of JSON and yaml.v3 keeps mapping order.
	var n yaml.Node
	if err := json.Unmarshal([]byte(s), new(any)); err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		return nil, err
	}
	return yamlToJinja(&n), nil
}
