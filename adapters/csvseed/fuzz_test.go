package csvseed

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

var (
	reInteger   = regexp.MustCompile(`^-?[0-9]+$`)
	reDate      = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	reTimestamp = regexp.MustCompile(`^[0-9]{4,}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?( BC)?$`)
)

// FuzzInfer checks what must hold for any input: no panic; if Infer
// accepts a file, Open yields its rows, each value in a form the column's
// PostgreSQL type reads; and how the input is split into reads does not
// matter. The seeds are the golden cases and testdata/fuzz/FuzzInfer.
func FuzzInfer(f *testing.F) {
	inputs, _ := filepath.Glob("testdata/cases/*/input.csv")
	for _, path := range inputs {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b, byte(','))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, delim byte) {
		opts := Options{Name: "f.csv", Delimiter: rune(delim)}
		if delim == 0 || delim >= utf8.RuneSelf {
			opts.Delimiter = ','
		}
		got := render(data, opts)
		slow := renderFrom(func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }, opts)
		if got != slow {
			t.Fatalf("reads of one byte differ:\n%s\nat once:\n%s", slow, got)
		}
		checkParts(t, data, opts)
		tab, err := Infer(context.Background(), bytes.NewReader(data), opts)
		if err == nil {
			slow, err := Infer(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), opts)
			if err != nil || !reflect.DeepEqual(slow.verbatim, tab.verbatim) {
				t.Fatalf("one byte at a time: %+v, %v; at once %+v", slow.verbatim, err, tab.verbatim)
			}
			if _, ok := tab.Verbatim(); ok {
				checkVerbatim(t, data, opts, tab)
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && opts.Delimiter != '"' && opts.Delimiter != '\n' && opts.Delimiter != '\r' {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		src := Open(bytes.NewReader(data), tab, opts)
		var n int64
		for {
			row, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if errors.Is(err, errZone) {
					return // dbt fails on these too
				}
				t.Fatalf("row %d: %v", n+1, err)
			}
			n++
			if len(row) != len(tab.Header) {
				t.Fatalf("row %d has %d values for %d columns", n, len(row), len(tab.Header))
			}
			for i, v := range row {
				if v != nil {
					checkValue(t, tab.Kinds[i], tab.casts[i], *v)
				}
			}
		}
		if n != tab.Rows {
			t.Fatalf("Open yielded %d rows, Infer counted %d", n, tab.Rows)
		}
	})
}

func checkValue(t *testing.T, k Kind, c cast, v string) {
	t.Helper()
	if !utf8.ValidString(v) {
		t.Fatalf("%v value %q is not UTF-8", k, v)
	}
	ok := true
	switch c {
	case castInt:
		// NaN, infinities and huge values also fail in dbt.
		ok = reInteger.MatchString(v) || v == "NaN" || v == "Infinity" || v == "-Infinity" || bytes.ContainsRune([]byte(v), 'E')
	case castFloat:
		_, err := strconv.ParseFloat(v, 64)
		ok = err == nil || errors.Is(err, strconv.ErrRange)
	case castBool:
		ok = v == "true" || v == "false"
	case castDate:
		ok = reDate.MatchString(v)
	case castDateTime, castISO:
		ok = reTimestamp.MatchString(v)
	}
	if !ok {
		t.Fatalf("%v value %q", k, v)
	}
}
