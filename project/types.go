// Package project loads a dbt-style project from disk: the project file
// (gmodel_project.yml or an unchanged dbt_project.yml), the SQL files of
// models, seeds, snapshots, analyses, singular tests and macros, the schema
// YAML files and the docs (.md) files. It does no Jinja rendering of SQL; the
// compiler does that. Every item keeps its position so that problems can be
// reported as path:line:col.
package project

// Pos is a position in a project file. File is relative to the project root,
// with forward slashes; Line and Col are 1-based (0 when unknown).
type Pos struct {
	File string
	Line int
	Col  int
}

// Project is a loaded project: the project file plus every file it names.
type Project struct {
	Root string // absolute project directory
	// File is the project file's name: "gmodel_project.yml" or "dbt_project.yml".
	File string

	Name              string
	Version           string
	ConfigVersion     int
	Profile           string
	RequireDbtVersion []string

	ModelPaths    []string
	SeedPaths     []string
	TestPaths     []string
	MacroPaths    []string
	SnapshotPaths []string
	AnalysisPaths []string
	DocsPaths     []string
	TargetPath    string
	CleanTargets  []string

	// Vars are the project vars: global ones, and package-scoped ones under
	// the package name (dbt's `vars: {my_project: {x: 1}}`), in file order.
	Vars *OrderedMap

	// Config trees from the project file (the `models:`, `seeds:`, ... keys),
	// rooted at the project name level, i.e. Models.Children[p.Name] holds the
	// project's own model configs.
	Models    *ConfigTree
	Seeds     *ConfigTree
	Tests     *ConfigTree // `tests:` or `data_tests:`
	Snapshots *ConfigTree
	// SourceConfigs is the `sources:` tree. (It cannot be called Sources:
	// that name is the []*Source below.)
	SourceConfigs *ConfigTree
	Analyses      *ConfigTree
	// OtherConfigs holds the remaining trees by project key: "metrics",
	// "semantic-models", "saved-queries", "exposures", "unit_tests".
	OtherConfigs map[string]*ConfigTree

	OnRunStart []Hook
	OnRunEnd   []Hook
	// Dispatch is dbt's `dispatch:` list: macro_namespace -> search_order.
	Dispatch []Dispatch
	// QuotingConfig is the project `quoting:` block (database, schema, identifier).
	Quoting map[string]bool

	AssetPaths          []string
	LogPath             string // default "logs"
	PackagesInstallPath string // default "dbt_packages"
	// QueryComment is the raw `query-comment:` value: a string, nil, or an
	// *OrderedMap {comment, append, job-label}; HasQueryComment tells an
	// explicit `query-comment: null` (no comment) from an absent key.
	QueryComment    any
	HasQueryComment bool
	Flags           *OrderedMap // `flags:` (dbt 1.8+ behaviour flags), unrendered
	RestrictAccess  bool        // `restrict-access:`

	// Files found under the paths above. Paths are relative to Root.
	ModelFiles    []*File // .sql under model-paths (.py models are reported as unsupported)
	SeedFiles     []*File // .csv under seed-paths (Content left empty; read at run time)
	SnapshotFiles []*File // .sql under snapshot-paths
	AnalysisFiles []*File // .sql under analysis-paths
	TestFiles     []*File // .sql under test-paths (singular tests); generic test macros in test-paths/generic are in MacroFiles
	MacroFiles    []*File // .sql under macro-paths, and test-paths/generic/*.sql
	DocFiles      []*File // .md under docs-paths (default: model-paths, seed-paths, ...)

	// Schema YAML content, merged from every properties file, in load order.
	ModelPatches    []*Patch
	SeedPatches     []*Patch
	SnapshotPatches []*Patch
	AnalysisPatches []*Patch
	MacroPatches    []*Patch
	Sources         []*Source
	Exposures       []*Exposure
	SchemaFiles     []string // the YAML files read, relative to Root
}

// File is one source file of the project.
type File struct {
	Path     string // relative to Root, forward slashes, e.g. "models/staging/stg_orders.sql"
	Dir      string // the configured path it was found under, e.g. "models"
	Content  string // raw text (CRLF kept as is)
	Checksum string // dbt's: sha256 hex of the stripped contents; "path:<Path>" for seeds over 1 MiB
}

// Name is the file name without directory and extension ("stg_orders").
func (f *File) Name() string {
	base := f.Path
	for i := len(base) - 1; i >= 0; i-- {
		if base[i] == '/' {
			base = base[i+1:]
			break
		}
	}
	for i := len(base) - 1; i >= 0; i-- {
		if base[i] == '.' {
			return base[:i]
		}
	}
	return base
}

// Hook is one SQL statement of on-run-start/on-run-end or pre/post-hook,
// kept unrendered.
type Hook struct {
	SQL         string
	Transaction bool // dbt's {sql:..., transaction: false} form
	Pos         Pos
}

// Dispatch is one entry of dbt's `dispatch:` project key.
type Dispatch struct {
	MacroNamespace string
	SearchOrder    []string
}

// OrderedMap is a string-keyed map that keeps insertion (file) order. Values
// are plain Go values decoded from YAML: nil, bool, int, float64, string,
// []any, *OrderedMap.
type OrderedMap struct {
	Keys   []string
	Values map[string]any
	Pos    map[string]Pos // position of each key, when it came from a file
}

// ConfigTree is one node of a project config tree (`models:` etc.). Configs
// holds this level's config keys with any leading '+' removed; Children holds
// the sub-folder (or package / node name) levels.
type ConfigTree struct {
	Configs  *OrderedMap
	Children map[string]*ConfigTree
	Pos      Pos
}

// Column is a column in schema YAML.
type Column struct {
	Name        string
	Description string
	// DescriptionPos is where the description's value is written, for
	// problems found rendering it (doc() of a missing block).
	DescriptionPos Pos
	DataType       string
	Quote          *bool
	Meta           *OrderedMap
	Tags           []string
	Tests          []*TestDef // from `tests:` or `data_tests:`
	Constraints    []any      // raw constraint entries ({type: not_null}, ...)
	PolicyTags     []string
	Granularity    string
	Pos            Pos
}

// TestDef is one generic test attached in YAML: `- unique`, or
// `- accepted_values: {values: [...], quote: false}`, or
// `- relationships: {to: ref('x'), field: id}`, with optional `name`, `config`
// and the dbt 1.8+ `arguments:` form.
type TestDef struct {
	// Name is the generic test's name, possibly package-qualified ("dbt_utils.expression_is_true").
	Name string
	// Args are the test's keyword arguments in file order (everything except
	// name/config/severity-style config keys). Values are decoded YAML; strings
	// such as "ref('customers')" stay strings and are rendered by the compiler.
	Args *OrderedMap
	// Config holds test config keys given inline or under `config:`
	// (severity, where, limit, warn_if, error_if, store_failures, enabled, tags, meta...).
	Config      *OrderedMap
	CustomName  string // the `name:` key, if any
	Description string // dbt 1.9+ `description:` of a test
	Pos         Pos
}

// Patch is a model/seed/snapshot/analysis/macro entry in a schema YAML file.
type Patch struct {
	Name           string
	Description    string
	DescriptionPos Pos // where the description's value is written
	Config         *OrderedMap
	Columns        []*Column
	Tests          []*TestDef // model-level `tests:`/`data_tests:`
	Meta           *OrderedMap
	Docs           *OrderedMap // `docs: {show: true, node_color: ...}`
	Versions       []*OrderedMap
	LatestVersion  any
	Arguments      []*Column // macro patches: arguments (name, type, description)
	// Constraints are model-level constraint entries, raw.
	Constraints     []any
	DeprecationDate string
	TimeSpine       *OrderedMap
	// Relation is a YAML-defined snapshot's source (dbt 1.9+):
	// "ref('x')" or "source('a', 'b')", unrendered.
	Relation string
	Pos      Pos
}

// Source is one `sources:` entry of a schema YAML file.
type Source struct {
	Name           string
	Database       string
	Schema         string // defaults to Name
	Description    string
	DescriptionPos Pos // where the description's value is written
	Loader         string
	LoadedAtField  string
	Freshness      *OrderedMap
	Quoting        map[string]bool
	Meta           *OrderedMap
	Tags           []string
	Config         *OrderedMap
	Tables         []*SourceTable
	LoadedAtQuery  string
	Overrides      string // the package whose source this entry overrides
	Pos            Pos
}

// SourceTable is one table of a source.
type SourceTable struct {
	Name           string
	Identifier     string // defaults to Name
	Description    string
	DescriptionPos Pos // where the description's value is written
	LoadedAtField  string
	Freshness      *OrderedMap
	Quoting        map[string]bool
	External       *OrderedMap
	Meta           *OrderedMap
	Tags           []string
	Config         *OrderedMap
	Columns        []*Column
	Tests          []*TestDef
	LoadedAtQuery  string
	Pos            Pos
}

// Exposure is a dbt exposure; kept so projects that have them load.
type Exposure struct {
	Name      string
	Type      string
	Owner     *OrderedMap
	DependsOn []string // raw "ref('x')" strings
	Raw       *OrderedMap
	Pos       Pos
}
