package benchgen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	refRe      = regexp.MustCompile(`\{\{\s*ref\('([^']+)'\)\s*\}\}`)
	sourceRe   = regexp.MustCompile(`\{\{\s*source\('([^']+)',\s*'([^']+)'\)\s*\}\}`)
	callRe     = regexp.MustCompile(`\{\{\s*([a-z_][a-z0-9_]*)\(`)
	macroDefRe = regexp.MustCompile(`\{%-?\s*macro\s+([a-z_][a-z0-9_]*)\(`)
)

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

type schemaFile struct {
	Models []struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Columns     []struct {
			Name  string   `yaml:"name"`
			Tests []string `yaml:"tests"`
		} `yaml:"columns"`
	} `yaml:"models"`
	Sources []struct {
		Name   string `yaml:"name"`
		Tables []struct {
			Name string `yaml:"name"`
		} `yaml:"tables"`
	} `yaml:"sources"`
}

func TestGenerate50(t *testing.T) {
	const n = 50
	dir := filepath.Join(t.TempDir(), "bench")
	if err := Generate(dir, n); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, dir)

	for _, f := range []string{"dbt_project.yml", "profiles.yml"} {
		if _, ok := files[f]; !ok {
			t.Errorf("missing %s", f)
		}
	}
	var project map[string]any
	if err := yaml.Unmarshal(files["dbt_project.yml"], &project); err != nil {
		t.Fatalf("dbt_project.yml: %v", err)
	}
	if project["name"] != ProjectName || project["profile"] != ProjectName {
		t.Errorf("dbt_project.yml name/profile = %v/%v", project["name"], project["profile"])
	}
	if !bytes.Contains(files["profiles.yml"], []byte("host: db.invalid")) {
		t.Error("profiles.yml must point at db.invalid")
	}

	// Count models per layer and macro files.
	layerOf := map[string]string{} // model name -> layer
	macroFiles := 0
	var ymls []string
	for rel := range files {
		parts := strings.Split(rel, "/")
		switch {
		case parts[0] == "models" && strings.HasSuffix(rel, ".sql"):
			name := strings.TrimSuffix(parts[len(parts)-1], ".sql")
			if _, dup := layerOf[name]; dup {
				t.Errorf("duplicate model name %s", name)
			}
			layerOf[name] = parts[1]
		case parts[0] == "models" && strings.HasSuffix(rel, ".yml"):
			ymls = append(ymls, rel)
		case parts[0] == "macros" && strings.HasSuffix(rel, ".sql"):
			macroFiles++
		}
	}
	sort.Strings(ymls)
	nb, ns, ng := LayerSizes(n)
	want := map[string]int{"bronze": nb, "silver": ns, "gold": ng}
	got := map[string]int{}
	for _, l := range layerOf {
		got[l]++
	}
	for _, l := range Layers {
		if got[l] != want[l] || want[l] == 0 {
			t.Errorf("layer %s: %d models, want %d (>0)", l, got[l], want[l])
		}
	}
	if len(layerOf) != n {
		t.Errorf("%d models, want %d", len(layerOf), n)
	}
	if nb != 20 || ns != 17 || ng != 13 {
		t.Errorf("LayerSizes(50) = %d/%d/%d, want 20/17/13", nb, ns, ng)
	}
	if macroFiles != MacroFiles {
		t.Errorf("%d macro files, want %d", macroFiles, MacroFiles)
	}

	// Schema and source yml: valid YAML, each model documented once with
	// unique + not_null on id; collect the declared source tables.
	documented := map[string]int{}
	tables := map[string]bool{}
	for _, rel := range ymls {
		var sf schemaFile
		if err := yaml.Unmarshal(files[rel], &sf); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for _, m := range sf.Models {
			documented[m.Name]++
			if m.Description == "" {
				t.Errorf("%s: model %s has no description", rel, m.Name)
			}
			if len(m.Columns) != 1 || m.Columns[0].Name != "id" ||
				strings.Join(m.Columns[0].Tests, ",") != "unique,not_null" {
				t.Errorf("%s: model %s: want column id with tests unique,not_null, got %+v", rel, m.Name, m.Columns)
			}
			if l, ok := layerOf[m.Name]; !ok || !strings.HasPrefix(rel, "models/"+l+"/") {
				t.Errorf("%s documents %s which is not a model of that layer", rel, m.Name)
			}
		}
		for _, s := range sf.Sources {
			for _, tb := range s.Tables {
				tables[s.Name+"."+tb.Name] = true
			}
		}
	}
	for name := range layerOf {
		if documented[name] != 1 {
			t.Errorf("model %s documented %d times, want 1", name, documented[name])
		}
	}

	// Macros defined anywhere under macros/.
	defined := map[string]bool{}
	for rel, b := range files {
		if strings.HasPrefix(rel, "macros/") {
			s := string(b)
			for _, m := range macroDefRe.FindAllStringSubmatch(s, -1) {
				if defined[m[1]] {
					t.Errorf("macro %s defined twice", m[1])
				}
				defined[m[1]] = true
			}
			if strings.Count(s, "{% macro") != strings.Count(s, "endmacro %}") {
				t.Errorf("%s: unbalanced macro/endmacro", rel)
			}
		}
	}
	builtins := map[string]bool{"ref": true, "source": true, "config": true}
	for rel, b := range files {
		if !strings.HasPrefix(rel, "macros/") && !strings.HasPrefix(rel, "models/") {
			continue
		}
		for _, c := range callRe.FindAllStringSubmatch(string(b), -1) {
			if !builtins[c[1]] && !defined[c[1]] {
				t.Errorf("%s calls undefined macro %s", rel, c[1])
			}
		}
	}

	// Refs: every target exists and sits exactly one layer below, so the
	// graph is acyclic. Bronze models read declared sources only.
	rank := map[string]int{}
	for i, l := range Layers {
		rank[l] = i
	}
	edges := map[string][]string{}
	for name, layer := range layerOf {
		rel := "models/" + layer + "/" + name + ".sql"
		sql := string(files[rel])
		refs := refRe.FindAllStringSubmatch(sql, -1)
		srcs := sourceRe.FindAllStringSubmatch(sql, -1)
		if layer == "bronze" {
			if len(refs) != 0 || len(srcs) == 0 {
				t.Errorf("%s: bronze model has %d refs and %d sources", rel, len(refs), len(srcs))
			}
		} else if len(refs) < 2 || len(refs) > 3 || len(srcs) != 0 {
			t.Errorf("%s: %d refs (want 2-3) and %d sources", rel, len(refs), len(srcs))
		}
		seen := map[string]bool{}
		for _, r := range refs {
			target := r[1]
			tl, ok := layerOf[target]
			if !ok {
				t.Errorf("%s: ref('%s') has no model", rel, target)
				continue
			}
			if rank[tl] != rank[layer]-1 {
				t.Errorf("%s (%s) refs %s (%s): not the layer below", rel, layer, target, tl)
			}
			if seen[target] {
				t.Errorf("%s refs %s twice", rel, target)
			}
			seen[target] = true
			edges[name] = append(edges[name], target)
		}
		for _, s := range srcs {
			if !tables[s[1]+"."+s[2]] {
				t.Errorf("%s: source('%s', '%s') is not declared", rel, s[1], s[2])
			}
		}
		for _, pair := range [][2]string{{"{% for", "{% endfor %}"}, {"{% if", "{% endif %}"}} {
			if strings.Count(sql, pair[0]) != strings.Count(sql, pair[1]) {
				t.Errorf("%s: unbalanced %q", rel, pair[0])
			}
		}
		if !strings.Contains(sql, "{% if not loop.last %},{% endif %}") {
			t.Errorf("%s: missing the loop.last comma idiom", rel)
		}
	}
	if cyc := findCycle(edges); cyc != nil {
		t.Errorf("ref cycle: %v", cyc)
	}

	// Deterministic: a second run produces identical bytes.
	dir2 := filepath.Join(t.TempDir(), "bench")
	if err := Generate(dir2, n); err != nil {
		t.Fatal(err)
	}
	files2 := readTree(t, dir2)
	if len(files2) != len(files) {
		t.Fatalf("second run wrote %d files, first %d", len(files2), len(files))
	}
	for rel, b := range files {
		if !bytes.Equal(b, files2[rel]) {
			t.Errorf("%s differs between runs", rel)
		}
	}

	// Refuses to write into a non-empty directory.
	if err := Generate(dir, n); err == nil {
		t.Error("Generate into a non-empty directory should fail")
	}
}

func TestGenerateTooFew(t *testing.T) {
	if err := Generate(filepath.Join(t.TempDir(), "x"), 2); err == nil {
		t.Error("want an error for fewer than 3 models")
	}
}

func TestLayerSizes(t *testing.T) {
	for n := 3; n <= 200; n++ {
		b, s, g := LayerSizes(n)
		if b+s+g != n || b < 1 || s < 1 || g < 1 {
			t.Fatalf("LayerSizes(%d) = %d/%d/%d", n, b, s, g)
		}
	}
	if b, s, g := LayerSizes(10000); b != 4000 || s != 3500 || g != 2500 {
		t.Errorf("LayerSizes(10000) = %d/%d/%d", b, s, g)
	}
}

// findCycle returns a cycle in the graph, or nil.
func findCycle(edges map[string][]string) []string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		color[n] = grey
		stack = append(stack, n)
		for _, m := range edges[n] {
			switch color[m] {
			case grey:
				return append(append([]string{}, stack...), m)
			case white:
				if c := visit(m); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
		return nil
	}
	names := make([]string, 0, len(edges))
	for n := range edges {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if color[n] == white {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}
