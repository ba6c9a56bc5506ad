package docsite

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
)

// SearchHit is one result of GET /api/search. Where is "name",
// "column:<name>", "description" or "sql".
type SearchHit struct {
	ID      string `json:"id"`
	N       string `json:"n"`
	T       string `json:"t"`
	L       string `json:"l"`
	Where   string `json:"where"`
	Snippet string `json:"snippet"`
}

// Search ranks: the exact name, a name prefix, a name substring, a
// column name, the description, then the SQL.
const (
	tierExact = iota
	tierPrefix
	tierSubstring
	tierColumn
	tierDescription
	tierSQL
)

// searchIndex holds the searchable text of every node, lower-cased once
// (ASCII only, so byte offsets match the original text for snippets).
type searchIndex struct {
	nodes []*siteNode
	name  []string
	desc  []string
	cols  [][]string
	// sql is the raw and compiled SQL of every node but tests, one entry
	// after the other, each ended by a 0 byte; sqlStart[k] is where entry k
	// starts and sqlNode[k] its node.
	sql      []byte
	sqlStart []int
	sqlNode  []int32
	// sqlBloom[k] is a Bloom filter of the trigrams of entry k: an entry
	// lacking one of the query's trigrams is skipped without reading it.
	sqlBloom [][]uint64
}

func newSearchIndex(nodes []*siteNode) *searchIndex {
	x := &searchIndex{
		nodes: nodes,
		name:  make([]string, len(nodes)),
		desc:  make([]string, len(nodes)),
		cols:  make([][]string, len(nodes)),
	}
	size := 0
	for _, n := range nodes {
		if n.m.ResourceType != "test" {
			size += len(n.m.RawCode) + len(n.m.CompiledCode) + 2
		}
	}
	x.sql = make([]byte, 0, size)
	for i, n := range nodes {
		x.name[i] = lowerASCII(n.m.Name)
		x.desc[i] = lowerASCII(n.m.Description)
		if len(n.cols) > 0 {
			cs := make([]string, len(n.cols))
			for j, c := range n.cols {
				cs[j] = lowerASCII(c.name)
			}
			x.cols[i] = cs
		}
		if n.m.ResourceType == "test" || n.m.RawCode == "" && n.m.CompiledCode == "" {
			continue
		}
		x.sqlStart = append(x.sqlStart, len(x.sql))
		x.sqlNode = append(x.sqlNode, int32(i))
		start := len(x.sql)
		x.sql = appendLowerASCII(x.sql, n.m.RawCode)
		x.sql = append(x.sql, '\n')
		x.sql = appendLowerASCII(x.sql, n.m.CompiledCode)
		x.sqlBloom = append(x.sqlBloom, trigramBloom(x.sql[start:]))
		x.sql = append(x.sql, 0)
	}
	return x
}

// trigramBloom is a Bloom filter (one hash) of the 3-byte substrings of
// b, about four bits per byte of text, so that a trigram absent from b is
// found absent four times out of five.
func trigramBloom(b []byte) []uint64 {
	words := 8
	for words*64 < 4*len(b) && words < 1<<14 {
		words *= 2
	}
	f := make([]uint64, words)
	mask := uint32(words*64 - 1)
	for i := 0; i+3 <= len(b); i++ {
		h := trigramHash(b[i:]) & mask
		f[h>>6] |= 1 << (h & 63)
	}
	return f
}

func trigramHash(b []byte) uint32 {
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16) * 0x9E3779B1 >> 7
}

// mayContain reports whether entry k can hold q, by its trigrams.
func (x *searchIndex) mayContain(k int, q []byte) bool {
	f := x.sqlBloom[k]
	mask := uint32(len(f)*64 - 1)
	for i := 0; i+3 <= len(q); i++ {
		h := trigramHash(q[i:]) & mask
		if f[h>>6]&(1<<(h&63)) == 0 {
			return false
		}
	}
	return true
}

type searchMatch struct {
	node  int32
	tier  int
	where string
	at    int // offset of the match in the text it was found in
}

// Search returns at most limit nodes matching q (case-insensitively),
// best first.
func (s *Site) Search(q string, limit int) []SearchHit {
	x := s.search
	q = lowerASCII(strings.TrimSpace(q))
	if q == "" || limit <= 0 {
		return []SearchHit{}
	}
	var ms []searchMatch
	hit := make([]bool, len(x.nodes))
	for i := range x.nodes {
		m := searchMatch{node: int32(i), tier: -1}
		name := x.name[i]
		switch {
		case name == q:
			m.tier, m.where = tierExact, "name"
		case strings.HasPrefix(name, q):
			m.tier, m.where = tierPrefix, "name"
		case strings.Contains(name, q):
			m.tier, m.where = tierSubstring, "name"
		default:
			for j, c := range x.cols[i] {
				if strings.Contains(c, q) {
					m.tier, m.where = tierColumn, "column:"+x.nodes[i].cols[j].name
					break
				}
			}
			if m.tier < 0 {
				if k := strings.Index(x.desc[i], q); k >= 0 {
					m.tier, m.where, m.at = tierDescription, "description", k
				}
			}
		}
		if m.tier >= 0 {
			hit[i] = true
			ms = append(ms, m)
		}
	}
	// Best first: by tier, tests last, shorter names first, then in the
	// index's order (by unique ID, so by name within a type and package).
	// One integer key per match keeps the sort cheap when thousands match.
	keys := make([]uint64, len(ms))
	for i, m := range ms {
		n := x.nodes[m.node].m
		// ms is in the index's order, so i orders equal keys.
		keys[i] = uint64(m.tier)<<60 | uint64(typeRank(n.ResourceType))<<56 |
			uint64(min(len(n.Name), 0xffff))<<40 | uint64(i)
	}
	slices.Sort(keys)
	if len(keys) > limit {
		keys = keys[:limit]
	}
	sorted := make([]searchMatch, len(keys))
	for i, k := range keys {
		sorted[i] = ms[k&(1<<40-1)]
	}
	ms = sorted
	// SQL last, in the index's order, only as far as the limit needs.
	if len(ms) < limit {
		ms = append(ms, x.searchSQL([]byte(q), hit, limit-len(ms))...)
	}
	if len(ms) > limit {
		ms = ms[:limit]
	}
	out := make([]SearchHit, len(ms))
	for i, m := range ms {
		n := x.nodes[m.node]
		h := SearchHit{ID: n.m.UniqueID, N: n.m.Name, T: n.m.ResourceType, L: n.layer, Where: m.where}
		switch m.tier {
		case tierDescription:
			h.Snippet = snippet(n.m.Description, m.at, len(q))
		case tierSQL:
			text := n.m.RawCode
			at := m.at
			if at > len(text) {
				text, at = n.m.CompiledCode, at-len(text)-1
			}
			h.Snippet = lineSnippet(text, at, len(q))
		}
		out[i] = h
	}
	return out
}

// searchSQL finds up to max nodes not hit yet whose SQL holds q, in the
// index's order.
func (x *searchIndex) searchSQL(q []byte, hit []bool, max int) []searchMatch {
	var ms []searchMatch
	for k, start := range x.sqlStart {
		if len(ms) >= max {
			break
		}
		node := x.sqlNode[k]
		if hit[node] || !x.mayContain(k, q) {
			continue
		}
		end := len(x.sql) - 1
		if k+1 < len(x.sqlStart) {
			end = x.sqlStart[k+1] - 1
		}
		if at := bytes.Index(x.sql[start:end], q); at >= 0 {
			ms = append(ms, searchMatch{node: node, tier: tierSQL, where: "sql", at: at})
		}
	}
	return ms
}

// typeRank puts tests after everything else among equal matches.
func typeRank(t string) int {
	if t == "test" || t == "unit_test" {
		return 1
	}
	return 0
}

// snippet is the text around text[at:at+n], about 160 characters, on one
// line.
func snippet(text string, at, n int) string {
	start, end := max(0, at-60), min(len(text), at+n+100)
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	s := strings.Join(strings.Fields(text[start:end]), " ")
	if start > 0 {
		s = "…" + s
	}
	if end < len(text) {
		s += "…"
	}
	return s
}

// lineSnippet is the line of text holding text[at:at+n], trimmed.
func lineSnippet(text string, at, n int) string {
	if at > len(text) {
		return ""
	}
	ls := strings.LastIndexByte(text[:at], '\n') + 1
	le := strings.IndexByte(text[at:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += at
	}
	line := text[ls:le]
	if len(line) > 160 {
		return snippet(text[ls:le], at-ls, n)
	}
	return strings.TrimSpace(line)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return string(appendLowerASCII(make([]byte, 0, len(s)), s))
		}
	}
	return s
}

func appendLowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
