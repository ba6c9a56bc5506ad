package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/csvseed"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// verbatimCases are seeds beyond csvseed's golden cases that COPY can
// read as they are, each kind of value written in the forms it accepts.
var verbatimCases = map[string]string{
	"kinds": "i,f,b,d,ts,iso,t\n" +
		"1,1.50,TRUE,2024-01-31,2024-01-31 10:00:00,2024-01-31T10:00:00.123456,\"x, \"\"y\"\"\nz\"\n" +
		"007,-2.25,false,0001-01-01,1999-12-31 23:59:59,2024-02-29T00:00:00.5,\\N and \\\\ and \\.\n" +
		"-0,.5,True,,,,\n" +
		",5.,,9999-12-31,0001-01-01 00:00:00,0001-01-01T00:00:00,\"\"\n" +
		"2147483647,123456789012345678901234567,false,2000-02-29,2000-02-29 12:00:00,2000-02-29T12:00:00.000001,\t tab ü ✓\n",
	"null spelled NULL": "a,b,c\n1,NULL,x\nNULL,\"NULL\",NULL\n3,2.5,\"a\"\"b\"\n",
	"crlf bom":          "\xef\xbb\xbfa,b\r\n1,\"two\nlines\"\r\n2,x\r\n",
	"tab":               "a\tb\tc\n1\tx,y\t2024-01-31\n2\t\t\n",
	"quoted numbers":    "a,b\n\"1\",\"2.5\"\n\"\",\"\"\n",
	"no final newline":  "a,b\n1,2",
}

// verbatimCase is a seed to load both ways.
type verbatimCase struct {
	name string
	data []byte
	opts csvseed.Options
}

func loadVerbatimCases(t *testing.T) []verbatimCase {
	var cases []verbatimCase
	dirs, err := filepath.Glob("../csvseed/testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no csvseed cases: %v", err)
	}
	for _, dir := range dirs {
		data, err := os.ReadFile(filepath.Join(dir, "input.csv"))
		if err != nil {
			t.Fatal(err)
		}
		c := verbatimCase{name: filepath.Base(dir), data: data}
		if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
			var o struct {
				Delimiter   string            `json:"delimiter"`
				ColumnTypes map[string]string `json:"column_types"`
			}
			if err := json.Unmarshal(b, &o); err != nil {
				t.Fatal(err)
			}
			if o.Delimiter != "" {
				c.opts.Delimiter = []rune(o.Delimiter)[0]
			}
			c.opts.ColumnTypes = o.ColumnTypes
		}
		cases = append(cases, c)
	}
	jaffle, _ := filepath.Glob("../../tests/testdata/jaffle_shop/seeds/*.csv")
	if len(jaffle) == 0 {
		t.Fatal("no jaffle_shop seeds")
	}
	for _, path := range jaffle {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, verbatimCase{name: "jaffle_" + filepath.Base(path), data: data})
	}
	for name, data := range verbatimCases {
		c := verbatimCase{name: name, data: []byte(data)}
		if name == "tab" {
			c.opts.Delimiter = '\t'
		}
		cases = append(cases, c)
	}
	slices.SortFunc(cases, func(a, b verbatimCase) int { return strings.Compare(a.name, b.name) })
	return cases
}

// rowsOnly hides a RowSource's VerbatimCSV: the rows go through COPY's
// text format.
type rowsOnly struct{ adapters.RowSource }

// watched records whether the file went to COPY as it is.
type watched struct {
	adapters.VerbatimSource
	verbatim bool
}

func (w *watched) VerbatimCSV() (adapters.VerbatimCSV, bool) {
	f, ok := w.VerbatimSource.VerbatimCSV()
	w.verbatim = ok
	return f, ok
}

// TestSeedVerbatim loads every csvseed case, the jaffle_shop seeds and
// the cases above twice: as LoadSeed loads csvseed's rows (the file as
// it is, when COPY reads it so) and row by row. The tables must be the
// same: types, rows in order, values as PostgreSQL prints them.
func TestSeedVerbatim(t *testing.T) {
	a := openTest(t, pgtest.New(t))
	ctx := context.Background()
	if _, err := a.Exec(ctx, "create schema v; create schema r"); err != nil {
		t.Fatal(err)
	}
	verbatim := 0
	for i, c := range loadVerbatimCases(t) {
		c.opts.Name = c.name
		tab, err := csvseed.Infer(ctx, bytes.NewReader(c.data), c.opts)
		if err != nil {
			continue
		}
		why, ok := tab.Verbatim()
		name := fmt.Sprintf("s%d", i)
		load := func(schema string, rows adapters.RowSource) error {
			_, err := a.LoadSeed(ctx, adapters.Seed{
				Relation:     adapters.Relation{Schema: schema, Identifier: name},
				Columns:      tab.Columns(csvseed.PostgresType),
				QuoteColumns: true,
				Rows:         rows,
			})
			return err
		}
		w := &watched{VerbatimSource: csvseed.Open(bytes.NewReader(c.data), tab, c.opts).(adapters.VerbatimSource)}
		errV := load("v", w)
		errR := load("r", rowsOnly{csvseed.Open(bytes.NewReader(c.data), tab, c.opts)})
		if w.verbatim != ok {
			t.Errorf("%s: loaded verbatim %v; Verbatim() = %q, %v", c.name, w.verbatim, why, ok)
		}
		if ok {
			verbatim++
		}
		if (errV != nil) != (errR != nil) {
			t.Errorf("%s: verbatim %v, row by row %v", c.name, errV, errR)
			continue
		}
		if errV != nil {
			continue
		}
		cols := func(schema string) string {
			rows, err := a.Query(ctx, fmt.Sprintf(`select string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum)
				from pg_attribute where attrelid = '%s.%s'::regclass and attnum > 0`, schema, name))
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(rows.Values)
		}
		dump := func(schema string) string {
			rows, err := a.Query(ctx, fmt.Sprintf(`select gmodel_row_::text from %s.%s gmodel_row_ order by ctid`, schema, name))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range rows.Values {
				fmt.Fprintf(&b, "%v\n", r[0])
			}
			return b.String()
		}
		if v, r := cols("v"), cols("r"); v != r {
			t.Errorf("%s: columns verbatim %s, row by row %s", c.name, v, r)
		}
		if v, r := dump("v"), dump("r"); v != r {
			t.Errorf("%s: rows verbatim:\n%s\nrow by row:\n%s", c.name, v, r)
		}
	}
	if verbatim < len(verbatimCases)+3 {
		t.Errorf("only %d cases loaded verbatim", verbatim)
	}
}

// TestSeedVerbatimError checks that a value COPY rejects fails the load
// with the server's message and leaves the old table.
func TestSeedVerbatimError(t *testing.T) {
	a := openTest(t, pgtest.New(t))
	ctx := context.Background()
	seed := func(data string) error {
		tab, err := csvseed.Infer(ctx, strings.NewReader(data), csvseed.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tab.Verbatim(); !ok {
			t.Fatalf("%q is not verbatim", data)
		}
		_, err = a.LoadSeed(ctx, adapters.Seed{
			Relation: adapters.Relation{Schema: "public", Identifier: "s"}, Columns: tab.Columns(csvseed.PostgresType), QuoteColumns: true,
			Rows: csvseed.Open(strings.NewReader(data), tab, csvseed.Options{}),
		})
		return err
	}
	if err := seed("a\n1\n"); err != nil {
		t.Fatal(err)
	}
	err := seed("a\n1\n99999999999\n")
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Code != adapters.SQL || !strings.Contains(ae.Msg, "loading seed") || !strings.Contains(ae.Msg, "out of range") {
		t.Fatalf("got %v, want the server's out of range error", err)
	}
	rows, err := a.Query(ctx, "select a from s")
	if err != nil || len(rows.Values) != 1 {
		t.Fatalf("old table: %v %v", rows, err)
	}
}

// TestSeedVerbatimProgress checks progress of a verbatim load: estimates
// along the way, never backwards, the count last.
func TestSeedVerbatimProgress(t *testing.T) {
	a := openTest(t, pgtest.New(t))
	ctx := context.Background()
	var b bytes.Buffer
	b.WriteString("id,name\n")
	const n = 250_000
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,name %d\n", i, i)
	}
	data := b.Bytes()
	tab, err := csvseed.Infer(ctx, bytes.NewReader(data), csvseed.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var calls []int64
	w := &watched{VerbatimSource: csvseed.Open(io.MultiReader(bytes.NewReader(data)), tab, csvseed.Options{}).(adapters.VerbatimSource)}
	res, err := a.LoadSeed(ctx, adapters.Seed{
		Relation: adapters.Relation{Schema: "public", Identifier: "s"}, Columns: tab.Columns(csvseed.PostgresType), QuoteColumns: true,
		Rows: w, Progress: func(rows int64) { calls = append(calls, rows) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !w.verbatim || res.RowsAffected != n {
		t.Fatalf("verbatim %v, %d rows", w.verbatim, res.RowsAffected)
	}
	if len(calls) < 3 || calls[len(calls)-1] != n || !slices.IsSorted(calls) {
		t.Errorf("Progress calls %v; want some along the way, in order, and %d last", calls, n)
	}
}
