// Package adapters defines the interface between gmodel's runner and the
// warehouses it builds in (PostgreSQL, RDS, Athena), which adapter packages
// implement. The runner sees only these types; every dialect difference
// lives in adapters/<name>/. Adapters register themselves from init() and
// are opened by the profile target's `type:`.
//
// Every method takes a context first and must stop when it is cancelled,
// cancelling the statement on the server too (Postgres: pgx cancels the
// backend query; Athena: StopQueryExecution).
package adapters

import (
	"context"
	"io"
)

// RelationType is the kind of a database object.
type RelationType string

const (
	Table RelationType = "table"
	View  RelationType = "view"
	// MaterializedView is a view whose rows are stored (Postgres); dbt calls
	// it materialized_view.
	MaterializedView RelationType = "materialized_view"
	// External is a table whose data the warehouse does not own (Athena;
	// Postgres foreign tables).
	External RelationType = "external"
)

// Relation names a database object. Identifiers are as the user wrote them;
// the Dialect quotes them.
type Relation struct {
	Database   string
	Schema     string
	Identifier string
	Type       RelationType // empty when unknown or not yet created
}

// Column is a column of a relation.
type Column struct {
	Name     string
	DataType string // the warehouse's type name, e.g. "integer", "character varying(20)"
}

// Result reports what a statement or materialization did, for the
// progress line (`[SELECT 4372 in 0.12s]`).
type Result struct {
	// Message is the server's status, e.g. "SELECT 4372", "CREATE VIEW",
	// "INSERT 0 12", "COPY 541897".
	Message string
	// RowsAffected is the number of rows written: by a table's build, an
	// incremental run's last statement (the insert or merge), a seed's
	// load; 0 for a view.
	RowsAffected int64
}

// Rows is a small, fully read query result. Values are nil (NULL), bool,
// int64, float64, string, []byte or time.Time; adapters convert other
// types to one of these (decimals to int64 when whole, else float64; the
// rest to their text form), so that callers handle one small set.
type Rows struct {
	Columns []string
	Values  [][]any
}

// Dialect is what an adapter type knows without a connection: quoting and
// name normalization.
type Dialect interface {
	// Type is the adapter type, as in profiles.yml: "postgres", "athena".
	Type() string
	// Quote quotes one identifier, escaping as the warehouse needs.
	Quote(ident string) string
	// Render renders a relation fully qualified and quoted.
	Render(r Relation) string
}

// Adapter is an open connection (pool) to one target. It is safe for
// concurrent use by the runner's workers.
type Adapter interface {
	Dialect() Dialect
	// Close releases every connection.
	Close() error

	// Exec runs one or more statements that return no rows.
	Exec(ctx context.Context, sql string) (Result, error)
	// Query runs a statement and reads all of its rows; for small results.
	Query(ctx context.Context, sql string) (*Rows, error)

	// EnsureSchema creates the schema when it does not exist.
	EnsureSchema(ctx context.Context, database, schema string) error
	// ListRelations lists the tables and views of a schema; a schema that
	// does not exist has none (not an error).
	ListRelations(ctx context.Context, database, schema string) ([]Relation, error)
	// Columns lists a relation's columns in order; an *Error with code
	// NotFound when the relation does not exist.
	Columns(ctx context.Context, r Relation) ([]Column, error)

	// Materialize builds a model's relation (view, table or incremental) so
	// that readers never see it missing or half built: a failure leaves the
	// previous relation as it was. Views that depend on a rebuilt table keep
	// working; if one cannot (a column it reads is gone), the build fails
	// with an *Error naming it and the old relation stays.
	//
	// When the server rejects the model's own SQL, the *Error has SQL equal
	// to m.SQL and Position relative to it, so the caller can map it to a
	// source line; other failures carry the adapter's statement.
	Materialize(ctx context.Context, m Materialization) (Result, error)
	// LoadSeed replaces (or, on full refresh, recreates) a seed's table with
	// the rows of s, atomically.
	LoadSeed(ctx context.Context, s Seed) (Result, error)

	// Lock takes the run lock of a target schema, so that two runs against
	// one target do not clobber each other. It fails with an *Error of code
	// Locked, naming the holder when it can, if another run holds it and
	// wait is false; otherwise it waits until ctx is done. Two Lock calls
	// on one Adapter exclude each other too. unlock may be called more
	// than once.
	Lock(ctx context.Context, database, schema string, wait bool) (unlock func(), err error)
}

// Materialization is one model to build.
type Materialization struct {
	// Kind is the model's materialized config: "view", "table" or
	// "incremental".
	Kind     string
	Relation Relation
	// SQL is the model's compiled select statement.
	SQL string
	// PreHooks and PostHooks are rendered statements run before and after
	// the build, inside its transaction where the warehouse has them.
	PreHooks, PostHooks []Hook

	// Incremental models.
	Incremental *Incremental
	// FullRefresh rebuilds incremental models (and recreates seeds) from
	// scratch.
	FullRefresh bool
	// Config holds the node's configs (plain values: strings, numbers,
	// bools, []any, map[string]any), for an adapter's own keys such as
	// Athena's table_type, format and partitioned_by.
	Config map[string]any
}

// Hook is a rendered pre-hook or post-hook.
type Hook struct {
	SQL string
	// Transaction false runs the hook outside the build's transaction.
	Transaction bool
}

// Incremental holds an incremental model's configs.
type Incremental struct {
	// Strategy: "append", "delete+insert" or "merge". Empty means dbt's
	// default: delete+insert when there is a unique key, else append.
	Strategy string
	// UniqueKey and Predicates are SQL as the user wrote them, used
	// unquoted as dbt does (a mixed-case column is written `"Id"`).
	// Predicates may name the target DBT_INTERNAL_DEST and the new rows
	// DBT_INTERNAL_SOURCE.
	UniqueKey  []string
	Predicates []string // incremental_predicates
	// OnSchemaChange: "ignore" (the default when empty), "fail",
	// "append_new_columns" or "sync_all_columns". "fail" fails with an
	// *Error of code Invalid listing the differences.
	OnSchemaChange string
}

// Seed is a CSV file to load into a table.
type Seed struct {
	Relation Relation
	// Columns are the table's columns with their types in the adapter's
	// dialect (inferred, or from column_types).
	Columns []Column
	// QuoteColumns quotes column names (dbt's quote_columns; Postgres quotes
	// by default).
	QuoteColumns bool
	// Rows yields the parsed values of each row: nil for NULL, else a
	// string in a form the column type accepts (COPY text semantics).
	Rows RowSource
	// FullRefresh drops and recreates the table instead of replacing its
	// rows.
	FullRefresh bool
	// Config holds the seed's configs, as Materialization.Config.
	Config map[string]any
	// Progress, when set, is told how many rows were loaded so far: every
	// 100,000 rows or so, and once at the end. It may be called from
	// another goroutine than LoadSeed's.
	Progress func(rows int64)
}

// RowSource streams rows.
type RowSource interface {
	// Next returns the next row, or io.EOF after the last one.
	Next() ([]*string, error)
}

// VerbatimSource is a RowSource that can also hand over its CSV file as
// it is, for an adapter with a native CSV loader to read (PostgreSQL's
// COPY ... (FORMAT csv)) instead of every row passing through gmodel.
// Adapters type-assert Seed.Rows to it; those without such a loader
// ignore it and call Next.
type VerbatimSource interface {
	RowSource
	// VerbatimCSV returns the file when reading it as VerbatimCSV
	// describes gives exactly the rows Next would yield. It returns false
	// when it would not, or Next was called; once it returned true, Next
	// fails.
	VerbatimCSV() (f VerbatimCSV, ok bool)
}

// VerbatimCSV is a CSV file as PostgreSQL's COPY ... FROM STDIN WITH
// (FORMAT csv, HEADER true, DELIMITER Delimiter, NULL Null, FORCE_NULL
// (every column)) reads it: a header line, then one record per row with a
// field per column in order; fields quoted as RFC 4180 has it; every
// NULL written Null, quoted or not; every other value in a form that its
// column's type reads as the value Next would yield. Lines all end with
// "\n" or all with "\r\n", and none starts with `\.`.
type VerbatimCSV struct {
	// R reads the file from its header line on (a byte order mark
	// removed).
	R io.Reader
	// Delimiter separates fields: an ASCII character.
	Delimiter byte
	// Null is how NULL is written: "" for an empty field.
	Null string
	// Rows counts the records after the header, Size the bytes R yields;
	// for progress.
	Rows, Size int64
}

// TestBatcher is an optional capability of an Adapter, found by type
// assertion: running several data tests' queries in one statement, for
// warehouses that charge or wait per query (Athena bills every query at
// least 10 MB scanned and takes a second or more to start one). The
// runner gives it the tests of one relation that are ready together;
// results and run_results.json are per test as without it.
type TestBatcher interface {
	// QueryTests runs queries, each of which returns one row, in as few
	// statements as it can, and returns each query's rows, in order. On
	// an error the runner runs the queries one by one, so that each
	// failure is reported against its own test.
	QueryTests(ctx context.Context, queries []string) ([]*Rows, error)
}

// Cataloger is an optional capability of an Adapter, found by type
// assertion: describing relations for `docs generate` from the
// warehouse's own catalog (Athena: Glue) rather than by a query.
type Cataloger interface {
	// Catalog describes the named relations of a schema that exist; the
	// others are left out.
	Catalog(ctx context.Context, database, schema string, names []string) ([]CatalogTable, error)
}

// CatalogTable describes one relation for the docs catalog.
type CatalogTable struct {
	Name string
	// Type is "BASE TABLE", "VIEW" or "EXTERNAL TABLE".
	Type    string
	Comment string
	Owner   string
	Columns []CatalogColumn
	// Rows and Bytes are statistics the catalog keeps, nil when unknown.
	Rows, Bytes *int64
	// StatsFrom says where the statistics come from, for their
	// description.
	StatsFrom string
}

// CatalogColumn is one column of a CatalogTable, in order.
type CatalogColumn struct {
	Name, Type, Comment string
}
