package compiler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// appendStr must agree with encoding/json (HTML escaping off).
func TestAppendStrMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"unicode é ü 日本", "line sep \u2028 para \u2029 end", "\xe2\x80", "bad \xff utf8 \xc3",
		"emoji 😀", "<html> & 'q'",
		"select *\n  from \"db\".\"schema\".\"orders\"\n where note = 'a\\b' -- é\u2028 end of a long line",
	}
	// Each special byte (and its neighbours) at every offset of strings
	// shorter and longer than the eight-byte words appendStr looks at.
	for _, special := range []string{"\x00", "\x1f", " ", "!", "\"", "#", "[", "\\", "]", "\x7f", "é", "\u2028", "\xe2\x80", "\xff", "\n\n"} {
		for n := 0; n <= 20; n++ {
			for at := 0; at <= n; at++ {
				cases = append(cases, strings.Repeat("a", at)+special+strings.Repeat("z", n-at))
			}
		}
	}
	for _, s := range cases {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimRight(buf.Bytes(), "\n")
		if got := appendStr(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendStr(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendStr(f *testing.F) {
	f.Add("a\"b\\c\n\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := bytes.TrimRight(buf.Bytes(), "\n")
		if got := appendStr(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendStr(%q) = %s, want %s", s, got, want)
		}
	})
}

// manifestProject is a project big enough for WriteManifest to cut every
// section into several parts: models with tests, sources, a doc block, a
// disabled model and a macro.
func manifestProject(t *testing.T) *Manifest {
	t.Helper()
	files := map[string]string{
		"models/docs.md":      "{% docs intro %}Intro with \"quotes\" and \u2028.{% enddocs %}",
		"models/off.sql":      "{{ config(enabled=false) }}select 1",
		"macros/m.sql":        "{% macro twice(x) %}{{ x }} * 2{% endmacro %}",
		"models/sources.yml":  "version: 2\nsources:\n  - name: raw\n    tables:\n",
		"models/schema.yml":   "version: 2\nmodels:\n",
		"models/first.sql":    "select 1 as id",
		"models/a/second.sql": "select * from {{ ref('first') }}",
	}
	var src, schema strings.Builder
	src.WriteString(files["models/sources.yml"])
	schema.WriteString(files["models/schema.yml"])
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&src, "      - name: t%03d\n", i)
		fmt.Fprintf(&schema, "  - name: m%03d\n    description: \"model %d\\twith a tab\"\n    columns:\n      - name: id\n        tests: [not_null, unique]\n", i, i)
		files[fmt.Sprintf("models/m%03d.sql", i)] = fmt.Sprintf(
			"-- \"m%03d\"\nselect {{ twice('id') }} as id from {{ source('raw', 't%03d') }} join {{ ref('first') }} using (id)", i, i)
	}
	files["models/sources.yml"] = src.String()
	files["models/schema.yml"] = schema.String()
	return mustCompile(t, files)
}

// TestWriteManifestParts checks that the manifest does not depend on the
// number of workers, is valid JSON, and holds every node and source.
func TestWriteManifestParts(t *testing.T) {
	m := manifestProject(t)
	var one bytes.Buffer
	if err := m.WriteManifest(&one, 1); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{0, 2, 8} {
		var other bytes.Buffer
		if err := m.WriteManifest(&other, workers); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one.Bytes(), other.Bytes()) {
			t.Errorf("the manifest written by %d workers differs from the one written by 1", workers)
		}
	}
	var got struct {
		Nodes     map[string]json.RawMessage `json:"nodes"`
		Sources   map[string]json.RawMessage `json:"sources"`
		Macros    map[string]json.RawMessage `json:"macros"`
		Docs      map[string]json.RawMessage `json:"docs"`
		Disabled  map[string]json.RawMessage `json:"disabled"`
		ParentMap map[string][]string        `json:"parent_map"`
		ChildMap  map[string][]string        `json:"child_map"`
	}
	if err := json.Unmarshal(one.Bytes(), &got); err != nil {
		t.Fatalf("the manifest is not valid JSON: %v", err)
	}
	// 302 models, 600 tests; 300 sources.
	if len(got.Nodes) != 902 || len(got.Sources) != 300 || len(got.ParentMap) != 1202 || len(got.ChildMap) != 1202 {
		t.Errorf("nodes %d, sources %d, parent_map %d, child_map %d; want 902, 300, 1202, 1202",
			len(got.Nodes), len(got.Sources), len(got.ParentMap), len(got.ChildMap))
	}
	if len(got.Docs) != 1 || len(got.Disabled) != 1 || got.Macros["macro.p.twice"] == nil {
		t.Errorf("docs %d, disabled %d, macro.p.twice %s", len(got.Docs), len(got.Disabled), got.Macros["macro.p.twice"])
	}
	if ch := got.ChildMap["model.p.first"]; len(ch) != 301 {
		t.Errorf("child_map of first has %d children, want 301", len(ch))
	}
}

// failingWriter fails once more than n bytes have been written, and counts
// the writes tried after that.
type failingWriter struct {
	n      int
	failed bool
	after  int
}

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.failed {
		w.after++
		return 0, errDiskFull
	}
	if len(b) > w.n {
		w.failed = true
		return 0, errDiskFull
	}
	w.n -= len(b)
	return len(b), nil
}

// TestWriteManifestWriteError checks that a failed write, early or late,
// is what WriteManifest returns, and that it writes nothing after it.
func TestWriteManifestWriteError(t *testing.T) {
	m := manifestProject(t)
	var full bytes.Buffer
	if err := m.WriteManifest(&full, 2); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 100, full.Len() / 3, full.Len() / 2, full.Len() - 1} {
		w := &failingWriter{n: n}
		if err := m.WriteManifest(w, 2); !errors.Is(err, errDiskFull) {
			t.Errorf("failing after %d of %d bytes: err = %v, want %v", n, full.Len(), err, errDiskFull)
		}
		if w.after > 0 {
			t.Errorf("failing after %d of %d bytes: %d writes tried after the failure", n, full.Len(), w.after)
		}
	}
}
