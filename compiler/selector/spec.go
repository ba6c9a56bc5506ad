package selector

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// spec is a parsed selection: a criteria or a set operation over specs.
type spec interface{ isSpec() }

// criteria is one method:value with its graph operators, dbt's
// SelectionCriteria.
type criteria struct {
	raw              string
	method           string
	args             []string // config.meta.owner: ["meta", "owner"]
	value            string
	childrensParents bool // @
	parents          bool // +x
	parentsDepth     int  // unlimited when < 0
	children         bool // x+
	childrenDepth    int
	// indirect is the criteria's own indirect_selection (YAML only);
	// modeUnset means the --indirect-selection mode.
	indirect indirectMode
}

type setOp uint8

const (
	opUnion setOp = iota
	opIntersection
	opDifference // first part minus the union of the rest; dbt never has more than two
)

// group is dbt's SelectionUnion, SelectionIntersection or
// SelectionDifference.
type group struct {
	op    setOp
	parts []spec
	raw   string
	// expectExists makes an empty result a warning, as for each
	// space-separated --select and --exclude value.
	expectExists bool
	// indirect decides which tests held back by cautious or buildable
	// criteria are let in once the parts are combined. dbt uses the
	// --indirect-selection mode for CLI groups and eager (a no-op) for
	// groups from selectors.yml.
	indirect indirectMode
}

func (*criteria) isSpec() {}
func (*group) isSpec()    {}

type indirectMode uint8

const (
	modeUnset indirectMode = iota
	modeEager
	modeCautious
	modeBuildable
	modeEmpty
)

func parseIndirectMode(s string) (indirectMode, bool) {
	switch s {
	case "eager":
		return modeEager, true
	case "cautious":
		return modeCautious, true
	case "buildable":
		return modeBuildable, true
	case "empty":
		return modeEmpty, true
	}
	return modeUnset, false
}

// rawSelectorPattern is dbt's RAW_SELECTOR_PATTERN. Go's regexp picks the
// same submatches a backtracking engine would, so specs split exactly as in
// dbt; \w is spelled out because Python's is Unicode-aware.
var rawSelectorPattern = regexp.MustCompile(`^` +
	`(?P<childrens_parents>@)?` +
	`(?P<parents>(?P<parents_depth>[0-9]*)\+)?` +
	`(?:(?P<method>[\p{L}\p{N}_.]+):)?(?P<value>.*?)` +
	`(?P<children>\+(?P<children_depth>[0-9]*))?` +
	`$`)

var (
	groupChildrensParents = rawSelectorPattern.SubexpIndex("childrens_parents")
	groupParents          = rawSelectorPattern.SubexpIndex("parents")
	groupParentsDepth     = rawSelectorPattern.SubexpIndex("parents_depth")
	groupMethod           = rawSelectorPattern.SubexpIndex("method")
	groupValue            = rawSelectorPattern.SubexpIndex("value")
	groupChildren         = rawSelectorPattern.SubexpIndex("children")
	groupChildrenDepth    = rawSelectorPattern.SubexpIndex("children_depth")
)

// parseSpec parses one CLI-style spec such as "2+tag:nightly+" or
// "@config.materialized:table". It does not split on spaces or commas.
func parseSpec(raw string) (*criteria, error) {
	m := rawSelectorPattern.FindStringSubmatch(raw)
	if m == nil {
		return nil, errorf(raw, "invalid selector spec %q", raw)
	}
	c := &criteria{
		raw:              raw,
		value:            m[groupValue],
		childrensParents: m[groupChildrensParents] != "",
		parents:          m[groupParents] != "",
		parentsDepth:     depth(m[groupParentsDepth]),
		children:         m[groupChildren] != "",
		childrenDepth:    depth(m[groupChildrenDepth]),
	}
	if m[groupMethod] == "" {
		c.method = defaultMethod(c.value)
	} else {
		var err error
		if c.method, c.args, err = parseMethod(m[groupMethod], raw); err != nil {
			return nil, err
		}
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *criteria) check() error {
	if c.children && c.childrensParents {
		return errorf(c.raw, `invalid node spec %q: the "@" prefix and "+" suffix are incompatible`, c.raw)
	}
	return nil
}

// depth converts an operator's digits; "" means no limit. Depths too large
// for an int are as good as unlimited.
func depth(digits string) int {
	if digits == "" {
		return -1
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return math.MaxInt
	}
	return n
}

// defaultMethod is dbt's rule for a spec without "method:": a value with a
// path separator is a path, one ending in .sql, .py or .csv a file name,
// anything else an fqn.
func defaultMethod(value string) string {
	if strings.Contains(value, "/") {
		return "path"
	}
	lower := strings.ToLower(value)
	for _, ext := range []string{".sql", ".py", ".csv"} {
		if strings.HasSuffix(lower, ext) {
			return "file"
		}
	}
	return "fqn"
}

// parseMethod splits "config.meta.owner" into the method and its
// arguments and checks that the method exists.
func parseMethod(method, raw string) (string, []string, error) {
	parts := strings.Split(method, ".")
	if _, ok := methods[parts[0]]; !ok {
		e := errorf(raw, "'%s' is not a valid method name", parts[0])
		if raw != "" {
			e.Msg += " in " + strconv.Quote(raw)
		}
		e.Msg += "; valid methods are " + strings.Join(methodNames(), ", ")
		e.Hint = didYouMean(parts[0], methodNames())
		return "", nil, e
	}
	return parts[0], parts[1:], nil
}

// defaultIncludes is what dbt selects when --select is not given.
var defaultIncludes = []string{"fqn:*", "source:*", "exposure:*", "metric:*", "semantic_model:*", "saved_query:*", "unit_test:*"}

// parseUnion parses the values of repeated --select or --exclude flags:
// space-separated specs are unioned, comma-separated ones intersected.
func parseUnion(values []string, expectExists bool, mode indirectMode) (*group, error) {
	union := &group{op: opUnion, raw: strings.Join(values, " "), indirect: mode}
	for _, v := range values {
		for _, raw := range strings.Split(v, " ") {
			inter := &group{op: opIntersection, raw: raw, expectExists: expectExists, indirect: mode}
			for _, part := range strings.Split(raw, ",") {
				c, err := parseSpec(part)
				if err != nil {
					return nil, err
				}
				inter.parts = append(inter.parts, c)
			}
			union.parts = append(union.parts, inter)
		}
	}
	return union, nil
}
