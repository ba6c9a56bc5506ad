package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/project"
)

// fake is an in-memory adapter that records what the runner asks of it.
type fake struct {
	mu    sync.Mutex
	calls []string
	// fail makes Materialize (or LoadSeed) of these identifiers fail.
	fail map[string]error
	// failSQL makes Materialize fail with a server error at the first
	// occurrence of the text in the model's SQL, like Postgres reports it.
	failSQL map[string]string
	// block makes Materialize of these identifiers wait for cancellation.
	block   map[string]bool
	started chan string // told when a blocked build starts
	// relations is what ListRelations returns, by schema.
	relations map[string][]adapters.Relation
	// query answers test queries; nil answers "0 failures".
	query func(sql string) (*adapters.Rows, error)
	// lockErr makes Lock fail.
	lockErr error
	built   []adapters.Materialization
	seeds   []adapters.Seed
}

var _ adapters.Adapter = (*fake)(nil)

type fakeDialect struct{}

func (fakeDialect) Type() string { return "postgres" }
func (fakeDialect) Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}
func (d fakeDialect) Render(r adapters.Relation) string {
	var parts []string
	for _, p := range []string{r.Database, r.Schema, r.Identifier} {
		if p != "" {
			parts = append(parts, d.Quote(p))
		}
	}
	return strings.Join(parts, ".")
}

func (f *fake) record(format string, args ...any) {
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fake) Dialect() adapters.Dialect { return fakeDialect{} }
func (f *fake) Close() error              { return nil }
func (f *fake) Exec(ctx context.Context, sql string) (adapters.Result, error) {
	f.record("exec %s", sql)
	return adapters.Result{Message: "SELECT 1", RowsAffected: 1}, nil
}
func (f *fake) Query(ctx context.Context, sql string) (*adapters.Rows, error) {
	f.record("query")
	if f.query != nil {
		return f.query(sql)
	}
	return &adapters.Rows{Columns: []string{"failures", "should_warn", "should_error"}, Values: [][]any{{int64(0), false, false}}}, nil
}
func (f *fake) EnsureSchema(ctx context.Context, database, schema string) error {
	f.record("ensure schema %s.%s", database, schema)
	return nil
}
func (f *fake) ListRelations(ctx context.Context, database, schema string) ([]adapters.Relation, error) {
	f.record("list %s.%s", database, schema)
	return f.relations[schema], nil
}
func (f *fake) Columns(ctx context.Context, r adapters.Relation) ([]adapters.Column, error) {
	return nil, adapters.Errorf(adapters.NotFound, "no")
}
func (f *fake) Materialize(ctx context.Context, m adapters.Materialization) (adapters.Result, error) {
	f.mu.Lock()
	f.built = append(f.built, m)
	err := f.fail[m.Relation.Identifier]
	if word, ok := f.failSQL[m.Relation.Identifier]; ok {
		if i := strings.Index(m.SQL, word); i >= 0 {
			err = &adapters.Error{Code: adapters.SQL, Msg: fmt.Sprintf("column %q does not exist", word), SQL: m.SQL,
				Position: utf8.RuneCountInString(m.SQL[:i]) + 1, Hint: `Perhaps you meant to reference the column "x.amount".`}
		}
	}
	block := f.block[m.Relation.Identifier]
	f.mu.Unlock()
	f.record("materialize %s %s.%s", m.Kind, m.Relation.Schema, m.Relation.Identifier)
	if block {
		if f.started != nil {
			f.started <- m.Relation.Identifier
		}
		<-ctx.Done()
		return adapters.Result{}, &adapters.Error{Code: adapters.Canceled, Msg: "canceling statement due to user request", Err: ctx.Err()}
	}
	if err != nil {
		return adapters.Result{}, err
	}
	if m.Kind == "view" {
		return adapters.Result{Message: "CREATE VIEW", RowsAffected: -1}, nil
	}
	return adapters.Result{Message: "SELECT 3", RowsAffected: 3}, nil
}
func (f *fake) LoadSeed(ctx context.Context, s adapters.Seed) (adapters.Result, error) {
	f.mu.Lock()
	f.seeds = append(f.seeds, s)
	err := f.fail[s.Relation.Identifier]
	f.mu.Unlock()
	f.record("seed %s.%s", s.Relation.Schema, s.Relation.Identifier)
	if err != nil {
		return adapters.Result{}, err
	}
	var n int64
	for {
		row, err := s.Rows.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return adapters.Result{}, err
		}
		_ = row
		n++
	}
	return adapters.Result{Message: fmt.Sprintf("COPY %d", n), RowsAffected: n}, nil
}
func (f *fake) Lock(ctx context.Context, database, schema string, wait bool) (func(), error) {
	f.record("lock %s.%s", database, schema)
	if f.lockErr != nil {
		return nil, f.lockErr
	}
	return func() { f.record("unlock") }, nil
}

func (f *fake) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// sliceRows is a RowSource over fixed rows.
type sliceRows struct {
	rows [][]*string
	i    int
}

func (s *sliceRows) Next() ([]*string, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

// fakeSeed reads a CSV naively (no quoting): enough for the unit tests;
// the real reader is adapters/csvseed.
func fakeSeed(ctx context.Context, path string, cfg SeedConfig) (*SeedFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var cols []adapters.Column
	for _, h := range strings.Split(lines[0], string(cfg.Delimiter)) {
		typ := "integer"
		if t, ok := cfg.ColumnTypes[h]; ok {
			typ = t
		}
		cols = append(cols, adapters.Column{Name: h, DataType: typ})
	}
	rows := &sliceRows{}
	for _, l := range lines[1:] {
		var row []*string
		for _, v := range strings.Split(l, string(cfg.Delimiter)) {
			v := v
			row = append(row, &v)
		}
		rows.rows = append(rows.rows, row)
	}
	return &SeedFile{Columns: cols, Rows: rows}, nil
}

// writeProject writes files (path -> content) into a new project directory.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	return writeProjectB(t, files)
}

func writeProjectB(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string]string{
		"dbt_project.yml": "name: shop\nprofile: shop\nconfig-version: 2\nmodels:\n  shop:\n    materialized: table\n",
	}
	for k, v := range files {
		base[k] = v
	}
	for p, content := range base {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var fixedNow = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

// testOptions are Options for a run of the project in dir with the fake.
func testOptions(t testing.TB, dir, command string, f *fake, log io.Writer) Options {
	t.Helper()
	p, err := project.Load(dir, project.LoadOptions{Render: compiler.YAMLRenderer(nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string][]string{
		CmdRun:   {compiler.Model},
		CmdSeed:  {compiler.Seed},
		CmdTest:  {compiler.Test},
		CmdBuild: {compiler.Model, compiler.Seed, compiler.Test, compiler.Snapshot},
	}[command]
	return Options{
		Command: command,
		Project: p,
		Compile: compiler.Options{
			Target:       compiler.Target{Name: "dev", Profile: "shop", Type: "postgres", Schema: "analytics", Database: "db", Threads: 1},
			InvocationID: "00000000-0000-0000-0000-000000000000",
			RunStartedAt: fixedNow,
			Command:      command,
		},
		Select: func(m *compiler.Manifest) ([]string, error) {
			var ids []string
			for _, n := range m.Nodes {
				for _, rt := range types {
					if n.ResourceType == rt {
						ids = append(ids, n.UniqueID)
					}
				}
			}
			sort.Strings(ids)
			return ids, nil
		},
		Adapter:   f,
		Threads:   1,
		TargetDir: filepath.Join(dir, "target"),
		Args:      map[string]any{"which": command},
		Log:       log,
		Now:       func() time.Time { return fixedNow },
		OpenSeed:  fakeSeed,
		Grace:     2 * time.Second,
	}
}
