package project

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// rootFiles are files at the project root that are never schema YAML, for
// projects that configure "." as a path.
var rootFiles = map[string]bool{
	GmodelProjectFile: true, DbtProjectFile: true, "packages.yml": true,
	"dependencies.yml": true, "selectors.yml": true, "profiles.yml": true,
	"package-lock.yml": true,
}

// collectFiles finds the project's files under the configured paths and
// reads the schema YAML among them.
func (l *loader) collectFiles() {
	p := l.p
	// Files are read, and schema files parsed and decoded, by a pool of
	// workers; schema files start while the directories are still being
	// walked: a project of thousands of files is bound by YAML parsing and
	// by system calls.
	work := make(chan func(), 256)
	var workers sync.WaitGroup
	for range readWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for fn := range work {
				fn()
			}
		}()
	}
	// Schema files are parsed and decoded each on its own, then merged in
	// file order so that duplicates across files are reported stably.
	type schemaJob struct {
		rel     string
		decoded *loader
		errs    ErrorList
	}
	var schemaJobs []*schemaJob
	schema := map[string]bool{}
	addSchema := func(rel string) {
		if path.Dir(rel) == "." && rootFiles[path.Base(rel)] || schema[rel] {
			return
		}
		schema[rel] = true
		sj := &schemaJob{rel: rel}
		schemaJobs = append(schemaJobs, sj)
		work <- func() {
			// The YAML library copies what it keeps, so the file is read
			// into a pooled buffer too.
			bp := readBufs.Get().(*[]byte)
			defer readBufs.Put(bp)
			b, err := readInto(filepath.Join(p.Root, filepath.FromSlash(rel)), *bp)
			if err != nil {
				sj.errs.Add(Pos{File: rel}, "cannot read: %v", unwrapPathError(err))
				return
			}
			if cap(b) <= maxReadBuf {
				*bp = b[:0]
			}
			if root, nodes := parseDocument(rel, b, &sj.errs); root != nil {
				sub := &loader{p: &Project{}, errs: &sj.errs, opts: l.opts, seen: map[string]Pos{}}
				sub.schemaFile(rel, root, nodes)
				sj.decoded = sub
			}
		}
	}
	type sink struct {
		list *[]*File
		seen map[string]bool
	}
	newSink := func(list *[]*File) *sink { return &sink{list: list, seen: map[string]bool{}} }
	models, seeds := newSink(&p.ModelFiles), newSink(&p.SeedFiles)
	snapshots, analyses := newSink(&p.SnapshotFiles), newSink(&p.AnalysisFiles)
	tests, macros, docs := newSink(&p.TestFiles), newSink(&p.MacroFiles), newSink(&p.DocFiles)
	type job struct {
		s        *sink
		dir, rel string
		content  bool
		f        *File
		errs     ErrorList
	}
	var jobs []*job
	add := func(s *sink, dir, rel string, content bool) {
		if s.seen[rel] {
			return
		}
		s.seen[rel] = true
		jobs = append(jobs, &job{s: s, dir: dir, rel: rel, content: content})
	}

	for _, dir := range p.ModelPaths {
		l.walk(dir, func(rel, ext string) {
			switch ext {
			case ".sql":
				add(models, dir, rel, true)
			case ".py":
				l.errs.Append(&Error{
					Pos:  Pos{File: rel, Line: 1, Col: 1},
					Msg:  "python models are not supported",
					Hint: "gmodel runs SQL models only; rewrite the model in SQL or move it out of the model paths",
				})
			case ".yml", ".yaml":
				addSchema(rel)
			}
		})
	}
	for _, dir := range p.SeedPaths {
		l.walk(dir, func(rel, ext string) {
			switch ext {
			case ".csv":
				add(seeds, dir, rel, false)
			case ".yml", ".yaml":
				addSchema(rel)
			}
		})
	}
	simple := []struct {
		dirs []string
		s    *sink
	}{{p.SnapshotPaths, snapshots}, {p.AnalysisPaths, analyses}, {p.MacroPaths, macros}}
	for _, k := range simple {
		for _, dir := range k.dirs {
			l.walk(dir, func(rel, ext string) {
				switch ext {
				case ".sql":
					add(k.s, dir, rel, true)
				case ".yml", ".yaml":
					addSchema(rel)
				}
			})
		}
	}
	for _, dir := range p.TestPaths {
		base := dir
		if filepath.IsAbs(dir) {
			base = relPath(p.Root, dir)
		}
		generic := path.Join(base, "generic") + "/"
		l.walk(dir, func(rel, ext string) {
			switch {
			case ext == ".sql" && strings.HasPrefix(rel, generic):
				add(macros, dir, rel, true)
			case ext == ".sql":
				add(tests, dir, rel, true)
			case ext == ".yml" || ext == ".yaml":
				addSchema(rel)
			}
		})
	}
	for _, dir := range p.DocsPaths {
		l.walk(dir, func(rel, ext string) {
			if ext == ".md" {
				add(docs, dir, rel, true)
			}
		})
	}
	// The other files are read once the walk is over: a schema file found
	// in the last folder then does not wait behind the thousands of files
	// of the first ones, and the YAML, the bulk of the work, is parsed
	// while the folders are still being listed.
	for _, j := range jobs {
		work <- func() {
			sub := &loader{p: l.p, errs: &j.errs, opts: l.opts}
			j.f = sub.readFile(j.dir, j.rel, j.content)
		}
	}
	close(work)
	workers.Wait()
	for _, j := range jobs {
		l.errs.Append(j.errs...)
		if j.f != nil {
			*j.s.list = append(*j.s.list, j.f)
		}
	}
	for _, list := range []*[]*File{&p.ModelFiles, &p.SeedFiles, &p.SnapshotFiles, &p.AnalysisFiles, &p.TestFiles, &p.MacroFiles, &p.DocFiles} {
		slices.SortFunc(*list, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	}
	slices.SortFunc(schemaJobs, func(a, b *schemaJob) int { return strings.Compare(a.rel, b.rel) })
	n := 0
	for _, sj := range schemaJobs {
		if sj.decoded != nil {
			n += len(sj.decoded.seen)
		}
	}
	l.seen = make(map[string]Pos, n)
	for _, sj := range schemaJobs {
		p.SchemaFiles = append(p.SchemaFiles, sj.rel)
		l.errs.Append(sj.errs...)
		if sj.decoded != nil {
			l.merge(sj.decoded.p)
		}
	}
}

// merge adds what one schema file described, reporting what an earlier
// file described already (the same check schemaFile makes within a file).
func (l *loader) merge(f *Project) {
	patches := func(kind string, list []*Patch, into *[]*Patch) {
		for _, pt := range list {
			if first, ok := l.first(kind+":"+pt.Name, pt.Pos); ok {
				l.errs.Append(&Error{Pos: pt.Pos, Msg: fmt.Sprintf("%s '%s' is described twice", kindNoun[kind], pt.Name),
					Hint: "first described at " + first.String()})
				continue
			}
			*into = append(*into, pt)
		}
	}
	patches("models", f.ModelPatches, &l.p.ModelPatches)
	patches("seeds", f.SeedPatches, &l.p.SeedPatches)
	patches("snapshots", f.SnapshotPatches, &l.p.SnapshotPatches)
	patches("analyses", f.AnalysisPatches, &l.p.AnalysisPatches)
	patches("macros", f.MacroPatches, &l.p.MacroPatches)
	for _, s := range f.Sources {
		tables := s.Tables[:0]
		for _, t := range s.Tables {
			if first, ok := l.first("source:"+s.Name+"."+t.Name, t.Pos); ok {
				l.errs.Append(&Error{Pos: t.Pos, Msg: fmt.Sprintf("source table '%s.%s' is described twice", s.Name, t.Name),
					Hint: "first described at " + first.String()})
				continue
			}
			tables = append(tables, t)
		}
		s.Tables = tables
		l.p.Sources = append(l.p.Sources, s)
	}
	l.p.Exposures = append(l.p.Exposures, f.Exposures...)
}

// first records key as described at pos, or returns where an earlier file
// described it. The message is built only for a duplicate: the merge of a
// big project checks tens of thousands of keys serially.
func (l *loader) first(key string, pos Pos) (Pos, bool) {
	if first, ok := l.seen[key]; ok {
		return first, true
	}
	l.seen[key] = pos
	return Pos{}, false
}

// readWorkers is how many files are read at once; reads mostly wait on the
// kernel, so more than the number of cores helps.
const readWorkers = 8

// walk calls visit for every regular file under the root-relative dir with
// its root-relative slash path and lower-case extension. A missing dir is
// skipped silently, as dbt does. Hidden directories, the target, log and
// packages directories are skipped; symbolic links are followed once.
func (l *loader) walk(dir string, visit func(rel, ext string)) {
	p := l.p
	skip := map[string]bool{p.TargetPath: true, p.PackagesInstallPath: true, "dbt_packages": true, p.LogPath: true}
	visited := map[string]bool{}
	var rec func(abs, rel string)
	rec = func(abs, rel string) {
		real, err := filepath.EvalSymlinks(abs)
		if err != nil || visited[real] {
			return
		}
		visited[real] = true
		entries, err := os.ReadDir(abs)
		if err != nil {
			l.errs.Add(Pos{File: rel}, "cannot read directory: %v", unwrapPathError(err))
			return
		}
		for _, e := range entries {
			name := e.Name()
			childRel := childPath(rel, name)
			isDir := e.IsDir()
			if e.Type()&os.ModeSymlink != 0 {
				st, err := os.Stat(filepath.Join(abs, name))
				if err != nil {
					continue // a dangling link
				}
				isDir = st.IsDir()
			}
			if isDir {
				if strings.HasPrefix(name, ".") || skip[childRel] {
					continue
				}
				rec(filepath.Join(abs, name), childRel)
				continue
			}
			if strings.HasPrefix(name, ".") {
				continue
			}
			visit(childRel, strings.ToLower(path.Ext(name)))
		}
	}
	abs := filepath.FromSlash(dir)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(p.Root, abs)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return
	}
	rec(abs, relPath(p.Root, abs))
}

// childPath is path.Join(rel, name) for the clean slash path rel of a
// directory and the name of one of its entries, without the cost of
// cleaning the result again: the walk makes one per file.
func childPath(rel, name string) string {
	if rel == "" || rel == "." || strings.HasSuffix(rel, "/") {
		return path.Join(rel, name)
	}
	return rel + "/" + name
}

// readFile reads one project file, its content only when content is set
// (seeds are read at run time), and its checksum always.
func (l *loader) readFile(dir, rel string, content bool) *File {
	abs := filepath.Join(l.p.Root, filepath.FromSlash(rel))
	f := &File{Path: rel, Dir: dir}
	if !content {
		// Seeds: dbt hashes the contents of small ones and names big ones
		// by path, so a large seed is never read just to be hashed.
		st, err := os.Stat(abs)
		if err != nil {
			l.errs.Add(Pos{File: rel}, "cannot read: %v", unwrapPathError(err))
			return nil
		}
		if st.Size() > maxHashedSeedSize {
			f.Checksum = "path:" + rel
			return f
		}
	}
	bp := readBufs.Get().(*[]byte)
	defer readBufs.Put(bp)
	b, err := readInto(abs, *bp)
	if err != nil {
		l.errs.Add(Pos{File: rel}, "cannot read: %v", unwrapPathError(err))
		return nil
	}
	if cap(b) <= maxReadBuf {
		*bp = b[:0]
	}
	f.Checksum = checksum(b)
	if content {
		f.Content = string(b)
	}
	return f
}

// readBufs are the buffers files are read into, one per reading goroutine
// at a time; a buffer grown past maxReadBuf for a big file is not kept.
var readBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxReadBuf = 4 << 20

// maxHashedSeedSize is dbt's limit above which a seed's checksum is its path.
const maxHashedSeedSize = 1 << 20

// checksum is dbt's file checksum: sha256 of the contents with leading and
// trailing whitespace removed (dbt strips files when it reads them).
func checksum(b []byte) string {
	sum := sha256.Sum256(bytes.TrimSpace(b))
	return hex.EncodeToString(sum[:])
}
