package runner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/project"
)

// errorMessage formats a node's failure the way a compiler reports one:
// `models/orders.sql:14: ERROR: column "amout" does not exist`, then the
// server's detail and hint, then where the compiled SQL is.
func (r *runner) errorMessage(n *compiler.Node, err error) string {
	var b strings.Builder
	loc := n.OriginalFilePath
	var ae *adapters.Error
	msg := err.Error()
	var pe *project.Error
	if errors.As(err, &pe) && !errors.As(err, &ae) {
		// A problem in the file itself (a malformed CSV row): it has its
		// own position.
		b.WriteString(pe.Error())
		if n.CompiledPath != "" && n.Compiled {
			b.WriteString("\n  compiled code at " + n.CompiledPath)
		}
		return b.String()
	}
	if errors.As(err, &ae) {
		msg = ae.Msg
		if file, line := r.locate(n, ae.SQL, ae.Position); line > 0 {
			loc = fmt.Sprintf("%s:%d", file, line)
		} else if n.ResourceType == compiler.Test && n.Pos.File == n.OriginalFilePath && n.Pos.Line > 1 {
			loc = fmt.Sprintf("%s:%d", n.Pos.File, n.Pos.Line)
		}
	}
	msg = strings.TrimPrefix(msg, "ERROR: ")
	if strings.HasPrefix(msg, n.OriginalFilePath+":") {
		// Already positioned in the node's file (a malformed seed row).
		b.WriteString(msg)
	} else {
		b.WriteString(loc)
		b.WriteString(": ERROR: ")
		b.WriteString(msg)
	}
	if ae != nil {
		if ae.Detail != "" {
			b.WriteString("\n  detail: " + ae.Detail)
		}
		if ae.Hint != "" {
			b.WriteString("\n  hint: " + ae.Hint)
		}
	}
	if n.CompiledPath != "" && n.Compiled {
		b.WriteString("\n  compiled code at " + n.CompiledPath)
	}
	return b.String()
}

// locate maps a 1-based character position in sql (the statement the
// server rejected) to a line of the source file of the node it came from.
// It returns line 0 when the position is not inside the node's compiled
// SQL (a hook, or the adapter's own DDL).
func (r *runner) locate(n *compiler.Node, sql string, pos int) (string, int) {
	code := n.CompiledCode
	if pos <= 0 || code == "" || sql == "" || n.TestMetadata != nil {
		// A generic test's SQL comes from a macro, not from its YAML file.
		return "", 0
	}
	start := 0
	if sql != code {
		i := strings.Index(sql, code)
		if i < 0 {
			return "", 0
		}
		start = utf8.RuneCountInString(sql[:i])
	}
	off := byteOffset(code, pos-1-start)
	if off < 0 {
		return "", 0
	}
	// Inside an injected ephemeral model: report that model's file.
	for _, cte := range n.ExtraCTEs {
		e := r.m.ByID[cte.ID]
		i := strings.Index(code, cte.SQL)
		if e == nil || i < 0 || off < i || off >= i+len(cte.SQL) {
			continue
		}
		prefix := " __dbt__cte__" + e.Alias + " as (\n"
		if !strings.HasPrefix(cte.SQL, prefix) || off < i+len(prefix) {
			return e.OriginalFilePath, 0
		}
		inner := strings.TrimSuffix(cte.SQL[len(prefix):], "\n)")
		rel := off - i - len(prefix)
		if rel >= len(inner) {
			return e.OriginalFilePath, 0
		}
		return e.OriginalFilePath, mapLine(inner, strings.Count(inner[:rel], "\n"), r.readSource(e))
	}
	line := mapLine(code, strings.Count(code[:off], "\n"), r.readSource(n))
	return n.OriginalFilePath, line
}

// byteOffset converts a 0-based character index to a byte offset in s, or
// -1 when it is outside s.
func byteOffset(s string, chars int) int {
	if chars < 0 {
		return -1
	}
	i := 0
	for b := range s {
		if i == chars {
			return b
		}
		i++
	}
	if i == chars {
		return len(s)
	}
	return -1
}

// readSource returns the text of a node's source file (as on disk, so line
// numbers are the file's own), or its raw code when the file cannot be read.
func (r *runner) readSource(n *compiler.Node) string {
	if r.opts.ReadFile != nil {
		if s, err := r.opts.ReadFile(n.OriginalFilePath); err == nil {
			return s
		}
	}
	return n.RawCode
}

// mapLine maps line cl (0-based) of compiled SQL to a 1-based line of raw,
// the Jinja source it was rendered from. Compiled lines are mostly raw lines
// with Jinja tags replaced; each raw line becomes a pattern (its literal
// text, with a wildcard where a tag was) and the compiled lines are aligned
// to the patterns in order (a longest common subsequence). A compiled line
// that matched gets its raw line; one that did not (output of a loop or a
// macro) is placed after the nearest matched line before it.
func mapLine(compiled string, cl int, raw string) int {
	cls := strings.Split(compiled, "\n")
	pats := linePatterns(raw)
	if cl >= len(cls) {
		cl = len(cls) - 1
	}
	n, m := len(cls), len(pats)
	if m == 0 {
		return 0
	}
	match := func(i, j int) bool {
		c := strings.TrimSpace(cls[i])
		return c != "" && pats[j].matches(c)
	}
	pair := make([]int, n) // compiled line -> raw line, -1 when unmatched
	for i := range pair {
		pair[i] = -1
	}
	if n*m <= 4_000_000 {
		// LCS table over suffixes.
		dp := make([][]int32, n+1)
		for i := range dp {
			dp[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if match(i, j) {
					dp[i][j] = dp[i+1][j+1] + 1
				} else {
					dp[i][j] = max(dp[i+1][j], dp[i][j+1])
				}
			}
		}
		for i, j := 0, 0; i < n && j < m; {
			switch {
			case match(i, j) && dp[i][j] == dp[i+1][j+1]+1:
				pair[i] = j
				i++
				j++
			case dp[i+1][j] >= dp[i][j+1]:
				i++
			default:
				j++
			}
		}
	} else {
		// Too big for the table: match greedily in order.
		j := 0
		for i := 0; i < n && j < m; i++ {
			for k := j; k < m; k++ {
				if match(i, k) {
					pair[i] = k
					j = k + 1
					break
				}
			}
		}
	}
	if pair[cl] >= 0 {
		return pair[cl] + 1
	}
	prevI, prevJ := -1, -1
	for i := cl - 1; i >= 0; i-- {
		if pair[i] >= 0 {
			prevI, prevJ = i, pair[i]
			break
		}
	}
	nextJ := -1
	for i := cl + 1; i < n; i++ {
		if pair[i] >= 0 {
			nextJ = pair[i]
			break
		}
	}
	var j int
	switch {
	case prevI >= 0:
		j = prevJ + (cl - prevI)
		if nextJ >= 0 && j >= nextJ {
			j = max(nextJ-1, prevJ)
		}
	case nextJ >= 0:
		j = max(nextJ-1, 0)
	default:
		j = cl
	}
	return min(j, m-1) + 1
}

// linePattern is one raw line: its literal pieces in order, with wildcards
// (where Jinja tags were) between them.
type linePattern struct {
	parts       []string
	anchorStart bool // the line starts with literal text
	anchorEnd   bool // the line ends with literal text
	hasLiteral  bool
}

func (p *linePattern) matches(s string) bool {
	if !p.hasLiteral {
		return false
	}
	parts := p.parts
	if p.anchorStart {
		if !strings.HasPrefix(s, parts[0]) {
			return false
		}
		s = s[len(parts[0]):]
		parts = parts[1:]
	}
	var last string
	if p.anchorEnd && len(parts) > 0 {
		last = parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for _, lit := range parts {
		i := strings.Index(s, lit)
		if i < 0 {
			return false
		}
		s = s[i+len(lit):]
	}
	if p.anchorEnd {
		if last == "" {
			return s == ""
		}
		return strings.HasSuffix(s, last)
	}
	return true
}

// linePatterns splits a Jinja source into per-line patterns. Tags ({{ }},
// {% %}, {# #}) may span lines; a line wholly inside a tag has no literal
// text and matches nothing.
func linePatterns(raw string) []*linePattern {
	var out []*linePattern
	cur := &linePattern{}
	var lit strings.Builder
	atStart := true // no piece seen yet on this line
	lastWild := false
	flush := func() {
		s := strings.TrimSpace(lit.String())
		lit.Reset()
		if s == "" {
			return
		}
		if atStart {
			cur.anchorStart = true
		}
		cur.parts = append(cur.parts, s)
		cur.hasLiteral = true
		atStart = false
		lastWild = false
	}
	wild := func() {
		flush()
		atStart = false
		lastWild = true
	}
	endLine := func() {
		flush()
		cur.anchorEnd = cur.hasLiteral && !lastWild
		out = append(out, cur)
		cur = &linePattern{}
		atStart = true
		lastWild = false
	}
	inTag := ""
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inTag != "" {
			if c == '\n' {
				endLine()
				atStart = false
				lastWild = true
				continue
			}
			if strings.HasPrefix(raw[i:], inTag) {
				i += len(inTag) - 1
				inTag = ""
				lastWild = true
			}
			continue
		}
		switch {
		case c == '\r':
		case c == '\n':
			endLine()
		case c == '{' && i+1 < len(raw) && (raw[i+1] == '{' || raw[i+1] == '%' || raw[i+1] == '#'):
			wild()
			inTag = map[byte]string{'{': "}}", '%': "%}", '#': "#}"}[raw[i+1]]
			i++
		default:
			lit.WriteByte(c)
		}
	}
	endLine()
	return out
}
