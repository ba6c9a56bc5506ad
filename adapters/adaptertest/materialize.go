package adaptertest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

var viewTests = []test{
	{"CreateAndReplace", func(e *env) {
		e.build(e.model("view", "v", values("id, name", "1, 'a'")))
		if got := e.relType("v"); got != adapters.View {
			e.t.Errorf("type %q, want view", got)
		}
		e.table("v", "id", "1|a")
		// The same columns plus one.
		e.build(e.model("view", "v", values("id, name, extra", "2, 'b', 3")))
		e.table("v", "id", "2|b|3")
		// Columns removed and retyped.
		e.build(e.model("view", "v", values("name", "'c'")))
		e.table("v", "name", "c")
		e.build(e.model("view", "v", "select 'x' as id"))
		e.table("v", "id", "x")
	}},
	{"ReplacesTable", func(e *env) {
		e.build(e.model("table", "r", "select 1 as id"))
		e.build(e.model("view", "r", "select 2 as id"))
		if got := e.relType("r"); got != adapters.View {
			e.t.Errorf("type %q, want view", got)
		}
		e.table("r", "id", "2")
	}},
	{"FailedBuildKeepsOld", func(e *env) {
		e.build(e.model("view", "v", "select 1 as id"))
		err := e.buildErr(e.model("view", "v", "select nosuchcolumn from "+e.render("v")))
		wantCode(e.t, err, adapters.SQL)
		e.table("v", "id", "1")
		// An incompatible replacement that fails too.
		e.buildErr(e.model("view", "v", "select 'a' as other, nosuchcolumn from "+e.render("v")))
		e.table("v", "id", "1")
	}},
	{"ErrorPositionInModel", func(e *env) {
		// Leading blank lines (a config() call renders to nothing) count too.
		for _, kind := range []string{"view", "table"} {
			for _, lead := range []string{"", "\n\n"} {
				sql := lead + "select 1 as id,\n  nosuchcolumn as x"
				err := e.buildErr(e.model(kind, "v_"+kind, sql))
				if err.SQL != sql {
					e.t.Errorf("%s %q: error SQL %q, want the model's SQL", kind, lead, err.SQL)
				} else if want := len(lead+"select 1 as id,\n  ") + 1; err.Position != want {
					e.t.Errorf("%s %q: error position %d, want %d", kind, lead, err.Position, want)
				}
			}
		}
	}},
}

var tableTests = []test{
	{"CreateAndReplace", func(e *env) {
		res := e.build(e.model("table", "t", values("id, name", "1, 'a'", "2, 'b'")))
		e.wantWritten(res, 2)
		if got := e.relType("t"); got != adapters.Table {
			e.t.Errorf("type %q, want table", got)
		}
		e.table("t", "id", "1|a", "2|b")
		e.build(e.model("table", "t", values("id, other", "3, 'c'")))
		e.table("t", "id", "3|c")
		e.wantColumns("t", "id", "other")
	}},
	{"ReplacesView", func(e *env) {
		e.build(e.model("view", "r", "select 1 as id"))
		e.build(e.model("table", "r", "select 2 as id"))
		if got := e.relType("r"); got != adapters.Table {
			e.t.Errorf("type %q, want table", got)
		}
		e.table("r", "id", "2")
	}},
	{"FailedBuildKeepsOld", func(e *env) {
		e.build(e.model("table", "t", values("id", "1", "2")))
		// Fails on the 1000th row, after 999 were written.
		err := e.buildErr(e.model("table", "t", "select 1 / (n - 999) as id from ("+thousand+") as g"))
		wantCode(e.t, err, adapters.SQL)
		e.table("t", "id", "1", "2")
		e.wantColumns("t", "id")
		e.build(e.model("table", "t", values("id", "3")))
		e.table("t", "id", "3")
	}},
	{"ReadersNeverSeeItMissing", func(e *env) {
		e.build(e.model("table", "t", "select 0 as id"))
		e.build(e.model("view", "v", "select * from "+e.render("t")))
		var stop atomic.Bool
		var wg sync.WaitGroup
		var failures atomic.Int64
		var firstErr atomic.Value
		for _, rel := range []string{"t", "v"} {
			wg.Go(func() {
				for !stop.Load() {
					if _, err := e.a.Query(e.ctx, "select count(*) from "+e.render(rel)); err != nil {
						failures.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
				}
			})
		}
		for i := 1; i <= 10; i++ {
			e.build(e.model("table", "t", fmt.Sprintf("select %d as id", i)))
			time.Sleep(5 * time.Millisecond)
		}
		stop.Store(true)
		wg.Wait()
		if n := failures.Load(); n > 0 {
			e.t.Errorf("%d reads failed during rebuilds; first: %v", n, firstErr.Load())
		}
		e.table("v", "id", "10")
	}},
	{"ConcurrentBuilds", func(e *env) {
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Go(func() {
				_, err := e.a.Materialize(e.ctx, e.model("table", fmt.Sprintf("t%02d", i), fmt.Sprintf("select %d as id", i)).Materialization)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				e.t.Error(err)
			}
		}
		e.table("t15", "id", "15")
	}},
	{"UnknownKind", func(e *env) {
		err := e.buildErr(e.model("snapshot", "s", "select 1 as id"))
		wantCode(e.t, err, adapters.Invalid)
	}},
}

var dependentTests = []test{
	{"ViewsSurviveTableRebuild", func(e *env) {
		e.build(e.model("table", "t", values("id, name", "1, 'a'")))
		e.build(e.model("view", "v1", "select id, name from "+e.render("t")))
		e.build(e.model("view", "v2", "select id from "+e.render("v1")))
		e.build(e.model("view", "v3", "select v2.id, v1.name from "+e.render("v2")+" as v2 join "+e.render("v1")+" as v1 on v1.id = v2.id"))
		// New rows, a new column, and a retyped one no view reads.
		e.build(e.model("table", "t", values("id, name, extra", "2, 'b', 9", "3, 'c', 8")))
		e.table("v1", "id", "2|b", "3|c")
		e.table("v3", "id", "2|b", "3|c")
		for _, v := range []string{"v1", "v2", "v3"} {
			if got := e.relType(v); got != adapters.View {
				e.t.Errorf("%s is %q after the rebuild, want view", v, got)
			}
		}
	}},
	{"ViewsSurviveViewRebuild", func(e *env) {
		e.build(e.model("view", "base", "select 1 as id, 'a' as name"))
		e.build(e.model("view", "top", "select name from "+e.render("base")))
		// Incompatible with CREATE OR REPLACE: a column removed.
		e.build(e.model("view", "base", "select 'b' as name"))
		e.table("top", "name", "b")
	}},
	{"ViewsSurviveTableBecomingView", func(e *env) {
		e.build(e.model("table", "r", "select 1 as id"))
		e.build(e.model("view", "reader", "select id from "+e.render("r")))
		e.build(e.model("view", "r", "select 2 as id"))
		e.table("reader", "id", "2")
	}},
	{"RemovedColumnFailsAndKeepsAll", func(e *env) {
		e.build(e.model("table", "t", values("id, name", "1, 'a'")))
		e.build(e.model("view", "names", "select name from "+e.render("t")))
		err := e.buildErr(e.model("table", "t", values("id", "2")))
		wantContains(e.t, err, "names")
		e.table("t", "id", "1|a")
		e.table("names", "name", "a")
	}},
}

var hookTests = []test{
	{"InsideAndOutsideTheTransaction", func(e *env) {
		m := e.model("table", "t", "select 1 / 0 as id")
		m.PreHooks = []adapters.Hook{
			{SQL: fmt.Sprintf("create table %s (x integer)", e.render("outside")), Transaction: false},
			{SQL: fmt.Sprintf("create table %s (x integer)", e.render("inside")), Transaction: true},
		}
		e.buildErr(m)
		if e.relType("outside") == "" {
			e.t.Errorf("the pre-hook outside the transaction did not stay")
		}
		if e.relType("inside") != "" {
			e.t.Errorf("the pre-hook inside the transaction was not rolled back")
		}
	}},
	{"Order", func(e *env) {
		e.exec(fmt.Sprintf("create table %s (step integer, what varchar(20))", e.render("log")))
		ins := func(step int, what string) string {
			return fmt.Sprintf("insert into %s values (%d, '%s')", e.render("log"), step, what)
		}
		m := e.model("table", "t", "select 1 as id")
		m.PreHooks = []adapters.Hook{{SQL: ins(2, "pre inside"), Transaction: true}, {SQL: ins(1, "pre outside")}}
		m.PostHooks = []adapters.Hook{{SQL: ins(4, "post outside")}, {SQL: ins(3, fmt.Sprintf("post %d", 0)), Transaction: true}}
		e.build(m)
		e.table("log", "step", "1|pre outside", "2|pre inside", "3|post 0", "4|post outside")
	}},
	{"FailingHookFailsTheBuild", func(e *env) {
		e.build(e.model("table", "t", "select 1 as id"))
		m := e.model("table", "t", "select 2 as id")
		m.PostHooks = []adapters.Hook{{SQL: "select nosuchcolumn from " + e.render("t"), Transaction: true}}
		err := e.buildErr(m)
		wantContains(e.t, err, "post-hook")
		e.table("t", "id", "1")
	}},
}
