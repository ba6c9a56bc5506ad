package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/csvseed"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/project"
)

// SeedConfig is what reading a seed's CSV needs from its configs.
type SeedConfig struct {
	// Delimiter separates fields (dbt's delimiter config; ',' by default).
	Delimiter rune
	// ColumnTypes are the column_types overrides, by column name.
	ColumnTypes map[string]string
	// Dialect is the target's adapter type, for its type names.
	Dialect string
	// Name is the file's path in the project, for messages.
	Name string
}

// SeedFile is an open seed: its columns, typed, and a stream of its rows.
type SeedFile struct {
	Columns []adapters.Column
	Rows    adapters.RowSource
	Close   func() error
	// Warnings are what dbt warns about while reading (renamed columns,
	// column_types for columns the file lacks).
	Warnings []string
}

// SeedOpener opens the CSV file at path (absolute) for loading.
type SeedOpener func(ctx context.Context, path string, cfg SeedConfig) (*SeedFile, error)

// seedConfig reads a seed node's configs.
func seedConfig(n *compiler.Node, dialect string) (SeedConfig, error) {
	cfg := SeedConfig{Delimiter: ',', Dialect: dialect, Name: n.OriginalFilePath}
	if d := configString(n.Config, "delimiter", ","); d != "" {
		r, size := utf8.DecodeRuneInString(d)
		if size != len(d) {
			return cfg, fmt.Errorf("seed %s: delimiter must be one character, got %q", n.Name, d)
		}
		cfg.Delimiter = r
	}
	if n.Config != nil {
		if ct, ok := n.Config.Values["column_types"].(*project.OrderedMap); ok && len(ct.Keys) > 0 {
			cfg.ColumnTypes = map[string]string{}
			for _, k := range ct.Keys {
				cfg.ColumnTypes[k] = fmt.Sprint(ct.Values[k])
			}
		}
	}
	return cfg, nil
}

// progressEvery is how often a long seed load reports its progress.
const progressEvery = 2 * time.Second

// runSeed loads a seed's CSV into its table.
func (r *runner) runSeed(ctx context.Context, j *job, res *Result) error {
	n := j.n
	start := r.opts.Now() // reading the file to infer its types counts too
	cfg, err := seedConfig(n, r.opts.Compile.Target.Type)
	if err != nil {
		return err
	}
	path := n.OriginalFilePath
	if r.opts.Project != nil {
		path = filepath.Join(r.opts.Project.Root, filepath.FromSlash(n.OriginalFilePath))
	}
	f, err := r.opts.OpenSeed(ctx, path, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if f.Close != nil {
			_ = f.Close()
		}
	}()
	for _, w := range f.Warnings {
		r.p.linef("Warning: %s: %s", n.OriginalFilePath, w)
	}
	quote := true
	if n.Config != nil {
		if v, ok := n.Config.Values["quote_columns"].(bool); ok {
			quote = v
		}
	}
	full := r.fullRefresh(n)
	last := start
	out, err := r.ad.LoadSeed(ctx, adapters.Seed{
		Relation:     relationOf(n),
		Columns:      f.Columns,
		QuoteColumns: quote,
		Rows:         f.Rows,
		FullRefresh:  full,
		Config:       compiler.PlainConfig(n.Config),
		Progress: func(rows int64) {
			now := r.opts.Now()
			if now.Sub(last) < progressEvery {
				return
			}
			last = now
			r.p.linef("%d of %d seed file %s: %d rows loaded (%.0fs)", j.index, r.total, r.relation(n), rows, now.Sub(start).Seconds())
		},
	})
	if err != nil {
		return err
	}
	code := "INSERT"
	if full {
		code = "CREATE"
	}
	res.Status = Success
	res.Message = fmt.Sprintf("%s %d", code, out.RowsAffected)
	res.Response = &adapters.Result{Message: res.Message, RowsAffected: out.RowsAffected}
	return nil
}

// openCSVSeed is the default SeedOpener: adapters/csvseed infers the
// column types as dbt does, then streams the rows, or hands the file to
// an adapter that loads it as it is (adapters.VerbatimSource).
func openCSVSeed(ctx context.Context, path string, cfg SeedConfig) (*SeedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	opts := csvseed.Options{Name: cfg.Name, Delimiter: cfg.Delimiter, ColumnTypes: cfg.ColumnTypes}
	// The reader reads in large blocks itself; InferAt reads parts of
	// a large file at once.
	st, err := f.Stat()
	var t *csvseed.Table
	if err == nil {
		t, err = csvseed.InferAt(ctx, f, st.Size(), opts)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	typeName := csvseed.PostgresType
	if cfg.Dialect == "athena" {
		typeName = csvseed.AthenaType
	}
	return &SeedFile{
		Columns:  t.Columns(typeName),
		Rows:     csvseed.Open(io.NewSectionReader(f, 0, st.Size()), t, opts),
		Close:    f.Close,
		Warnings: t.Warnings,
	}, nil
}
