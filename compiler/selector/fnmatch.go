package selector

import (
	"strings"
	"unicode/utf8"
)

// fnmatch reports whether name matches the shell-style pattern as Python's
// fnmatch.fnmatch does on POSIX, which dbt uses for most methods: "*"
// matches any run of characters (including "/" and "."), "?" any single
// character, "[seq]" and "[!seq]" a character in or out of seq; an unclosed
// "[" is literal and there is no escape character. Matching is
// case-sensitive.
func fnmatch(name, pattern string) bool { return newGlob(pattern).match(name) }

// glob is a compiled fnmatch pattern, for matching many names.
type glob struct {
	literal string
	toks    []globToken // nil: match literal exactly
}

func newGlob(pattern string) glob {
	if !strings.ContainsAny(pattern, "*?[") {
		return glob{literal: pattern}
	}
	return glob{toks: compileGlob(pattern)}
}

func (g glob) match(name string) bool {
	if g.toks == nil {
		return name == g.literal
	}
	return matchTokens(name, g.toks)
}

// hasWildcard mirrors dbt's check for whether an fqn part is a pattern.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[]") }

type globKind uint8

const (
	globLit  globKind = iota
	globAny           // ?
	globStar          // *
	globSet           // [...]
)

type globToken struct {
	kind   globKind
	lit    rune
	negate bool
	ranges [][2]rune // inclusive; empty ranges dropped
}

func compileGlob(pattern string) []globToken {
	p := []rune(pattern)
	var toks []globToken
	for i := 0; i < len(p); {
		c := p[i]
		i++
		switch c {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != globStar {
				toks = append(toks, globToken{kind: globStar})
			}
		case '?':
			toks = append(toks, globToken{kind: globAny})
		case '[':
			j := i
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				toks = append(toks, globToken{kind: globLit, lit: '['})
				continue
			}
			toks = append(toks, parseGlobSet(p[i:j]))
			i = j + 1
		default:
			toks = append(toks, globToken{kind: globLit, lit: c})
		}
	}
	return toks
}

// parseGlobSet parses the inside of a bracket expression. The first member
// is literal even when it is "]" or "-"; "a-z" is a range.
func parseGlobSet(s []rune) globToken {
	t := globToken{kind: globSet}
	if len(s) > 0 && s[0] == '!' {
		t.negate = true
		s = s[1:]
	}
	for k := 0; k < len(s); k++ {
		lo, hi := s[k], s[k]
		if k+2 < len(s) && s[k+1] == '-' {
			hi = s[k+2]
			k += 2
		}
		if lo <= hi {
			t.ranges = append(t.ranges, [2]rune{lo, hi})
		}
	}
	return t
}

func (t globToken) matches(r rune) bool {
	switch t.kind {
	case globLit:
		return r == t.lit
	case globAny:
		return true
	case globSet:
		in := false
		for _, rg := range t.ranges {
			if rg[0] <= r && r <= rg[1] {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// matchTokens is the classic linear-time wildcard match: on a mismatch,
// retry from the most recent star, consuming one more rune.
func matchTokens(name string, toks []globToken) bool {
	ni, ti := 0, 0
	starTok, starName := -1, 0
	for ni < len(name) {
		r, size := utf8.DecodeRuneInString(name[ni:])
		switch {
		case ti < len(toks) && toks[ti].kind == globStar:
			starTok, starName = ti, ni
			ti++
		case ti < len(toks) && toks[ti].matches(r):
			ni += size
			ti++
		case starTok >= 0:
			_, skip := utf8.DecodeRuneInString(name[starName:])
			starName += skip
			ni = starName
			ti = starTok + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].kind == globStar {
		ti++
	}
	return ti == len(toks)
}

// pathPattern is a pattern for the path method, matched the way Python's
// pathlib.Path.glob matches it against the project directory: segment by
// segment, where "**" stands for any number of directories.
type pathPattern [][]globToken // nil element: "**"

// compilePathPattern normalises pattern as pathlib does (dropping empty and
// "." segments) and rejects the patterns pathlib rejects.
func compilePathPattern(pattern string) (pathPattern, error) {
	if strings.HasPrefix(pattern, "/") {
		return nil, errorf("", "non-relative path patterns are unsupported: %q", pattern)
	}
	var pp pathPattern
	for _, seg := range strings.Split(pattern, "/") {
		switch seg {
		case "", ".":
			continue
		case "**":
			pp = append(pp, nil)
		default:
			pp = append(pp, compileGlob(seg))
		}
	}
	if len(pp) == 0 {
		return nil, errorf("", "unacceptable path pattern %q", pattern)
	}
	return pp, nil
}

// matchPath reports whether pattern matches the path or one of the
// directories that contain it: dbt selects a node when its file, or any
// parent directory of it, is among the glob's results.
func (pp pathPattern) matchPath(path string) bool {
	segs := strings.Split(strings.TrimPrefix(path, "./"), "/")
	for n := len(segs); n > 0; n-- {
		if pp.match(segs[:n]) {
			return true
		}
	}
	return false
}

func (pp pathPattern) match(segs []string) bool {
	// ok[i][j]: pattern pp[i:] matches segs[j:]. Filled backwards so that
	// runs of "**" cost O(len(pp)*len(segs)), not exponential time.
	ok := make([][]bool, len(pp)+1)
	for i := range ok {
		ok[i] = make([]bool, len(segs)+1)
	}
	ok[len(pp)][len(segs)] = true
	for i := len(pp) - 1; i >= 0; i-- {
		for j := len(segs); j >= 0; j-- {
			if pp[i] == nil { // "**": zero or more segments
				ok[i][j] = ok[i+1][j] || j < len(segs) && ok[i][j+1]
			} else {
				ok[i][j] = j < len(segs) && ok[i+1][j+1] && matchTokens(segs[j], pp[i])
			}
		}
	}
	return ok[0][0]
}
