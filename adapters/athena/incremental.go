package athena

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gmodel/gmodel/adapters"
)

// Incremental strategies on Athena, as dbt-athena has them: Hive tables
// take append and insert_overwrite (the partitions of the new rows are
// replaced); Iceberg tables append, merge and delete+insert.
const (
	stratAppend    = "append"
	stratOverwrite = "insert_overwrite"
	stratMerge     = "merge"
	stratDelete    = "delete+insert"
)

const (
	onIgnore = "ignore"
	onFail   = "fail"
	onAppend = "append_new_columns"
	onSync   = "sync_all_columns"
)

// strategy resolves the incremental_strategy for the existing table t.
// Empty is dbt-athena's default, insert_overwrite, which appends when
// the table has no partitions; on Iceberg with a unique_key, merge.
func strategy(inc *adapters.Incremental, t *gluetypes.Table) (string, error) {
	ice := isIceberg(t)
	s := inc.Strategy
	if s == "" {
		switch {
		case ice && len(inc.UniqueKey) > 0:
			s = stratMerge
		case ice:
			s = stratAppend
		default:
			s = stratOverwrite
		}
	}
	switch s {
	case stratAppend:
	case stratOverwrite:
		if ice {
			return "", &adapters.Error{Code: adapters.Invalid, Msg: "incremental_strategy 'insert_overwrite' is for Hive tables; this table is Iceberg",
				Hint: "use merge (with a unique_key), delete+insert or append"}
		}
		if len(t.PartitionKeys) == 0 {
			s = stratAppend // dbt-athena's fallback
		}
	case stratMerge, stratDelete:
		if !ice {
			return "", &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("incremental_strategy '%s' needs an Iceberg table; Athena cannot update or delete rows of a Hive table", s),
				Hint: "set table_type: iceberg (and run with --full-refresh once), or use insert_overwrite with partitioned_by, or append"}
		}
		if s == stratDelete && len(inc.UniqueKey) == 0 && len(inc.Predicates) == 0 {
			return "", &adapters.Error{Code: adapters.Invalid, Msg: "incremental_strategy 'delete+insert' needs a unique_key or incremental_predicates",
				Hint: "without either it would delete nothing; use 'append'"}
		}
	default:
		return "", &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("unknown incremental_strategy %q", inc.Strategy),
			Hint: "athena supports append and insert_overwrite (Hive), append, merge and delete+insert (Iceberg)"}
	}
	switch inc.OnSchemaChange {
	case "", onIgnore, onFail, onAppend, onSync:
	default:
		return "", &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("unknown on_schema_change %q", inc.OnSchemaChange),
			Hint: "use ignore, fail, append_new_columns or sync_all_columns"}
	}
	return s, nil
}

// buildIncremental: a first run, a full refresh, or a target that is a
// view builds like a table; later runs add the new rows by the strategy.
func (a *Adapter) buildIncremental(ctx context.Context, m adapters.Materialization, c tableConfig) (adapters.Result, error) {
	schema, name := lower(m.Relation)
	inc := m.Incremental
	if inc == nil {
		inc = &adapters.Incremental{}
	}
	if inc.Strategy != "" {
		// Checked before anything is built, whatever the table's state.
		probe := &gluetypes.Table{Parameters: map[string]string{}}
		if c.TableType == iceberg {
			probe.Parameters["table_type"] = "ICEBERG"
		}
		probe.PartitionKeys = make([]gluetypes.Column, len(c.PartitionedBy))
		if _, err := strategy(inc, probe); err != nil {
			return adapters.Result{}, err
		}
	}
	old, err := a.getTable(ctx, schema, name)
	if err != nil {
		return adapters.Result{}, err
	}
	if old == nil || m.FullRefresh || isView(old) {
		return a.buildTable(ctx, m.Relation, c, m.SQL)
	}
	strat, err := strategy(inc, old)
	if err != nil {
		return adapters.Result{}, err
	}
	if strat == stratOverwrite {
		return a.insertOverwrite(ctx, schema, name, old, c, inc, m.SQL)
	}
	newView := name + newSuffix
	source := a.render(schema, newView)
	if _, err := a.run(ctx, inModel(viewPrefix(source), m.SQL)); err != nil {
		return adapters.Result{}, err
	}
	defer func() {
		if err := a.deleteGlueTable(context.WithoutCancel(ctx), schema, newView); err != nil {
			a.logf("could not remove the view %s.%s: %v", schema, newView, err)
		}
	}()
	src, err := a.Columns(ctx, adapters.Relation{Schema: schema, Identifier: newView})
	if err != nil {
		return adapters.Result{}, err
	}
	cols, err := a.schemaChange(ctx, schema, name, old, inc.OnSchemaChange, src)
	if err != nil {
		return adapters.Result{}, err
	}
	target := a.render(schema, name)
	switch strat {
	case stratMerge:
		return a.write(ctx, plain(mergeSQL(target, source, cols, inc)), false)
	case stratDelete:
		if _, err := a.run(ctx, plain(deleteSQL(target, source, inc))); err != nil {
			return adapters.Result{}, err
		}
	}
	ins := insertSQL(target, source, cols)
	res, err := a.write(ctx, plain(ins), false)
	if err != nil && tooManyPartitions(err) && len(old.PartitionKeys) > 0 {
		var parts []string
		for _, k := range old.PartitionKeys {
			parts = append(parts, aws.ToString(k.Name))
		}
		head, _, _ := strings.Cut(ins, "\n")
		return a.batched(ctx, fmt.Sprintf("select %s from %s", quotedList(cols, ""), source), parts, func(_ int, body string) statement {
			return statement{sql: head + "\n" + body}
		})
	}
	return res, err
}

// write runs a statement that writes rows and reports how many.
func (a *Adapter) write(ctx context.Context, st statement, retry bool) (adapters.Result, error) {
	st.retry = retry
	ex, err := a.run(ctx, st)
	if err != nil {
		return adapters.Result{}, err
	}
	return a.result(ctx, ex)
}

// schemaChange applies on_schema_change to the target and returns the
// columns to insert: the target's for ignore (a column the model dropped
// then fails the insert, as in dbt), the model's otherwise. Hive tables
// change in Glue (Parquet and ORC are read by column name); Iceberg
// tables by ALTER TABLE.
func (a *Adapter) schemaChange(ctx context.Context, schema, name string, t *gluetypes.Table, mode string, src []adapters.Column) ([]string, error) {
	dst := columnsOf(t)
	if mode == "" || mode == onIgnore {
		return names(dst), nil
	}
	d := adapters.DiffColumns(src, dst, sameType)
	if d.Empty() {
		return names(src), nil
	}
	if mode == onFail {
		return nil, &adapters.Error{Code: adapters.Invalid,
			Msg:  fmt.Sprintf("the columns of %s changed and on_schema_change is 'fail': %s", a.render(schema, name), d.Describe(quoteIdent)),
			Hint: "set on_schema_change to append_new_columns or sync_all_columns, run with --full-refresh, or change the table by hand"}
	}
	partKey := map[string]bool{}
	for _, k := range t.PartitionKeys {
		partKey[aws.ToString(k.Name)] = true
	}
	if mode == onAppend {
		d.Removed, d.Retyped = nil, nil
	}
	for _, c := range append(d.Removed, retypedNew(d)...) {
		if partKey[c.Name] {
			return nil, &adapters.Error{Code: adapters.Invalid, Msg: fmt.Sprintf("on_schema_change cannot drop or retype partition column %s of %s", quoteIdent(c.Name), a.render(schema, name)),
				Hint: "run with --full-refresh"}
		}
	}
	if isIceberg(t) {
		var stmts []string
		if len(d.Added) > 0 {
			stmts = append(stmts, icebergAddColumnsSQL(schema, name, d.Added))
		}
		for _, c := range d.Removed {
			stmts = append(stmts, icebergDropColumnSQL(schema, name, c.Name))
		}
		for _, p := range d.Retyped {
			stmts = append(stmts, icebergChangeColumnSQL(schema, name, p[1]))
		}
		for _, s := range stmts {
			if _, err := a.run(ctx, plain(s)); err != nil {
				return nil, err
			}
		}
	} else {
		def := tableInput(t, name)
		sd := *def.StorageDescriptor
		var cols []gluetypes.Column
		if mode == onAppend {
			cols = append(cols, sd.Columns...)
		} else {
			for _, c := range src {
				if !partKey[c.Name] {
					cols = append(cols, gluetypes.Column{Name: aws.String(c.Name), Type: aws.String(hiveType(c.DataType))})
				}
			}
		}
		if mode == onAppend {
			for _, c := range d.Added {
				cols = append(cols, gluetypes.Column{Name: aws.String(c.Name), Type: aws.String(hiveType(c.DataType))})
			}
		}
		sd.Columns = cols
		def.StorageDescriptor = &sd
		if err := a.putTable(ctx, schema, true, def); err != nil {
			return nil, err
		}
	}
	if mode == onAppend {
		return names(append(dst, d.Added...)), nil
	}
	return names(src), nil
}

func retypedNew(d adapters.ColumnDiff) []adapters.Column {
	var out []adapters.Column
	for _, p := range d.Retyped {
		out = append(out, p[1])
	}
	return out
}

func names(cols []adapters.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// insertOverwrite replaces the partitions the new rows fall in, never
// leaving them empty: the rows are written with CREATE TABLE AS under a
// fresh prefix inside the table's own location, then each partition in
// Glue is pointed at its new data, and only then is the old data of
// those partitions deleted.
func (a *Adapter) insertOverwrite(ctx context.Context, schema, name string, old *gluetypes.Table, c tableConfig, inc *adapters.Incremental, sql string) (adapters.Result, error) {
	tableLoc, err := parseDir(location(old))
	if err != nil {
		return adapters.Result{}, adapters.Errorf(adapters.Invalid, "athena: %s.%s has no usable location (%v); run with --full-refresh", schema, name, err)
	}
	p := &plan{schema: schema, name: name, old: old, newLoc: fresh(tableLoc)}
	if p.guards, err = a.guards(ctx, schema, name, name+tmpSuffix); err != nil {
		return adapters.Result{}, err
	}
	if err := checkLocation(tableLoc, "the location of "+schema+"."+name, "replace partitions in", p.guards); err != nil {
		return adapters.Result{}, err
	}
	tmp := name + tmpSuffix
	if err := a.cleanAside(ctx, p, tmp); err != nil {
		return adapters.Result{}, err
	}
	tc := c
	tc.TableType, tc.ExternalLocation = hive, ""
	tc.PartitionedBy = nil
	for _, k := range old.PartitionKeys {
		tc.PartitionedBy = append(tc.PartitionedBy, aws.ToString(k.Name))
	}
	tc.BucketedBy, tc.BucketCount = nil, 0
	if f := old.StorageDescriptor; f != nil && strings.Contains(strings.ToLower(aws.ToString(f.InputFormat)), "orc") {
		tc.Format = "orc"
	} else {
		tc.Format = "parquet"
	}
	res, err := a.ctas(ctx, schema, tmp, tc, p.newLoc, sql)
	if err != nil {
		a.discard(ctx, p, tmp)
		return adapters.Result{}, err
	}
	fail := func(err error) (adapters.Result, error) {
		a.discard(ctx, p, tmp)
		return adapters.Result{}, err
	}
	t, err := a.getTable(ctx, schema, tmp)
	if err != nil || t == nil {
		return fail(fmt.Errorf("athena: %s.%s is not in Glue after its CREATE TABLE AS: %v", schema, tmp, err))
	}
	src := columnsOf(t)
	if _, err := a.schemaChange(ctx, schema, name, old, inc.OnSchemaChange, src); err != nil {
		return fail(err)
	}
	newParts, err := a.partitions(ctx, schema, tmp)
	if err != nil {
		return fail(err)
	}
	oldParts, err := a.partitions(ctx, schema, name)
	if err != nil {
		return fail(err)
	}
	byValues := map[string]gluetypes.Partition{}
	for _, op := range oldParts {
		byValues[strings.Join(op.Values, "\x00")] = op
	}
	var replaced []gluetypes.Partition
	var oldDirs []s3Dir
	for _, np := range newParts {
		if op, ok := byValues[strings.Join(np.Values, "\x00")]; ok {
			replaced = append(replaced, op)
			if op.StorageDescriptor != nil {
				d, err := parseDir(aws.ToString(op.StorageDescriptor.Location))
				// Only data inside the table's own location is deleted.
				if err == nil && tableLoc.contains(d) && checkLocation(d, "a partition of "+schema+"."+name, "delete", p.guards) == nil {
					oldDirs = append(oldDirs, d)
				} else {
					a.logf("keeping the data of replaced partition %v: %s is outside the table's location", op.Values, aws.ToString(op.StorageDescriptor.Location))
				}
			}
		}
	}
	if err := a.deletePartitions(ctx, schema, name, replaced); err != nil {
		return fail(err)
	}
	if err := a.createPartitions(ctx, schema, name, newParts); err != nil {
		return adapters.Result{}, err
	}
	if err := a.deleteGlueTable(ctx, schema, tmp); err != nil {
		return adapters.Result{}, err
	}
	for _, d := range oldDirs {
		if err := a.deleteDir(ctx, d, p.newLoc); err != nil {
			return res, wrapMsg(err, "the partitions were replaced, but old data could not be deleted")
		}
	}
	return res, nil
}
