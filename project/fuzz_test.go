package project

import (
	"errors"
	"strings"
	"testing"
)

// FuzzLoadYAML feeds arbitrary bytes to the decoders of the project file and
// of schema files: whatever the input, they must return (with errors, if
// need be) and never panic or hang. Seeds are in testdata/fuzz/FuzzLoadYAML.
func FuzzLoadYAML(f *testing.F) {
	f.Add([]byte("name: shop\nmodels:\n  shop:\n    +materialized: table\n"))
	f.Add([]byte("version: 2\nmodels:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [unique]\n"))
	render := func(file string, pos Pos, s string) (string, error) {
		if strings.Contains(s, "fail") {
			return "", errors.New("render failed")
		}
		return strings.NewReplacer("{{", "", "}}", "", "{%", "", "%}", "").Replace(s), nil
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var errs ErrorList
		l := &loader{p: &Project{Root: "/nonexistent", File: DbtProjectFile}, errs: &errs, opts: LoadOptions{Render: render}}
		l.projectFile(data)
		l.setDefaults()
		for _, kind := range []string{"models", "seeds", "tests", "snapshots", "sources", "analyses", "metrics"} {
			cfg := l.p.ConfigFor(kind, []string{l.p.Name, "staging", "x"})
			MergeConfig(cfg, l.p.ConfigFor(kind, []string{"a"}))
			if v, ok := cfg.Get("pre-hook"); ok {
				_, _ = ParseHooks(v)
			}
		}
		l.seen = map[string]Pos{}
		if root, nodes := parseDocument("models/schema.yml", data, &errs); root != nil {
			l.schemaFile("models/schema.yml", root, nodes)
		}
		_ = errs.Error()
		for _, e := range errs {
			if e.Pos.File == "" {
				t.Errorf("error without a file: %v", e)
			}
		}
	})
}
