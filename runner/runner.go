// Package runner executes the selected nodes of a compiled project on a
// warehouse, the way dbt's run, seed, test and build do: seeds loaded,
// models materialized and data tests evaluated by a pool of workers in
// dependency order, failures skipping what depends on them, progress in
// dbt's console format and target/run_results.json in dbt's layout. The
// command line (internal/cli) is its only user; it reaches the warehouse
// only through an adapters.Adapter.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/project"
)

// Commands the runner knows, as dbt names them.
const (
	CmdRun   = "run"
	CmdSeed  = "seed"
	CmdTest  = "test"
	CmdBuild = "build"
)

// Options configure one Run.
type Options struct {
	// Command is "run", "seed", "test" or "build".
	Command string
	Project *project.Project
	// Compile are the compiler's options; Run sets ParseOnly, FullRefresh
	// and IsIncremental itself.
	Compile compiler.Options
	// Select returns the unique ids the command executes (the user's
	// --select, --exclude and --selector with the command's resource
	// types).
	Select  func(*compiler.Manifest) ([]string, error)
	Adapter adapters.Adapter
	// Threads is the number of nodes run at once (at least 1).
	Threads int
	// FullRefresh rebuilds incremental models and recreates seeds
	// (--full-refresh); a node's full_refresh config overrides it.
	FullRefresh bool
	// FailFast stops the run at the first error or test failure.
	FailFast bool
	// StoreFailures stores the failing rows of every test (--store-failures).
	StoreFailures bool
	// WaitForLock waits for another run holding the target's lock instead
	// of stopping.
	WaitForLock bool
	// TargetDir is where run_results.json, manifest.json and compiled SQL
	// go (absolute).
	TargetDir string
	// Args are the invocation's arguments, recorded in run_results.json.
	Args map[string]any
	// Log receives the progress lines (stderr); nil discards them.
	Log io.Writer
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// ReadFile reads a project file by its path relative to the project
	// root (for SQL error positions); nil reads from the project directory.
	ReadFile func(path string) (string, error)
	// OpenSeed opens a seed file; nil uses the CSV reader of
	// adapters/csvseed.
	OpenSeed SeedOpener
	// Grace bounds how long a cancelled run waits for running statements
	// to stop; 0 means one second.
	Grace time.Duration
}

// Run compiles the project, executes the selected nodes on opts.Adapter and
// writes target/run_results.json and target/manifest.json.
//
// The error is for problems that stop the run before or around the nodes:
// the project does not compile, the selection is invalid, the warehouse
// cannot be reached, another run holds the lock. Node failures are in the
// Report (Report.Failed).
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Threads < 1 {
		opts.Threads = 1
	}
	if opts.Grace <= 0 {
		opts.Grace = time.Second
	}
	if opts.ReadFile == nil && opts.Project != nil {
		root := opts.Project.Root
		opts.ReadFile = func(p string) (string, error) {
			b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
			return string(b), err
		}
	}
	if opts.OpenSeed == nil {
		opts.OpenSeed = openCSVSeed
	}
	r := &runner{opts: opts, ad: opts.Adapter, p: &printer{w: opts.Log, now: opts.Now}}
	r.batcher, _ = opts.Adapter.(adapters.TestBatcher)
	return r.run(ctx)
}

type runner struct {
	opts Options
	ad   adapters.Adapter
	// batcher is ad when it runs several tests in one statement.
	batcher adapters.TestBatcher
	p       *printer
	m       *compiler.Manifest

	jobs  []*job
	total int
	// existing relations of the schemas listed (for is_incremental).
	existing map[relKey]adapters.RelationType
	hooksRan int
}

type relKey struct{ db, schema, ident string }

func (r *runner) run(ctx context.Context) (*Report, error) {
	started := r.opts.Now()
	copts := r.opts.Compile
	copts.ParseOnly = false
	copts.FullRefresh = r.opts.FullRefresh
	copts.IsIncremental = nil
	m, err := compiler.Compile(r.opts.Project, copts)
	if err != nil {
		return nil, err
	}
	r.m = m
	ids, err := r.opts.Select(m)
	if err != nil {
		return nil, err
	}
	ids = r.executable(ids)
	r.printFound()
	if len(ids) == 0 {
		r.p.line("Nothing to do. Try checking your model configs and model specification args")
		rep := &Report{}
		if err := r.writeManifest(); err != nil {
			return nil, err
		}
		if err := r.writeArtifacts(rep); err != nil {
			return rep, err
		}
		return rep, nil
	}

	tgt := r.opts.Compile.Target
	unlock, err := r.ad.Lock(ctx, tgt.Database, tgt.Schema, r.opts.WaitForLock)
	if err != nil {
		return nil, lockError(err, tgt)
	}
	defer bounded(unlock, 500*time.Millisecond)

	// is_incremental() needs to know which relations exist: list the
	// schemas of the incremental models to run, and compile again only
	// when one of them exists as a table.
	if again, err := r.listIncremental(ctx, ids); err != nil {
		return nil, err
	} else if again {
		copts.IsIncremental = r.isIncremental
		m2, err := compiler.Compile(r.opts.Project, copts)
		if err != nil {
			return nil, err
		}
		r.m = m2
	}
	if err := r.writeCompiled(ids); err != nil {
		return nil, err
	}
	if err := r.writeManifest(); err != nil {
		return nil, err
	}
	r.buildJobs(ids)
	if err := r.ensureSchemas(ctx); err != nil {
		return nil, err
	}

	r.p.line("")
	r.p.linef("Concurrency: %d threads (target='%s')", r.opts.Threads, tgt.Name)
	r.p.line("")

	rep := &Report{}
	if ok := r.runHooks(ctx, "on-run-start", r.m.OnRunStart); !ok {
		rep.HookFailed = true
		for _, j := range r.jobs {
			j.skip = true
		}
	}
	r.schedule(ctx, rep)
	if !rep.Interrupted && ctx.Err() == nil {
		if !r.runEndHooks(ctx, rep) {
			rep.HookFailed = true
		}
	}
	rep.Elapsed = r.opts.Now().Sub(started)
	r.printEnd(rep)
	if err := r.writeArtifacts(rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// bounded calls f but returns after d even if f has not: a cancelled run
// must exit promptly even when the server does not answer.
func bounded(f func(), d time.Duration) {
	if f == nil {
		return
	}
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

func lockError(err error, tgt compiler.Target) error {
	var ae *adapters.Error
	if errors.As(err, &ae) && ae.Code == adapters.Locked {
		return fmt.Errorf("target '%s' is busy: %s\n  hint: wait for the other run to finish, then run again", tgt.Name, ae.Msg)
	}
	return err
}

// executable keeps the nodes the command runs: models that are not
// ephemeral, seeds and tests. Snapshots are not supported yet: they are
// left out, with a warning.
func (r *runner) executable(ids []string) []string {
	var out []string
	var snaps []string
	for _, id := range ids {
		n := r.m.ByID[id]
		if n == nil {
			continue
		}
		switch n.ResourceType {
		case compiler.Model:
			if n.Materialized() == "ephemeral" {
				continue
			}
		case compiler.Seed, compiler.Test:
		case compiler.Snapshot:
			snaps = append(snaps, n.Name)
			continue
		default:
			continue
		}
		out = append(out, id)
	}
	if len(snaps) > 0 {
		r.p.linef("Warning: gmodel does not run snapshots yet; left out: %s", strings.Join(snaps, ", "))
	}
	return out
}

// printFound is dbt's "Found 5 models, 3 seeds, 20 data tests, ..." line.
func (r *runner) printFound() {
	counts := map[string]int{}
	for _, n := range r.m.Nodes {
		counts[n.ResourceType]++
	}
	var parts []string
	for _, rt := range []string{compiler.Model, compiler.Snapshot, compiler.Seed, compiler.Test, compiler.Analysis} {
		if c := counts[rt]; c > 0 {
			parts = append(parts, pluralize(c, rt))
		}
	}
	if n := len(r.m.Sources); n > 0 {
		parts = append(parts, pluralize(n, "source"))
	}
	if n := len(r.m.Macros); n > 0 {
		parts = append(parts, pluralize(n, "macro"))
	}
	if len(parts) > 0 {
		r.p.line("Found " + strings.Join(parts, ", "))
	}
}

// fullRefresh is dbt's should_full_refresh: the node's full_refresh config
// when set, else --full-refresh.
func (r *runner) fullRefresh(n *compiler.Node) bool {
	if n.Config != nil {
		if v, ok := n.Config.Values["full_refresh"].(bool); ok {
			return v
		}
	}
	return r.opts.FullRefresh
}

// listIncremental lists the relations of the schemas holding the selected
// incremental models (one call per schema) and reports whether any of
// them exists as a table, i.e. whether is_incremental() can be true.
func (r *runner) listIncremental(ctx context.Context, ids []string) (bool, error) {
	schemas := map[[2]string]bool{}
	var want []*compiler.Node
	for _, id := range ids {
		n := r.m.ByID[id]
		if n.ResourceType == compiler.Model && n.Materialized() == "incremental" && !r.fullRefresh(n) {
			schemas[[2]string{n.Database, n.Schema}] = true
			want = append(want, n)
		}
	}
	if len(want) == 0 {
		return false, nil
	}
	keys := make([][2]string, 0, len(schemas))
	for k := range schemas {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"."+keys[i][1] < keys[j][0]+"."+keys[j][1] })
	r.existing = map[relKey]adapters.RelationType{}
	for _, k := range keys {
		rels, err := r.ad.ListRelations(ctx, k[0], k[1])
		if err != nil {
			return false, fmt.Errorf("listing the relations of schema %s: %w", k[1], err)
		}
		for _, rel := range rels {
			r.existing[relKey{k[0], k[1], rel.Identifier}] = rel.Type
		}
	}
	for _, n := range want {
		if r.isIncremental(n) {
			return true, nil
		}
	}
	return false, nil
}

// isIncremental answers is_incremental(): the model is incremental, its
// relation exists as a table and no full refresh was asked for.
func (r *runner) isIncremental(n *compiler.Node) bool {
	if n.ResourceType != compiler.Model || n.Materialized() != "incremental" || r.fullRefresh(n) {
		return false
	}
	return r.existing[relKey{n.Database, n.Schema, n.Alias}] == adapters.Table
}

// ensureSchemas creates the schemas the selected nodes build in, and the
// audit schemas of tests that store their failures.
func (r *runner) ensureSchemas(ctx context.Context) error {
	seen := map[[2]string]bool{}
	var list [][2]string
	for _, j := range r.jobs {
		n := j.n
		need := n.ResourceType == compiler.Model || n.ResourceType == compiler.Seed
		if n.ResourceType == compiler.Test {
			need = r.storesFailures(n) != ""
		}
		if !need {
			continue
		}
		k := [2]string{n.Database, n.Schema}
		if !seen[k] {
			seen[k] = true
			list = append(list, k)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i][0]+"."+list[i][1] < list[j][0]+"."+list[j][1] })
	for _, k := range list {
		if err := r.ad.EnsureSchema(ctx, k[0], k[1]); err != nil {
			return fmt.Errorf("creating schema %s: %w", k[1], err)
		}
	}
	return nil
}

// writeCompiled writes the compiled SQL of the nodes to run under
// target/compiled, so that error messages can point at it.
func (r *runner) writeCompiled(ids []string) error {
	if r.opts.Project == nil {
		return nil
	}
	if _, err := r.m.WriteCompiled(ids); err != nil {
		return fmt.Errorf("writing compiled SQL: %w", err)
	}
	return nil
}

func (r *runner) writeManifest() error {
	if r.opts.TargetDir == "" {
		return nil
	}
	err := writeFileAtomic(filepath.Join(r.opts.TargetDir, "manifest.json"), func(f *os.File) error {
		return r.m.WriteManifest(f, r.opts.Threads)
	})
	if err != nil {
		return fmt.Errorf("writing the manifest: %w", err)
	}
	return nil
}

func (r *runner) writeArtifacts(rep *Report) error {
	if r.opts.TargetDir == "" {
		return nil
	}
	b, err := encodeRunResults(rep, r.m, r.opts.Now(), r.opts.Args)
	if err != nil {
		return err
	}
	err = writeFileAtomic(filepath.Join(r.opts.TargetDir, "run_results.json"), func(f *os.File) error {
		_, err := f.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("writing run_results.json: %w", err)
	}
	return nil
}
