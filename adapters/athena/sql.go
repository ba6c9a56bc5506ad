package athena

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

// The statements gmodel sends to Athena, as pure functions of their
// inputs (golden-tested in sql_test.go). Queries, views and CTAS are
// Trino SQL with double-quoted names; the Hive DDL (external tables,
// ALTER TABLE ... RENAME, ADD COLUMNS, DROP TABLE) uses backticks.

// modelBody trims what cannot follow the model inside a statement; the
// front is kept, so that Athena's line:column positions map back to the
// model's SQL by subtracting the prefix.
func modelBody(sql string) string {
	return strings.TrimRight(sql, "; \t\r\n")
}

// viewPrefix is what goes before the model's SQL to create a view.
func viewPrefix(name string) string {
	return "create or replace view " + name + " as\n"
}

// propIdent is what a table property key may be.
var propIdent = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)

// ctasPrefix is what goes before the model's SQL to create a table with
// CREATE TABLE AS: the WITH properties of c, written where loc says.
func ctasPrefix(name string, c tableConfig, loc s3Dir) string {
	var props []string
	add := func(k, v string) { props = append(props, "  "+k+" = "+v) }
	array := func(cols []string, transform func(string) string) string {
		q := make([]string, len(cols))
		for i, col := range cols {
			q[i] = quoteLiteral(transform(col))
		}
		return "ARRAY[" + strings.Join(q, ", ") + "]"
	}
	same := func(s string) string { return strings.ToLower(s) }
	if c.TableType == iceberg {
		add("table_type", "'ICEBERG'")
		add("is_external", "false")
		add("location", quoteLiteral(loc.String()))
		add("format", quoteLiteral(strings.ToUpper(c.Format)))
		if c.WriteCompression != "" {
			add("write_compression", quoteLiteral(strings.ToUpper(c.WriteCompression)))
		}
		parts := append([]string(nil), c.PartitionedBy...)
		for _, b := range c.BucketedBy {
			parts = append(parts, fmt.Sprintf("bucket(%s, %d)", b, c.BucketCount))
		}
		if len(parts) > 0 {
			// Iceberg partition transforms (day(ts), bucket(id, 8)) pass as written.
			add("partitioning", array(parts, func(s string) string { return s }))
		}
		for _, kv := range c.TableProperties {
			v := kv[1]
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				v = quoteLiteral(v)
			}
			add(kv[0], v)
		}
	} else {
		add("table_type", "'HIVE'")
		add("external_location", quoteLiteral(loc.String()))
		add("format", quoteLiteral(strings.ToUpper(c.Format)))
		if c.WriteCompression != "" {
			add("write_compression", quoteLiteral(strings.ToUpper(c.WriteCompression)))
		}
		if c.FieldDelimiter != "" {
			add("field_delimiter", quoteLiteral(c.FieldDelimiter))
		}
		if len(c.PartitionedBy) > 0 {
			add("partitioned_by", array(c.PartitionedBy, same))
		}
		if len(c.BucketedBy) > 0 {
			add("bucketed_by", array(c.BucketedBy, same))
			add("bucket_count", strconv.Itoa(c.BucketCount))
		}
	}
	return "create table " + name + "\nwith (\n" + strings.Join(props, ",\n") + "\n)\nas\n"
}

// checkTableProperties refuses keys that cannot be written unquoted in a
// WITH clause.
func checkTableProperties(c tableConfig) error {
	for _, kv := range c.TableProperties {
		if !propIdent.MatchString(kv[0]) {
			return adapters.Errorf(adapters.Invalid, "athena: table_properties key %q is not a property name (lower case letters, digits, _ and .)", kv[0])
		}
	}
	return nil
}

func quotedList(cols []string, prefix string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = prefix + quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// insertSQL appends the rows of source to target, column by column.
func insertSQL(target, source string, cols []string) string {
	return fmt.Sprintf("insert into %s (%s)\nselect %s from %s", target, quotedList(cols, ""), quotedList(cols, ""), source)
}

// mergeSQL is dbt's merge for Iceberg: matched rows (on every unique key
// column and the predicates) are updated in all columns, new ones
// inserted.
func mergeSQL(target, source string, cols []string, inc *adapters.Incremental) string {
	on := inc.MergeConditions()
	var b strings.Builder
	fmt.Fprintf(&b, "merge into %s as DBT_INTERNAL_DEST\nusing %s as DBT_INTERNAL_SOURCE\non %s", target, source, strings.Join(on, "\n  and "))
	if len(inc.UniqueKey) > 0 {
		set := make([]string, len(cols))
		for i, c := range cols {
			set[i] = fmt.Sprintf("%s = DBT_INTERNAL_SOURCE.%s", quoteIdent(c), quoteIdent(c))
		}
		fmt.Fprintf(&b, "\nwhen matched then update set %s", strings.Join(set, ", "))
	}
	fmt.Fprintf(&b, "\nwhen not matched then insert (%s)\nvalues (%s)", quotedList(cols, ""), quotedList(cols, "DBT_INTERNAL_SOURCE."))
	return b.String()
}

// deleteSQL is delete+insert's delete for Iceberg. Trino's DELETE takes
// no alias, so the target is named in full and the new rows are
// DBT_INTERNAL_SOURCE.
func deleteSQL(target, source string, inc *adapters.Incremental) string {
	var conds []string
	if len(inc.UniqueKey) > 0 {
		var eq []string
		for _, k := range inc.UniqueKey {
			eq = append(eq, fmt.Sprintf("DBT_INTERNAL_SOURCE.%s = %s.%s", k, target, k))
		}
		conds = append(conds, fmt.Sprintf("exists (select 1 from %s as DBT_INTERNAL_SOURCE where %s)", source, strings.Join(eq, " and ")))
	}
	for _, p := range inc.Predicates {
		conds = append(conds, "("+p+")")
	}
	return fmt.Sprintf("delete from %s\nwhere %s", target, strings.Join(conds, "\n  and "))
}

// renameSQL renames an Iceberg table (Hive tables cannot be renamed).
func renameSQL(schema, from, to string) string {
	return fmt.Sprintf("alter table %s rename to %s", hiveName(schema, from), hiveName(schema, to))
}

// dropTableSQL drops a table: for Iceberg, with its data.
func dropTableSQL(schema, name string) string {
	return "drop table if exists " + hiveName(schema, name)
}

// dropViewSQL drops a view (Trino syntax).
func dropViewSQL(name string) string { return "drop view if exists " + name }

// icebergAddColumnsSQL, icebergDropColumnSQL and icebergChangeColumnSQL
// change an Iceberg table's columns (Hive tables' columns change in Glue).
func icebergAddColumnsSQL(schema, name string, cols []adapters.Column) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = hiveIdent(c.Name) + " " + hiveType(c.DataType)
	}
	return fmt.Sprintf("alter table %s add columns (%s)", hiveName(schema, name), strings.Join(defs, ", "))
}

func icebergDropColumnSQL(schema, name, col string) string {
	return fmt.Sprintf("alter table %s drop column %s", hiveName(schema, name), hiveIdent(col))
}

func icebergChangeColumnSQL(schema, name string, c adapters.Column) string {
	return fmt.Sprintf("alter table %s change column %s %s %s", hiveName(schema, name), hiveIdent(c.Name), hiveIdent(c.Name), hiveType(c.DataType))
}

// seedColumn is the name of a seed's n-th column in its upload, whose
// JSON keys must be valid lower case names whatever the CSV header says.
func seedColumn(i int) string { return "c" + strconv.Itoa(i) }

// seedUploadSQL declares the seed's uploaded rows (JSON lines: values as
// strings, NULL as null) as an external table of strings.
func seedUploadSQL(schema, name string, ncols int, loc s3Dir) string {
	defs := make([]string, ncols)
	for i := range defs {
		defs[i] = hiveIdent(seedColumn(i)) + " string"
	}
	return fmt.Sprintf("create external table %s (%s)\nrow format serde 'org.openx.data.jsonserde.JsonSerDe'\nlocation %s",
		hiveName(schema, name), strings.Join(defs, ", "), quoteLiteral(loc.String()))
}

// seedSelectSQL reads the uploaded strings with the seed's column types.
// Names are quoted whatever quote_columns says: Athena lowercases them
// either way, and quoting lets a column be called like a keyword.
func seedSelectSQL(source string, cols []adapters.Column) string {
	sel := make([]string, len(cols))
	for i, c := range cols {
		name := quoteIdent(c.Name)
		v := seedColumn(i)
		switch t := athenaType(c.DataType); {
		case t == "varchar":
			sel[i] = fmt.Sprintf("%s as %s", v, name)
		case t == "boolean":
			// dbt reads true/false in any case, as agate does.
			sel[i] = fmt.Sprintf("cast(lower(%s) as boolean) as %s", v, name)
		default:
			sel[i] = fmt.Sprintf("cast(%s as %s) as %s", v, t, name)
		}
	}
	return "select\n  " + strings.Join(sel, ",\n  ") + "\nfrom " + source
}

// literal renders a value read back from Athena (adapters.Rows) as a SQL
// constant of its type, for partition filters.
func literal(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		if strings.HasPrefix(typ, "date") {
			return "date '" + x.Format("2006-01-02") + "'"
		}
		return "timestamp '" + x.Format("2006-01-02 15:04:05.999999") + "'"
	}
	s := fmt.Sprint(v)
	if strings.HasPrefix(typ, "decimal") {
		return "decimal '" + s + "'"
	}
	return quoteLiteral(s)
}

// partitionFilter selects the rows of the given partitions: one
// (a = x and b = y) per partition, or-ed.
func partitionFilter(cols, types []string, values [][]any) string {
	ors := make([]string, len(values))
	for i, row := range values {
		ands := make([]string, len(cols))
		for j, c := range cols {
			if row[j] == nil {
				ands[j] = quoteIdent(c) + " is null"
			} else {
				ands[j] = quoteIdent(c) + " = " + literal(row[j], types[j])
			}
		}
		ors[i] = "(" + strings.Join(ands, " and ") + ")"
	}
	return strings.Join(ors, "\n   or ")
}

// batchSelectSQL reads the model's rows of some partitions only.
func batchSelectSQL(body, filter string) string {
	return "select * from (\n" + body + "\n) as gmodel_batch\nwhere " + filter
}

// distinctPartitionsSQL lists the partitions a model's rows fall in.
func distinctPartitionsSQL(body string, cols []string) string {
	return fmt.Sprintf("select distinct %s from (\n%s\n) as gmodel_parts\norder by %s", quotedList(cols, ""), body, quotedList(cols, ""))
}
