package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
)

// maxIdent is the longest identifier Postgres keeps (NAMEDATALEN-1 bytes);
// longer ones are truncated with only a notice.
const maxIdent = 63

// Materialize builds m in one transaction, as dbt does: pre-hooks outside
// it, BEGIN, pre-hooks inside, the build, post-hooks inside, COMMIT,
// post-hooks outside. A failure rolls the whole build back.
func (a *Adapter) Materialize(ctx context.Context, m adapters.Materialization) (adapters.Result, error) {
	if err := a.checkRelation(m.Relation); err != nil {
		return adapters.Result{}, err
	}
	var build func(context.Context, pgx.Tx, adapters.Materialization) (adapters.Result, error)
	switch m.Kind {
	case "view":
		build = a.buildView
	case "table":
		build = a.buildTable
	case "incremental":
		if err := a.checkIncremental(m.Incremental); err != nil {
			return adapters.Result{}, err
		}
		build = a.buildIncremental
	default:
		return adapters.Result{}, adapters.Errorf(adapters.Invalid, "postgres cannot materialize %q; use view, table or incremental", m.Kind)
	}
	conn, err := a.pool.Acquire(ctx)
	if err != nil {
		return adapters.Result{}, a.acquireError(ctx, err)
	}
	defer conn.Release()
	if err := runHooks(ctx, conn.Conn(), "pre-hook", m.PreHooks, false); err != nil {
		return adapters.Result{}, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return adapters.Result{}, sqlError(ctx, err, "BEGIN")
	}
	res, err := func() (adapters.Result, error) {
		if err := runHooks(ctx, conn.Conn(), "pre-hook", m.PreHooks, true); err != nil {
			return adapters.Result{}, err
		}
		res, err := build(ctx, tx, m)
		if err != nil {
			return res, err
		}
		if err := runHooks(ctx, conn.Conn(), "post-hook", m.PostHooks, true); err != nil {
			return adapters.Result{}, err
		}
		return res, nil
	}()
	if err != nil {
		rollback(ctx, tx)
		return adapters.Result{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return adapters.Result{}, sqlError(ctx, err, "COMMIT")
	}
	if err := runHooks(ctx, conn.Conn(), "post-hook", m.PostHooks, false); err != nil {
		return res, err
	}
	return res, nil
}

// rollback ends a failed transaction even when ctx is cancelled; if that
// fails the pool discards the connection.
func rollback(ctx context.Context, tx pgx.Tx) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_ = tx.Rollback(rctx)
}

func runHooks(ctx context.Context, conn *pgx.Conn, what string, hooks []adapters.Hook, inTx bool) error {
	for i, h := range hooks {
		if h.Transaction != inTx || strings.TrimSpace(h.SQL) == "" {
			continue
		}
		if _, err := execMulti(ctx, conn.PgConn(), h.SQL); err != nil {
			return wrapMsg(err, "%s %d", what, i+1)
		}
	}
	return nil
}

// checkRelation refuses what Postgres would silently get wrong.
func (a *Adapter) checkRelation(r adapters.Relation) error {
	if err := a.checkDatabase(r.Database); err != nil {
		return err
	}
	if r.Identifier == "" || r.Schema == "" {
		return adapters.Errorf(adapters.Invalid, "postgres: relation %s needs a schema and a name", Dialect{}.Render(r))
	}
	for _, s := range []string{r.Schema, r.Identifier} {
		if len(s) > maxIdent {
			return adapters.Errorf(adapters.Invalid, "postgres: name %s is %d bytes long; postgres keeps %d and would truncate it", quoteIdent(s), len(s), maxIdent)
		}
	}
	return nil
}

// aside names a relation built next to name, within Postgres's limit; a
// long name is cut and given a hash, so that two long names stay apart.
func aside(name, suffix string) string {
	if len(name)+len(suffix) <= maxIdent {
		return name + suffix
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	tag := fmt.Sprintf("_%08x", h.Sum32())
	cut := maxIdent - len(suffix) - len(tag)
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + tag + suffix
}

// modelSQL trims what cannot follow the model inside a statement.
func modelSQL(sql string) string {
	return strings.TrimRight(strings.TrimSpace(sql), "; \t\r\n")
}

// execModel runs prefix + the model's SQL, reporting an error inside the
// model against the model's SQL.
func execModel(ctx context.Context, tx pgx.Tx, prefix string, m adapters.Materialization) (adapters.Result, error) {
	body := modelSQL(m.SQL)
	sql := prefix + body
	tag, err := tx.Exec(ctx, sql)
	if err != nil {
		return adapters.Result{}, sqlErrorIn(ctx, err, sql, m.SQL, utf8.RuneCountInString(prefix)-leadingRunes(m.SQL))
	}
	return adapters.Result{Message: tag.String(), RowsAffected: tag.RowsAffected()}, nil
}

// leadingRunes counts the whitespace modelSQL trimmed from the front: a
// position in the statement maps back to m.SQL by subtracting the prefix and
// adding these back.
func leadingRunes(sql string) int {
	return utf8.RuneCountInString(sql) - utf8.RuneCountInString(strings.TrimLeft(sql, " \t\r\n\f\v"))
}

// buildView replaces the view in place when Postgres allows it (the new
// query keeps the old columns, perhaps adding some: CREATE OR REPLACE
// keeps dependents, privileges and owner by itself). Otherwise, or when
// the relation is not a view, it builds the view aside and swaps it in.
func (a *Adapter) buildView(ctx context.Context, tx pgx.Tx, m adapters.Materialization) (adapters.Result, error) {
	r := m.Relation
	target := qualified(r.Schema, r.Identifier)
	old, err := lookup(ctx, tx, r.Schema, r.Identifier)
	if err != nil {
		return adapters.Result{}, err
	}
	if old != nil && old.kind == 'v' {
		if _, err := tx.Exec(ctx, "SAVEPOINT gmodel_replace"); err != nil {
			return adapters.Result{}, sqlError(ctx, err, "SAVEPOINT")
		}
		res, err := execModel(ctx, tx, "CREATE OR REPLACE VIEW "+target+" AS\n", m)
		if err == nil {
			return res, nil
		}
		if !isColumnChange(err) {
			return res, err
		}
		if _, err := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT gmodel_replace"); err != nil {
			return adapters.Result{}, sqlError(ctx, err, "ROLLBACK TO SAVEPOINT")
		}
	}
	tmp := aside(r.Identifier, "__gmodel_tmp")
	if err := dropIfExists(ctx, tx, r.Schema, tmp); err != nil {
		return adapters.Result{}, err
	}
	res, err := execModel(ctx, tx, "CREATE VIEW "+qualified(r.Schema, tmp)+" AS\n", m)
	if err != nil {
		return res, err
	}
	return res, swapIn(ctx, tx, old, "VIEW", r.Schema, tmp, r.Identifier)
}

// buildTable builds the table aside with CREATE TABLE AS and swaps it in.
func (a *Adapter) buildTable(ctx context.Context, tx pgx.Tx, m adapters.Materialization) (adapters.Result, error) {
	r := m.Relation
	tmp := aside(r.Identifier, "__gmodel_tmp")
	if err := dropIfExists(ctx, tx, r.Schema, tmp); err != nil {
		return adapters.Result{}, err
	}
	res, err := execModel(ctx, tx, "CREATE TABLE "+qualified(r.Schema, tmp)+" AS\n", m)
	if err != nil {
		return res, err
	}
	old, err := lookup(ctx, tx, r.Schema, r.Identifier)
	if err != nil {
		return res, err
	}
	return res, swapIn(ctx, tx, old, "TABLE", r.Schema, tmp, r.Identifier)
}

// dropIfExists drops a relation gmodel left aside (never committed ones:
// those live in rolled back transactions; this is for older builds).
func dropIfExists(ctx context.Context, tx pgx.Tx, schema, name string) error {
	o, err := lookup(ctx, tx, schema, name)
	if err != nil || o == nil {
		return err
	}
	sql := fmt.Sprintf("DROP %s %s", o.keyword(), o)
	_, err = tx.Exec(ctx, sql)
	return sqlError(ctx, err, sql)
}

// swapIn puts the relation built as schema.tmp in the place of old (nil
// when there is none) under the name name, keeping old's privileges and
// owner and the views that read it.
func swapIn(ctx context.Context, tx pgx.Tx, old *object, keyword, schema, tmp, name string) error {
	rename := fmt.Sprintf("ALTER %s %s RENAME TO %s", keyword, qualified(schema, tmp), quoteIdent(name))
	if old == nil {
		_, err := tx.Exec(ctx, rename)
		return sqlError(ctx, err, rename)
	}
	state, err := captureState(ctx, tx, old.oid, false)
	if err != nil {
		return err
	}
	return replaceWithDependents(ctx, tx, old, func() error {
		drop := fmt.Sprintf("DROP %s %s", old.keyword(), old)
		if _, err := tx.Exec(ctx, drop); err != nil {
			return wrapMsg(sqlError(ctx, err, drop), "cannot replace %s", old)
		}
		if _, err := tx.Exec(ctx, rename); err != nil {
			return sqlError(ctx, err, rename)
		}
		o, err := lookup(ctx, tx, schema, name)
		if err != nil {
			return err
		}
		return applyAccess(ctx, tx, o, state, false)
	})
}
