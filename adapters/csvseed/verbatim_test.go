package csvseed

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

// TestVerbatimCases records which golden cases COPY could read as they
// are, and why the others not (testdata/verbatim.golden); reading one
// byte at a time and in parts must not change it.
func TestVerbatimCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	var b strings.Builder
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "input.csv"))
		if err != nil {
			t.Fatal(err)
		}
		opts := loadOptions(t, dir)
		tab, err := Infer(context.Background(), bytes.NewReader(data), opts)
		if err != nil {
			continue
		}
		why, ok := tab.Verbatim()
		if ok {
			why = "verbatim"
			if tab.verbatim.null != "" {
				why += fmt.Sprintf(", NULL %q", tab.verbatim.null)
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", filepath.Base(dir), why)
		slow, err := Infer(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), opts)
		if err != nil || !reflect.DeepEqual(slow.verbatim, tab.verbatim) {
			t.Errorf("%s: one byte at a time: %+v, %v; at once %+v", dir, slow.verbatim, err, tab.verbatim)
		}
		checkParts(t, data, opts)
	}
	path := "testdata/verbatim.golden"
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// checkParts checks that InferAt in 2 to 6 parts returns what Infer does.
func checkParts(t *testing.T, data []byte, opts Options) {
	t.Helper()
	defer func(f func(int64) int) { inferParts = f }(inferParts)
	want, wantErr := Infer(context.Background(), bytes.NewReader(data), opts)
	for parts := 2; parts <= 6; parts++ {
		inferParts = func(int64) int { return parts }
		got, err := InferAt(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("in %d parts: %+v, %v\nat once: %+v, %v", parts, got, err, want, wantErr)
		}
	}
}

func TestInferAtLarge(t *testing.T) {
	var sb strings.Builder
	if err := writeUCI(&sb, 20000); err != nil {
		t.Fatal(err)
	}
	data := sb.String()
	// A quoted newline in every line, so that parts often start inside
	// a quoted field.
	multi := strings.ReplaceAll(data, `"VINTAGE"`, "\"VIN\nTAGE\"")
	for _, d := range []string{data, multi, strings.ReplaceAll(data, "\n", "\r\n"), "\xef\xbb\xbf" + data} {
		checkParts(t, []byte(d), Options{})
	}
}

func TestVerbatim(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		delim     rune
		why       string // "" when verbatim
		null      string
	}{
		{"plain", "a,b,c\n1,x,2.5\n-7,,0.10\n", 0, "", ""},
		{"crlf", "a,b\r\n1,x\r\n", 0, "", ""},
		{"bom", "\xef\xbb\xbfa,b\n1,x\n", 0, "", ""},
		{"no final newline", "a,b\n1,x", 0, "", ""},
		{"quoted", "a,b\n\"1\",\"x, \"\"y\"\"\nz\"\n", 0, "", ""},
		{"quoted empty is NULL", "a,b\n1,\"\"\n2,\n", 0, "", ""},
		{"NULL spelled null", "a,b\n1,null\n2,\"null\"\n", 0, "", "null"},
		{"NULL spelled two ways", "a,b\n1,null\n2,NULL\n", 0, `NULL is written both "null" and "NULL"`, ""},
		{"NULL and empty", "a,b\n1,null\n2,\n", 0, `NULL is written both "null" and ""`, ""},
		{"NULL with spaces", "a,b\n1, \n", 0, "", " "},
		{"NULL with a quote", "a,b\n1,\"\"\"null\"\n", 0, "", ""}, // "null is text
		{"text null-like", "a\n\" NuLl \"\n", 0, "", " NuLl "},
		{"tab", "a\tb\n1\tx y\n", '\t', "", ""},
		{"pipe", "a|b\n1|x\n", '|', "", ""},
		{"multibyte delimiter", "a§b\n1§x\n", '§', `the delimiter '§' is not a one-byte character COPY accepts`, ""},
		{"blank header", "\n1,2\n", 0, "the header line is empty", ""},
		{"blank line", "a\n1\n\n2\n", 0, "line 3: a row has fewer fields than the header, or none", ""},
		{"blank last line", "a\n1\n\n", 0, "line 3: a row has fewer fields than the header, or none", ""},
		{"short row", "a,b\n1\n", 0, "line 2: a row has fewer fields than the header, or none", ""},
		{"lone CR", "a\r1\r", 0, `line 1: a line ends with a lone "\r"`, ""},
		{"mixed newlines", "a\n1\r\n", 0, `line 2: lines end with both "\n" and "\r\n"`, ""},
		{"CR in quotes", "a\n\"x\ry\"\n", 0, `line 2: a quoted field holds a "\r" (Python reads it as "\n")`, ""},
		{"CRLF in quotes", "a\r\n\"x\r\ny\"\r\n", 0, `line 2: a quoted field holds a "\r" (Python reads it as "\n")`, ""},
		{"LF in quotes, CRLF lines", "a\r\n\"x\ny\"\r\n", 0, "", ""},
		{"bare quote", "a\nx\"y\n", 0, "line 2: a quote inside an unquoted field", ""},
		{"text after quote", "a\n\"x\"y\n", 0, "line 2: text follows a closing quote", ""},
		{"open quote", "a\n\"x\n", 0, "line 3: a quoted field is open at the end of the file", ""},
		{"end-of-data marker", "a\n\\.\nb\n", 0, `line 2: a line starts with "\." (the end of COPY data)`, ""},
		{"marker in quotes", "a\n\"x\n\\.\n\"\n", 0, `line 3: a line starts with "\." (the end of COPY data)`, ""},
		{"backslash", "a\n\\x\nx\\.\n", 0, "", ""},
		{"NUL", "a\nx\x00y\n", 0, "the file holds a NUL character", ""},
		{"integers", "a\n007\n-0\n12\n", 0, "", ""},
		{"integer 1.0", "a\n1\n2.0\n", 0, `line 3: column "a" has a value that integer does not read as dbt does`, ""},
		{"integer 1e3", "a\n1e3\n", 0, `line 2: column "a" has a value that integer does not read as dbt does`, ""},
		{"integer with spaces", "a\n 1\n", 0, `line 2: column "a" has a value that integer does not read as dbt does`, ""},
		{"integer 1,000", "a\n\"1,000\"\n", 0, `line 2: column "a" has a value that integer does not read as dbt does`, ""},
		{"floats", "a\n1.50\n.5\n5.\n-0.25\n007.0\n0.0\n", 0, "", ""},
		{"float -0.0", "a\n1.5\n-0.0\n", 0, `line 3: column "a" has a value that float8 does not read as dbt does`, ""},
		{"float 1e-3", "a\n1e-3\n", 0, `line 2: column "a" has a value that float8 does not read as dbt does`, ""},
		{"float 30 digits", "a\n1.5\n1.00000000000000000000000000001\n", 0, `line 3: column "a" has a value that float8 does not read as dbt does`, ""},
		{"float $", "a\n$1.5\n", 0, `line 2: column "a" has a value that float8 does not read as dbt does`, ""},
		{"booleans", "a\ntrue\nFALSE\nTrue\n", 0, "", ""},
		{"boolean spaces", "a\ntrue\n false\n", 0, `line 3: column "a" has a value that boolean does not read as dbt does`, ""},
		{"dates", "a\n2024-01-31\n0001-12-31\n", 0, "", ""},
		{"short date", "a\n2024-1-31\n", 0, `line 2: column "a" has a value that date does not read as dbt does`, ""},
		{"timestamps", "a\n2024-01-31 10:00:00\n", 0, "", ""},
		{"timestamp two spaces", "a\n2024-01-31  10:00:00\n", 0, `line 2: column "a" has a value that timestamp without time zone does not read as dbt does`, ""},
		{"iso timestamps", "a\n2024-01-31T10:00:00\n2024-01-31T10:00:00.5\n2024-01-31T10:00:00.123456\n", 0, "", ""},
		{"iso 7 digits", "a\n2024-01-31T10:00:00.1234567\n", 0, `line 2: column "a" has a value that timestamp without time zone does not read as dbt does`, ""},
		{"iso zone", "a\n2024-01-31T10:00:00Z\n", 0, `line 2: column "a" has a value that timestamp without time zone does not read as dbt does`, ""},
		{"iso minutes", "a\n2024-01-31T10:00\n", 0, `line 2: column "a" has a value that timestamp without time zone does not read as dbt does`, ""},
		{"lost in a column that ends up text", "a\n1.0\nx\n", 0, "", ""},
		{"column_types", "a,b\n 1 ,x\n", 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Name: "v.csv", Delimiter: tc.delim}
			if tc.name == "column_types" {
				opts.ColumnTypes = map[string]string{"a": "integer"}
			}
			tab, err := Infer(context.Background(), strings.NewReader(tc.csv), opts)
			if err != nil {
				t.Fatal(err)
			}
			why, ok := tab.Verbatim()
			if why != tc.why || ok != (tc.why == "") {
				t.Errorf("Verbatim() = %q, %v; want %q", why, ok, tc.why)
			}
			if ok && tab.verbatim.null != tc.null {
				t.Errorf("NULL %q, want %q", tab.verbatim.null, tc.null)
			}
			if ok {
				checkVerbatim(t, []byte(tc.csv), opts, tab)
			}
		})
	}
}

// checkVerbatim checks a file Infer found verbatim against an RFC 4180
// reader (encoding/csv, which has no quoting oddities to agree with
// Python on): the same records, NULL where Open yields NULL, and each
// value read by its PostgreSQL type as the same value as Open's.
func checkVerbatim(t *testing.T, data []byte, opts Options, tab *Table) {
	t.Helper()
	src := Open(bytes.NewReader(data), tab, opts)
	f, ok := src.(adapters.VerbatimSource).VerbatimCSV()
	if !ok {
		t.Fatal("VerbatimCSV: not ok")
	}
	raw, err := io.ReadAll(f.R)
	if err != nil {
		t.Fatal(err)
	}
	if want := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")); !bytes.Equal(raw, want) || f.Size != int64(len(want)) || f.Rows != tab.Rows {
		t.Fatalf("VerbatimCSV gave %q (size %d, %d rows), want %q (%d rows)", raw, f.Size, f.Rows, want, tab.Rows)
	}
	if _, err := src.Next(); !errors.Is(err, errVerbatim) {
		t.Fatalf("Next after VerbatimCSV: %v", err)
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comma = rune(f.Delimiter)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v", err)
	}
	if int64(len(recs)) != tab.Rows+1 {
		t.Fatalf("encoding/csv read %d records, Infer %d rows and a header", len(recs), tab.Rows)
	}
	rows := Open(bytes.NewReader(data), tab, opts)
	for i, rec := range recs[1:] {
		row, err := rows.Next()
		if err != nil {
			t.Fatal(err)
		}
		if len(rec) != len(row) {
			t.Fatalf("row %d: encoding/csv read %q, Open %d values", i+1, rec, len(row))
		}
		for j, v := range rec {
			switch {
			case v == f.Null:
				if row[j] != nil {
					t.Errorf("row %d column %d: %q is NULL to COPY, Open yields %q", i+1, j+1, v, *row[j])
				}
			case row[j] == nil:
				t.Errorf("row %d column %d: %q is not NULL to COPY, Open yields NULL", i+1, j+1, v)
			case !sameValue(tab.casts[j], v, *row[j]):
				t.Errorf("row %d column %d: COPY reads %q, Open yields %q (%v)", i+1, j+1, v, *row[j], tab.Kinds[j])
			}
		}
	}
}

// sameValue reports whether PostgreSQL reads text and open, as a value of
// the type of cast c, to the same value.
func sameValue(c cast, text, open string) bool {
	switch c {
	case castInt:
		a, ok1 := new(big.Int).SetString(text, 10)
		b, ok2 := new(big.Int).SetString(open, 10)
		return ok1 && ok2 && a.Cmp(b) == 0
	case castFloat:
		a, err1 := strconv.ParseFloat(text, 64)
		b, err2 := strconv.ParseFloat(open, 64)
		return err1 == nil && err2 == nil && math.Float64bits(a) == math.Float64bits(b)
	case castBool:
		return strings.EqualFold(text, open)
	case castISO:
		a, err1 := time.Parse("2006-01-02T15:04:05.999999999", text)
		b, err2 := time.Parse("2006-01-02 15:04:05.999999999", open)
		return err1 == nil && err2 == nil && a.Equal(b)
	}
	return text == open
}

// TestPlainPlaces checks plainPlaces against numParser.plain and
// number.places, which it does in one pass.
func TestPlainPlaces(t *testing.T) {
	inputs := []string{"0", "-0", "00", "0.0", "-0.000", ".5", "5.", ".", "-", "", "-.", "1", "10", "100.00",
		"0.05", "12.50", "-17850.0", "007", "1.2.3", "1e3", "1_0", "١", "9999999999999999999999999999",
		"99999999999999999999999999999", "0000000000000000000000000000001", "1.000000000000000000000000000",
		"1.0000000000000000000000000000", "0.0000000000000000000000000000000001"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b []byte
		for k := rng.IntN(35); k > 0; k-- {
			b = append(b, "-0123456789.00."[rng.IntN(15)])
		}
		inputs = append(inputs, string(b))
	}
	var np numParser
	for _, s := range inputs {
		p, ok := plainPlaces(s)
		v, wantOK := np.plain(s)
		if ok != wantOK {
			t.Fatalf("%q: ok %v, plain says %v", s, ok, wantOK)
		}
		if !ok {
			continue
		}
		w, d, _ := v.places()
		if p.whole != w || p.decimals != d || p.dot != strings.Contains(s, ".") || p.negZero != (v.neg && v.isZero()) {
			t.Errorf("%q: %+v, want whole %d decimals %d", s, p, w, d)
		}
	}
}

func TestVerbatimCSVAfterNext(t *testing.T) {
	data := "a\n1\n"
	tab, err := Infer(context.Background(), strings.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := Open(strings.NewReader(data), tab, Options{})
	if _, err := src.Next(); err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(adapters.VerbatimSource).VerbatimCSV(); ok {
		t.Error("VerbatimCSV after Next")
	}
}
