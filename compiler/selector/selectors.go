package selector

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Selectors is a parsed selectors.yml: named selections for --selector and
// the selector: method. It is read-only once parsed.
type Selectors struct {
	list   []*Selector // in file order
	byName map[string]*Selector
}

// Selector is one entry of selectors.yml.
type Selector struct {
	Name        string
	Description string
	Default     bool
	Line        int // where the entry starts in the file
	spec        spec
}

// Default returns the name of the selector marked default: true, or "".
func (s *Selectors) Default() string {
	if s == nil {
		return ""
	}
	for _, sel := range s.list {
		if sel.Default {
			return sel.Name
		}
	}
	return ""
}

// Names lists the selectors in file order.
func (s *Selectors) Names() []string {
	if s == nil {
		return nil
	}
	names := make([]string, len(s.list))
	for i, sel := range s.list {
		names[i] = sel.Name
	}
	return names
}

// Get returns the selector called name.
func (s *Selectors) Get(name string) (*Selector, bool) {
	if s == nil {
		return nil, false
	}
	sel, ok := s.byName[name]
	return sel, ok
}

func (s *Selectors) lookup(name string) (*Selector, error) {
	if sel, ok := s.Get(name); ok {
		return sel, nil
	}
	e := errorf("", "could not find selector named %q", name)
	if names := s.Names(); len(names) > 0 {
		e.Msg += "; expected one of " + strings.Join(names, ", ")
	} else {
		e.Hint = "selectors are defined in selectors.yml at the project root"
	}
	return nil, e
}

// ParseSelectors parses a selectors.yml in dbt's format, already rendered
// if it uses Jinja. file names the file in error messages. Every problem
// found is reported, as an ErrorList of *Error positioned
// "selectors.yml:line:col: msg". An empty file has no selectors.
//
// Stricter than dbt: unknown keys, keys that dbt would silently ignore
// (such as parents: next to method: selector) and non-boolean flags are
// errors.
func ParseSelectors(file string, data []byte) (*Selectors, error) {
	s := &Selectors{byName: map[string]*Selector{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, ErrorList{yamlError(file, err)}
	}
	if len(doc.Content) == 0 {
		return s, nil
	}
	p := &selParser{file: file, sels: s, failed: map[string]bool{}, budget: 100000}
	root := resolve(doc.Content[0])
	switch {
	case isNull(root):
		return s, nil
	case root.Kind != yaml.MappingNode:
		p.errorf(root, "expected a mapping with a selectors: list, found %s", describe(root))
	default:
		var list *yaml.Node
		for _, kv := range p.pairs(root) {
			if kv.key == "selectors" {
				list = kv.val
			} else {
				p.errorf(kv.keyNode, "unknown key %q; expected selectors", kv.key)
				p.hint(didYouMean(kv.key, []string{"selectors"}))
			}
		}
		switch {
		case list == nil:
			p.errorf(root, "missing the selectors: list")
		case isNull(list):
		case list.Kind != yaml.SequenceNode:
			p.errorf(list, "selectors must be a list, found %s", describe(list))
		default:
			for _, item := range list.Content {
				p.selector(resolve(item))
			}
		}
	}
	p.checkDefaults()
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
		})
		return nil, p.errs
	}
	return s, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func yamlError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: m[2]}
	}
	return &Error{File: file, Msg: msg}
}

type selParser struct {
	file    string
	sels    *Selectors
	errs    ErrorList
	failed  map[string]bool // selectors with errors, so references to them add no noise
	budget  int             // definitions left to visit; aliases can multiply work
	defNode map[*Selector]*yaml.Node
	current string // the selector being parsed
}

func (p *selParser) errorf(n *yaml.Node, format string, args ...any) {
	e := &Error{File: p.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// hint adds a hint to the last error.
func (p *selParser) hint(h string) {
	if h != "" && len(p.errs) > 0 {
		p.errs[len(p.errs)-1].Hint = h
	}
}

// specError positions an error from parsing a CLI-style spec.
func (p *selParser) specError(n *yaml.Node, err error) {
	e, ok := err.(*Error)
	if !ok {
		p.errorf(n, "%v", err)
		return
	}
	e2 := *e
	e2.File, e2.Line, e2.Col = p.file, n.Line, n.Column
	p.errs = append(p.errs, &e2)
}

func (p *selParser) selector(item *yaml.Node) {
	if item.Kind != yaml.MappingNode {
		p.errorf(item, "each selector must be a mapping with a name and a definition, found %s", describe(item))
		return
	}
	sel := &Selector{Line: item.Line}
	var nameNode, defNode, defaultNode *yaml.Node
	for _, kv := range p.pairs(item) {
		v := resolve(kv.val)
		switch kv.key {
		case "name":
			nameNode = v
			if v.Kind != yaml.ScalarNode || isNull(v) || v.Value == "" {
				p.errorf(v, "a selector's name must be a non-empty string")
				nameNode = nil
			}
		case "description":
			if v.Kind != yaml.ScalarNode {
				p.errorf(v, "description must be a string, found %s", describe(v))
			}
			sel.Description = v.Value
		case "default":
			defaultNode = kv.keyNode
			b, ok := boolValue(v)
			if !ok {
				p.errorf(v, "default must be true or false, found %s", describe(v))
			}
			sel.Default = b
		case "definition":
			defNode = kv.val
		default:
			p.errorf(kv.keyNode, "unknown key %q; expected name, description, default or definition", kv.key)
			p.hint(didYouMean(kv.key, []string{"name", "description", "default", "definition"}))
		}
	}
	if nameNode == nil {
		p.errorf(item, "selector has no name")
		return
	}
	sel.Name = nameNode.Value
	if prev, ok := p.sels.byName[sel.Name]; ok || p.failed[sel.Name] {
		if ok {
			p.errorf(nameNode, "duplicate selector %q (the first is at line %d)", sel.Name, prev.Line)
		} else {
			p.errorf(nameNode, "duplicate selector %q", sel.Name)
		}
		return
	}
	if defNode == nil {
		p.errorf(item, "selector %q has no definition", sel.Name)
		p.failed[sel.Name] = true
		return
	}
	errs := len(p.errs)
	p.current = sel.Name
	s, ok := p.definition(defNode, true)
	if !ok || len(p.errs) > errs {
		p.failed[sel.Name] = true
		return
	}
	sel.spec = s
	p.sels.list = append(p.sels.list, sel)
	p.sels.byName[sel.Name] = sel
	if defaultNode != nil {
		if p.defNode == nil {
			p.defNode = map[*Selector]*yaml.Node{}
		}
		p.defNode[sel] = defaultNode
	}
}

func (p *selParser) checkDefaults() {
	var first *Selector
	for _, sel := range p.sels.list {
		if !sel.Default {
			continue
		}
		if first == nil {
			first = sel
			continue
		}
		p.errorf(p.defNode[sel], "found multiple selectors with `default: true`: %s and %s", first.Name, sel.Name)
	}
}

// definition parses a selector definition: a CLI-style string, a union or
// intersection, or a method mapping.
func (p *selParser) definition(n *yaml.Node, root bool) (spec, bool) {
	if p.budget--; p.budget < 0 {
		if p.budget == -1 {
			p.errorf(n, "selector definitions are too large (too many aliases?)")
		}
		return nil, false
	}
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() != "!!str" {
			p.errorf(n, "expected a selector spec string, a union, an intersection or a method mapping, found %s", describe(n))
			return nil, false
		}
		c, err := parseSpec(n.Value)
		if err != nil {
			p.specError(n, err)
			return nil, false
		}
		return c, true
	case yaml.MappingNode:
		pairs := p.pairs(n)
		for _, kv := range pairs {
			if kv.key != "union" && kv.key != "intersection" {
				continue
			}
			if len(pairs) > 1 {
				keys := make([]string, len(pairs))
				for i, kv := range pairs {
					keys[i] = kv.key
				}
				where := "in a selector definition"
				if root {
					where = "in a root level selector definition"
				}
				p.errorf(n, "only a single 'union' or 'intersection' key is allowed %s; found %s", where, strings.Join(keys, ","))
				return nil, false
			}
			op := opUnion
			if kv.key == "intersection" {
				op = opIntersection
			}
			return p.setOp(op, kv)
		}
		return p.method(n, pairs)
	case yaml.SequenceNode:
		p.errorf(n, "a selector definition cannot be a list; combine specs with union: or intersection:")
	default:
		p.errorf(n, "expected a selector definition, found %s", describe(n))
	}
	return nil, false
}

// setOp parses union: [...] or intersection: [...], where one item may be
// exclude: [...], subtracted after the others are combined.
func (p *selParser) setOp(op setOp, kv pair) (spec, bool) {
	list := resolve(kv.val)
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "invalid value for key %q: expected a list, found %s", kv.key, describe(list))
		return nil, false
	}
	grp := &group{op: op, indirect: modeEager, raw: kv.key}
	var exclude spec
	var excludeNode *yaml.Node
	ok := true
	for _, item := range list.Content {
		item = resolve(item)
		switch {
		case item.Kind == yaml.MappingNode && hasKey(item, "exclude"):
			pairs := p.pairs(item)
			if len(pairs) > 1 {
				p.errorf(item, "exclude must be the only key of its list item")
				ok = false
				continue
			}
			if excludeNode != nil {
				p.errorf(item, "you cannot provide multiple exclude arguments to the same selector set operator (the first is at line %d)", excludeNode.Line)
				ok = false
				continue
			}
			excludeNode = item
			var good bool
			if exclude, good = p.exclusions(pairs[0]); !good {
				ok = false
			}
		case item.Kind == yaml.MappingNode || item.Kind == yaml.ScalarNode && item.ShortTag() == "!!str":
			s, good := p.definition(item, false)
			if !good {
				ok = false
				continue
			}
			grp.parts = append(grp.parts, s)
		default:
			p.errorf(item, "invalid value in key %q: expected a mapping or a string, found %s", kv.key, describe(item))
			ok = false
		}
	}
	if !ok {
		return nil, false
	}
	if exclude == nil {
		return grp, true
	}
	return &group{op: opDifference, parts: []spec{grp, exclude}, indirect: modeEager}, true
}

// exclusions parses exclude: [...]; several exclusions are unioned. An
// empty list excludes nothing (nil).
func (p *selParser) exclusions(kv pair) (spec, bool) {
	list := resolve(kv.val)
	if list.Kind != yaml.SequenceNode {
		p.errorf(list, "invalid value for key \"exclude\": expected a list, found %s", describe(list))
		return nil, false
	}
	var parts []spec
	ok := true
	for _, item := range list.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode && (item.Kind != yaml.ScalarNode || item.ShortTag() != "!!str") {
			p.errorf(item, "invalid value in key \"exclude\": expected a mapping or a string, found %s", describe(item))
			ok = false
			continue
		}
		s, good := p.definition(item, false)
		if !good {
			ok = false
			continue
		}
		parts = append(parts, s)
	}
	switch {
	case !ok:
		return nil, false
	case len(parts) == 0:
		return nil, true
	case len(parts) == 1:
		return parts[0], true
	}
	return &group{op: opUnion, parts: parts, indirect: modeEager, raw: "exclude"}, true
}

// methodKeys are the keys of a full method mapping.
var methodKeys = []string{"method", "value", "parents", "parents_depth", "children", "children_depth", "childrens_parents", "indirect_selection", "exclude"}

// method parses "tag: nightly", "method: selector" or a full method
// mapping.
func (p *selParser) method(n *yaml.Node, pairs []pair) (spec, bool) {
	get := func(key string) *yaml.Node {
		for _, kv := range pairs {
			if kv.key == key {
				return resolve(kv.val)
			}
		}
		return nil
	}
	if len(pairs) == 1 {
		kv := pairs[0]
		name, args, err := parseMethod(kv.key, "")
		if err != nil {
			p.specError(kv.keyNode, err)
			return nil, false
		}
		value, ok := p.scalar(resolve(kv.val), kv.key)
		if !ok {
			return nil, false
		}
		return &criteria{raw: kv.key + ":" + value, method: name, args: args, value: value, parentsDepth: -1, childrenDepth: -1}, true
	}
	methodNode, valueNode := get("method"), get("value")
	if methodNode != nil && methodNode.Kind == yaml.ScalarNode && methodNode.Value == "selector" {
		return p.selectorRef(n, pairs, valueNode)
	}
	if methodNode == nil || valueNode == nil {
		keys := make([]string, len(pairs))
		for i, kv := range pairs {
			keys[i] = kv.key
		}
		p.errorf(n, `expected either 1 key or else "method" and "value" keys, but got [%s]`, strings.Join(keys, ", "))
		return nil, false
	}
	method, ok := p.scalar(methodNode, "method")
	if !ok {
		return nil, false
	}
	value, ok := p.scalar(valueNode, "value")
	if !ok {
		return nil, false
	}
	c := &criteria{raw: method + ":" + value, value: value, parentsDepth: -1, childrenDepth: -1}
	var err error
	if c.method, c.args, err = parseMethod(method, ""); err != nil {
		p.specError(methodNode, err)
		return nil, false
	}
	var exclude spec
	for _, kv := range pairs {
		v := resolve(kv.val)
		switch kv.key {
		case "method", "value":
		case "parents":
			c.parents, ok = p.flag(v, kv.key)
		case "children":
			c.children, ok = p.flag(v, kv.key)
		case "childrens_parents":
			c.childrensParents, ok = p.flag(v, kv.key)
		case "parents_depth":
			c.parentsDepth, ok = p.depth(v, kv.key)
		case "children_depth":
			c.childrenDepth, ok = p.depth(v, kv.key)
		case "indirect_selection":
			if c.indirect, ok = parseIndirectMode(v.Value); !ok || v.Kind != yaml.ScalarNode {
				p.errorf(v, "'%s' is not a valid indirect_selection; expected eager, cautious, buildable or empty", v.Value)
				ok = false
			}
		case "exclude":
			exclude, ok = p.exclusions(kv)
		default:
			p.errorf(kv.keyNode, "unknown key %q; expected %s", kv.key, strings.Join(methodKeys, ", "))
			p.hint(didYouMean(kv.key, methodKeys))
			ok = false
		}
		if !ok {
			return nil, false
		}
	}
	if c.children && c.childrensParents {
		p.errorf(n, "children and childrens_parents cannot both be true (the \"@\" prefix and \"+\" suffix are incompatible)")
		return nil, false
	}
	if exclude == nil {
		return c, true
	}
	return &group{op: opDifference, parts: []spec{c, exclude}, indirect: modeEager}, true
}

// selectorRef resolves "method: selector, value: name" to the definition of
// a selector defined earlier in the file, as dbt does.
func (p *selParser) selectorRef(n *yaml.Node, pairs []pair, valueNode *yaml.Node) (spec, bool) {
	for _, kv := range pairs {
		if kv.key != "method" && kv.key != "value" {
			p.errorf(kv.keyNode, "%s cannot be used with method: selector; the referenced selector is used as it is", kv.key)
			return nil, false
		}
	}
	if valueNode == nil {
		p.errorf(n, "method: selector needs a value: the name of a selector")
		return nil, false
	}
	name, ok := p.scalar(valueNode, "value")
	if !ok {
		return nil, false
	}
	if p.failed[name] {
		return nil, false // already reported
	}
	sel, found := p.sels.byName[name]
	if !found && name == p.current {
		p.errorf(valueNode, "selector %q refers to itself", name)
		return nil, false
	}
	if !found {
		p.errs = append(p.errs, &Error{
			File: p.file, Line: valueNode.Line, Col: valueNode.Column,
			Msg:  fmt.Sprintf("existing selector definition for %s not found", name),
			Hint: "a selector can only use the selectors defined above it",
		})
		return nil, false
	}
	return sel.spec, true
}

func (p *selParser) scalar(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errorf(n, "%s must be a string, found %s", key, describe(n))
		return "", false
	}
	return n.Value, true
}

func (p *selParser) flag(n *yaml.Node, key string) (bool, bool) {
	b, ok := boolValue(n)
	if !ok {
		p.errorf(n, "%s must be true or false, found %s", key, describe(n))
	}
	return b, ok
}

// depth reads parents_depth or children_depth. dbt treats 0 written as a
// number like a missing depth (no limit), and a negative depth selects no
// generations; both are kept.
func (p *selParser) depth(n *yaml.Node, key string) (int, bool) {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int":
			d, err := strconv.Atoi(n.Value)
			if err == nil {
				if d == 0 {
					return -1, true
				}
				return max(d, 0), true
			}
		case "!!str":
			if n.Value == "" {
				return -1, true
			}
			if d, err := strconv.Atoi(n.Value); err == nil {
				return max(d, 0), true
			}
		}
	}
	p.errorf(n, "%s must be a whole number, found %s", key, describe(n))
	return 0, false
}

type pair struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// pairs lists a mapping's entries, applying YAML merge keys (<<: *anchor),
// which selectors.yml files use to extend definitions.
func (p *selParser) pairs(n *yaml.Node) []pair {
	var out []pair
	seen := map[string]bool{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{k.Value, k, v})
	}
	for _, m := range merges {
		m = resolve(m)
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, src := range srcs {
			src = resolve(src)
			if src.Kind != yaml.MappingNode {
				p.errorf(src, "a merge key (<<) needs a mapping, found %s", describe(src))
				continue
			}
			for _, kv := range p.pairs(src) {
				if !seen[kv.key] {
					seen[kv.key] = true
					out = append(out, kv)
				}
			}
		}
	}
	return out
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func boolValue(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		return false, false
	}
	return b, true
}

// describe names a YAML node's kind for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "an alias"
}
