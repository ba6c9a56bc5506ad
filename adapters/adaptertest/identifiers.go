package adaptertest

import (
	"fmt"
	"slices"

	"github.com/gmodel/gmodel/adapters"
)

// oddNames are relation and column names that need quoting.
var oddNames = []string{"Order Items", "select", "MixedCase", `a"b`}

func identifierTest(name string) test {
	return test{name, func(e *env) {
		// The schema is odd too.
		e.schema = e.schema + ` Odd "Schema"`
		if err := e.a.EnsureSchema(e.ctx, "", e.schema); err != nil {
			e.t.Fatal(err)
		}
		col := e.q(name)
		tbl, view, inc, seed := name, name+" view", name+" inc", name+" seed"
		e.build(e.model("table", tbl, fmt.Sprintf("select 1 as %s, 'a' as other", col)))
		e.build(e.model("table", tbl, fmt.Sprintf("select 2 as %s, 'b' as other", col)))
		e.build(e.model("view", view, fmt.Sprintf("select %s from %s", col, e.render(tbl))))
		e.build(e.model("table", tbl, fmt.Sprintf("select 3 as %s, 'c' as other", col)))
		e.table(view, col, "3")
		e.wantColumns(tbl, name, "other")

		for _, strategy := range []string{"delete+insert", "merge"} {
			m := e.model("incremental", inc+" "+strategy, values(col+", v", "1, 'a'", "2, 'b'")).
				incremental(adapters.Incremental{Strategy: strategy, UniqueKey: []string{col}, OnSchemaChange: "append_new_columns"})
			e.build(m)
			m.SQL = values(col+", v, "+e.q(name+" new"), "2, 'B', 1", "3, 'c', 2")
			e.build(m)
			e.table(inc+" "+strategy, col, "1|a|NULL", "2|B|1", "3|c|2")
		}

		e.seed(adapters.Seed{Relation: e.rel(seed), Columns: cols(name, "integer"), QuoteColumns: true, Rows: NewRows([]string{"7"})})
		e.seed(adapters.Seed{Relation: e.rel(seed), Columns: cols(name, "integer"), QuoteColumns: true, Rows: NewRows([]string{"8"})})
		e.table(seed, col, "8")

		rels, err := e.a.ListRelations(e.ctx, "", e.schema)
		if err != nil {
			e.t.Fatal(err)
		}
		var got []string
		for _, r := range rels {
			got = append(got, r.Identifier)
		}
		want := []string{tbl, view, inc + " delete+insert", inc + " merge", seed}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			e.t.Errorf("ListRelations %q, want %q", got, want)
		}
	}}
}

var identifierTests = func() []test {
	var tests []test
	for _, n := range oddNames {
		tests = append(tests, identifierTest(n))
	}
	return tests
}()
