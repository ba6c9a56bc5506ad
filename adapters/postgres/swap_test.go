package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// pgEnv is a test's adapter on a fresh database.
type pgEnv struct {
	t   *testing.T
	a   *Adapter
	db  *pgtest.DB
	ctx context.Context
}

func newPGEnv(t *testing.T) *pgEnv {
	db := pgtest.New(t)
	return &pgEnv{t: t, a: openTest(t, db), db: db, ctx: context.Background()}
}

func (e *pgEnv) exec(sql string) {
	e.t.Helper()
	if _, err := e.a.Exec(e.ctx, sql); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

func (e *pgEnv) rows(sql string) []string {
	e.t.Helper()
	r, err := e.a.Query(e.ctx, sql)
	if err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for _, row := range r.Values {
		s := make([]string, len(row))
		for i, v := range row {
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, "|"))
	}
	return out
}

func (e *pgEnv) want(sql string, want ...string) {
	e.t.Helper()
	if got := e.rows(sql); !slices.Equal(got, want) {
		e.t.Errorf("%s:\n got %q\nwant %q", sql, got, want)
	}
}

func (e *pgEnv) table(schema, name, sql string) error {
	_, err := e.a.Materialize(e.ctx, adapters.Materialization{Kind: "table", Relation: adapters.Relation{Schema: schema, Identifier: name}, SQL: sql})
	return err
}

// role creates a role that is dropped with the test.
func (e *pgEnv) role(name string) string {
	e.t.Helper()
	name = name + "_" + e.db.Database
	e.exec(fmt.Sprintf("create role %s", name))
	e.t.Cleanup(func() {
		_, _ = e.a.Exec(context.Background(), fmt.Sprintf("drop owned by %s cascade; drop role %s", name, name))
	})
	return name
}

func TestDependentChain(t *testing.T) {
	e := newPGEnv(t)
	if err := e.table("public", "t", "select 1 as id, 'a'::text as name"); err != nil {
		t.Fatal(err)
	}
	e.exec(`
		create view v1 with (security_barrier) as select id, name from t;
		create view v2 as select id, upper(name) as up from v1;
		create view v3 as select v2.id, v2.up, v1.name from v2 join v1 using (id) where v1.id > 0;
		create view v4 as select id, name from v1 where id > 0 with local check option;
		create materialized view mv as select count(*) as n, max(name) as top from v1;
		create unique index mv_n on mv (n);
		create materialized view mv_empty as select id from v3 with no data;
		comment on view v2 is 'second level';
		comment on column v3.up is 'upper name';
		create function v1_insert() returns trigger language plpgsql as $$ begin return new; end $$;
		create trigger v1_ins instead of insert on v1 for each row execute function v1_insert();
		create rule v2_noop as on delete to v2 do instead nothing;
	`)
	before := e.rows(catalogSnapshot)
	if err := e.table("public", "t", "select * from (values (2, 'b'::text, 0), (3, 'c', 0)) as x(id, name, extra)"); err != nil {
		t.Fatal(err)
	}
	e.want("select id, up, name from v3 order by id", "2|B|b", "3|C|c")
	e.want("select n, top from mv", "2|c")
	e.want("select relispopulated from pg_class where relname = 'mv_empty'", "false")
	after := e.rows(catalogSnapshot)
	if !slices.Equal(before, after) {
		t.Errorf("the recreated views differ:\nbefore %q\n after %q", before, after)
	}
}

// catalogSnapshot is what recreating the dependents must keep.
const catalogSnapshot = `
select c.relname, c.relkind, coalesce(array_to_string(c.reloptions, ','), ''), coalesce(obj_description(c.oid, 'pg_class'), ''),
       coalesce((select string_agg(a.attname || '=' || coalesce(col_description(c.oid, a.attnum), ''), ',' order by a.attnum)
                 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0), ''),
       coalesce((select string_agg(tgname, ',' order by tgname) from pg_trigger where tgrelid = c.oid and not tgisinternal), ''),
       coalesce((select string_agg(rulename, ',' order by rulename) from pg_rewrite where ev_class = c.oid), ''),
       coalesce((select string_agg(pg_get_indexdef(indexrelid), ',') from pg_index where indrelid = c.oid), ''),
       pg_get_userbyid(c.relowner), coalesce(c.relacl::text, '')
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and c.relkind in ('v', 'm')
order by n.nspname, c.relname`

func TestDependentInAnotherSchema(t *testing.T) {
	e := newPGEnv(t)
	e.exec("create schema models; create schema reports")
	if err := e.table("models", "orders", "select 1 as id"); err != nil {
		t.Fatal(err)
	}
	e.exec(`create view reports.order_count as select count(*) as n from models.orders;
		create view "Reports View" as select n from reports.order_count`)
	if err := e.table("models", "orders", "select generate_series(1, 5) as id"); err != nil {
		t.Fatal(err)
	}
	e.want(`select n from "Reports View"`, "5")
}

func TestPrivilegesAndOwnersKept(t *testing.T) {
	e := newPGEnv(t)
	reader := e.role("reader")
	owner := e.role("viewowner")
	tableOwner := e.role("tableowner")
	e.exec(fmt.Sprintf("grant create on schema public to %s, %s", owner, tableOwner))
	if err := e.table("public", "t", "select 1 as id, 2 as secret"); err != nil {
		t.Fatal(err)
	}
	e.exec(fmt.Sprintf(`
		grant select on t to %[1]s;
		grant select (id), update (id) on t to %[2]s;
		alter table t owner to %[3]s;
		create view v as select id from t;
		grant select on v to %[1]s with grant option;
		grant select (id) on v to public;
		alter view v owner to %[2]s;
	`, reader, owner, tableOwner))
	snapshot := fmt.Sprintf(`select c.relname, pg_get_userbyid(c.relowner),
		has_table_privilege('%[1]s', c.oid, 'select'), has_table_privilege('%[1]s', c.oid, 'select with grant option'),
		has_column_privilege('public', c.oid, 'id', 'select')
		from pg_class c where c.relname in ('t', 'v') order by 1`, reader)
	before := e.rows(snapshot)
	if err := e.table("public", "t", "select 2 as id, 3 as secret"); err != nil {
		t.Fatalf("%v\n%#v", err, err)
	}
	after := e.rows(snapshot)
	if !slices.Equal(before, after) {
		t.Errorf("privileges or owners changed:\nbefore %q\n after %q", before, after)
	}
	e.want("select id from v", "2")
	// The view's column grant and grant option came back exactly.
	e.want("select relacl::text from pg_class where relname = 'v'",
		fmt.Sprintf("{%[2]s=arwdDxt/%[2]s,%[1]s=r*/%[2]s}", reader, owner))
}

// TestFailureMidBuildKeepsEverything fails a model on its 1000th row
// while a chain of views reads the table.
func TestFailureMidBuildKeepsEverything(t *testing.T) {
	e := newPGEnv(t)
	if err := e.table("public", "t", "select generate_series(1, 10) as id"); err != nil {
		t.Fatal(err)
	}
	e.exec("create view v1 as select id from t; create view v2 as select count(*) as n from v1")
	err := e.table("public", "t", "select 1 / (1000 - id) as id from generate_series(1, 100000) as id")
	if err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("error %v, want division by zero", err)
	}
	e.want("select n from v2", "10")
	e.want("select count(*) from pg_class where relname like '%gmodel%'", "0")
}

func TestDependentViewOfOtherOwnerNeedsMembership(t *testing.T) {
	e := newPGEnv(t)
	stranger := e.role("stranger")
	builder := e.role("builder")
	e.exec(fmt.Sprintf("grant create, usage on schema public to %[1]s, %[2]s", stranger, builder))
	e.exec(fmt.Sprintf("set role %s", builder))
	// The pool has four connections; build as the builder everywhere.
	p := profile(e.db)
	p.Role = builder
	b := openProfile(t, p)
	e.exec("reset role")
	rel := adapters.Relation{Schema: "public", Identifier: "t"}
	if _, err := b.Materialize(e.ctx, adapters.Materialization{Kind: "table", Relation: rel, SQL: "select 1 as id"}); err != nil {
		t.Fatal(err)
	}
	e.exec(fmt.Sprintf("grant select on t to %[1]s; set role %[1]s; create view theirs as select id from t; reset role", stranger))
	_, err := b.Materialize(e.ctx, adapters.Materialization{Kind: "table", Relation: rel, SQL: "select 2 as id"})
	if err == nil {
		t.Fatal("replaced a table read by a view the builder cannot recreate")
	}
	for _, w := range []string{`"public"."theirs"`, "must be owner", "hint:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	e.want("select id from theirs", "1")
}

func TestMergeNeedsPostgres15(t *testing.T) {
	a := &Adapter{version: 140011}
	err := a.checkIncremental(&adapters.Incremental{Strategy: "merge", UniqueKey: []string{"id"}})
	wantCodeT(t, err, adapters.Invalid)
	if err == nil || !strings.Contains(err.Error(), "delete+insert") {
		t.Errorf("error %v does not suggest delete+insert", err)
	}
}

func TestLockNamesHolder(t *testing.T) {
	e := newPGEnv(t)
	unlock, err := e.a.Lock(e.ctx, "", "analytics", false)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	p := profile(e.db)
	p.ApplicationName = "second-run"
	other := openProfile(t, p)
	_, err = other.Lock(e.ctx, e.db.Database, "analytics", false)
	wantCodeT(t, err, adapters.Locked)
	for _, w := range []string{`schema "analytics"`, "pid ", `application_name "gmodel-test"`, "connected since", "user postgres"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
	// Another database is refused, not silently locked.
	_, err = other.Lock(e.ctx, "elsewhere", "analytics", false)
	wantCodeT(t, err, adapters.Invalid)
}
