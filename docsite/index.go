package docsite

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/gmodel/gmodel/compiler/selector"
)

// Layers are the medallion layers the site groups nodes by, "other" last.
var Layers = []string{"bronze", "silver", "gold", "other"}

// Site is one project's documentation as the web app reads it: a compact
// index of every node, built once from a target directory's artifacts, and
// node details, search and selection answered from it. A Site never
// changes; reloading builds a new one. It is safe for concurrent use.
type Site struct {
	project ProjectInfo
	nodes   []*siteNode
	byID    map[string]int32
	tags    []string

	overview  *Overview
	indexJSON []byte // GET /api/index.json
	indexGzip []byte
	search    *searchIndex
	// stamp and version identify the artifacts the site was built from
	// (for reloads and ETags).
	stamp   stamp
	version string

	selectors    *selector.Selectors
	selectorsErr error
	selOnce      sync.Once
	selGraph     *selector.Graph

	details sync.Map // unique_id -> []byte, the JSON of NodeDetail
	render  *renderer
}

// ProjectInfo names the project the site documents.
type ProjectInfo struct {
	Name        string `json:"name"`
	GeneratedAt string `json:"generated_at"`
	AdapterType string `json:"adapter_type"`
}

// siteNode is one node of the site with what the index and its detail
// page need, resolved once.
type siteNode struct {
	m      *mNode
	layer  string
	mat    string
	up     []int32 // parents, tests left out
	dn     []int32 // children, tests left out
	tests  []int32 // tests attached to this node
	result *runResult
	table  *Table // the catalog's entry, or nil
	cols   []colInfo
	plain  string // the description as plain text, at most 200 characters
	config jsontext.Value
}

type colInfo struct {
	name, typ, desc string
}

func (n *siteNode) status() string {
	if n.result == nil {
		return ""
	}
	return n.result.Status
}

// LoadOptions tell LoadSite where the project is.
type LoadOptions struct {
	// ProjectDir holds selectors.yml, for selector: in selections; "" means
	// none.
	ProjectDir string
}

// LoadSite reads target/manifest.json and, when present, catalog.json and
// run_results.json from targetDir and builds the site.
func LoadSite(targetDir string, opts LoadOptions) (*Site, error) {
	a, err := readArtifacts(targetDir)
	if err != nil {
		return nil, err
	}
	s, err := buildSite(a)
	if err != nil {
		return nil, err
	}
	if opts.ProjectDir != "" {
		path := filepath.Join(opts.ProjectDir, "selectors.yml")
		if b, err := os.ReadFile(path); err == nil {
			s.selectors, s.selectorsErr = selector.ParseSelectors("selectors.yml", b)
		}
	}
	return s, nil
}

func buildSite(a *artifacts) (*Site, error) {
	man := a.manifest
	s := &Site{
		project: ProjectInfo{
			Name:        man.Metadata.ProjectName,
			GeneratedAt: man.Metadata.GeneratedAt,
			AdapterType: man.Metadata.AdapterType,
		},
		render: newRenderer(man.Metadata.AdapterType),
	}
	s.stamp = a.stamp
	s.version = a.stamp.version()

	var all []*mNode
	for gi, group := range []map[string]*mNode{man.Nodes, man.Sources, man.Exposures} {
		for id, n := range group {
			if n == nil {
				continue
			}
			if n.UniqueID == "" {
				n.UniqueID = id
			}
			if n.ResourceType == "" {
				n.ResourceType = [...]string{"model", "source", "exposure"}[gi]
			}
			all = append(all, n)
		}
	}
	slices.SortFunc(all, func(x, y *mNode) int { return strings.Compare(x.UniqueID, y.UniqueID) })

	s.nodes = make([]*siteNode, len(all))
	s.byID = make(map[string]int32, len(all))
	var results map[string]*runResult
	if a.results != nil {
		results = make(map[string]*runResult, len(a.results.Results))
		for _, r := range a.results.Results {
			if r != nil {
				results[r.UniqueID] = r
			}
		}
	}
	tagSet := map[string]bool{}
	for i, m := range all {
		n := &siteNode{m: m, result: results[m.UniqueID]}
		n.config, n.mat = configOf(m)
		n.layer = layerOf(m)
		if a.catalog != nil {
			if t := a.catalog.Nodes[m.UniqueID]; t != nil {
				n.table = t
			} else {
				n.table = a.catalog.Sources[m.UniqueID]
			}
		}
		n.cols = mergeColumns(m.Columns, n.table)
		n.plain = plainText(m.Description, 200)
		for _, t := range m.Tags {
			tagSet[t] = true
		}
		s.nodes[i] = n
		s.byID[m.UniqueID] = int32(i)
	}
	for t := range tagSet {
		s.tags = append(s.tags, t)
	}
	slices.Sort(s.tags)
	s.link()
	s.overview = s.buildOverview(man, a.results)
	var err error
	if s.indexJSON, s.indexGzip, err = s.encodeIndex(); err != nil {
		return nil, err
	}
	s.search = newSearchIndex(s.nodes)
	return s, nil
}

// link fills up, dn and tests from each node's depends_on.
func (s *Site) link() {
	for i, n := range s.nodes {
		isTest := n.m.ResourceType == "test"
		var parents []int32
		for _, dep := range n.m.DependsOn.Nodes {
			j, ok := s.byID[dep]
			if !ok || int(j) == i || slices.Contains(parents, j) || s.nodes[j].m.ResourceType == "test" {
				continue
			}
			parents = append(parents, j)
		}
		n.up = parents
		if isTest {
			attached := parents
			if a := n.m.AttachedNode; a != nil {
				if j, ok := s.byID[*a]; ok {
					attached = []int32{j}
				}
			}
			for _, j := range attached {
				s.nodes[j].tests = append(s.nodes[j].tests, int32(i))
			}
			continue
		}
		for _, j := range parents {
			s.nodes[j].dn = append(s.nodes[j].dn, int32(i))
		}
	}
}

// configOf is the node's config object and its materialization as the
// index shows it: "source" for sources, "test" for tests.
func configOf(m *mNode) (jsontext.Value, string) {
	cfg := m.Config
	if len(cfg) == 0 || cfg.Kind() != '{' {
		cfg = jsontext.Value("{}")
	}
	switch m.ResourceType {
	case "source":
		return cfg, "source"
	case "test", "unit_test":
		return cfg, "test"
	case "exposure":
		return cfg, "exposure"
	}
	var c struct {
		Materialized string `json:"materialized"`
	}
	_ = json.Unmarshal(cfg, &c, jsonOpts)
	if c.Materialized == "" {
		c.Materialized = m.ResourceType
	}
	return cfg, c.Materialized
}

// layerOf is "bronze", "silver" or "gold" when that word is the node's
// schema, a folder of its fqn or path, or one of its tags; else "other".
func layerOf(m *mNode) string {
	layers := Layers[:3]
	if m.Schema != nil && slices.Contains(layers, strings.ToLower(*m.Schema)) {
		return strings.ToLower(*m.Schema)
	}
	if len(m.FQN) > 2 {
		for _, part := range m.FQN[1 : len(m.FQN)-1] {
			if l := strings.ToLower(part); slices.Contains(layers, l) {
				return l
			}
		}
	}
	dir := filepath.ToSlash(filepath.Dir(m.OriginalFilePath))
	for _, part := range strings.Split(dir, "/") {
		if l := strings.ToLower(part); slices.Contains(layers, l) {
			return l
		}
	}
	for _, t := range m.Tags {
		if l := strings.ToLower(t); slices.Contains(layers, l) {
			return l
		}
	}
	return "other"
}

// mergeColumns lists a node's columns: the catalog's in the warehouse's
// order with the schema file's descriptions, then documented columns the
// warehouse lacks. Without a catalog, the schema file's columns and types.
func mergeColumns(doc orderedColumns, t *Table) []colInfo {
	if t == nil || len(t.Columns) == 0 {
		out := make([]colInfo, 0, len(doc))
		for _, c := range doc {
			ci := colInfo{name: c.Name, desc: c.Description}
			if c.DataType != nil {
				ci.typ = *c.DataType
			}
			out = append(out, ci)
		}
		return out
	}
	cat := make([]*Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if c != nil {
			cat = append(cat, c)
		}
	}
	slices.SortFunc(cat, func(a, b *Column) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), strings.Compare(a.Name, b.Name))
	})
	used := make([]bool, len(doc))
	out := make([]colInfo, 0, len(cat)+len(doc))
	for _, c := range cat {
		ci := colInfo{name: c.Name, typ: c.Type}
		for i, d := range doc {
			if !used[i] && strings.EqualFold(d.Name, c.Name) {
				used[i] = true
				ci.name, ci.desc = d.Name, d.Description
				break
			}
		}
		out = append(out, ci)
	}
	for i, d := range doc {
		if !used[i] {
			ci := colInfo{name: d.Name, desc: d.Description}
			if d.DataType != nil {
				ci.typ = *d.DataType
			}
			out = append(out, ci)
		}
	}
	return out
}

// indexNode is one node of /api/index.json, with the short keys of the
// design (docsite/README.md).
type indexNode struct {
	ID    string   `json:"id"`
	T     string   `json:"t"`
	N     string   `json:"n"`
	P     string   `json:"p"`
	F     string   `json:"f"`
	L     string   `json:"l"`
	M     string   `json:"m"`
	S     string   `json:"s"`
	Tg    []string `json:"tg"`
	D     string   `json:"d"`
	C     []string `json:"c"`
	Up    []int32  `json:"up"`
	Dn    []int32  `json:"dn"`
	Tests []int32  `json:"tests"`
	St    string   `json:"st"`
}

// Index is /api/index.json.
type Index struct {
	Project ProjectInfo `json:"project"`
	Nodes   []indexNode `json:"nodes"`
	Tags    []string    `json:"tags"`
	Layers  []string    `json:"layers"`
}

// Index returns the compact index of every node.
func (s *Site) Index() *Index {
	idx := &Index{Project: s.project, Nodes: make([]indexNode, len(s.nodes)), Tags: s.tags, Layers: Layers}
	for i, n := range s.nodes {
		cols := make([]string, len(n.cols))
		for j, c := range n.cols {
			cols[j] = c.name
		}
		idx.Nodes[i] = indexNode{
			ID: n.m.UniqueID, T: n.m.ResourceType, N: n.m.Name, P: n.m.PackageName,
			F: n.m.OriginalFilePath, L: n.layer, M: n.mat, S: deref(n.m.Schema),
			Tg: n.m.Tags, D: n.plain, C: cols, Up: n.up, Dn: n.dn, Tests: n.tests, St: n.status(),
		}
	}
	return idx
}

func (s *Site) encodeIndex() (raw, gz []byte, err error) {
	raw, err = json.Marshal(s.Index(), json.Deterministic(true))
	if err != nil {
		return nil, nil, err
	}
	gz, err = gzipBytes(raw)
	return raw, gz, err
}

func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteIndex writes /api/index.json.
func (s *Site) WriteIndex(w io.Writer) error {
	_, err := w.Write(s.indexJSON)
	return err
}

// Len is the number of nodes in the site.
func (s *Site) Len() int { return len(s.nodes) }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
