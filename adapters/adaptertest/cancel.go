package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

// slowQuery counts 10^10 rows of a cross join: hours on any engine, and
// standard SQL.
func slowQuery() string {
	q := "select count(*) from " + digits + " as d0(x)"
	for i := 1; i < 10; i++ {
		q += fmt.Sprintf(" cross join %s as d%d(x)", digits, i)
	}
	return q
}

// cancelBound is how long a cancelled statement may take to return: far
// more than it should (adapters' own tests measure it), so that a loaded
// machine does not fail the suite.
const cancelBound = 15 * time.Second

func (e *env) cancelled(run func(ctx context.Context) error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := run(ctx)
	took := time.Since(start)
	wantCode(e.t, err, adapters.Canceled)
	if !errors.Is(err, context.DeadlineExceeded) {
		e.t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if took > cancelBound {
		e.t.Errorf("the cancelled statement returned after %v", took)
	}
}

var cancelTests = []test{
	{"Query", func(e *env) {
		e.cancelled(func(ctx context.Context) error {
			_, err := e.a.Query(ctx, slowQuery())
			return err
		})
		// The adapter still works.
		e.want("select 1", "1")
	}},
	{"Exec", func(e *env) {
		e.cancelled(func(ctx context.Context) error {
			_, err := e.a.Exec(ctx, fmt.Sprintf("create table %s as %s", e.render("t"), slowQuery()))
			return err
		})
		if e.relType("t") != "" {
			e.t.Error("the cancelled statement's table exists")
		}
	}},
	{"MaterializeKeepsOld", func(e *env) {
		e.build(e.model("table", "t", "select 1 as id"))
		e.cancelled(func(ctx context.Context) error {
			_, err := e.a.Materialize(ctx, e.model("table", "t", "select c as id from ("+slowQuery()+") as s(c)").Materialization)
			return err
		})
		e.table("t", "id", "1")
	}},
	{"LoadSeed", func(e *env) {
		s := adapters.Seed{Relation: e.rel("s"), Columns: cols("id", "integer", "name", "varchar(20)"), QuoteColumns: true, Rows: NewRows([]string{"1", "a"})}
		e.seed(s)
		s.Rows = &generated{n: 1 << 62} // endless
		e.cancelled(func(ctx context.Context) error {
			_, err := e.a.LoadSeed(ctx, s)
			return err
		})
		e.table("s", "id", "1|a")
	}},
	{"AlreadyCancelled", func(e *env) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		_, err := e.a.Query(ctx, "select 1")
		wantCode(e.t, err, adapters.Canceled)
		if !errors.Is(err, context.Canceled) {
			e.t.Errorf("error %v does not wrap context.Canceled", err)
		}
	}},
}
