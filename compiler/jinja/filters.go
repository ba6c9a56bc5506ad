package jinja

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var builtinFilters map[string]Filter

func init() {
	builtinFilters = map[string]Filter{
		"upper":      strFilter(strings.ToUpper),
		"lower":      strFilter(strings.ToLower),
		"capitalize": strFilter(capitalize),
		"title":      strFilter(jinjaTitle),
		"trim":       filterTrim,
		"replace":    filterReplace,
		"join":       filterJoin,
		"default":    filterDefault,
		"d":          filterDefault,
		"length":     filterLength,
		"count":      filterLength,
		"first":      filterFirst,
		"last":       filterLast,
		"list":       filterList,
		"sort":       filterSort,
		"unique":     filterUnique,
		"reverse":    filterReverse,
		"map":        filterMap,
		"select":     selectFilter(false, false),
		"reject":     selectFilter(true, false),
		"selectattr": selectFilter(false, true),
		"rejectattr": selectFilter(true, true),
		"tojson":     filterToJSON,
		"int":        filterInt,
		"float":      filterFloat,
		"string":     func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) { return ToString(v), nil },
		"round":      filterRound,
		"abs":        filterAbs,
		"indent":     filterIndent,
		"center":     filterCenter,
		"truncate":   filterTruncate,
		"wordcount": func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
			return int64(len(wordRe.FindAllString(ToString(v), -1))), nil
		},
		"batch":          filterBatch,
		"slice":          filterSlice,
		"sum":            filterSum,
		"min":            minMaxFilter(false),
		"max":            minMaxFilter(true),
		"dictsort":       filterDictsort,
		"items":          filterItems,
		"groupby":        filterGroupby,
		"format":         filterFormat,
		"striptags":      filterStriptags,
		"e":              filterEscape,
		"escape":         filterEscape,
		"forceescape":    filterEscape,
		"safe":           func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) { return v, nil },
		"attr":           filterAttr,
		"urlencode":      filterURLEncode,
		"pprint":         func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) { return Repr(v), nil },
		"wordwrap":       filterWordwrap,
		"filesizeformat": filterFilesize,
		"xmlattr":        filterXMLAttr,
	}
}

// param fetches the i-th positional or the named argument of a filter.
func param(args []Value, kw *Dict, i int, name string, def Value) Value {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	if kw != nil {
		if v, ok := kw.Get(name); ok {
			return v
		}
	}
	return def
}

func strFilter(f func(string) string) Filter {
	return func(_ *State, v Value, _ []Value, _ *Dict) (Value, error) { return f(ToString(v)), nil }
}

var titleRe = regexp.MustCompile(`([-\s(\[{<]+)`)

// jinjaTitle differs from str.title: words break only at whitespace,
// dashes and opening brackets, so "it's" stays "It's".
func jinjaTitle(s string) string {
	parts := titleRe.Split(s, -1)
	seps := titleRe.FindAllString(s, -1)
	var b strings.Builder
	for i, p := range parts {
		if p != "" {
			r, n := utf8.DecodeRuneInString(p)
			b.WriteRune(unicode.ToUpper(r))
			b.WriteString(strings.ToLower(p[n:]))
		}
		if i < len(seps) {
			b.WriteString(seps[i])
		}
	}
	return b.String()
}

func filterTrim(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	s := ToString(v)
	chars := param(args, kw, 0, "chars", nil)
	if chars == nil {
		return strings.TrimFunc(s, unicode.IsSpace), nil
	}
	return strings.Trim(s, ToString(chars)), nil
}

func filterReplace(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	old := param(args, kw, 0, "old", nil)
	nw := param(args, kw, 1, "new", nil)
	if old == nil || nw == nil {
		return nil, errors.New("replace() missing required arguments 'old' and 'new'")
	}
	n := -1
	if c := param(args, kw, 2, "count", nil); c != nil {
		x, _ := toIndex(c)
		n = int(x)
	}
	return strings.Replace(ToString(v), ToString(old), ToString(nw), n), nil
}

func attrGetter(attr Value) func(Value) Value {
	if attr == nil {
		return func(v Value) Value { return v }
	}
	parts := strings.Split(ToString(attr), ".")
	return func(v Value) Value {
		for _, p := range parts {
			if n, err := strconv.ParseInt(p, 10, 64); err == nil {
				x, _ := getitem(v, n)
				v = x
				continue
			}
			x, _ := getitem(v, p)
			v = x
		}
		return v
	}
}

// multiAttrGetter supports sort's attribute='a,b': a tuple of the values.
func multiAttrGetter(attr Value) func(Value) Value {
	s, ok := attr.(string)
	if !ok || !strings.Contains(s, ",") {
		return attrGetter(attr)
	}
	var getters []func(Value) Value
	for _, part := range strings.Split(s, ",") {
		getters = append(getters, attrGetter(part))
	}
	return func(v Value) Value {
		t := &List{Tuple: true, Items: make([]Value, len(getters))}
		for i, g := range getters {
			t.Items[i] = g(v)
		}
		return t
	}
}

func filterJoin(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	sep := ToString(param(args, kw, 0, "d", ""))
	get := attrGetter(param(args, kw, 1, "attribute", nil))
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		writeValue(&b, get(it))
	}
	return b.String(), nil
}

func filterDefault(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	def := param(args, kw, 0, "default_value", "")
	boolean := IsTrue(param(args, kw, 1, "boolean", false))
	if _, u := v.(Undefined); u || boolean && !IsTrue(v) {
		return def, nil
	}
	return v, nil
}

func length(v Value) (int, error) {
	switch x := v.(type) {
	case string:
		return utf8.RuneCountInString(x), nil
	case *List:
		return len(x.Items), nil
	case *Dict:
		return x.Len(), nil
	case Undefined:
		return 0, nil
	case pyRange:
		return len(x.items()), nil
	}
	switch x := normalize(v).(type) {
	case *List, *Dict:
		return length(x)
	}
	if it, ok := v.(interface{ Items() []Value }); ok {
		return len(it.Items()), nil
	}
	return 0, fmt.Errorf("object of type '%s' has no len()", typeName(v))
}

func filterLength(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	n, err := length(v)
	return int64(n), err
}

func filterFirst(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return Undefined{msg: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func filterLast(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return Undefined{msg: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

func filterList(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	return &List{Items: append([]Value(nil), items...)}, nil
}

// sortKey lower-cases strings unless case_sensitive, as Jinja's sort does.
func sortKey(caseSensitive bool, get func(Value) Value) func(Value) Value {
	return func(v Value) Value {
		v = get(v)
		if caseSensitive {
			return v
		}
		switch x := v.(type) {
		case string:
			return strings.ToLower(x)
		case *List:
			if x.Tuple {
				t := &List{Tuple: true, Items: make([]Value, len(x.Items))}
				for i, it := range x.Items {
					if s, ok := it.(string); ok {
						it = strings.ToLower(s)
					}
					t.Items[i] = it
				}
				return t
			}
		}
		return v
	}
}

func sortValues(items []Value, key func(Value) Value, reverse bool) error {
	var err error
	sort.SliceStable(items, func(i, j int) bool {
		a, b := key(items[i]), key(items[j])
		if reverse {
			a, b = b, a
		}
		lt, e := less(a, b)
		if e != nil && err == nil {
			err = e
		}
		return lt
	})
	return err
}

func filterSort(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := append([]Value(nil), items...)
	reverse := IsTrue(param(args, kw, 0, "reverse", false))
	cs := IsTrue(param(args, kw, 1, "case_sensitive", false))
	key := sortKey(cs, multiAttrGetter(param(args, kw, 2, "attribute", nil)))
	if err := sortValues(out, key, reverse); err != nil {
		return nil, err
	}
	return &List{Items: out}, nil
}

func filterUnique(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	cs := IsTrue(param(args, kw, 0, "case_sensitive", false))
	key := sortKey(cs, attrGetter(param(args, kw, 1, "attribute", nil)))
	out := &List{}
	var seen []Value
outer:
	for _, it := range items {
		k := key(it)
		for _, s := range seen {
			if equal(s, k) {
				continue outer
			}
		}
		seen = append(seen, k)
		out.Items = append(out.Items, it)
	}
	return out, nil
}

func filterReverse(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	if s, ok := v.(string); ok {
		rs := []rune(s)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return string(rs), nil
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := make([]Value, len(items))
	for i, it := range items {
		out[len(items)-1-i] = it
	}
	return &List{Items: out}, nil
}

func filterMap(st *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := &List{Items: make([]Value, 0, len(items))}
	if attr, ok := kw.Get("attribute"); ok && len(args) == 0 {
		get := attrGetter(attr)
		def, hasDef := kw.Get("default")
		for _, it := range items {
			x := get(it)
			if _, u := x.(Undefined); u && hasDef {
				x = def
			}
			out.Items = append(out.Items, x)
		}
		return out, nil
	}
	if len(args) == 0 {
		return nil, errors.New("map requires a filter argument")
	}
	name := ToString(args[0])
	f := st.Env.Filters[name]
	if f == nil {
		return nil, &hinted{fmt.Sprintf("No filter named '%s'.", name), st.Env.filterHint(name)}
	}
	for _, it := range items {
		x, err := f(st, it, args[1:], kw)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, x)
	}
	return out, nil
}

func selectFilter(reject, byAttr bool) Filter {
	return func(st *State, v Value, args []Value, kw *Dict) (Value, error) {
		items, err := iterate(v)
		if err != nil {
			return nil, err
		}
		get := func(x Value) Value { return x }
		if byAttr {
			if len(args) == 0 {
				return nil, errors.New("missing attribute argument")
			}
			get = attrGetter(args[0])
			args = args[1:]
		}
		var test Test
		if len(args) > 0 {
			name := ToString(args[0])
			test = st.Env.Tests[name]
			if test == nil {
				return nil, fmt.Errorf("No test named '%s'.", name)
			}
			args = args[1:]
		}
		out := &List{}
		for _, it := range items {
			x := get(it)
			var ok bool
			if test == nil {
				ok = IsTrue(x)
			} else if ok, err = test(st, x, args); err != nil {
				return nil, err
			}
			if ok != reject {
				out.Items = append(out.Items, it)
			}
		}
		return out, nil
	}
}

func filterToJSON(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	indent := -1
	if x := param(args, kw, 0, "indent", nil); x != nil {
		n, _ := toIndex(x)
		indent = int(n)
	}
	var b strings.Builder
	if err := writeJSON(&b, v, indent, 0); err != nil {
		return nil, err
	}
	return b.String(), nil
}

// writeJSON matches Python's json.dumps(sort_keys=True) with Jinja's HTML
// escaping of <, >, & and '.
func writeJSON(b *strings.Builder, v Value, indent, level int) error {
	nl := func(l int) {
		if indent >= 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent*l))
		}
	}
	itemSep := ", "
	if indent >= 0 {
		itemSep = ","
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		switch {
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		case math.IsNaN(x):
			b.WriteString("NaN")
		default:
			b.WriteString(formatFloat(x))
		}
	case string:
		writeJSONString(b, x)
	case *List:
		if len(x.Items) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(itemSep)
			}
			nl(level + 1)
			if err := writeJSON(b, it, indent, level+1); err != nil {
				return err
			}
		}
		nl(level)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for n, i := range sortedKeys(x) {
			if n > 0 {
				b.WriteString(itemSep)
			}
			nl(level + 1)
			var ks string
			switch k := x.keys[i].(type) {
			case string:
				ks = k
			case nil:
				ks = "null"
			case bool:
				ks = map[bool]string{true: "true", false: "false"}[k]
			default:
				ks = ToString(k)
			}
			writeJSONString(b, ks)
			b.WriteString(": ")
			if err := writeJSON(b, x.vals[i], indent, level+1); err != nil {
				return err
			}
		}
		nl(level)
		b.WriteByte('}')
	case *Namespace:
		return fmt.Errorf("Object of type Namespace is not JSON serializable")
	case Undefined:
		return fmt.Errorf("Object of type Undefined is not JSON serializable")
	default:
		n := normalize(v)
		switch n.(type) {
		case *List, *Dict, int64, float64:
			return writeJSON(b, n, indent, level)
		}
		if it, ok := v.(interface{ Items() []Value }); ok {
			return writeJSON(b, &List{Items: it.Items()}, indent, level)
		}
		return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '<', '>', '&', '\'':
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			switch {
			case r < 0x20 || r >= 0x7f && r < 0x10000:
				fmt.Fprintf(b, `\u%04x`, r)
			case r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

func filterInt(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	def := param(args, kw, 0, "default", int64(0))
	base := int64(10)
	if b := param(args, kw, 1, "base", nil); b != nil {
		base, _ = toIndex(b)
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return def, nil
		}
		return int64(x), nil
	case string:
		s := strings.TrimSpace(strings.ReplaceAll(x, "_", ""))
		if base == 16 {
			s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
		} else if base == 8 {
			s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
		} else if base == 2 {
			s = strings.TrimPrefix(strings.TrimPrefix(s, "0b"), "0B")
		}
		if n, err := strconv.ParseInt(s, int(base), 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return int64(f), nil
		}
		return def, nil
	}
	if n, ok := numeric(v); ok {
		return filterInt(nil, n, args, kw)
	}
	return def, nil
}

func filterFloat(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	def := param(args, kw, 0, "default", 0.0)
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		s := strings.TrimSpace(x)
		switch strings.ToLower(s) {
		case "inf", "+inf", "infinity":
			return math.Inf(1), nil
		case "-inf", "-infinity":
			return math.Inf(-1), nil
		case "nan":
			return math.NaN(), nil
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err == nil {
			return f, nil
		}
		return def, nil
	}
	if n, ok := numeric(v); ok {
		return toFloat(n), nil
	}
	return def, nil
}

// pyRound is Python's round(x, n) on a float: correctly rounded, ties to even.
func pyRound(x float64, n int) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	if n < 0 {
		p := math.Pow(10, float64(-n))
		return math.RoundToEven(x/p) * p
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', n, 64), 64)
	return f
}

func filterRound(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	prec, _ := toIndex(param(args, kw, 0, "precision", int64(0)))
	method := ToString(param(args, kw, 1, "method", "common"))
	n, ok := numeric(v)
	if !ok {
		return nil, fmt.Errorf("type %s doesn't define __round__ method", typeName(v))
	}
	switch method {
	case "common":
		if i, isInt := n.(int64); isInt {
			return i, nil
		}
		return pyRound(toFloat(n), int(prec)), nil
	case "floor", "ceil":
		p := math.Pow(10, float64(prec))
		f := toFloat(n) * p
		if method == "floor" {
			f = math.Floor(f)
		} else {
			f = math.Ceil(f)
		}
		return f / p, nil
	}
	return nil, errors.New("method must be 'common', 'ceil' or 'floor'")
}

func filterAbs(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(v))
}

func filterIndent(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	width := param(args, kw, 0, "width", int64(4))
	first := IsTrue(param(args, kw, 1, "first", false))
	blank := IsTrue(param(args, kw, 2, "blank", false))
	var ind string
	if s, ok := width.(string); ok {
		ind = s
	} else {
		n, _ := toIndex(width)
		ind = strings.Repeat(" ", int(n))
	}
	s := ToString(v) + "\n"
	lines := strings.Split(s, "\n")
	lines = lines[:len(lines)-1]
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if (i > 0 || first) && (blank || l != "") {
			b.WriteString(ind)
		}
		b.WriteString(l)
	}
	return b.String(), nil
}

func filterCenter(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	w, _ := toIndex(param(args, kw, 0, "width", int64(80)))
	return pad(ToString(v), int(w), " ", "center"), nil
}

func filterTruncate(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	s := ToString(v)
	n, _ := toIndex(param(args, kw, 0, "length", int64(255)))
	killwords := IsTrue(param(args, kw, 1, "killwords", false))
	end := ToString(param(args, kw, 2, "end", "..."))
	leeway, _ := toIndex(param(args, kw, 3, "leeway", int64(5)))
	rs := []rune(s)
	if int64(len(rs)) <= n+leeway {
		return s, nil
	}
	cut := int(n) - utf8.RuneCountInString(end)
	if cut < 0 {
		cut = 0
	}
	if killwords {
		return string(rs[:cut]) + end, nil
	}
	head := string(rs[:cut])
	if i := strings.LastIndex(head, " "); i >= 0 {
		head = head[:i]
	} else {
		head = ""
	}
	return head + end, nil
}

var wordRe = regexp.MustCompile(`\w+`)

func filterBatch(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	n, _ := toIndex(param(args, kw, 0, "linecount", int64(1)))
	if n <= 0 {
		return nil, errors.New("batch size must be positive")
	}
	fill, hasFill := kw.Get("fill_with")
	if len(args) > 1 {
		fill, hasFill = args[1], true
	}
	out := &List{}
	for i := 0; i < len(items); i += int(n) {
		end := min(i+int(n), len(items))
		row := &List{Items: append([]Value(nil), items[i:end]...)}
		if hasFill && fill != nil {
			for len(row.Items) < int(n) {
				row.Items = append(row.Items, fill)
			}
		}
		out.Items = append(out.Items, row)
	}
	return out, nil
}

func filterSlice(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	slices, _ := toIndex(param(args, kw, 0, "slices", int64(1)))
	if slices <= 0 {
		return nil, errors.New("slices must be positive")
	}
	fill := param(args, kw, 1, "fill_with", nil)
	per := len(items) / int(slices)
	extra := len(items) % int(slices)
	offset := 0
	out := &List{}
	for i := 0; i < int(slices); i++ {
		start := offset + i*per
		if i < extra {
			offset++
		}
		end := offset + (i+1)*per
		row := &List{Items: append([]Value(nil), items[start:end]...)}
		if fill != nil && i >= extra {
			row.Items = append(row.Items, fill)
		}
		out.Items = append(out.Items, row)
	}
	return out, nil
}

func filterSum(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	get := attrGetter(param(args, kw, 0, "attribute", nil))
	total := param(args, kw, 1, "start", int64(0))
	for _, it := range items {
		if total, err = binop("+", total, get(it)); err != nil {
			return nil, err
		}
	}
	return total, nil
}

func minMaxFilter(isMax bool) Filter {
	return func(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
		items, err := iterate(v)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return Undefined{msg: "No aggregated item, sequence was empty."}, nil
		}
		cs := IsTrue(param(args, kw, 0, "case_sensitive", false))
		key := sortKey(cs, attrGetter(param(args, kw, 1, "attribute", nil)))
		best := items[0]
		for _, it := range items[1:] {
			var lt bool
			if isMax {
				lt, err = less(key(best), key(it))
			} else {
				lt, err = less(key(it), key(best))
			}
			if err != nil {
				return nil, err
			}
			if lt {
				best = it
			}
		}
		return best, nil
	}
}

func filterDictsort(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	d, ok := normalize(v).(*Dict)
	if !ok {
		return nil, errors.New("dictsort expects a mapping")
	}
	cs := IsTrue(param(args, kw, 0, "case_sensitive", false))
	by := ToString(param(args, kw, 1, "by", "key"))
	reverse := IsTrue(param(args, kw, 2, "reverse", false))
	pos := 0
	if by == "value" {
		pos = 1
	} else if by != "key" {
		return nil, errors.New("You can only sort by either 'key' or 'value'")
	}
	items := make([]Value, d.Len())
	for i, k := range d.keys {
		items[i] = NewTuple(k, d.vals[i])
	}
	key := sortKey(cs, func(x Value) Value { return x.(*List).Items[pos] })
	if err := sortValues(items, key, reverse); err != nil {
		return nil, err
	}
	return &List{Items: items}, nil
}

func filterItems(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	if _, u := v.(Undefined); u {
		return &List{}, nil
	}
	d, ok := normalize(v).(*Dict)
	if !ok {
		return nil, fmt.Errorf("Can only get item pairs from a mapping.")
	}
	return dictMethod(d, "items", nil, nil)
}

// groupTuple is the (grouper, list) pair groupby yields; it prints and
// unpacks as a tuple and has .grouper and .list attributes.
type groupTuple struct {
	grouper Value
	list    *List
}

func (g *groupTuple) Getattr(name string) (Value, bool) {
	switch name {
	case "grouper":
		return g.grouper, true
	case "list":
		return g.list, true
	}
	return nil, false
}

func (g *groupTuple) Items() []Value { return []Value{g.grouper, g.list} }

func (g *groupTuple) String() string { return Repr(NewTuple(g.grouper, g.list)) }

func filterGroupby(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	attr := param(args, kw, 0, "attribute", nil)
	if attr == nil {
		return nil, errors.New("groupby requires an attribute")
	}
	def := param(args, kw, 1, "default", nil)
	cs := IsTrue(param(args, kw, 2, "case_sensitive", false))
	get := attrGetter(attr)
	keyOf := func(x Value) Value {
		k := get(x)
		if _, u := k.(Undefined); u && def != nil {
			k = def
		}
		return k
	}
	sorted := append([]Value(nil), items...)
	if err := sortValues(sorted, sortKey(cs, keyOf), false); err != nil {
		return nil, err
	}
	out := &List{}
	var cur *groupTuple
	var curKey Value
	for _, it := range sorted {
		k := sortKey(cs, keyOf)(it)
		if cur == nil || !equal(k, curKey) {
			cur = &groupTuple{grouper: keyOf(it), list: &List{}}
			curKey = k
			out.Items = append(out.Items, cur)
		}
		cur.list.Items = append(cur.list.Items, it)
	}
	return out, nil
}

func filterFormat(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	if kw.Len() > 0 {
		if len(args) > 0 {
			return nil, errors.New("can't handle positional and keyword arguments at the same time")
		}
		return percentFormat(ToString(v), kw)
	}
	return percentFormat(ToString(v), NewTuple(args...))
}

var (
	tagRe   = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	spaceRe = regexp.MustCompile(`\s+`)
)

func filterStriptags(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	s := tagRe.ReplaceAllString(ToString(v), "")
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	return htmlUnescape(s), nil
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", "\"", "&#39;", "'", "&quot;", "\"")
	return r.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&#34;", "'", "&#39;")

func filterEscape(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	return htmlEscaper.Replace(ToString(v)), nil
}

// filterAttr looks up an attribute only, never an item: a dict's keys are
// not attributes.
func filterAttr(_ *State, v Value, args []Value, _ *Dict) (Value, error) {
	if len(args) != 1 {
		return nil, errors.New("attr() takes exactly one argument")
	}
	name := ToString(args[0])
	if _, ok := v.(*Dict); ok && !isMethod(v, name) {
		return Undefined{Name: name, msg: fmt.Sprintf("%s has no attribute '%s'", objDesc(v), name)}, nil
	}
	return getattr(v, name), nil
}

func filterFilesize(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	n, ok := numeric(v)
	if !ok {
		f, err := filterFloat(nil, v, nil, nil)
		if err != nil {
			return nil, err
		}
		n = f
	}
	bytes := toFloat(n)
	binary := IsTrue(param(args, kw, 0, "binary", false))
	base := 1000.0
	prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	if binary {
		base = 1024
		prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	}
	switch {
	case bytes == 1:
		return "1 Byte", nil
	case bytes < base:
		return fmt.Sprintf("%d Bytes", int64(bytes)), nil
	}
	var unit float64
	var prefix string
	for i, p := range prefixes {
		unit, prefix = math.Pow(base, float64(i+2)), p
		if bytes < unit {
			break
		}
	}
	return strconv.FormatFloat(base*bytes/unit, 'f', 1, 64) + " " + prefix, nil
}

func filterXMLAttr(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	d, ok := normalize(v).(*Dict)
	if !ok {
		return nil, errors.New("xmlattr expects a mapping")
	}
	autospace := IsTrue(param(args, kw, 0, "autospace", true))
	var parts []string
	for i, k := range d.keys {
		val := d.vals[i]
		if _, u := val.(Undefined); u || val == nil {
			continue
		}
		key := ToString(k)
		if strings.ContainsAny(key, " \t\n\f/>=") {
			return nil, fmt.Errorf("Invalid character in attribute name: %s", Repr(key))
		}
		parts = append(parts, htmlEscaper.Replace(key)+`="`+htmlEscaper.Replace(ToString(val))+`"`)
	}
	out := strings.Join(parts, " ")
	if autospace && out != "" {
		out = " " + out
	}
	return out, nil
}

func urlQuote(s string, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func filterURLEncode(_ *State, v Value, _ []Value, _ *Dict) (Value, error) {
	if s, ok := v.(string); ok {
		return urlQuote(s, "/"), nil
	}
	var pairs [][2]string
	switch x := normalize(v).(type) {
	case *Dict:
		for i, k := range x.keys {
			pairs = append(pairs, [2]string{ToString(k), ToString(x.vals[i])})
		}
	case *List:
		for _, it := range x.Items {
			if p, ok := it.(*List); ok && len(p.Items) == 2 {
				pairs = append(pairs, [2]string{ToString(p.Items[0]), ToString(p.Items[1])})
			}
		}
	default:
		return urlQuote(ToString(v), "/"), nil
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = url.QueryEscape(p[0]) + "=" + url.QueryEscape(p[1])
	}
	return strings.Join(parts, "&"), nil
}

func filterWordwrap(_ *State, v Value, args []Value, kw *Dict) (Value, error) {
	width, _ := toIndex(param(args, kw, 0, "width", int64(79)))
	breakLong := IsTrue(param(args, kw, 1, "break_long_words", true))
	wrapstring := param(args, kw, 2, "wrapstring", nil)
	breakHyphens := IsTrue(param(args, kw, 3, "break_on_hyphens", true))
	sep := "\n"
	if wrapstring != nil {
		sep = ToString(wrapstring)
	}
	lines, _ := stringMethod(ToString(v), "splitlines", nil, nil)
	var paras []string
	for _, l := range lines.(*List).Items {
		paras = append(paras, strings.Join(textWrap(l.(string), int(width), breakLong, breakHyphens), sep))
	}
	return strings.Join(paras, sep), nil
}

// textWrap follows Python's textwrap.wrap with expand_tabs and
// replace_whitespace off, as Jinja's wordwrap calls it.
func textWrap(text string, width int, breakLong, breakHyphens bool) []string {
	chunks := wrapChunks(text, breakHyphens)
	// Reverse so the next chunk is at the end, as textwrap does.
	for i, j := 0, len(chunks)-1; i < j; i, j = i+1, j-1 {
		chunks[i], chunks[j] = chunks[j], chunks[i]
	}
	rlen := func(s string) int { return utf8.RuneCountInString(s) }
	isSpace := func(s string) bool { return strings.TrimSpace(s) == "" }
	var lines []string
	for len(chunks) > 0 {
		var cur []string
		curLen := 0
		if isSpace(chunks[len(chunks)-1]) && len(lines) > 0 {
			chunks = chunks[:len(chunks)-1]
		}
		for len(chunks) > 0 {
			l := rlen(chunks[len(chunks)-1])
			if curLen+l > width {
				break
			}
			cur = append(cur, chunks[len(chunks)-1])
			chunks = chunks[:len(chunks)-1]
			curLen += l
		}
		if len(chunks) > 0 && rlen(chunks[len(chunks)-1]) > width {
			spaceLeft := 1
			if width >= 1 {
				spaceLeft = width - curLen
			}
			chunk := []rune(chunks[len(chunks)-1])
			if breakLong {
				end := spaceLeft
				if breakHyphens && len(chunk) > spaceLeft {
					for h := spaceLeft - 1; h > 0; h-- {
						if chunk[h] == '-' {
							if strings.Trim(string(chunk[:h]), "-") != "" {
								end = h + 1
							}
							break
						}
					}
				}
				cur = append(cur, string(chunk[:end]))
				chunks[len(chunks)-1] = string(chunk[end:])
			} else if len(cur) == 0 {
				cur = append(cur, chunks[len(chunks)-1])
				chunks = chunks[:len(chunks)-1]
			}
		}
		if len(cur) > 0 && isSpace(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		}
	}
	return lines
}

// wrapChunks splits text into whitespace runs and words, words further
// split after hyphens between letters.
func wrapChunks(text string, breakHyphens bool) []string {
	var out []string
	rs := []rune(text)
	i := 0
	for i < len(rs) {
		j := i
		if unicode.IsSpace(rs[i]) {
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
			continue
		}
		for j < len(rs) && !unicode.IsSpace(rs[j]) {
			j++
		}
		word := rs[i:j]
		start := 0
		if breakHyphens {
			for k := 2; k+1 < len(word); k++ {
				if word[k] == '-' && unicode.IsLetter(word[k-1]) && unicode.IsLetter(word[k-2]) && unicode.IsLetter(word[k+1]) {
					out = append(out, string(word[start:k+1]))
					start = k + 1
				}
			}
		}
		out = append(out, string(word[start:]))
		i = j
	}
	return out
}
