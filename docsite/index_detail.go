package docsite

import (
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// NodeDetail is GET /api/node/{unique_id}: everything the node page shows.
type NodeDetail struct {
	ID              string         `json:"id"`
	T               string         `json:"t"`
	N               string         `json:"n"`
	P               string         `json:"p"`
	F               string         `json:"f"`
	L               string         `json:"l"`
	M               string         `json:"m"`
	Schema          string         `json:"schema"`
	Database        string         `json:"database"`
	Alias           string         `json:"alias"`
	Relation        string         `json:"relation"`
	Tags            []string       `json:"tags"`
	DescriptionHTML string         `json:"description_html"`
	Columns         []DetailColumn `json:"columns"`
	Config          jsontext.Value `json:"config"`
	Language        string         `json:"language"`
	RawSQL          string         `json:"raw_sql"`
	CompiledSQL     string         `json:"compiled_sql"`
	RawSQLHTML      string         `json:"raw_sql_html"`
	CompiledSQLHTML string         `json:"compiled_sql_html"`
	Up              []string       `json:"up"`
	Dn              []string       `json:"dn"`
	Tests           []DetailTest   `json:"tests"`
	Stats           *Stats         `json:"stats"`
	LastRun         *LastRun       `json:"last_run"`
	Source          *SourceInfo    `json:"source"`
	Exposure        *ExposureInfo  `json:"exposure"`
}

// DetailColumn is one column of a node page.
type DetailColumn struct {
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	DescriptionHTML string       `json:"description_html"`
	Tests           []ColumnTest `json:"tests"`
}

// ColumnTest is a test on a column, with its last status ("" when it has
// not run).
type ColumnTest struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// DetailTest is a test attached to a node; Column is "" for a test of the
// whole node.
type DetailTest struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Column string `json:"column"`
}

// Stats are a relation's size from the catalog; nil values are unknown.
type Stats struct {
	Rows  any `json:"rows"`
	Bytes any `json:"bytes"`
}

// LastRun is the node's result in run_results.json.
type LastRun struct {
	Status        string  `json:"status"`
	ExecutionTime float64 `json:"execution_time"`
	Message       *string `json:"message"`
	CompletedAt   string  `json:"completed_at"`
	Failures      *int64  `json:"failures"`
}

// SourceInfo is what a source's page shows besides the common fields.
type SourceInfo struct {
	SourceName            string         `json:"source_name"`
	SourceDescriptionHTML string         `json:"source_description_html"`
	Loader                string         `json:"loader"`
	Identifier            string         `json:"identifier"`
	LoadedAtField         *string        `json:"loaded_at_field"`
	Freshness             jsontext.Value `json:"freshness"`
}

// ExposureInfo is what an exposure's page shows besides the common fields.
type ExposureInfo struct {
	Type     string         `json:"type"`
	Owner    jsontext.Value `json:"owner"`
	URL      *string        `json:"url"`
	Maturity *string        `json:"maturity"`
}

// Node returns the detail of the node with this unique ID, or false.
func (s *Site) Node(id string) (*NodeDetail, bool) {
	i, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	return s.detail(s.nodes[i], true), true
}

// NodeJSON is Node encoded, cached after the first request.
func (s *Site) NodeJSON(id string) ([]byte, bool) {
	if b, ok := s.details.Load(id); ok {
		return b.([]byte), true
	}
	d, ok := s.Node(id)
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(d, json.Deterministic(true))
	if err != nil {
		// Only a bug could get here: every field is a plain value.
		b = []byte(`{"error":"encoding the node failed"}`)
	}
	s.details.Store(id, b)
	return b, true
}

// detail builds a node's page; highlight false leaves raw_sql_html and
// compiled_sql_html empty (the app then shows the SQL as plain text).
func (s *Site) detail(n *siteNode, highlight bool) *NodeDetail {
	m := n.m
	d := &NodeDetail{
		ID: m.UniqueID, T: m.ResourceType, N: m.Name, P: m.PackageName, F: m.OriginalFilePath,
		L: n.layer, M: n.mat, Schema: deref(m.Schema), Database: deref(m.Database),
		Alias: deref(m.Alias), Relation: deref(m.RelationName), Tags: m.Tags,
		DescriptionHTML: s.render.markdown(m.Description),
		Config:          n.config,
		Language:        m.Language,
		RawSQL:          m.RawCode,
		CompiledSQL:     m.CompiledCode,
		Up:              s.ids(n.up),
		Dn:              s.ids(n.dn),
		Tests:           []DetailTest{},
		Columns:         make([]DetailColumn, len(n.cols)),
	}
	if highlight {
		d.RawSQLHTML = s.render.highlight(m.RawCode, true)
		d.CompiledSQLHTML = s.render.highlight(m.CompiledCode, false)
	}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	for i, c := range n.cols {
		d.Columns[i] = DetailColumn{Name: c.name, Type: c.typ, DescriptionHTML: s.render.markdown(c.desc), Tests: []ColumnTest{}}
	}
	for _, ti := range n.tests {
		t := s.nodes[ti]
		col := deref(t.m.ColumnName)
		dt := DetailTest{ID: t.m.UniqueID, Name: testName(t.m), Status: t.status(), Column: col}
		d.Tests = append(d.Tests, dt)
		if col == "" {
			continue
		}
		for i := range d.Columns {
			if equalFoldQuoted(d.Columns[i].Name, col) {
				d.Columns[i].Tests = append(d.Columns[i].Tests, ColumnTest{ID: dt.ID, Name: dt.Name, Status: dt.Status})
				break
			}
		}
	}
	if t := n.table; t != nil {
		st := &Stats{}
		if v := t.Stats["num_rows"]; v != nil {
			st.Rows = v.Value
		}
		if v := t.Stats["num_bytes"]; v != nil {
			st.Bytes = v.Value
		}
		if st.Rows != nil || st.Bytes != nil {
			d.Stats = st
		}
	}
	if r := n.result; r != nil {
		d.LastRun = &LastRun{Status: r.Status, ExecutionTime: r.ExecutionTime, Message: r.Message,
			CompletedAt: r.completedAt(), Failures: r.Failures}
	}
	switch m.ResourceType {
	case "source":
		fresh := m.Freshness
		if len(fresh) == 0 {
			fresh = jsontext.Value("null")
		}
		d.Source = &SourceInfo{
			SourceName: m.SourceName, SourceDescriptionHTML: s.render.markdown(m.SourceDescription),
			Loader: m.Loader, Identifier: m.Identifier, LoadedAtField: m.LoadedAtField, Freshness: fresh,
		}
	case "exposure":
		owner := m.Owner
		if len(owner) == 0 {
			owner = jsontext.Value("null")
		}
		d.Exposure = &ExposureInfo{Type: m.Type, Owner: owner, URL: m.URL, Maturity: m.Maturity}
	}
	return d
}

func (s *Site) ids(idx []int32) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = s.nodes[j].m.UniqueID
	}
	return out
}

// testName is a test's short name: the generic test ("unique",
// "dbt_utils.expression_is_true"), or a singular test's own name.
func testName(m *mNode) string {
	if tm := m.TestMetadata; tm != nil && tm.Name != "" {
		if tm.Namespace != nil && *tm.Namespace != "" {
			return *tm.Namespace + "." + tm.Name
		}
		return tm.Name
	}
	return m.Name
}

// equalFoldQuoted compares column names case-insensitively, ignoring the
// double quotes a test's column_name may carry.
func equalFoldQuoted(a, b string) bool {
	unquote := func(s string) string {
		if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
			return s[1 : len(s)-1]
		}
		return s
	}
	return strings.EqualFold(unquote(a), unquote(b))
}
