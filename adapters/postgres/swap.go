package postgres

// Replacing a relation that views read.
//
// A view binds to the relations it reads by oid, so a rebuilt table is a new
// object the old views do not see, and Postgres refuses to drop the old one
// while views read it. dbt drops it with CASCADE, and the views go with it
// (dbt-core #2185). gmodel instead, inside the build's transaction: finds
// every view and materialized view that reads the relation, directly or
// through other views; records their definitions, options, owners,
// privileges (column ones too), comments, rules and triggers (and a
// materialized view's indexes and whether it was populated); drops them,
// the farthest first; locks the relation; replaces it; and recreates them
// in dependency order, so that they bind to the new relation. A view that
// no longer fits (a column it reads is gone) fails the transaction with a
// message naming it, and everything, the old relation included, stays.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gmodel/gmodel/adapters"
)

// object is a relation found in the catalog.
type object struct {
	oid          uint32
	schema, name string
	kind         byte // pg_class.relkind
}

func (o *object) String() string { return qualified(o.schema, o.name) }

// keyword is the word DDL uses for the object's kind.
func (o *object) keyword() string { return kindKeyword(o.kind) }

func kindKeyword(kind byte) string {
	switch kind {
	case 'v':
		return "VIEW"
	case 'm':
		return "MATERIALIZED VIEW"
	case 'f':
		return "FOREIGN TABLE"
	}
	return "TABLE"
}

// lookup finds schema.name among the relations; nil when there is none.
func lookup(ctx context.Context, q querier, schema, name string) (*object, error) {
	const sql = `
select c.oid, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')`
	o := &object{schema: schema, name: name}
	err := q.QueryRow(ctx, sql, schema, name).Scan(&o.oid, &o.kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqlError(ctx, err, sql)
	}
	return o, nil
}

// dependentsSQL lists the views and materialized views that read $1,
// directly or through other views, each with the length of its longest
// path to $1: recreating them by increasing depth recreates every view
// after the views it reads.
const dependentsSQL = `
with recursive dep(oid, depth) as (
    select r.ev_class, 1
    from pg_depend d join pg_rewrite r on r.oid = d.objid
    where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
      and d.refobjid = $1 and r.ev_class <> $1
  union
    select r.ev_class, dep.depth + 1
    from dep
    join pg_depend d on d.refobjid = dep.oid
      and d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass
    join pg_rewrite r on r.oid = d.objid
    where r.ev_class <> dep.oid and dep.depth < 100
)
select c.oid, n.nspname, c.relname, c.relkind, max(dep.depth)
from dep join pg_class c on c.oid = dep.oid join pg_namespace n on n.oid = c.relnamespace
group by c.oid, n.nspname, c.relname, c.relkind
order by max(dep.depth), n.nspname, c.relname`

type dependent struct {
	object
	depth int
	state *relState
}

func findDependents(ctx context.Context, q querier, oid uint32) ([]dependent, error) {
	rows, err := q.Query(ctx, dependentsSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, dependentsSQL)
	}
	deps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dependent, error) {
		var d dependent
		err := r.Scan(&d.oid, &d.schema, &d.name, &d.kind, &d.depth)
		return d, err
	})
	if err != nil {
		return nil, sqlError(ctx, err, dependentsSQL)
	}
	return deps, nil
}

// relState is what recreating a relation must restore.
type relState struct {
	def       string   // pg_get_viewdef, for views
	options   []string // reloptions, "key=value"
	populated bool     // materialized views
	owner     string   // quoted role name
	grants    []grant
	comment   *string
	colNotes  [][2]string // column name, comment
	extras    []string    // CREATE RULE, CREATE TRIGGER, CREATE INDEX statements
	colGrants []colGrant
}

type grant struct {
	grantee   string // quoted role, or PUBLIC
	privilege string
	grantable bool
}

type colGrant struct {
	grant
	column string
}

const stateSQL = `
select case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end,
       coalesce(c.reloptions, '{}'), c.relispopulated,
       quote_ident(pg_get_userbyid(c.relowner)), obj_description(c.oid, 'pg_class')
from pg_class c where c.oid = $1`

const grantsSQL = `
select case when a.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(a.grantee)) end,
       a.privilege_type, a.is_grantable
from pg_class c, aclexplode(c.relacl) a
where c.oid = $1 and a.grantee <> c.relowner
order by 1, 2`

const colGrantsSQL = `
select att.attname, case when a.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(a.grantee)) end,
       a.privilege_type, a.is_grantable
from pg_attribute att, aclexplode(att.attacl) a
where att.attrelid = $1 and att.attnum > 0 and not att.attisdropped and att.attacl is not null
order by 1, 2, 3`

const colNotesSQL = `
select a.attname, d.description
from pg_description d join pg_attribute a on a.attrelid = d.objoid and a.attnum = d.objsubid
where d.objoid = $1 and d.classoid = 'pg_class'::regclass and d.objsubid > 0
order by a.attnum`

// extrasSQL: rules other than a view's own, user triggers, and indexes (of
// materialized views) as the statements that recreate them.
const extrasSQL = `
select pg_get_ruledef(oid) from pg_rewrite where ev_class = $1 and rulename <> '_RETURN'
union all
select pg_get_triggerdef(oid) from pg_trigger where tgrelid = $1 and not tgisinternal
union all
select pg_get_indexdef(indexrelid) from pg_index where indrelid = $1`

// captureState reads what recreating oid must restore: with full, all of
// it (for a dependent view); else the owner and privileges (for a model's
// own relation, whose definition, comments and indexes are the model's).
// The caller has set an empty search_path, so that definitions name every
// relation by schema.
func captureState(ctx context.Context, q querier, oid uint32, full bool) (*relState, error) {
	s := &relState{}
	var def *string
	if err := q.QueryRow(ctx, stateSQL, oid).Scan(&def, &s.options, &s.populated, &s.owner, &s.comment); err != nil {
		return nil, sqlError(ctx, err, stateSQL)
	}
	if def != nil {
		s.def = strings.TrimRight(strings.TrimSpace(*def), ";")
	}
	rows, err := q.Query(ctx, grantsSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, grantsSQL)
	}
	s.grants, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (grant, error) {
		var g grant
		err := r.Scan(&g.grantee, &g.privilege, &g.grantable)
		return g, err
	})
	if err != nil {
		return nil, sqlError(ctx, err, grantsSQL)
	}
	rows, err = q.Query(ctx, colGrantsSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, colGrantsSQL)
	}
	s.colGrants, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (colGrant, error) {
		var g colGrant
		err := r.Scan(&g.column, &g.grantee, &g.privilege, &g.grantable)
		return g, err
	})
	if err != nil {
		return nil, sqlError(ctx, err, colGrantsSQL)
	}
	if !full {
		return s, nil
	}
	rows, err = q.Query(ctx, colNotesSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, colNotesSQL)
	}
	s.colNotes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var n [2]string
		err := r.Scan(&n[0], &n[1])
		return n, err
	})
	if err != nil {
		return nil, sqlError(ctx, err, colNotesSQL)
	}
	rows, err = q.Query(ctx, extrasSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, extrasSQL)
	}
	s.extras, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, sqlError(ctx, err, extrasSQL)
	}
	return s, nil
}

// applyAccess gives the relation o (just created by this session) the
// privileges and owner of s: when exact, it first revokes what default
// privileges granted; it grants what the old relation had, then hands it
// to the old owner (last, so that the grants' grantor becomes that owner,
// as before). A recreated view is restored exactly; a rebuilt model keeps
// what default privileges give new relations too.
func applyAccess(ctx context.Context, tx pgx.Tx, o *object, s *relState, exact bool) error {
	name := o.String()
	var stmts []string
	if exact {
		if err := revokeDefaults(ctx, tx, o, &stmts); err != nil {
			return err
		}
	}
	for _, g := range s.grants {
		stmts = append(stmts, grantSQL(g, "TABLE "+name))
	}
	if len(s.colGrants) > 0 {
		cols, err := columnsOf(ctx, tx, o.oid)
		if err != nil {
			return err
		}
		for _, g := range s.colGrants {
			// A rebuilt model may have lost the column.
			if slices.ContainsFunc(cols, func(c adapters.Column) bool { return c.Name == g.column }) {
				stmts = append(stmts, grantSQL(g.grant, "TABLE "+name, g.column))
			}
		}
	}
	var me string
	if err := tx.QueryRow(ctx, "select quote_ident(current_user)").Scan(&me); err != nil {
		return sqlError(ctx, err, "")
	}
	if s.owner != "" && s.owner != me {
		stmts = append(stmts, fmt.Sprintf("ALTER %s %s OWNER TO %s", o.keyword(), name, s.owner))
	}
	for _, sql := range stmts {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return sqlError(ctx, err, sql)
		}
	}
	return nil
}

func revokeDefaults(ctx context.Context, tx pgx.Tx, o *object, stmts *[]string) error {
	rows, err := tx.Query(ctx, `
select distinct case when a.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(a.grantee)) end
from pg_class c, aclexplode(c.relacl) a where c.oid = $1 and a.grantee <> c.relowner order by 1`, o.oid)
	if err != nil {
		return sqlError(ctx, err, "")
	}
	defaults, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return sqlError(ctx, err, "")
	}
	for _, g := range defaults {
		*stmts = append(*stmts, fmt.Sprintf("REVOKE ALL ON TABLE %s FROM %s", o, g))
	}
	return nil
}

func grantSQL(g grant, on string, column ...string) string {
	priv := g.privilege
	if len(column) > 0 {
		priv += " (" + quoteIdent(column[0]) + ")"
	}
	sql := fmt.Sprintf("GRANT %s ON %s TO %s", priv, on, g.grantee)
	if g.grantable {
		sql += " WITH GRANT OPTION"
	}
	return sql
}

// replaceWithDependents runs replace, which changes old in place or drops
// it and leaves a new relation of the same name, with old's dependent
// views set aside and recreated afterwards on what is then there.
func replaceWithDependents(ctx context.Context, tx pgx.Tx, old *object, replace func() error) error {
	var path string
	if err := tx.QueryRow(ctx, "select current_setting('search_path')").Scan(&path); err != nil {
		return sqlError(ctx, err, "")
	}
	setPath := func(p string) error {
		_, err := tx.Exec(ctx, "select set_config('search_path', $1, true)", p)
		return sqlError(ctx, err, "")
	}
	// Definitions read under an empty search_path name every relation by
	// its schema, so they mean the same when replayed.
	if err := setPath(""); err != nil {
		return err
	}
	deps, err := setAside(ctx, tx, old)
	if err != nil {
		return err
	}
	if err := setPath(path); err != nil {
		return err
	}
	if err := replace(); err != nil {
		return err
	}
	if err := setPath(""); err != nil {
		return err
	}
	for i := range deps {
		if err := recreate(ctx, tx, &deps[i], old); err != nil {
			return err
		}
	}
	return setPath(path)
}

// setAside records and drops the views that read old, the farthest first:
// the order in which a query on a view takes its locks, so that gmodel and
// a reader do not deadlock. Then it locks old (a table: LOCK on a view
// would lock what it reads too, with its owner's privileges) so that no
// new view can start reading it, and sets aside any view created
// meanwhile. It returns the views in the order to recreate them.
func setAside(ctx context.Context, tx pgx.Tx, old *object) ([]dependent, error) {
	var all []dependent
	for pass := 0; ; pass++ {
		deps, err := findDependents(ctx, tx, old.oid)
		if err != nil {
			return nil, err
		}
		for i := range deps {
			if deps[i].state, err = captureState(ctx, tx, deps[i].oid, true); err != nil {
				return nil, err
			}
		}
		for i := len(deps) - 1; i >= 0; i-- {
			d := &deps[i]
			sql := fmt.Sprintf("DROP %s %s", d.keyword(), d.String())
			if _, err := tx.Exec(ctx, sql); err != nil {
				e := sqlError(ctx, err, sql)
				var ae *adapters.Error
				if errors.As(e, &ae) && ae.Hint == "" {
					ae.Hint = fmt.Sprintf("gmodel recreates the views that read %s; the role it runs as must be able to drop and create them (own them or be a member of their owner)", old)
				}
				return nil, wrapMsg(e, "cannot set aside %s %s, which reads %s", strings.ToLower(d.keyword()), d.String(), old)
			}
		}
		all = append(all, deps...)
		if pass > 0 || (old.kind != 'r' && old.kind != 'p' && old.kind != 'f') {
			// A view or materialized view is locked by its own DROP or
			// ALTER; a view created meanwhile makes that fail, clearly.
			return all, nil
		}
		sql := fmt.Sprintf("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", old)
		if _, err := tx.Exec(ctx, sql); err != nil {
			return nil, sqlError(ctx, err, sql)
		}
	}
}

// recreate recreates a dependent view (or materialized view) from its
// recorded state.
func recreate(ctx context.Context, tx pgx.Tx, d *dependent, replaced *object) error {
	s := d.state
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE %s %s", d.keyword(), d.String())
	if len(s.options) > 0 {
		opts := make([]string, len(s.options))
		for i, o := range s.options {
			k, v, _ := strings.Cut(o, "=")
			opts[i] = k + " = " + quoteLiteral(v)
		}
		fmt.Fprintf(&b, " WITH (%s)", strings.Join(opts, ", "))
	}
	fmt.Fprintf(&b, " AS\n%s", s.def)
	if d.kind == 'm' {
		if s.populated {
			b.WriteString("\nWITH DATA")
		} else {
			b.WriteString("\nWITH NO DATA")
		}
	}
	sql := b.String()
	if _, err := tx.Exec(ctx, sql); err != nil {
		e := sqlError(ctx, err, sql)
		var ae *adapters.Error
		if errors.As(e, &ae) {
			c := *ae
			c.Msg = fmt.Sprintf("%s %s reads %s and cannot be recreated on the new one: %s; nothing was changed",
				strings.ToLower(d.keyword()), d.String(), replaced, ae.Msg)
			c.Hint = fmt.Sprintf("change or drop %s, or keep what it reads in the model (dbt would have dropped it silently)", d.String())
			return &c
		}
		return e
	}
	var oid uint32
	if err := tx.QueryRow(ctx, "select $1::regclass::oid", d.String()).Scan(&oid); err != nil {
		return sqlError(ctx, err, "")
	}
	o := d.object
	o.oid = oid
	var stmts []string
	if s.comment != nil {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON %s %s IS %s", d.keyword(), d.String(), quoteLiteral(*s.comment)))
	}
	for _, n := range s.colNotes {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", d.String(), quoteIdent(n[0]), quoteLiteral(n[1])))
	}
	stmts = append(stmts, s.extras...)
	for _, sql := range stmts {
		if _, err := tx.Exec(ctx, sql); err != nil {
			return wrapMsg(sqlError(ctx, err, sql), "recreating %s", d.String())
		}
	}
	return applyAccess(ctx, tx, &o, s, true)
}

// isColumnChange tells whether CREATE OR REPLACE VIEW failed because the
// new query changes the old columns (which it may only add to).
func isColumnChange(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P16"
}
