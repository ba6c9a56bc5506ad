package jinja

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpus renders every testdata/corpus/*.jinja and compares with the
// output real Jinja2 produced (.out), or requires failure (.err). The goldens
// come only from Jinja2 (tests/tools/jinja_oracle/gen.py), so there is no
// -update flag.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "corpus")
	files, err := filepath.Glob(filepath.Join(dir, "*.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no corpus templates in %s", dir)
	}
	ctxJSON, err := os.ReadFile(filepath.Join(dir, "_context.json"))
	if err != nil {
		t.Fatal(err)
	}
	macros := loadCorpusMacros(t, filepath.Join(dir, "_macros"))

	passed := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jinja")
		ok := t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			globals, err := decodeContext(ctxJSON)
			if err != nil {
				t.Fatalf("_context.json: %v", err)
			}
			env := NewEnv()
			env.Globals = globals
			env.Resolve = func(_ *State, n string) (Value, bool) {
				m, ok := macros[n]
				return m, ok
			}
			out, rerr := renderString(env, filepath.Base(f), string(src))

			base := strings.TrimSuffix(f, ".jinja")
			if want, err := os.ReadFile(base + ".err"); err == nil {
				phrase := strings.TrimSpace(string(want))
				if rerr == nil {
					t.Fatalf("rendered without error, want an error containing %q; output:\n%s", phrase, out)
				}
				if !strings.Contains(rerr.Error(), phrase) {
					t.Fatalf("error %q does not contain %q", rerr.Error(), phrase)
				}
				return
			}
			want, err := os.ReadFile(base + ".out")
			if err != nil {
				t.Fatalf("neither .out nor .err for %s", f)
			}
			if rerr != nil {
				t.Fatalf("unexpected error: %v", rerr)
			}
			if out != string(want) {
				t.Fatalf("output differs\n--- got ---\n%s\n--- want ---\n%s\n--- got %q\n--- want %q", out, want, out, want)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("corpus: %d/%d templates pass", passed, len(files))
}

func renderString(env *Env, file, src string) (string, error) {
	tpl, err := env.Parse(file, src)
	if err != nil {
		return "", err
	}
	return tpl.Render(nil, nil)
}

// loadCorpusMacros parses every macro file once; its top-level macros become
// globals through Env.Resolve, as dbt makes project macros global.
func loadCorpusMacros(t *testing.T, dir string) map[string]*Macro {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jinja"))
	env := NewEnv()
	out := map[string]*Macro{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := env.Parse(filepath.Join("_macros", filepath.Base(f)), string(src))
		if err != nil {
			t.Fatalf("macro file: %v", err)
		}
		for _, m := range tpl.Macros() {
			out[m.Name] = m
		}
	}
	return out
}

// decodeContext decodes a JSON object into Values, keeping key order and
// the int/float distinction of the source text.
func decodeContext(data []byte) (map[string]Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(dec)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*Dict)
	if !ok {
		return nil, fmt.Errorf("top level is %s, want an object", typeName(v))
	}
	out := make(map[string]Value, d.Len())
	for i, k := range d.Keys() {
		out[k.(string)] = d.Values()[i]
	}
	return out, nil
}

func decodeJSONValue(dec *json.Decoder) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case json.Delim:
		switch x {
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				d.Set(kt.(string), v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := &List{}
			for dec.More() {
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		}
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return x.Float64()
		}
		return x.Int64()
	case string, bool, nil:
		return x, nil
	}
	return nil, io.ErrUnexpectedEOF
}
