package compiler

import (
	"github.com/gmodel/gmodel/compiler/jinja"
	"github.com/gmodel/gmodel/project"
)

// Resource types, as dbt names them.
const (
	Model    = "model"
	Seed     = "seed"
	Snapshot = "snapshot"
	Test     = "test"
	Analysis = "analysis"
	SourceRT = "source"
)

// Node is one executable or inspectable item of the graph: a model, seed,
// snapshot, analysis or test. Its fields follow dbt's manifest (v12) node
// layout so that the manifest can be written straight from it.
type Node struct {
	UniqueID         string
	Name             string
	ResourceType     string
	PackageName      string
	Path             string // relative to the resource path (models/, seeds/...)
	OriginalFilePath string // relative to the project root
	PatchPath        string // "<project>://models/schema.yml" when a YAML patch applied
	FQN              []string
	Database         string
	Schema           string
	Alias            string
	Checksum         string
	Config           *project.OrderedMap // resolved config, with dbt's defaults
	UnrenderedConfig *project.OrderedMap
	Tags             []string
	Description      string
	Columns          []*project.Column
	Meta             *project.OrderedMap
	Docs             *project.OrderedMap
	RawCode          string
	Language         string
	Refs             []RefCall
	Sources          [][2]string
	DependsOnNodes   []string // unique ids, sorted, deduplicated
	DependsOnMacros  []string
	CompiledPath     string
	CompiledCode     string
	Compiled         bool
	ExtraCTEs        []CTE
	RelationName     string // "database"."schema"."alias", empty for ephemeral
	Version          string
	// PreHooks and PostHooks are the rendered pre-hook and post-hook configs.
	PreHooks, PostHooks []Hook

	// Tests only.
	TestMetadata *TestMetadata
	ColumnName   string
	AttachedNode string
	FileKeyName  string

	Pos project.Pos

	// compile-time state
	tmpl       *jinja.Template
	depPos     []depPos      // where each dependency is referred to
	cfgShared  bool          // Config is shared with other nodes: copy before changing
	templated  bool          // has SQL to render (models, analyses, singular tests, snapshots)
	cfgCalls   []*jinja.Dict // config(...) calls recorded while rendering
	needsFinal bool          // rendering looked at something only known after parsing
	rendered   string        // output of the parse render, placeholders still in
	disabled   bool
	index      int
	lineShift  int         // lines stripped from the top of the file before parsing
	tmplMacro  jinja.Value // generic tests: the test macro
	testOn     *testTarget // generic tests: what the test is attached to
	testDef    *project.TestDef
	patch      *project.Patch
}

// RefCall is one ref() as written in the file.
type RefCall struct {
	Name    string
	Package string
	Version string
}

// CTE is an ephemeral model injected into a node's SQL.
type CTE struct {
	ID  string
	SQL string
}

// TestMetadata describes a generic test's invocation.
type TestMetadata struct {
	Name      string
	Kwargs    *jinja.Dict
	Namespace string
}

// Materialized returns the node's materialization config.
func (n *Node) Materialized() string {
	if n.Config == nil {
		return ""
	}
	s, _ := n.Config.Values["materialized"].(string)
	return s
}

// IsRelational reports whether the node is built as a relation in the warehouse.
func (n *Node) IsRelational() bool {
	switch n.ResourceType {
	case Model, Seed, Snapshot:
		return n.Materialized() != "ephemeral"
	}
	return false
}

// SourceNode is one table of a source.
type SourceNode struct {
	UniqueID         string
	Name             string // table name
	SourceName       string
	PackageName      string
	Path             string
	OriginalFilePath string
	FQN              []string
	Database         string
	Schema           string
	Identifier       string
	Description      string
	SourceDesc       string
	Loader           string
	LoadedAtField    string
	Freshness        *project.OrderedMap
	Columns          []*project.Column
	Meta             *project.OrderedMap
	SourceMeta       *project.OrderedMap
	Tags             []string
	Config           *project.OrderedMap
	External         *project.OrderedMap
	RelationName     string
	Pos              project.Pos
	def              *project.SourceTable
}

// MacroNode is one macro definition, for the manifest.
type MacroNode struct {
	UniqueID         string
	Name             string
	PackageName      string
	Path             string
	OriginalFilePath string
	MacroSQL         string
	DependsOnMacros  []string
	Description      string
	Arguments        []*project.Column
	Pos              project.Pos
	macro            *jinja.Macro
}

// DocNode is one {% docs %} block.
type DocNode struct {
	UniqueID         string
	Name             string
	PackageName      string
	Path             string
	OriginalFilePath string
	BlockContents    string
	Pos              project.Pos
}
