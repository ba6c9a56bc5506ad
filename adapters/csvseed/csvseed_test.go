package csvseed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite the golden files from this package's output")

// caseOptions is testdata/cases/<case>/options.json.
type caseOptions struct {
	Delimiter   string            `json:"delimiter"`
	ColumnTypes map[string]string `json:"column_types"`
}

func loadOptions(t *testing.T, dir string) Options {
	t.Helper()
	opts := Options{Name: "seeds/" + filepath.Base(dir) + ".csv"}
	b, err := os.ReadFile(filepath.Join(dir, "options.json"))
	if errors.Is(err, os.ErrNotExist) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	var co caseOptions
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&co); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	if co.Delimiter != "" {
		r := []rune(co.Delimiter)
		if len(r) != 1 {
			t.Fatalf("%s: delimiter %q is not one character", dir, co.Delimiter)
		}
		opts.Delimiter = r[0]
	}
	opts.ColumnTypes = co.ColumnTypes
	return opts
}

// render runs both passes and prints the result in the golden format, which
// the oracle (dbt's own agate loading, run once in Python) also printed:
// one JSON array per column, then one per row.
func render(data []byte, opts Options) string {
	return renderFrom(func() io.Reader { return bytes.NewReader(data) }, opts)
}

func renderFrom(open func() io.Reader, opts Options) string {
	var b strings.Builder
	t, err := Infer(context.Background(), open(), opts)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(&b, "error: %s\n", line)
		}
		return b.String()
	}
	b.WriteString("# columns: name, kind, postgres type, athena type\n")
	pg, ath := t.Columns(PostgresType), t.Columns(AthenaType)
	for i, name := range t.Header {
		writeJSON(&b, []string{name, t.Kinds[i].String(), pg[i].DataType, ath[i].DataType})
	}
	fmt.Fprintf(&b, "# rows: %d\n", t.Rows)
	src := Open(open(), t, opts)
	var n int64
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			return b.String()
		}
		n++
		writeJSON(&b, row)
	}
	if n != t.Rows {
		fmt.Fprintf(&b, "error: Open yielded %d rows, Infer counted %d\n", n, t.Rows)
	}
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	b.Write(buf.Bytes())
}

// sameGolden compares line by line, JSON lines by value (Python and Go
// escape differently).
func sameGolden(got, want string) bool {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		var gv, wv any
		if json.Unmarshal([]byte(g[i]), &gv) != nil || json.Unmarshal([]byte(w[i]), &wv) != nil || !reflect.DeepEqual(gv, wv) {
			return false
		}
	}
	return true
}

func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "input.csv"))
			if err != nil {
				t.Fatal(err)
			}
			opts := loadOptions(t, dir)
			got := render(data, opts)
			// Reads of one byte split every character and newline.
			if slow := renderFrom(func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }, opts); slow != got {
				t.Errorf("reading one byte at a time:\n%s\nat once:\n%s", slow, got)
			}
			path := filepath.Join(dir, "want.golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !sameGolden(got, string(want)) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// typeCase is one entry of testdata/types.json: a one-column seed (each
// value quoted) and what dbt made of it.
type typeCase struct {
	Name     string    `json:"name"`
	Values   []string  `json:"values"`
	Kind     string    `json:"kind,omitempty"`
	Postgres string    `json:"postgres,omitempty"`
	Athena   string    `json:"athena,omitempty"`
	Out      []*string `json:"out,omitempty"`
	Error    string    `json:"error,omitempty"`
}

func quoteAll(values []string) []byte {
	var b bytes.Buffer
	b.WriteString("\"v\"\n")
	for _, v := range values {
		b.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + "\"\n")
	}
	return b.Bytes()
}

func TestTypes(t *testing.T) {
	b, err := os.ReadFile("testdata/types.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []typeCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			data := quoteAll(c.Values)
			opts := Options{Name: "v.csv"}
			tab, err := Infer(context.Background(), bytes.NewReader(data), opts)
			if c.Error != "" {
				// dbt fails on these; so must we.
				if err == nil {
					t.Fatalf("dbt fails with %s; Infer succeeded with %v", c.Error, tab.Kinds)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tab.Kinds[0].String(); got != c.Kind {
				t.Errorf("kind %s, dbt says %s", got, c.Kind)
			}
			if got := PostgresType(tab.Kinds[0]); got != c.Postgres {
				t.Errorf("postgres type %s, dbt says %s", got, c.Postgres)
			}
			if got := AthenaType(tab.Kinds[0]); got != c.Athena {
				t.Errorf("athena type %s, dbt says %s", got, c.Athena)
			}
			src := Open(bytes.NewReader(data), tab, opts)
			for i, want := range c.Out {
				row, err := src.Next()
				if err != nil {
					t.Fatalf("row %d: %v", i, err)
				}
				if !reflect.DeepEqual(row[0], want) {
					t.Errorf("value %q: got %s, want %s", c.Values[i], show(row[0]), show(want))
				}
			}
			if _, err := src.Next(); err != io.EOF {
				t.Errorf("after the last row: %v, want io.EOF", err)
			}
		})
	}
}

func show(p *string) string {
	if p == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *p)
}

func TestWarnings(t *testing.T) {
	data := "a,a,,b\n1,2,3,4\n"
	tab, err := Infer(context.Background(), strings.NewReader(data), Options{
		Name:        "seeds/w.csv",
		ColumnTypes: map[string]string{"b": "varchar(3)", "zz": "int", "yy": "int"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`seeds/w.csv:1:3: column name "a" is already used; dbt renames it "a_2"`,
		`seeds/w.csv:1:5: column 3 has no name; dbt names it "c"`,
		`seeds/w.csv:1:1: column_types names columns the header does not have, so dbt ignores them: yy, zz`,
	}
	if !reflect.DeepEqual(tab.Warnings, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(tab.Warnings, "\n"), strings.Join(want, "\n"))
	}
	cols := tab.Columns(PostgresType)
	if cols[3].DataType != "varchar(3)" || tab.Kinds[3] != Text {
		t.Errorf("column b: %+v kind %v", cols[3], tab.Kinds[3])
	}
}

func TestFieldLimit(t *testing.T) {
	for _, tc := range []struct {
		n       int
		quoted  bool
		wantErr string
	}{
		{fieldLimit, false, ""},
		{fieldLimit, true, ""},
		{fieldLimit + 1, false, "seeds/big.csv:2:1: field larger than field limit (131072)"},
		{fieldLimit + 1, true, "seeds/big.csv:2:1: field larger than field limit (131072)"},
		{10 * fieldLimit, true, "seeds/big.csv:2:1: field larger than field limit (131072)"},
	} {
		v := strings.Repeat("é", tc.n) // the limit counts characters
		if tc.quoted {
			v = `"` + v + `"`
		}
		_, err := Infer(context.Background(), strings.NewReader("a\n"+v+"\n"), Options{Name: "seeds/big.csv"})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.wantErr {
			t.Errorf("%d characters, quoted %v: error %q, want %q", tc.n, tc.quoted, got, tc.wantErr)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Infer(ctx, strings.NewReader("a\n1\n"), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestErrorsAs(t *testing.T) {
	_, err := Infer(context.Background(), strings.NewReader("a,b\n1,2\n1,2,3\n"), Options{Name: "x.csv"})
	var e *Error
	if !errors.As(err, &e) || e.Line != 3 || e.Col != 5 {
		t.Fatalf("got %v, want an *Error at 3:5", err)
	}
}

// TestDigitRanges checks what digitValue assumes of the Nd table.
func TestDigitRanges(t *testing.T) {
	for _, r := range unicode.Nd.R16 {
		if r.Stride != 1 || (int(r.Hi)-int(r.Lo)+1)%10 != 0 {
			t.Errorf("range %#x-%#x", r.Lo, r.Hi)
		}
	}
	for _, r := range unicode.Nd.R32 {
		if r.Stride != 1 || (int(r.Hi)-int(r.Lo)+1)%10 != 0 {
			t.Errorf("range %#x-%#x", r.Lo, r.Hi)
		}
	}
	if digitValue('٣') != 3 || digitValue('𝟗') != 9 || digitValue('x') != -1 {
		t.Error("digitValue")
	}
}
