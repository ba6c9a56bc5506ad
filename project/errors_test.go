package project

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Pos: Pos{"a.yml", 3, 5}, Msg: "bad"}, "a.yml:3:5: bad"},
		{&Error{Pos: Pos{"a.yml", 3, 0}, Msg: "bad"}, "a.yml:3: bad"},
		{&Error{Pos: Pos{"a.yml", 0, 0}, Msg: "bad"}, "a.yml: bad"},
		{&Error{Msg: "bad", Hint: "fix it"}, "bad\n  hint: fix it"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

type hintedErr struct{}

func (hintedErr) Error() string { return "env var 'X' is not set" }
func (hintedErr) Hint() string  { return "export X" }

func TestRenderError(t *testing.T) {
	pos := Pos{"p.yml", 2, 3}
	if got := RenderError(pos, fmt.Errorf("render: %w", hintedErr{})).Error(); got != "p.yml:2:3: render: env var 'X' is not set\n  hint: export X" {
		t.Errorf("got %q", got)
	}
	e := RenderError(pos, errors.New("plain"))
	if e.Error() != "p.yml:2:3: plain" || e.Unwrap() == nil {
		t.Errorf("got %q", e.Error())
	}
}

func TestErrorListSortedAndWraps(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("empty list is an error")
	}
	l.Add(Pos{"b.yml", 1, 1}, "third")
	l.Add(Pos{"a.yml", 10, 1}, "second")
	l.Add(Pos{"a.yml", 2, 7}, "first %d", 1)
	l.Add(Pos{"a.yml", 2, 7}, "first %d", 1) // repeated: shown once
	cause := errors.New("cause")
	l.Append(&Error{Pos: Pos{"c.yml", 1, 1}, Msg: "wrapped", Err: cause})
	err := l.Err()
	want := "a.yml:2:7: first 1\na.yml:10:1: second\nb.yml:1:1: third\nc.yml:1:1: wrapped"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if !errors.Is(err, cause) {
		t.Error("errors.Is does not find the wrapped cause")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Error("errors.As finds no *Error")
	}
}

func TestDidYouMean(t *testing.T) {
	cands := []string{"model-paths", "seed-paths", "host", "port", "description", "data_type", "name"}
	tests := []struct{ in, want string }{
		{"modle-paths", "model-paths"},
		{"model_paths", "model-paths"},
		{"hots", "host"},
		{"prot", "port"},
		{"descriptoin", "description"},
		{"data_typ", "data_type"},
		{"nmae", "name"},
		{"materialized", ""},
		{"xyz", ""},
		{"name", ""}, // an exact match is no typo
	}
	for _, tt := range tests {
		if got := DidYouMean(tt.in, cands); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"mapping in plain scalar", "a: 1\nb: c: 2\n", "f.yml:2:4: invalid YAML: mapping values are not allowed in this context\n  hint: a value that contains ': ' must be quoted: put it in \"double quotes\""},
		{"indented key", "a: 1\n b: 2\n", "f.yml:2:2: invalid YAML: mapping values are not allowed in this context"},
		{"tab indent", "a:\n  b: 1\n\tc: 2\n", "f.yml:3:1: invalid YAML: tab character in indentation\n  hint: indent YAML with spaces, never tabs"},
		{"tab at top", "\tname: x\n", "f.yml:1:1: invalid YAML: tab character in indentation\n  hint: indent YAML with spaces, never tabs"},
		{"bad list indent", "models:\n  - name: x\n   description: y\n", "f.yml:3:4: invalid YAML: did not find expected '-' indicator"},
		{"unclosed flow", "a: [1, 2\nb: 3\n", "f.yml:1:4: invalid YAML: did not find expected ',' or ']'\n  hint: the '[' opened here needs a closing ']'"},
		{"unclosed flow map", "x: 0\na: {b: [1], c: 2\nb: 3\n", "f.yml:2:4: invalid YAML: did not find expected ',' or '}'\n  hint: the '{' opened here needs a closing '}'"},
		{"unclosed quote", "a: 1\nb:\n  c: \"it's \\\" open\nd: 2\n", "f.yml:3:6: invalid YAML: this quoted string is never closed\n  hint: end it with \" on the same line, or write a long text as a block scalar ('|' or '>')"},
		{"unclosed single quote", "a: 'x'' y\n", "f.yml:1:4: invalid YAML: this quoted string is never closed\n  hint: end it with ' on the same line, or write a long text as a block scalar ('|' or '>')"},
		{"unknown anchor", "a: 1\nb: *nope\n", "f.yml:2:4: invalid YAML: unknown anchor 'nope' referenced\n  hint: define the anchor with &nope before it is used"},
		{"two documents", "a: 1\n---\nb: 2\n", "f.yml:2:1: more than one YAML document in the file; only one is allowed"},
		{"duplicate", "a: 1\nb:\n  c: 1\n  c: 2\n", "f.yml:4:3: duplicate key 'c' (first set at line 3)"},
		{"self alias", "a: &x [1, *x]\n", "f.yml:1:11: alias *x is inside its own anchor"},
		{"complex key", "? [a]\n: 1\n", "f.yml:1:3: mapping keys must be strings, not a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML("f.yml", []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
		})
	}
	for _, ok := range []string{"", "# comment only\n", "---\na: 1\n", "a: 1\n...\n"} {
		if _, err := ParseYAML("f.yml", []byte(ok)); err != nil {
			t.Errorf("ParseYAML(%q) = %v", ok, err)
		}
	}
}

func TestYAMLAliasBomb(t *testing.T) {
	// Each level doubles the expansion: 2^30 leaves if nothing stopped it.
	var b strings.Builder
	b.WriteString("name: shop\nvars:\n  l0: &l0 [x, x]\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("  l" + itoa(i) + ": &l" + itoa(i) + " [*l" + itoa(i-1) + ", *l" + itoa(i-1) + "]\n")
	}
	var errs ErrorList
	root := parseYAML("dbt_project.yml", []byte(b.String()), &errs)
	d := newDecoder("dbt_project.yml", &errs, nil)
	d.value(root)
	if err := errs.Err(); err == nil || !strings.Contains(err.Error(), "aliases expand to too much data") {
		t.Fatalf("err = %v", err)
	}
}

func TestYAMLPairsMerge(t *testing.T) {
	n, err := ParseYAML("f.yml", []byte("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	pairs := YAMLPairs(YAMLPairs(n)[1][1])
	var got []string
	for _, p := range pairs {
		got = append(got, p[0].Value+"="+p[1].Value)
	}
	if strings.Join(got, ",") != "x=1,y=3" {
		t.Errorf("pairs = %v", got)
	}
	if YAMLPairs(nil) != nil {
		t.Error("pairs of nil")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
