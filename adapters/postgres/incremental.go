package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
)

// The incremental materialization follows dbt's (global_project
// incremental.sql, dbt-postgres' strategies): the new rows go to a
// temporary table, the target's varchar columns are widened to fit them,
// on_schema_change is applied, then the strategy's statements run, all in
// the build's transaction.

const (
	onIgnore = "ignore"
	onFail   = "fail"
	onAppend = "append_new_columns"
	onSync   = "sync_all_columns"
)

func (a *Adapter) checkIncremental(inc *adapters.Incremental) error {
	if inc == nil {
		return nil
	}
	switch inc.Strategy {
	case "", "append", "delete+insert":
	case "merge":
		if a.version != 0 && a.version < 150000 {
			return &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("incremental_strategy 'merge' needs PostgreSQL 15 or later; the server is version %d", a.version/10000),
				Hint: "use 'delete+insert' with the same unique_key"}
		}
	default:
		return &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("unknown incremental_strategy %q", inc.Strategy),
			Hint: "postgres supports append, delete+insert and merge"}
	}
	switch inc.OnSchemaChange {
	case "", onIgnore, onFail, onAppend, onSync:
	default:
		return &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("unknown on_schema_change %q", inc.OnSchemaChange),
			Hint: "use ignore, fail, append_new_columns or sync_all_columns"}
	}
	if inc.Strategy == "delete+insert" && len(inc.UniqueKey) == 0 && len(inc.Predicates) == 0 {
		return &adapters.Error{Code: adapters.Invalid, Msg: "incremental_strategy 'delete+insert' needs a unique_key or incremental_predicates",
			Hint: "without either it would delete nothing; use 'append'"}
	}
	return nil
}

// buildIncremental: a first run, a full refresh, or a target that is not a
// table builds like a table; later runs add the new rows.
func (a *Adapter) buildIncremental(ctx context.Context, tx pgx.Tx, m adapters.Materialization) (adapters.Result, error) {
	r := m.Relation
	old, err := lookup(ctx, tx, r.Schema, r.Identifier)
	if err != nil {
		return adapters.Result{}, err
	}
	if old == nil || m.FullRefresh || (old.kind != 'r' && old.kind != 'p') {
		return a.buildTable(ctx, tx, m)
	}
	inc := m.Incremental
	if inc == nil {
		inc = &adapters.Incremental{}
	}
	target := old.String()

	// ON COMMIT DROP: gone after the transaction, committed or not, so
	// the name is always free on this connection.
	tmpName := aside(r.Identifier, "__gmodel_new")
	tmp := quoteIdent(tmpName)
	if _, err := execModel(ctx, tx, "CREATE TEMPORARY TABLE "+tmp+" ON COMMIT DROP AS\n", m); err != nil {
		return adapters.Result{}, err
	}
	src, err := columns(ctx, tx, "pg_temp", tmpName)
	if err != nil {
		return adapters.Result{}, err
	}
	dst, err := columnsOf(ctx, tx, old.oid)
	if err != nil {
		return adapters.Result{}, err
	}
	stmts, dst := expandVarchar(target, src, dst)
	cols, more, diff, err := schemaChange(old, inc.OnSchemaChange, src, dst)
	if err != nil {
		return adapters.Result{}, err
	}
	// Only ADD COLUMN leaves the columns views read alone.
	destructive := len(stmts) > 0 || len(more) > len(diff.Added)
	if err := alter(ctx, tx, old, append(stmts, more...), destructive); err != nil {
		return adapters.Result{}, err
	}

	strategy := inc.Strategy
	if strategy == "" {
		strategy = "append"
		if len(inc.UniqueKey) > 0 {
			strategy = "delete+insert"
		}
	}
	switch strategy {
	case "append":
		stmts = []string{insertSQL(target, tmp, cols)}
	case "delete+insert":
		stmts = []string{deleteSQL(target, tmp, inc), insertSQL(target, tmp, cols)}
	case "merge":
		stmts = []string{mergeSQL(target, tmp, cols, inc)}
	}
	var res adapters.Result
	for _, sql := range stmts {
		tag, err := tx.Exec(ctx, sql)
		if err != nil {
			return adapters.Result{}, sqlError(ctx, err, sql)
		}
		res = adapters.Result{Message: tag.String(), RowsAffected: tag.RowsAffected()}
	}
	return res, nil
}

func quotedNames(cols []adapters.Column, prefix string) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = prefix + quoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

func insertSQL(target, tmp string, cols []adapters.Column) string {
	list := quotedNames(cols, "")
	return fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s FROM %s", target, list, list, tmp)
}

// deleteSQL is dbt's delete+insert delete: one key as `key IN (...)`,
// several as a join, and the predicates ANDed. The target is aliased
// DBT_INTERNAL_DEST and the new rows DBT_INTERNAL_SOURCE, so predicates
// written for merge work here too.
func deleteSQL(target, tmp string, inc *adapters.Incremental) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DELETE FROM %s AS DBT_INTERNAL_DEST", target)
	var conds []string
	switch len(inc.UniqueKey) {
	case 0:
	case 1:
		k := inc.UniqueKey[0]
		conds = append(conds, fmt.Sprintf("(%s) IN (SELECT (%s) FROM %s AS DBT_INTERNAL_SOURCE)", k, k, tmp))
	default:
		fmt.Fprintf(&b, "\nUSING %s AS DBT_INTERNAL_SOURCE", tmp)
		for _, k := range inc.UniqueKey {
			conds = append(conds, fmt.Sprintf("DBT_INTERNAL_SOURCE.%s = DBT_INTERNAL_DEST.%s", k, k))
		}
	}
	for _, p := range inc.Predicates {
		conds = append(conds, "("+p+")")
	}
	b.WriteString("\nWHERE ")
	b.WriteString(strings.Join(conds, "\n  AND "))
	return b.String()
}

// mergeSQL is dbt's merge: matched rows (on every unique key column and
// the predicates) are updated in all columns, new ones inserted; without a
// unique key nothing matches and every row is inserted.
func mergeSQL(target, tmp string, cols []adapters.Column, inc *adapters.Incremental) string {
	on := inc.MergeConditions()
	var b strings.Builder
	fmt.Fprintf(&b, "MERGE INTO %s AS DBT_INTERNAL_DEST\nUSING %s AS DBT_INTERNAL_SOURCE\nON %s", target, tmp, strings.Join(on, "\n  AND "))
	if len(inc.UniqueKey) > 0 {
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = fmt.Sprintf("%s = DBT_INTERNAL_SOURCE.%s", quoteIdent(c.Name), quoteIdent(c.Name))
		}
		fmt.Fprintf(&b, "\nWHEN MATCHED THEN UPDATE SET %s", strings.Join(set, ", "))
	}
	fmt.Fprintf(&b, "\nWHEN NOT MATCHED THEN INSERT (%s)\nVALUES (%s)", quotedNames(cols, ""), quotedNames(cols, "DBT_INTERNAL_SOURCE."))
	return b.String()
}

var varcharRe = regexp.MustCompile(`^character varying\((\d+)\)$`)

// expandVarchar returns the statements that widen the target's
// varchar(n) columns the new rows would overflow (dbt's
// expand_target_column_types), and the target's columns as they will be.
func expandVarchar(target string, src, dst []adapters.Column) ([]string, []adapters.Column) {
	bySrc := map[string]string{}
	for _, c := range src {
		bySrc[c.Name] = c.DataType
	}
	var stmts []string
	out := append([]adapters.Column(nil), dst...)
	for i, c := range dst {
		dm := varcharRe.FindStringSubmatch(c.DataType)
		sm := varcharRe.FindStringSubmatch(bySrc[c.Name])
		if dm == nil || sm == nil {
			continue
		}
		dn, _ := strconv.Atoi(dm[1])
		sn, _ := strconv.Atoi(sm[1])
		if sn <= dn {
			continue
		}
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s", target, quoteIdent(c.Name), bySrc[c.Name]))
		out[i].DataType = bySrc[c.Name]
	}
	return stmts, out
}

// diffColumns compares the new rows' columns with the target's.
func diffColumns(src, dst []adapters.Column) adapters.ColumnDiff {
	return adapters.DiffColumns(src, dst, func(a, b string) bool { return a == b })
}

// schemaChange applies on_schema_change: it returns the columns to insert
// (the target's for ignore, so that a column the model dropped fails the
// insert, as in dbt; the model's otherwise) and the statements that
// change the target.
func schemaChange(target *object, mode string, src, dst []adapters.Column) ([]adapters.Column, []string, adapters.ColumnDiff, error) {
	if mode == "" || mode == onIgnore {
		return dst, nil, adapters.ColumnDiff{}, nil
	}
	d := diffColumns(src, dst)
	if d.Empty() {
		return src, nil, d, nil
	}
	switch mode {
	case onFail:
		return nil, nil, d, &adapters.Error{Code: adapters.Invalid,
			Msg:  fmt.Sprintf("the columns of %s changed and on_schema_change is 'fail': %s", target, d.Describe(quoteIdent)),
			Hint: "set on_schema_change to append_new_columns or sync_all_columns, run with --full-refresh, or change the table by hand"}
	case onAppend:
		return src, addColumns(target, d.Added), adapters.ColumnDiff{Added: d.Added}, nil
	}
	stmts := addColumns(target, d.Added)
	for _, c := range d.Removed {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", target, quoteIdent(c.Name)))
	}
	for _, p := range d.Retyped {
		name := quoteIdent(p[1].Name)
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s", target, name, p[1].DataType, name, p[1].DataType))
	}
	return src, stmts, d, nil
}

func addColumns(target *object, cols []adapters.Column) []string {
	var stmts []string
	for _, c := range cols {
		stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", target, quoteIdent(c.Name), c.DataType))
	}
	return stmts
}

// alter runs ALTER TABLE statements on the target. Postgres refuses to
// drop or retype a column a view reads, so when destructive (some
// statement does either) the views are set aside as in a rebuild.
func alter(ctx context.Context, tx pgx.Tx, target *object, stmts []string, destructive bool) error {
	run := func() error {
		for _, sql := range stmts {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return sqlError(ctx, err, sql)
			}
		}
		return nil
	}
	if destructive {
		return replaceWithDependents(ctx, tx, target, run)
	}
	return run()
}
