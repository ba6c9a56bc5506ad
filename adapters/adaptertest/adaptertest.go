// Package adaptertest is the conformance suite every gmodel adapter must
// pass. An adapter's own tests call Run with a function that opens the
// adapter on an empty database of their own; the suite uses only the
// adapters interface and, where it can, SQL that PostgreSQL and Trino
// both accept. Checks of one adapter's particulars belong in that
// adapter's tests.
package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

// Capability is something a case needs beyond the adapters interface,
// which an adapter (or the environment its test runs it in) may lack.
type Capability int

const (
	// Engine: an engine that evaluates SQL, so that the suite can read
	// back the rows a case wrote and a build can fail on a value (a
	// division by zero, a bad cast, an unknown column). Without it, cases
	// run all but their row checks (see env.want), and the cases whose
	// point is an evaluation failure are skipped. The Athena adapter's
	// test runs against an in-process fake of the AWS APIs: no engine.
	Engine Capability = iota
	// Transactions: statements of a failed build (its hooks inside the
	// transaction) are rolled back.
	Transactions
	// PlainDDL: CREATE TABLE with a column list and INSERT ... VALUES, as
	// hooks and set-up statements write them.
	PlainDDL
	// AnyNames: names with spaces, quotes and upper case, kept as written.
	AnyNames
	// RowChanges: delete+insert and merge on a table built with the
	// adapter's defaults (Athena: only Iceberg tables change rows).
	RowChanges
)

var capabilityNames = map[Capability]string{
	Engine: "an engine that evaluates SQL", Transactions: "transactions", PlainDDL: "CREATE TABLE with columns and INSERT ... VALUES",
	AnyNames: "any names", RowChanges: "row-level changes on default tables",
}

// Options say what an adapter lacks, each with why: the cases needing it
// are skipped with that reason (Engine only skips row checks, see
// Engine).
type Options struct {
	Lacks map[Capability]string
}

// Run runs the suite. newAdapter is called once per test, with that
// test's t, and must return an adapter on a database no other test uses
// (the suite makes its own schemas in it); it should close the adapter in
// t.Cleanup. The tests run in parallel.
func Run(t *testing.T, newAdapter func(t *testing.T) adapters.Adapter) {
	RunWith(t, Options{}, newAdapter)
}

// RunWith is Run for an adapter that lacks some capabilities.
func RunWith(t *testing.T, opts Options, newAdapter func(t *testing.T) adapters.Adapter) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Basics", basicTests},
		{"View", viewTests},
		{"Table", tableTests},
		{"Dependents", dependentTests},
		{"Incremental", incrementalTests},
		{"Hooks", hookTests},
		{"Seed", seedTests},
		{"Cancel", cancelTests},
		{"Lock", lockTests},
		{"Identifiers", identifierTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					for _, c := range needs[g.name+"/"+tc.name] {
						if why, ok := opts.Lacks[c]; ok {
							t.Skipf("needs %s: %s", capabilityNames[c], why)
						}
					}
					e := newEnv(t, newAdapter)
					if why, ok := opts.Lacks[Engine]; ok {
						e.noRows = why
					}
					tc.run(e)
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(e *env)
}

// needs lists, per group/case, what a case cannot run without and why it
// needs it.
var needs = map[string][]Capability{
	// The point of these is what an engine computes or rejects.
	"Basics/QueryTypes":                        {Engine}, // the values of a computed row
	"Basics/SQLErrorHasPosition":               {Engine}, // an unknown column, located
	"View/FailedBuildKeepsOld":                 {Engine}, // an unknown column
	"View/ErrorPositionInModel":                {Engine}, // an unknown column, located
	"Table/FailedBuildKeepsOld":                {Engine}, // a division by zero on row 1000
	"Dependents/RemovedColumnFailsAndKeepsAll": {Engine}, // a view reading a dropped column
	"Hooks/FailingHookFailsTheBuild":           {Engine}, // an unknown column in a hook
	"Incremental/FailedRunKeepsRows":           {Engine, RowChanges},
	"Incremental/OnSchemaChangeIgnore":         {Engine}, // an insert missing a column fails
	"Seed/BadValueKeepsOldRows":                {Engine}, // a bad integer
	"Cancel/MaterializeKeepsOld":               {Engine}, // a slow query inside a model
	// A statement outside the materializations.
	"Basics/ExecReportsStatus":             {PlainDDL},
	"Hooks/Order":                          {PlainDDL},
	"Hooks/InsideAndOutsideTheTransaction": {Transactions, PlainDDL},
	// delete+insert and merge.
	"Incremental/DeleteInsert":                   {RowChanges},
	"Incremental/DefaultWithKeyIsDeleteInsert":   {RowChanges},
	"Incremental/DeleteInsertCompositeKey":       {RowChanges},
	"Incremental/DeleteInsertPredicates":         {RowChanges},
	"Incremental/DeleteInsertPredicatesOnly":     {RowChanges},
	"Incremental/Merge":                          {RowChanges},
	"Incremental/MergeCompositeKeyAndPredicates": {RowChanges},
	"Incremental/MergeWithoutKeyAppends":         {RowChanges},
	"Incremental/OnSchemaChangeSyncAllColumns":   {RowChanges},
	"Seed/QuotedColumnNames":                     {AnyNames},
}

func init() {
	for _, n := range oddNames {
		needs["Identifiers/"+n] = []Capability{AnyNames}
	}
}

// env is one test's adapter and schema.
type env struct {
	t      *testing.T
	a      adapters.Adapter
	d      adapters.Dialect
	schema string
	ctx    context.Context
	// noRows, when set, says why rows cannot be read back: row checks
	// are logged and skipped, the rest of the case runs.
	noRows string
}

var schemaSeq atomic.Int64

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func newEnv(t *testing.T, newAdapter func(t *testing.T) adapters.Adapter) *env {
	t.Helper()
	a := newAdapter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	name := nonWord.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	e := &env{t: t, a: a, d: a.Dialect(), ctx: ctx,
		schema: fmt.Sprintf("gmt%d_%s", schemaSeq.Add(1), strings.Trim(name, "_"))}
	if err := a.EnsureSchema(ctx, "", e.schema); err != nil {
		t.Fatalf("EnsureSchema(%q): %v", e.schema, err)
	}
	return e
}

func (e *env) rel(name string) adapters.Relation {
	return adapters.Relation{Schema: e.schema, Identifier: name}
}

func (e *env) render(name string) string { return e.d.Render(e.rel(name)) }

func (e *env) q(ident string) string { return e.d.Quote(ident) }

// exec runs sql, failing the test on error.
func (e *env) exec(sql string) {
	e.t.Helper()
	if _, err := e.a.Exec(e.ctx, sql); err != nil {
		e.t.Fatalf("Exec(%s): %v", sql, err)
	}
}

// rows runs sql and returns its rows as "v1|v2" strings.
func (e *env) rows(sql string) []string {
	e.t.Helper()
	r, err := e.a.Query(e.ctx, sql)
	if err != nil {
		e.t.Fatalf("Query(%s): %v", sql, err)
	}
	out := make([]string, len(r.Values))
	for i, row := range r.Values {
		s := make([]string, len(row))
		for j, v := range row {
			s[j] = format(v)
		}
		out[i] = strings.Join(s, "|")
	}
	return out
}

func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		s := x.Format("2006-01-02 15:04:05.999999")
		return strings.TrimSuffix(s, " 00:00:00")
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// want checks the rows of sql.
func (e *env) want(sql string, want ...string) {
	e.t.Helper()
	if e.noRows != "" {
		// The query still runs: the relations it reads must exist.
		if _, err := e.a.Query(e.ctx, sql); err != nil {
			e.t.Errorf("Query(%s): %v", sql, err)
		}
		e.t.Logf("row check skipped (%s): %s", e.noRows, sql)
		return
	}
	got := e.rows(sql)
	if !slices.Equal(got, want) {
		e.t.Errorf("%s:\n got %q\nwant %q", sql, got, want)
	}
}

// wantWritten checks how many rows a statement's result says it wrote:
// a count only an engine knows (not a seed's, which the adapter counts).
func (e *env) wantWritten(res adapters.Result, n int64) {
	e.t.Helper()
	if e.noRows != "" {
		e.t.Logf("count check skipped (%s)", e.noRows)
		return
	}
	if res.RowsAffected != n {
		e.t.Errorf("RowsAffected %d, want %d (%q)", res.RowsAffected, n, res.Message)
	}
}

// table checks every row of a relation, ordered by its first column(s).
func (e *env) table(name, orderBy string, want ...string) {
	e.t.Helper()
	e.want(fmt.Sprintf("select * from %s order by %s", e.render(name), orderBy), want...)
}

func (e *env) columns(name string) []string {
	e.t.Helper()
	cols, err := e.a.Columns(e.ctx, e.rel(name))
	if err != nil {
		e.t.Fatalf("Columns(%s): %v", name, err)
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

func (e *env) wantColumns(name string, want ...string) {
	e.t.Helper()
	if got := e.columns(name); !slices.Equal(got, want) {
		e.t.Errorf("columns of %s: got %q, want %q", name, got, want)
	}
}

func (e *env) relType(name string) adapters.RelationType {
	e.t.Helper()
	rels, err := e.a.ListRelations(e.ctx, "", e.schema)
	if err != nil {
		e.t.Fatalf("ListRelations: %v", err)
	}
	for _, r := range rels {
		if r.Identifier == name {
			return r.Type
		}
	}
	return ""
}

// model is a Materialization being set up by a test.
type model struct {
	adapters.Materialization
}

func (e *env) model(kind, name, sql string) *model {
	return &model{adapters.Materialization{Kind: kind, Relation: e.rel(name), SQL: sql}}
}

func (m *model) incremental(inc adapters.Incremental) *model {
	m.Incremental = &inc
	return m
}

// build materializes m, failing the test on error.
func (e *env) build(m *model) adapters.Result {
	e.t.Helper()
	res, err := e.a.Materialize(e.ctx, m.Materialization)
	if err != nil {
		e.t.Fatalf("Materialize %s %s: %v", m.Kind, m.Relation.Identifier, err)
	}
	return res
}

// buildErr materializes m and returns its error, failing the test when
// there is none.
func (e *env) buildErr(m *model) *adapters.Error {
	e.t.Helper()
	_, err := e.a.Materialize(e.ctx, m.Materialization)
	if err == nil {
		e.t.Fatalf("Materialize %s %s: no error", m.Kind, m.Relation.Identifier)
	}
	var ae *adapters.Error
	if !errors.As(err, &ae) {
		e.t.Fatalf("Materialize %s %s: error is %T, not *adapters.Error: %v", m.Kind, m.Relation.Identifier, err, err)
	}
	return ae
}

func wantCode(t *testing.T, err error, code adapters.Code) {
	t.Helper()
	if got := adapters.CodeOf(err); got != code {
		t.Errorf("error code %d, want %d: %v", got, code, err)
	}
}

func wantContains(t *testing.T, err error, subs ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want one mentioning %q", subs)
		return
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

// values renders rows as a standard VALUES query with the given column
// names: values("id, name", "1, 'a'", "2, 'b'").
func values(cols string, rows ...string) string {
	return fmt.Sprintf("select * from (values (%s)) as v(%s)", strings.Join(rows, "), ("), cols)
}

// digits is a ten-row derived table, the building block of generated rows
// that every engine understands.
const digits = "(values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))"

// thousand selects n from 0 to 999.
const thousand = "select a.x * 100 + b.x * 10 + c.x as n from " + digits + " as a(x) cross join " + digits + " as b(x) cross join " + digits + " as c(x)"

func asErr(err error, target **adapters.Error) bool { return errors.As(err, target) }
