package jinja

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// boundMethod is `obj.method` taken without calling it right away.
type boundMethod struct {
	recv Value
	name string
}

func (m *boundMethod) CallJinja(c *Call) (Value, error) {
	return callMethod(c.State, m.recv, m.name, c.Args, c.Kwargs)
}

var stringMethods = setOf("upper", "lower", "strip", "lstrip", "rstrip", "split", "rsplit", "replace",
	"startswith", "endswith", "format", "join", "title", "capitalize", "find", "rfind", "index", "rindex",
	"count", "isdigit", "isalpha", "isalnum", "isupper", "islower", "isspace", "isnumeric", "isdecimal",
	"zfill", "ljust", "rjust", "center", "splitlines", "partition", "rpartition", "casefold", "swapcase",
	"removeprefix", "removesuffix", "format_map", "istitle", "expandtabs")

var listMethods = setOf("append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "sort",
	"copy", "clear")

var tupleMethods = setOf("index", "count")

var dictMethods = setOf("get", "items", "keys", "values", "update", "pop", "setdefault", "copy", "clear", "popitem")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func isMethod(obj Value, name string) bool {
	switch x := obj.(type) {
	case string:
		return stringMethods[name]
	case *List:
		if x.Tuple {
			return tupleMethods[name]
		}
		return listMethods[name]
	case *Dict:
		return dictMethods[name]
	}
	return false
}

func argCount(name string, args []Value, min, max int) error {
	if len(args) < min {
		return fmt.Errorf("%s() takes at least %d argument(s) (%d given)", name, min, len(args))
	}
	if max >= 0 && len(args) > max {
		return fmt.Errorf("%s() takes at most %d argument(s) (%d given)", name, max, len(args))
	}
	return nil
}

func strArg(method string, v Value) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s() argument must be str, not %s", method, typeName(v))
	}
	return s, nil
}

func intArg(method string, v Value) (int64, error) {
	n, ok := toIndex(v)
	if !ok {
		return 0, fmt.Errorf("%s() argument must be int, not %s", method, typeName(v))
	}
	return n, nil
}

// methodArgs merges keyword arguments into positions for methods that name
// their parameters (split(sep=..., maxsplit=...)).
func methodArgs(args []Value, kw *Dict, names ...string) []Value {
	if kw == nil || kw.Len() == 0 {
		return args
	}
	out := append([]Value(nil), args...)
	for i, n := range names {
		if v, ok := kw.Get(n); ok {
			for len(out) <= i {
				out = append(out, nil)
			}
			out[i] = v
		}
	}
	return out
}

func callMethod(st *State, recv Value, name string, args []Value, kw *Dict) (Value, error) {
	switch x := recv.(type) {
	case string:
		return stringMethod(x, name, args, kw)
	case *List:
		return listMethod(x, name, args, kw)
	case *Dict:
		return dictMethod(x, name, args, kw)
	}
	return nil, fmt.Errorf("%s has no attribute '%s'", objDesc(recv), name)
}

func runeIndex(s string, byteIdx int) int64 {
	if byteIdx < 0 {
		return -1
	}
	return int64(utf8.RuneCountInString(s[:byteIdx]))
}

func stripChars(args []Value, method string) (string, bool, error) {
	if len(args) == 0 || args[0] == nil {
		return "", false, nil
	}
	s, err := strArg(method, args[0])
	return s, true, err
}

func stringMethod(s, name string, args []Value, kw *Dict) (Value, error) {
	switch name {
	case "upper":
		return strings.ToUpper(s), nil
	case "lower", "casefold":
		return strings.ToLower(s), nil
	case "swapcase":
		return strings.Map(func(r rune) rune {
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			return unicode.ToUpper(r)
		}, s), nil
	case "strip", "lstrip", "rstrip":
		chars, ok, err := stripChars(args, name)
		if err != nil {
			return nil, err
		}
		switch {
		case name == "strip" && ok:
			return strings.Trim(s, chars), nil
		case name == "strip":
			return strings.TrimFunc(s, unicode.IsSpace), nil
		case name == "lstrip" && ok:
			return strings.TrimLeft(s, chars), nil
		case name == "lstrip":
			return strings.TrimLeftFunc(s, unicode.IsSpace), nil
		case ok:
			return strings.TrimRight(s, chars), nil
		default:
			return strings.TrimRightFunc(s, unicode.IsSpace), nil
		}
	case "split", "rsplit":
		args = methodArgs(args, kw, "sep", "maxsplit")
		maxsplit := int64(-1)
		if len(args) > 1 && args[1] != nil {
			n, err := intArg(name, args[1])
			if err != nil {
				return nil, err
			}
			maxsplit = n
		}
		var parts []string
		if len(args) == 0 || args[0] == nil {
			parts = splitWhitespace(s, int(maxsplit), name == "rsplit")
		} else {
			sep, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			if sep == "" {
				return nil, errors.New("empty separator")
			}
			if maxsplit < 0 {
				parts = strings.Split(s, sep)
			} else if name == "split" {
				parts = strings.SplitN(s, sep, int(maxsplit)+1)
			} else {
				parts = rsplitN(s, sep, int(maxsplit))
			}
		}
		l := &List{Items: make([]Value, len(parts))}
		for i, p := range parts {
			l.Items[i] = p
		}
		return l, nil
	case "splitlines":
		keep := len(args) > 0 && IsTrue(args[0])
		l := &List{}
		rest := s
		for rest != "" {
			i := strings.IndexAny(rest, "\n\r")
			if i < 0 {
				l.Items = append(l.Items, rest)
				break
			}
			end := i + 1
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				end++
			}
			if keep {
				l.Items = append(l.Items, rest[:end])
			} else {
				l.Items = append(l.Items, rest[:i])
			}
			rest = rest[end:]
		}
		return l, nil
	case "replace":
		if err := argCount(name, args, 2, 3); err != nil {
			return nil, err
		}
		old, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		nw, err := strArg(name, args[1])
		if err != nil {
			return nil, err
		}
		n := -1
		if len(args) > 2 {
			c, err := intArg(name, args[2])
			if err != nil {
				return nil, err
			}
			n = int(c)
		}
		return strings.Replace(s, old, nw, n), nil
	case "startswith", "endswith":
		if err := argCount(name, args, 1, 3); err != nil {
			return nil, err
		}
		if len(args) > 1 {
			start, end := args[1], Value(nil)
			if len(args) > 2 {
				end = args[2]
			}
			sub, err := slice(s, indexPtr(start), indexPtr(end), nil)
			if err != nil {
				return nil, err
			}
			return stringMethod(sub.(string), name, args[:1], nil)
		}
		var cands []Value
		if l, ok := args[0].(*List); ok {
			cands = l.Items
		} else {
			cands = []Value{args[0]}
		}
		for _, c := range cands {
			p, err := strArg(name, c)
			if err != nil {
				return nil, err
			}
			if name == "startswith" && strings.HasPrefix(s, p) || name == "endswith" && strings.HasSuffix(s, p) {
				return true, nil
			}
		}
		return false, nil
	case "removeprefix":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		p, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		return strings.TrimPrefix(s, p), nil
	case "removesuffix":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		p, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		return strings.TrimSuffix(s, p), nil
	case "format":
		return formatMethod(s, args, kw)
	case "format_map":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		d, _ := args[0].(*Dict)
		return formatMethod(s, nil, d)
	case "join":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		items, err := iterate(args[0])
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for i, it := range items {
			if i > 0 {
				b.WriteString(s)
			}
			str, ok := it.(string)
			if !ok {
				return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(it))
			}
			b.WriteString(str)
		}
		return b.String(), nil
	case "title":
		return pyTitle(s), nil
	case "istitle":
		return s != "" && pyTitle(s) == s, nil
	case "capitalize":
		return capitalize(s), nil
	case "find", "rfind", "index", "rindex", "count":
		if err := argCount(name, args, 1, 3); err != nil {
			return nil, err
		}
		sub, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		rs := []rune(s)
		start, end := int64(0), int64(len(rs))
		if len(args) > 1 && args[1] != nil {
			start, _ = toIndex(args[1])
		}
		if len(args) > 2 && args[2] != nil {
			end, _ = toIndex(args[2])
		}
		a, b, _, _ := sliceIndices(int64(len(rs)), &start, &end, nil)
		if b < a {
			b = a
		}
		hay := string(rs[a:b])
		switch name {
		case "count":
			if sub == "" {
				return int64(utf8.RuneCountInString(hay) + 1), nil
			}
			return int64(strings.Count(hay, sub)), nil
		case "find", "index":
			i := strings.Index(hay, sub)
			if i < 0 {
				if name == "index" {
					return nil, errors.New("substring not found")
				}
				return int64(-1), nil
			}
			return runeIndex(hay, i) + a, nil
		default:
			i := strings.LastIndex(hay, sub)
			if i < 0 {
				if name == "rindex" {
					return nil, errors.New("substring not found")
				}
				return int64(-1), nil
			}
			return runeIndex(hay, i) + a, nil
		}
	case "isdigit", "isnumeric", "isdecimal":
		return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0, nil
	case "isalpha":
		return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0, nil
	case "isalnum":
		return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) < 0, nil
	case "isspace":
		return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) < 0, nil
	case "isupper", "islower":
		cased := false
		for _, r := range s {
			if unicode.IsUpper(r) || unicode.IsLower(r) {
				cased = true
				if name == "isupper" && unicode.IsLower(r) || name == "islower" && unicode.IsUpper(r) {
					return false, nil
				}
			}
		}
		return cased, nil
	case "zfill":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		w, err := intArg(name, args[0])
		if err != nil {
			return nil, err
		}
		n := utf8.RuneCountInString(s)
		if int64(n) >= w {
			return s, nil
		}
		sign := ""
		if s != "" && (s[0] == '-' || s[0] == '+') {
			sign, s = s[:1], s[1:]
		}
		return sign + strings.Repeat("0", int(w)-n) + s, nil
	case "ljust", "rjust", "center":
		if err := argCount(name, args, 1, 2); err != nil {
			return nil, err
		}
		w, err := intArg(name, args[0])
		if err != nil {
			return nil, err
		}
		fill := " "
		if len(args) > 1 {
			if fill, err = strArg(name, args[1]); err != nil {
				return nil, err
			}
		}
		return pad(s, int(w), fill, name), nil
	case "partition", "rpartition":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		sep, err := strArg(name, args[0])
		if err != nil {
			return nil, err
		}
		var i int
		if name == "partition" {
			i = strings.Index(s, sep)
		} else {
			i = strings.LastIndex(s, sep)
		}
		if i < 0 {
			if name == "partition" {
				return NewTuple(s, "", ""), nil
			}
			return NewTuple("", "", s), nil
		}
		return NewTuple(s[:i], sep, s[i+len(sep):]), nil
	case "expandtabs":
		return strings.ReplaceAll(s, "\t", "        "), nil
	}
	return nil, fmt.Errorf("'str object' has no attribute '%s'", name)
}

func indexPtr(v Value) *int64 {
	if n, ok := toIndex(v); ok {
		return &n
	}
	return nil
}

func pad(s string, w int, fill, how string) string {
	n := utf8.RuneCountInString(s)
	if n >= w {
		return s
	}
	total := w - n
	switch how {
	case "ljust":
		return s + strings.Repeat(fill, total)
	case "rjust":
		return strings.Repeat(fill, total) + s
	}
	// CPython's rule for where the odd padding character goes.
	left := total/2 + (total & w & 1)
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, total-left)
}

func splitWhitespace(s string, maxsplit int, fromRight bool) []string {
	if maxsplit < 0 {
		return strings.Fields(s)
	}
	if fromRight {
		// The unsplit head keeps its leading whitespace, as in Python.
		rest := s
		var tail []string
		for i := 0; i < maxsplit; i++ {
			rest = strings.TrimRightFunc(rest, unicode.IsSpace)
			j := strings.LastIndexFunc(rest, unicode.IsSpace)
			if j < 0 {
				break
			}
			_, w := utf8.DecodeRuneInString(rest[j:])
			tail = append([]string{rest[j+w:]}, tail...)
			rest = rest[:j]
		}
		if rest = strings.TrimRightFunc(rest, unicode.IsSpace); rest != "" {
			tail = append([]string{rest}, tail...)
		}
		return tail
	}
	var out []string
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	for len(out) < maxsplit && rest != "" {
		j := strings.IndexFunc(rest, unicode.IsSpace)
		if j < 0 {
			break
		}
		out = append(out, rest[:j])
		rest = strings.TrimLeftFunc(rest[j:], unicode.IsSpace)
	}
	if rest != "" {
		out = append(out, rest)
	}
	return out
}

func rsplitN(s, sep string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		j := strings.LastIndex(s, sep)
		if j < 0 {
			break
		}
		out = append([]string{s[j+len(sep):]}, out...)
		s = s[:j]
	}
	return append([]string{s}, out...)
}

// pyTitle is Python's str.title: a letter after a non-letter is upper-cased.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevCased {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevCased = true
		} else {
			b.WriteRune(r)
			prevCased = false
		}
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + strings.ToLower(s[n:])
}

func listMethod(l *List, name string, args []Value, kw *Dict) (Value, error) {
	if l.Tuple && !tupleMethods[name] {
		return nil, fmt.Errorf("'tuple object' has no attribute '%s'", name)
	}
	switch name {
	case "append":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		l.Items = append(l.Items, args[0])
		return nil, nil
	case "extend":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		items, err := iterate(args[0])
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, items...)
		return nil, nil
	case "insert":
		if err := argCount(name, args, 2, 2); err != nil {
			return nil, err
		}
		i, err := intArg(name, args[0])
		if err != nil {
			return nil, err
		}
		n := int64(len(l.Items))
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = args[1]
		return nil, nil
	case "pop":
		if err := argCount(name, args, 0, 1); err != nil {
			return nil, err
		}
		if len(l.Items) == 0 {
			return nil, errors.New("pop from empty list")
		}
		i := int64(len(l.Items) - 1)
		if len(args) == 1 {
			var err error
			if i, err = intArg(name, args[0]); err != nil {
				return nil, err
			}
			if i < 0 {
				i += int64(len(l.Items))
			}
			if i < 0 || i >= int64(len(l.Items)) {
				return nil, errors.New("pop index out of range")
			}
		}
		v := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return v, nil
	case "remove":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		for i, it := range l.Items {
			if equal(it, args[0]) {
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return nil, nil
			}
		}
		return nil, errors.New("list.remove(x): x not in list")
	case "index":
		if err := argCount(name, args, 1, 3); err != nil {
			return nil, err
		}
		for i, it := range l.Items {
			if equal(it, args[0]) {
				return int64(i), nil
			}
		}
		return nil, fmt.Errorf("%s is not in list", Repr(args[0]))
	case "count":
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		n := int64(0)
		for _, it := range l.Items {
			if equal(it, args[0]) {
				n++
			}
		}
		return n, nil
	case "reverse":
		for i, j := 0, len(l.Items)-1; i < j; i, j = i+1, j-1 {
			l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
		}
		return nil, nil
	case "sort":
		rev := false
		if v, ok := kw.Get("reverse"); ok {
			rev = IsTrue(v)
		}
		var err error
		sort.SliceStable(l.Items, func(i, j int) bool {
			a, b := l.Items[i], l.Items[j]
			if rev {
				a, b = b, a
			}
			lt, e := less(a, b)
			if e != nil {
				err = e
			}
			return lt
		})
		return nil, err
	case "copy":
		return &List{Items: append([]Value(nil), l.Items...)}, nil
	case "clear":
		l.Items = l.Items[:0]
		return nil, nil
	}
	return nil, fmt.Errorf("'list object' has no attribute '%s'", name)
}

func dictMethod(d *Dict, name string, args []Value, kw *Dict) (Value, error) {
	switch name {
	case "get":
		if err := argCount(name, args, 1, 2); err != nil {
			return nil, err
		}
		if v, ok := d.Get(args[0]); ok {
			return v, nil
		}
		if len(args) == 2 {
			return args[1], nil
		}
		return nil, nil
	case "items":
		l := &List{Items: make([]Value, d.Len())}
		for i, k := range d.keys {
			l.Items[i] = NewTuple(k, d.vals[i])
		}
		return l, nil
	case "keys":
		return &List{Items: append([]Value(nil), d.keys...)}, nil
	case "values":
		return &List{Items: append([]Value(nil), d.vals...)}, nil
	case "update":
		if len(args) > 1 {
			return nil, fmt.Errorf("update expected at most 1 argument, got %d", len(args))
		}
		if len(args) == 1 {
			switch src := args[0].(type) {
			case *Dict:
				for i, k := range src.keys {
					d.Set(k, src.vals[i])
				}
			case *List:
				for _, it := range src.Items {
					pair, ok := it.(*List)
					if !ok || len(pair.Items) != 2 {
						return nil, errors.New("dictionary update sequence element has wrong length")
					}
					d.Set(pair.Items[0], pair.Items[1])
				}
			default:
				return nil, fmt.Errorf("'%s' object is not iterable", typeName(src))
			}
		}
		if kw != nil {
			for i, k := range kw.keys {
				d.Set(k, kw.vals[i])
			}
		}
		return nil, nil
	case "pop":
		if err := argCount(name, args, 1, 2); err != nil {
			return nil, err
		}
		if v, ok := d.Get(args[0]); ok {
			d.Delete(args[0])
			return v, nil
		}
		if len(args) == 2 {
			return args[1], nil
		}
		return nil, fmt.Errorf("KeyError: %s", Repr(args[0]))
	case "popitem":
		if d.Len() == 0 {
			return nil, errors.New("popitem(): dictionary is empty")
		}
		k, v := d.keys[d.Len()-1], d.vals[d.Len()-1]
		d.Delete(k)
		return NewTuple(k, v), nil
	case "setdefault":
		if err := argCount(name, args, 1, 2); err != nil {
			return nil, err
		}
		if v, ok := d.Get(args[0]); ok {
			return v, nil
		}
		var def Value
		if len(args) == 2 {
			def = args[1]
		}
		d.Set(args[0], def)
		return def, nil
	case "copy":
		return d.Copy(), nil
	case "clear":
		d.keys, d.vals, d.idx = nil, nil, nil
		return nil, nil
	}
	return nil, fmt.Errorf("'dict object' has no attribute '%s'", name)
}
