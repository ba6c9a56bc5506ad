package adaptertest

import (
	"github.com/gmodel/gmodel/adapters"
)

// incr builds the incremental model name from sql with inc.
func (e *env) incr(name, sql string, inc adapters.Incremental) adapters.Result {
	e.t.Helper()
	return e.build(e.model("incremental", name, sql).incremental(inc))
}

var incrementalTests = []test{
	{"Append", func(e *env) {
		inc := adapters.Incremental{Strategy: "append"}
		e.incr("m", values("id, name", "1, 'a'", "2, 'b'"), inc)
		res := e.incr("m", values("id, name", "2, 'z'", "3, 'c'"), inc)
		e.wantWritten(res, 2)
		e.table("m", "id, name", "1|a", "2|b", "2|z", "3|c")
	}},
	{"DefaultWithoutKeyAppends", func(e *env) {
		e.incr("m", values("id", "1"), adapters.Incremental{})
		e.incr("m", values("id", "1"), adapters.Incremental{})
		e.table("m", "id", "1", "1")
	}},
	{"DeleteInsert", func(e *env) {
		inc := adapters.Incremental{Strategy: "delete+insert", UniqueKey: []string{"id"}}
		e.incr("m", values("id, name", "1, 'a'", "2, 'b'"), inc)
		e.incr("m", values("id, name", "2, 'B'", "3, 'c'"), inc)
		e.table("m", "id", "1|a", "2|B", "3|c")
	}},
	{"DefaultWithKeyIsDeleteInsert", func(e *env) {
		inc := adapters.Incremental{UniqueKey: []string{"id"}}
		e.incr("m", values("id, name", "1, 'a'", "2, 'b'"), inc)
		e.incr("m", values("id, name", "2, 'B'"), inc)
		e.table("m", "id", "1|a", "2|B")
	}},
	{"DeleteInsertCompositeKey", func(e *env) {
		inc := adapters.Incremental{Strategy: "delete+insert", UniqueKey: []string{"k1", "k2"}}
		e.incr("m", values("k1, k2, v", "1, 1, 'a'", "1, 2, 'b'", "2, 1, 'c'"), inc)
		e.incr("m", values("k1, k2, v", "1, 2, 'B'", "2, 2, 'd'"), inc)
		e.table("m", "k1, k2", "1|1|a", "1|2|B", "2|1|c", "2|2|d")
	}},
	{"DeleteInsertPredicates", func(e *env) {
		// dbt's BaseIncrementalPredicates: the predicate keeps id 2 from
		// being deleted, so its new row is added beside the old one.
		inc := adapters.Incremental{Strategy: "delete+insert", UniqueKey: []string{"id"}, Predicates: []string{"id <> 2"}}
		e.incr("m", values("id, msg", "1, 'hello'", "2, 'goodbye'"), inc)
		e.incr("m", values("id, msg", "1, 'hey'", "2, 'yo'", "3, 'anyway'"), inc)
		e.table("m", "id, msg", "1|hey", "2|goodbye", "2|yo", "3|anyway")
	}},
	{"DeleteInsertPredicatesOnly", func(e *env) {
		inc := adapters.Incremental{Strategy: "delete+insert", Predicates: []string{"DBT_INTERNAL_DEST.day >= 2"}}
		e.incr("m", values("day, n", "1, 10", "2, 20"), inc)
		e.incr("m", values("day, n", "2, 21", "3, 30"), inc)
		e.table("m", "day", "1|10", "2|21", "3|30")
	}},
	{"Merge", func(e *env) {
		inc := adapters.Incremental{Strategy: "merge", UniqueKey: []string{"id"}}
		e.incr("m", values("id, name", "1, 'a'", "2, 'b'"), inc)
		e.incr("m", values("id, name", "2, 'B'", "3, 'c'"), inc)
		e.table("m", "id", "1|a", "2|B", "3|c")
	}},
	{"MergeCompositeKeyAndPredicates", func(e *env) {
		inc := adapters.Incremental{Strategy: "merge", UniqueKey: []string{"k1", "k2"}, Predicates: []string{"DBT_INTERNAL_DEST.k1 <> 2"}}
		e.incr("m", values("k1, k2, v", "1, 1, 'a'", "2, 1, 'b'"), inc)
		e.incr("m", values("k1, k2, v", "1, 1, 'A'", "2, 1, 'z'"), inc)
		e.table("m", "k1, k2, v", "1|1|A", "2|1|b", "2|1|z")
	}},
	{"MergeWithoutKeyAppends", func(e *env) {
		inc := adapters.Incremental{Strategy: "merge"}
		e.incr("m", values("id", "1"), inc)
		e.incr("m", values("id", "1"), inc)
		e.table("m", "id", "1", "1")
	}},
	{"FullRefresh", func(e *env) {
		inc := adapters.Incremental{Strategy: "append"}
		e.incr("m", values("id", "1"), inc)
		m := e.model("incremental", "m", values("id, name", "2, 'b'")).incremental(inc)
		m.FullRefresh = true
		e.build(m)
		e.table("m", "id", "2|b")
	}},
	{"ReplacesView", func(e *env) {
		e.build(e.model("view", "m", values("id", "1")))
		e.incr("m", values("id", "2"), adapters.Incremental{Strategy: "append"})
		if got := e.relType("m"); got != adapters.Table {
			e.t.Errorf("type %q, want table", got)
		}
		e.table("m", "id", "2")
	}},
	{"FailedRunKeepsRows", func(e *env) {
		inc := adapters.Incremental{Strategy: "delete+insert", UniqueKey: []string{"id"}}
		e.incr("m", values("id", "1", "2"), inc)
		e.buildErr(e.model("incremental", "m", "select 1 / (n - 999) as id from ("+thousand+") as g").incremental(inc))
		e.table("m", "id", "1", "2")
	}},
	{"DependentViewsSurvive", func(e *env) {
		inc := adapters.Incremental{Strategy: "append", OnSchemaChange: "sync_all_columns"}
		e.incr("m", values("id, name, gone", "1, 'a', 0"), inc)
		e.build(e.model("view", "v", "select id, name from "+e.render("m")))
		// sync_all_columns drops "gone" and retypes nothing the view reads.
		e.incr("m", values("id, name", "2, 'b'"), inc)
		e.table("v", "id", "1|a", "2|b")
	}},
	{"UnknownStrategy", func(e *env) {
		err := e.buildErr(e.model("incremental", "m", "select 1 as id").incremental(adapters.Incremental{Strategy: "insert_overwrite_everything"}))
		wantCode(e.t, err, adapters.Invalid)
	}},
	{"OnSchemaChangeIgnore", func(e *env) {
		inc := adapters.Incremental{Strategy: "append", OnSchemaChange: "ignore"}
		e.incr("m", values("id, name", "1, 'a'"), inc)
		e.incr("m", values("id, name, extra", "2, 'b', 9"), inc)
		e.wantColumns("m", "id", "name")
		e.table("m", "id", "1|a", "2|b")
		// A column the model no longer has fails the run, as in dbt.
		e.buildErr(e.model("incremental", "m", values("id", "3")).incremental(inc))
		e.table("m", "id", "1|a", "2|b")
	}},
	{"OnSchemaChangeFail", func(e *env) {
		inc := adapters.Incremental{Strategy: "append", OnSchemaChange: "fail"}
		e.incr("m", values("id, name", "1, 'a'"), inc)
		e.incr("m", values("id, name", "2, 'b'"), inc) // unchanged: fine
		err := e.buildErr(e.model("incremental", "m", values("id, extra", "3, 9")).incremental(inc))
		wantCode(e.t, err, adapters.Invalid)
		wantContains(e.t, err, "extra", "name")
		e.table("m", "id", "1|a", "2|b")
	}},
	{"OnSchemaChangeAppendNewColumns", func(e *env) {
		inc := adapters.Incremental{Strategy: "append", OnSchemaChange: "append_new_columns"}
		e.incr("m", values("id, name", "1, 'a'"), inc)
		e.incr("m", values("id, extra", "2, 9"), inc)
		e.wantColumns("m", "id", "name", "extra")
		e.table("m", "id", "1|a|NULL", "2|NULL|9")
	}},
	{"OnSchemaChangeSyncAllColumns", func(e *env) {
		inc := adapters.Incremental{Strategy: "merge", UniqueKey: []string{"id"}, OnSchemaChange: "sync_all_columns"}
		e.incr("m", values("id, name, n", "1, 'a', 1"), inc)
		e.incr("m", values("id, n, extra", "2, 'two', 9"), inc)
		e.wantColumns("m", "id", "n", "extra")
		e.table("m", "id", "1|1|NULL", "2|two|9")
	}},
}
