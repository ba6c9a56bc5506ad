package adaptertest

import (
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/gmodel/gmodel/adapters"
)

// Rows is a RowSource over rows held in memory; "\N" stands for NULL.
type Rows struct {
	rows [][]string
	i    int
}

// NewRows returns a RowSource yielding rows.
func NewRows(rows ...[]string) *Rows { return &Rows{rows: rows} }

// Next implements adapters.RowSource.
func (r *Rows) Next() ([]*string, error) {
	if r.i >= len(r.rows) {
		return nil, io.EOF
	}
	row := r.rows[r.i]
	r.i++
	out := make([]*string, len(row))
	for i := range row {
		if row[i] != `\N` {
			out[i] = &row[i]
		}
	}
	return out, nil
}

// generated yields n rows of (i, "name i").
type generated struct {
	n, i int
	a, b string
}

func (g *generated) Next() ([]*string, error) {
	if g.i >= g.n {
		return nil, io.EOF
	}
	g.i++
	g.a = strconv.Itoa(g.i)
	g.b = "name " + g.a
	return []*string{&g.a, &g.b}, nil
}

func cols(spec ...string) []adapters.Column {
	var out []adapters.Column
	for i := 0; i < len(spec); i += 2 {
		out = append(out, adapters.Column{Name: spec[i], DataType: spec[i+1]})
	}
	return out
}

func (e *env) seed(s adapters.Seed) adapters.Result {
	e.t.Helper()
	res, err := e.a.LoadSeed(e.ctx, s)
	if err != nil {
		e.t.Fatalf("LoadSeed %s: %v", s.Relation.Identifier, err)
	}
	return res
}

var seedTests = []test{
	{"TypesAndNulls", func(e *env) {
		res := e.seed(adapters.Seed{
			Relation:     e.rel("s"),
			Columns:      cols("id", "integer", "name", "varchar(50)", "amount", "decimal(10,2)", "day", "date", "flag", "boolean"),
			QuoteColumns: true,
			Rows: NewRows(
				[]string{"1", "plain", "1.50", "2024-01-31", "true"},
				[]string{"2", `\N`, `\N`, `\N`, `\N`},
				[]string{"3", "", "0", "2024-02-29", "false"},
			),
		})
		if res.RowsAffected != 3 {
			e.t.Errorf("RowsAffected %d, want 3 (%q)", res.RowsAffected, res.Message)
		}
		e.table("s", "id", "1|plain|1.5|2024-01-31|true", "2|NULL|NULL|NULL|NULL", "3||0|2024-02-29|false")
		e.want("select count(*) from "+e.render("s")+" where name = ''", "1")
	}},
	{"SpecialCharacters", func(e *env) {
		tricky := []string{"tab\there", "new\nline", `back\slash`, `\N is not null here`, "carriage\rreturn", `quote " and ' both`, "comma, too", "ünïcödé ✓"}
		var rows [][]string
		for i, s := range tricky {
			rows = append(rows, []string{strconv.Itoa(i), s})
		}
		e.seed(adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer", "v", "varchar(100)"), QuoteColumns: true, Rows: NewRows(rows...)})
		var want []string
		for i, s := range tricky { // NewRows reads only an exact `\N` as NULL
			want = append(want, fmt.Sprintf("%d|%s", i, s))
		}
		e.table("s", "id", want...)
	}},
	{"QuotedColumnNames", func(e *env) {
		e.seed(adapters.Seed{
			Relation:     e.rel("s"),
			Columns:      cols("Order ID", "integer", "select", "varchar(10)", "MixedCase", "varchar(10)", `a"b`, "varchar(10)"),
			QuoteColumns: true,
			Rows:         NewRows([]string{"1", "x", "y", "z"}),
		})
		e.wantColumns("s", "Order ID", "select", "MixedCase", `a"b`)
		e.want(fmt.Sprintf("select %s, %s from %s", e.q("Order ID"), e.q(`a"b`), e.render("s")), "1|z")
	}},
	{"UnquotedColumnNames", func(e *env) {
		e.seed(adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer", "name", "varchar(10)"), Rows: NewRows([]string{"1", "x"})})
		e.table("s", "id", "1|x")
	}},
	{"ReplaceKeepsDependentViews", func(e *env) {
		s := adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer", "name", "varchar(10)"), QuoteColumns: true, Rows: NewRows([]string{"1", "a"})}
		e.seed(s)
		e.build(e.model("view", "v", "select name from "+e.render("s")))
		s.Rows = NewRows([]string{"2", "b"}, []string{"3", "c"})
		e.seed(s)
		e.table("v", "name", "b", "c")
		s.Rows = NewRows([]string{"4", "d"})
		s.FullRefresh = true
		e.seed(s)
		e.table("v", "name", "d")
	}},
	{"FullRefreshChangesColumns", func(e *env) {
		e.seed(adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer"), QuoteColumns: true, Rows: NewRows([]string{"1"})})
		e.seed(adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "varchar(5)", "more", "integer"), QuoteColumns: true, Rows: NewRows([]string{"x", "2"}), FullRefresh: true})
		e.table("s", "id", "x|2")
	}},
	{"BadValueKeepsOldRows", func(e *env) {
		s := adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer"), QuoteColumns: true, Rows: NewRows([]string{"1"})}
		e.seed(s)
		s.Rows = NewRows([]string{"2"}, []string{"not a number"})
		if _, err := e.a.LoadSeed(e.ctx, s); err == nil {
			e.t.Fatal("no error loading a bad integer")
		}
		e.table("s", "id", "1")
	}},
	{"RowWidthMismatch", func(e *env) {
		_, err := e.a.LoadSeed(e.ctx, adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer", "b", "integer"), QuoteColumns: true,
			Rows: NewRows([]string{"1", "2"}, []string{"3"})})
		wantContains(e.t, err, "row 2")
		if e.relType("s") != "" {
			e.t.Errorf("a failed first load left a table")
		}
	}},
	{"Progress", func(e *env) {
		var mu sync.Mutex
		var calls []int64
		res := e.seed(adapters.Seed{
			Relation: e.rel("s"), Columns: cols("id", "integer", "name", "varchar(20)"), QuoteColumns: true,
			Rows: &generated{n: 250_000},
			Progress: func(n int64) {
				mu.Lock()
				calls = append(calls, n)
				mu.Unlock()
			},
		})
		if res.RowsAffected != 250_000 {
			e.t.Errorf("RowsAffected %d, want 250000", res.RowsAffected)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(calls) < 3 || calls[len(calls)-1] != 250_000 {
			e.t.Errorf("Progress calls %v; want some along the way and 250000 last", calls)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i] < calls[i-1] {
				e.t.Errorf("Progress went backwards: %v", calls)
			}
		}
		e.want("select count(*), max(id) from "+e.render("s"), "250000|250000")
	}},
}
