package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ParseYAML parses one YAML document of a user's file. Syntax errors,
// duplicate keys, more than one document and anchors that contain their own
// alias are reported as positioned errors (an ErrorList). The result is the
// document's top node, nil for an empty document. The profiles package uses
// it too, so that both report YAML problems the same way.
func ParseYAML(file string, data []byte) (*yaml.Node, error) {
	var errs ErrorList
	n := parseYAML(file, data, &errs)
	return n, errs.Err()
}

// YAMLPairs returns the key/value pairs of a mapping node with aliases
// followed and merge keys (`<<: *defaults`) applied, in file order; a later
// duplicate key replaces the earlier one. It returns nil when n is not a
// mapping. Use it on nodes from ParseYAML, which has removed alias cycles.
func YAMLPairs(n *yaml.Node) [][2]*yaml.Node {
	var errs ErrorList
	d := newDecoder("", &errs, nil)
	var out [][2]*yaml.Node
	for _, p := range d.pairs(n) {
		out = append(out, [2]*yaml.Node{p.key, p.val})
	}
	return out
}

// NodePos is the position of n in file.
func NodePos(file string, n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: file}
	}
	return Pos{File: file, Line: n.Line, Col: n.Column}
}

// parseYAML is ParseYAML adding to errs.
func parseYAML(file string, data []byte, errs *ErrorList) *yaml.Node {
	root, _ := parseDocument(file, data, errs)
	return root
}

// parseDocument is parseYAML that also returns the number of nodes written
// in the document, counted while they are checked.
func parseDocument(file string, data []byte, errs *ErrorList) (root *yaml.Node, nodes int) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := safeDecode(dec, &doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, 0 // empty file
		}
		errs.Append(syntaxError(file, data, err))
		return nil, 0
	}
	var next yaml.Node
	switch err := safeDecode(dec, &next); {
	case err == nil:
		if len(next.Content) > 0 || next.Line > 0 {
			errs.Add(Pos{File: file, Line: next.Line, Col: next.Column},
				"more than one YAML document in the file; only one is allowed")
		}
	case !errors.Is(err, io.EOF):
		errs.Append(syntaxError(file, data, err))
	}
	if len(doc.Content) == 0 {
		return nil, 0
	}
	root = doc.Content[0]
	check := &nodeChecker{file: file, errs: errs, active: map[*yaml.Node]bool{}}
	check.walk(root)
	return root, check.nodes
}

// safeDecode turns a panic inside the YAML library into an error: no input
// may crash gmodel.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return dec.Decode(n)
}

// parses reports whether data (all documents) parses, and the error if not.
func parses(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := safeDecode(dec, &n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

var yamlLineRe = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// syntaxError turns the YAML library's "yaml: line N: msg" into a positioned
// error. The library reports the line where the enclosing block started, not
// where the problem is, so the problem line is found as the first prefix of
// the file that fails with the same message.
func syntaxError(file string, data []byte, err error) *Error {
	text := err.Error()
	line := 0
	if m := yamlLineRe.FindStringSubmatch(text); m != nil {
		text = text[len(m[0]):]
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
	}
	lines := strings.SplitAfter(string(data), "\n")
	// Binary search for the shortest failing prefix: once the bad line is
	// in, every longer prefix fails the same way.
	fails := func(k int) bool {
		perr := parses([]byte(strings.Join(lines[:k], "")))
		return perr != nil && yamlLineRe.ReplaceAllString(perr.Error(), "") == text
	}
	if lo, hi := max(line, 1), len(lines); lo <= hi && fails(hi) {
		for lo < hi {
			mid := lo + (hi-lo)/2
			if fails(mid) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		line = lo
	}
	if text == "found unexpected end of stream" {
		// A quoted string left open runs to the end of the file: the
		// line to show is the one where it starts.
		for k := min(line, len(lines)); k >= 1; k-- {
			if unclosedQuote(strings.TrimRight(lines[k-1], "\r\n")) >= 0 {
				line = k
				break
			}
		}
	}
	e := &Error{Pos: Pos{File: file, Line: line}, Msg: "invalid YAML: " + text}
	if line < 1 || line > len(lines) {
		return e
	}
	l := strings.TrimRight(lines[line-1], "\r\n")
	indent := len(l) - len(strings.TrimLeft(l, " \t"))
	if tab := strings.IndexByte(l[:indent], '\t'); tab >= 0 {
		e.Pos.Col = utf8.RuneCountInString(l[:tab]) + 1
		e.Msg = "invalid YAML: tab character in indentation"
		e.Hint = "indent YAML with spaces, never tabs"
		return e
	}
	if indent < len(l) {
		e.Pos.Col = utf8.RuneCountInString(l[:indent]) + 1
	}
	if at, msg, hint := refineSyntaxError(l, text); at >= 0 {
		e.Pos.Col = utf8.RuneCountInString(l[:at]) + 1
		if msg != "" {
			e.Msg = "invalid YAML: " + msg
		}
		e.Hint = hint
	}
	return e
}

var unknownAnchorRe = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// refineSyntaxError finds, for the commonest YAML mistakes, the byte offset
// in line of the character at fault, a clearer message ("" keeps the
// library's) and a hint. It returns at < 0 when it has nothing better.
func refineSyntaxError(line, text string) (at int, msg, hint string) {
	switch {
	case text == "found unexpected end of stream":
		if q := unclosedQuote(line); q >= 0 {
			return q, "this quoted string is never closed",
				fmt.Sprintf("end it with %c on the same line, or write a long text as a block scalar ('|' or '>')", line[q])
		}
	case text == "did not find expected ',' or ']'", text == "did not find expected ',' or '}'":
		open, close := byte('['), "]"
		if strings.HasSuffix(text, "'}'") {
			open, close = '{', "}"
		}
		if o := unclosedBracket(line, open); o >= 0 {
			return o, "", fmt.Sprintf("the '%c' opened here needs a closing '%s'", open, close)
		}
	case text == "mapping values are not allowed in this context":
		// `description: Note: this` — the value holds ": ".
		if k := strings.Index(line, ": "); k >= 0 {
			v := k + 2
			for v < len(line) && line[v] == ' ' {
				v++
			}
			if v < len(line) && line[v] != '"' && line[v] != '\'' && strings.Contains(line[v:], ": ") {
				// Never echo the value: in profiles.yml it may be a password.
				return v, "", "a value that contains ': ' must be quoted: put it in \"double quotes\""
			}
		}
	default:
		if m := unknownAnchorRe.FindStringSubmatch(text); m != nil {
			if a := strings.Index(line, "*"+m[1]); a >= 0 {
				return a, "", fmt.Sprintf("define the anchor with &%s before it is used", m[1])
			}
		}
	}
	return -1, "", ""
}

// unclosedQuote is the offset of the quote that opens a quoted scalar left
// open at the end of line, or -1.
func unclosedQuote(line string) int {
	open := -1
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case open >= 0:
			if c == '\\' && line[open] == '"' {
				i++
			} else if c == line[open] {
				if c == '\'' && i+1 < len(line) && line[i+1] == '\'' {
					i++ // '' is an escaped quote
				} else {
					open = -1
				}
			}
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return -1
		case (c == '"' || c == '\'') && (i == 0 || strings.IndexByte(" [{,:-", line[i-1]) >= 0):
			open = i
		}
	}
	return open
}

// unclosedBracket is the offset of the last open bracket of line that is
// not closed on it, or -1.
func unclosedBracket(line string, open byte) int {
	closeB := byte(']')
	if open == '{' {
		closeB = '}'
	}
	var stack []int
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case open:
			stack = append(stack, i)
		case closeB:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return -1
	}
	return stack[len(stack)-1]
}

// nodeChecker finds the problems the YAML library accepts but dbt's loader
// does not: duplicate keys, and aliases inside their own anchor (which would
// expand forever).
type nodeChecker struct {
	file   string
	errs   *ErrorList
	active map[*yaml.Node]bool
	nodes  int // walked so far
}

func (c *nodeChecker) walk(n *yaml.Node) {
	c.nodes++
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil || c.active[n.Alias] {
			c.errs.Add(NodePos(c.file, n), "alias *%s is inside its own anchor", n.Value)
			// Neutralise it so that later passes cannot loop.
			n.Kind, n.Tag, n.Value, n.Alias = yaml.ScalarNode, "!!null", "", nil
		}
		return
	case yaml.MappingNode:
		c.duplicateKeys(n)
	}
	// Only an anchored node can be the target of an alias, so only those
	// are tracked: a schema file has hundreds of thousands of nodes and
	// rarely an anchor.
	if n.Anchor != "" {
		c.active[n] = true
		defer delete(c.active, n)
	}
	for _, child := range n.Content {
		c.walk(child)
	}
}

// smallMapping is the number of keys up to which a mapping's keys are
// compared one by one instead of through a map.
const smallMapping = 16

// duplicateKeys reports the keys of mapping n written twice.
func (c *nodeChecker) duplicateKeys(n *yaml.Node) {
	var small [smallMapping]*yaml.Node
	keys := small[:0]
	var seen map[string]*yaml.Node // once there are more than smallMapping keys
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			c.errs.Add(NodePos(c.file, k), "mapping keys must be strings, not %s", kindName(k))
			k.Kind, k.Tag, k.Value, k.Content, k.Alias = yaml.ScalarNode, "!!str", "?", nil, nil
			continue
		}
		if isMergeKey(k) {
			continue
		}
		var first *yaml.Node
		if seen != nil {
			first = seen[k.Value]
		} else {
			for _, e := range keys {
				if e.Value == k.Value {
					first = e
					break
				}
			}
		}
		if first != nil {
			c.errs.Add(NodePos(c.file, k), "duplicate key '%s' (first set at line %d)", k.Value, first.Line)
			continue
		}
		if seen == nil && len(keys) == smallMapping {
			seen = make(map[string]*yaml.Node, len(n.Content)/2)
			for _, e := range keys {
				seen[e.Value] = e
			}
		}
		if seen != nil {
			seen[k.Value] = k
		} else {
			keys = append(keys, k)
		}
	}
}

func isMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && (k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0))
}

// KindName describes a YAML node for "must be X, not Y" messages, never
// quoting its value (it may be a secret).
func KindName(n *yaml.Node) string { return kindName(n) }

// kindName describes a node for "must be X, not Y" messages.
func kindName(n *yaml.Node) string {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		}
		return "a string"
	}
	return "nothing"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// minBudget (or ten units per node written, if more) bounds the work done
// decoding one file, so that a small file of aliases of aliases ("billion
// laughs") cannot exhaust memory or time.
const minBudget = 200_000

// decoder decodes the nodes of one file into plain values, collecting
// positioned errors.
type decoder struct {
	file      string
	errs      *ErrorList
	render    func(file string, pos Pos, s string) (string, error)
	budget    int
	exhausted bool
	memo      map[*yaml.Node][]pair
}

type pair struct {
	key, val *yaml.Node
	name     string
}

func newDecoder(file string, errs *ErrorList, render func(string, Pos, string) (string, error)) *decoder {
	return &decoder{file: file, errs: errs, render: render, budget: minBudget, memo: map[*yaml.Node][]pair{}}
}

// sized raises the budget for a big document of the given number of nodes.
func (d *decoder) sized(nodes int) *decoder {
	d.budget = max(d.budget, 10*nodes)
	return d
}

func (d *decoder) pos(n *yaml.Node) Pos { return NodePos(d.file, n) }

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs.Add(d.pos(n), format, args...)
}

func (d *decoder) errorHint(n *yaml.Node, hint, format string, args ...any) {
	d.errs.Append(&Error{Pos: d.pos(n), Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// spend takes n units from the expansion budget and reports whether any
// were left.
func (d *decoder) spend(n int) bool {
	d.budget -= n
	if d.budget < 0 {
		if !d.exhausted {
			d.exhausted = true
			d.errs.Add(Pos{File: d.file}, "YAML aliases expand to too much data")
		}
		return false
	}
	return true
}

// pairs returns the entries of a mapping with merge keys applied.
func (d *decoder) pairs(n *yaml.Node) []pair {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	if ps, ok := d.memo[n]; ok {
		if !d.spend(len(ps) + 1) {
			return nil
		}
		return ps
	}
	if !d.spend(len(n.Content)/2 + 1) {
		return nil
	}
	// Only an anchored mapping can be reached again (through an alias), and
	// only merge keys report errors: the pairs of other mappings, nearly
	// all of them, are not remembered.
	if n.Anchor != "" {
		d.memo[n] = nil // a merge that reaches n again sees no keys
	}
	var merged []pair
	own := make([]pair, 0, len(n.Content)/2)
	var index map[string]int // once there are more than smallMapping keys
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMergeKey(k) {
			merged = d.mergePairs(merged, v)
			continue
		}
		if j := ownIndex(own, index, k.Value); j >= 0 {
			own[j].val = v
			continue
		}
		if index == nil && len(own) == smallMapping {
			index = make(map[string]int, len(n.Content)/2)
			for j, p := range own {
				index[p.name] = j
			}
		}
		if index != nil {
			index[k.Value] = len(own)
		}
		own = append(own, pair{key: k, val: v, name: k.Value})
	}
	out := own
	if len(merged) > 0 {
		out = nil
		for _, p := range merged {
			if ownIndex(own, index, p.name) < 0 {
				out = append(out, p)
			}
		}
		out = append(out, own...)
	}
	if n.Anchor != "" || len(merged) > 0 {
		d.memo[n] = out
	}
	return out
}

// ownIndex is the position of the key name in own, or -1; index, when not
// nil, maps every name in own to its position.
func ownIndex(own []pair, index map[string]int, name string) int {
	if index != nil {
		if j, ok := index[name]; ok {
			return j
		}
		return -1
	}
	for j := range own {
		if own[j].name == name {
			return j
		}
	}
	return -1
}

// mergePairs adds the pairs a `<<` value brings; earlier ones win, as the
// YAML merge key spec says.
func (d *decoder) mergePairs(acc []pair, v *yaml.Node) []pair {
	v = resolveAlias(v)
	var sources []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{v}
	case yaml.SequenceNode:
		sources = v.Content
	}
	have := map[string]bool{}
	for _, p := range acc {
		have[p.name] = true
	}
	for _, s := range sources {
		if resolveAlias(s).Kind != yaml.MappingNode {
			d.errorf(s, "merge key '<<' needs a mapping or a list of mappings, not %s", kindName(s))
			continue
		}
		for _, p := range d.pairs(s) {
			if !have[p.name] {
				have[p.name] = true
				acc = append(acc, p)
			}
		}
	}
	if len(sources) == 0 {
		d.errorf(v, "merge key '<<' needs a mapping or a list of mappings, not %s", kindName(v))
	}
	return acc
}

func isNull(n *yaml.Node) bool {
	n = resolveAlias(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// yaml11Bools are the plain scalars PyYAML (and so dbt) reads as booleans
// though YAML 1.2 does not.
var yaml11Bools = map[string]bool{
	"yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// scalarValue types a scalar the way dbt's YAML loader would.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var v any
		if n.Decode(&v) == nil {
			switch v := v.(type) {
			case int:
				return v
			case int64:
				return int(v)
			case uint64:
				return float64(v)
			case float64:
				return v
			}
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	case "!!str":
		if n.Style == 0 {
			if b, ok := yaml11Bools[n.Value]; ok {
				return b
			}
		}
	}
	return n.Value
}

// value decodes any node into a plain value: nil, bool, int, float64,
// string, []any or *OrderedMap.
func (d *decoder) value(n *yaml.Node) any {
	n = resolveAlias(n)
	if n == nil || !d.spend(1) {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarValue(n)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			out = append(out, d.value(c))
		}
		return out
	case yaml.MappingNode:
		m := NewOrderedMap()
		for _, p := range d.pairs(n) {
			m.SetPos(p.name, d.value(p.val), d.pos(p.key))
		}
		return m
	}
	return nil
}

// omap decodes a mapping (or null, giving nil) into an OrderedMap.
func (d *decoder) omap(n *yaml.Node, what string) *OrderedMap {
	if isNull(n) {
		return nil
	}
	if resolveAlias(n).Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, kindName(n))
		return nil
	}
	m, _ := d.value(n).(*OrderedMap)
	return m
}

// str decodes a scalar as text (numbers and booleans as written); null is "".
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = resolveAlias(n)
	if isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a string, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// strList decodes a list of strings; a single string is a one-item list.
func (d *decoder) strList(n *yaml.Node, what string) ([]string, bool) {
	n = resolveAlias(n)
	if isNull(n) {
		return nil, true
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if tag := n.ShortTag(); tag == "!!int" || tag == "!!float" || tag == "!!bool" {
			break
		}
		return []string{n.Value}, true
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		ok := true
		for _, c := range n.Content {
			c = resolveAlias(c)
			if c.Kind != yaml.ScalarNode || isNull(c) {
				d.errorf(c, "%s must be a list of strings, but an item is %s", what, kindName(c))
				ok = false
				continue
			}
			out = append(out, c.Value)
		}
		return out, ok
	}
	d.errorf(n, "%s must be a list of strings, not %s", what, kindName(n))
	return nil, false
}

// boolean decodes true/false (and PyYAML's yes/no/on/off), quoted or not:
// a value rendered from "{{ env_var('X', 'true') }}" is a string.
func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode {
		if b, ok := scalarValue(n).(bool); ok {
			return b, true
		}
		switch v := strings.TrimSpace(n.Value); v {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return v[0] == 't' || v[0] == 'T', true
		}
		if b, ok := yaml11Bools[strings.TrimSpace(n.Value)]; ok {
			return b, true
		}
	}
	d.errorf(n, "%s must be true or false, not %s", what, kindName(n))
	return false, false
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode {
		switch v := scalarValue(n).(type) {
		case int:
			return v, true
		case string:
			if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				return i, true
			}
		}
	}
	d.errorf(n, "%s must be an integer, not %s", what, kindName(n))
	return 0, false
}

// mapping checks that n is a mapping (null counts as an empty one) and
// returns its pairs.
func (d *decoder) mapping(n *yaml.Node, what string) ([]pair, bool) {
	if isNull(n) {
		return nil, true
	}
	if resolveAlias(n).Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, kindName(n))
		return nil, false
	}
	return d.pairs(n), true
}

// list checks that n is a list (null counts as an empty one) and returns
// its items.
func (d *decoder) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	if isNull(n) {
		return nil, true
	}
	n = resolveAlias(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not %s", what, kindName(n))
		return nil, false
	}
	if !d.spend(len(n.Content) + 1) {
		return nil, false
	}
	return n.Content, true
}

// unknownKey reports a key that is not allowed here, suggesting the
// closest allowed one.
func (d *decoder) unknownKey(p pair, where string, allowed []string) {
	d.errorHint(p.key, didYouMeanHint(p.name, allowed), "unknown key '%s' in %s", p.name, where)
}

// renderStrings passes every string scalar holding Jinja ("{{" or "{%")
// through the render hook, in place, except below the keys skip rejects
// (given the path of keys from the top). Aliases are not followed: each
// scalar is rendered once, where it is written.
func (d *decoder) renderStrings(n *yaml.Node, path []string, skip func(path []string) bool) {
	if d.render == nil || n == nil {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() != "!!str" || !(strings.Contains(n.Value, "{{") || strings.Contains(n.Value, "{%")) {
			return
		}
		out, err := d.render(d.file, d.pos(n), n.Value)
		if err != nil {
			d.errs.Append(RenderError(d.pos(n), err))
			return
		}
		// dbt's as_bool/as_number/as_native ask for a typed result; otherwise
		// a rendered value stays a string.
		typed := strings.Contains(n.Value, "as_bool") || strings.Contains(n.Value, "as_number") || strings.Contains(n.Value, "as_native")
		n.Value = out
		if typed {
			n.Value = strings.TrimSpace(out)
			n.Tag, n.Style = "", 0
			if n.ShortTag() == "!!null" && n.Value == "" {
				n.Tag = "!!str"
			}
		} else {
			n.Tag, n.Style = "!!str", yaml.DoubleQuotedStyle
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			d.renderStrings(c, path, skip)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			child := append(path[:len(path):len(path)], k.Value)
			if skip != nil && skip(child) {
				continue
			}
			d.renderStrings(n.Content[i+1], child, skip)
		}
	}
}
