package adaptertest

import (
	"fmt"
	"slices"
	"sync"

	"github.com/gmodel/gmodel/adapters"
)

var basicTests = []test{
	{"QueryTypes", func(e *env) {
		r, err := e.a.Query(e.ctx, "select 1 as i, 'x' as s, cast(null as integer) as n, true as b, 2.5 as f")
		if err != nil {
			e.t.Fatal(err)
		}
		if want := []string{"i", "s", "n", "b", "f"}; !slices.Equal(r.Columns, want) {
			e.t.Errorf("columns %q, want %q", r.Columns, want)
		}
		if len(r.Values) != 1 {
			e.t.Fatalf("%d rows, want 1", len(r.Values))
		}
		row := r.Values[0]
		if _, ok := row[0].(int64); !ok {
			e.t.Errorf("integer came back as %T, want int64", row[0])
		}
		if row[1] != "x" || row[2] != nil || row[3] != true {
			e.t.Errorf("row %#v", row)
		}
		if f, ok := row[4].(float64); !ok || f != 2.5 {
			e.t.Errorf("2.5 came back as %T %v, want float64", row[4], row[4])
		}
	}},
	{"ExecReportsStatus", func(e *env) {
		e.exec(fmt.Sprintf("create table %s (id integer)", e.render("t")))
		res, err := e.a.Exec(e.ctx, fmt.Sprintf("insert into %s values (1), (2), (3)", e.render("t")))
		if err != nil {
			e.t.Fatal(err)
		}
		e.wantWritten(res, 3)
	}},
	{"SQLErrorHasPosition", func(e *env) {
		sql := "select nosuchcolumn from " + e.render("nosuchtable")
		_, err := e.a.Query(e.ctx, sql)
		wantCode(e.t, err, adapters.SQL)
		var ae *adapters.Error
		if asErr(err, &ae) && (ae.SQL != sql || ae.Position <= 0) {
			e.t.Errorf("error SQL %q position %d; want the statement and a position", ae.SQL, ae.Position)
		}
	}},
	{"EnsureSchemaIdempotentAndConcurrent", func(e *env) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- e.a.EnsureSchema(e.ctx, "", e.schema+"_new") })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				e.t.Errorf("concurrent EnsureSchema: %v", err)
			}
		}
		if err := e.a.EnsureSchema(e.ctx, "", e.schema+"_new"); err != nil {
			e.t.Errorf("EnsureSchema again: %v", err)
		}
	}},
	{"ListRelations", func(e *env) {
		rels, err := e.a.ListRelations(e.ctx, "", e.schema+"_missing")
		if err != nil || len(rels) != 0 {
			e.t.Errorf("missing schema: %v, %v; want none and no error", rels, err)
		}
		e.build(e.model("table", "b_table", "select 1 as id"))
		e.build(e.model("view", "a_view", "select 1 as id"))
		rels, err = e.a.ListRelations(e.ctx, "", e.schema)
		if err != nil {
			e.t.Fatal(err)
		}
		var got []string
		for _, r := range rels {
			if r.Schema != e.schema {
				e.t.Errorf("relation %v is not in schema %s", r, e.schema)
			}
			got = append(got, r.Identifier+":"+string(r.Type))
		}
		if want := []string{"a_view:view", "b_table:table"}; !slices.Equal(got, want) {
			e.t.Errorf("ListRelations %q, want %q", got, want)
		}
	}},
	{"Columns", func(e *env) {
		e.build(e.model("table", "t", "select 1 as b, 'x' as a, cast(null as integer) as c"))
		e.wantColumns("t", "b", "a", "c")
		_, err := e.a.Columns(e.ctx, e.rel("missing"))
		wantCode(e.t, err, adapters.NotFound)
	}},
}
