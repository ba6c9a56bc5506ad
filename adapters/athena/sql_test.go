package athena

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/<name>, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

const modelSQL = "select order_id, amount, order_date\nfrom \"silver\".\"orders\""

func mustConfig(t *testing.T, cfg map[string]any) tableConfig {
	t.Helper()
	c, err := parseTableConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The SQL of each table option, one golden per case.
func TestCTASGoldens(t *testing.T) {
	loc := mustDir("s3://data/warehouse/gold/orders/0000-uuid/")
	name := Dialect{}.Render(adapters.Relation{Schema: "gold", Identifier: "orders__gmodel_tmp"})
	for _, tc := range []struct {
		name string
		cfg  map[string]any
	}{
		{"hive_default", nil},
		{"hive_orc_zstd", map[string]any{"format": "orc", "write_compression": "zstd"}},
		{"hive_partitioned", map[string]any{"partitioned_by": []any{"order_date", "Country"}}},
		{"hive_bucketed", map[string]any{"bucketed_by": []any{"order_id"}, "bucket_count": float64(8)}},
		{"hive_textfile", map[string]any{"format": "textfile", "field_delimiter": "|"}},
		{"iceberg", map[string]any{"table_type": "iceberg"}},
		{"iceberg_partitioned_props", map[string]any{"table_type": "iceberg", "partitioned_by": []any{"day(order_date)"},
			"bucketed_by": []any{"order_id"}, "bucket_count": float64(4), "write_compression": "zstd",
			"table_properties": map[string]any{"vacuum_max_snapshot_age_seconds": float64(86400), "optimize_rewrite_delete_file_threshold": "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfig(t, tc.cfg)
			golden(t, "ctas/"+tc.name+".sql", ctasPrefix(name, c, loc)+modelBody(modelSQL+";\n"))
		})
	}
}

func TestIncrementalGoldens(t *testing.T) {
	target := `"gold"."orders"`
	source := `"gold"."orders__gmodel_new"`
	cols := []string{"order_id", "amount", "Order Date"}
	inc := &adapters.Incremental{Strategy: "merge", UniqueKey: []string{"order_id"}, Predicates: []string{"DBT_INTERNAL_DEST.order_date > date '2024-01-01'"}}
	var b strings.Builder
	for _, s := range []string{
		viewPrefix(source) + modelSQL,
		insertSQL(target, source, cols),
		mergeSQL(target, source, cols, inc),
		mergeSQL(target, source, cols, &adapters.Incremental{Strategy: "merge"}),
		deleteSQL(target, source, &adapters.Incremental{UniqueKey: []string{"k1", "k2"}, Predicates: []string{"k1 > 0"}}),
		icebergAddColumnsSQL("gold", "orders", []adapters.Column{{Name: "extra", DataType: "varchar"}, {Name: "n", DataType: "integer"}}),
		icebergDropColumnSQL("gold", "orders", "gone"),
		icebergChangeColumnSQL("gold", "orders", adapters.Column{Name: "amount", DataType: "double"}),
		renameSQL("gold", "orders__gmodel_tmp", "orders"),
		dropTableSQL("gold", "orders__gmodel_old"),
		dropViewSQL(source),
	} {
		b.WriteString(s)
		b.WriteString(";\n\n")
	}
	golden(t, "incremental.sql", b.String())
}

func TestSeedGoldens(t *testing.T) {
	cols := []adapters.Column{
		{Name: "InvoiceNo", DataType: "text"}, {Name: "Quantity", DataType: "integer"},
		{Name: "UnitPrice", DataType: "numeric(10,2)"}, {Name: "day", DataType: "date"},
		{Name: "at", DataType: "timestamp"}, {Name: "flag", DataType: "boolean"}, {Name: "ratio", DataType: "double"},
	}
	s := seedUploadSQL("bronze", "raw__gmodel_upload", len(cols), mustDir("s3://data/warehouse/bronze/raw/_seed_csv/0000-uuid/")) + ";\n\n" +
		seedSelectSQL(`"bronze"."raw__gmodel_upload"`, cols) + ";\n"
	golden(t, "seed.sql", s)
}

func TestPartitionBatchGoldens(t *testing.T) {
	cols := []string{"day", "country", "n"}
	types := []string{"date", "varchar", "integer"}
	day := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	filter := partitionFilter(cols, types, [][]any{{day, "United Kingdom", int64(1)}, {day, "O'Hara", nil}})
	golden(t, "partition_batch.sql", distinctPartitionsSQL(modelSQL, cols)+";\n\n"+batchSelectSQL(modelSQL, filter)+";\n")
}

func TestParseTableConfigErrors(t *testing.T) {
	_, err := parseTableConfig(map[string]any{"table_type": "delta", "format": "csv", "bucketed_by": []any{"a"},
		"partitioned_by": []any{float64(1)}, "external_location": "/tmp/x", "table_properties": "x"})
	want := `athena: table_type "delta" is not hive or iceberg; format "csv" is not one of parquet, orc, avro, json, textfile, ion; partitioned_by must be a list of column names; bucketed_by and bucket_count go together; external_location: location /tmp/x must start with s3://; table_properties must be a mapping`
	if err == nil || err.(*adapters.Error).Msg != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	c := mustConfig(t, map[string]any{"partitioned_by": "day", "table_properties": map[string]any{"Bad Key": 1}})
	if len(c.PartitionedBy) != 1 || checkTableProperties(c) == nil {
		t.Errorf("config %+v; a bad property key passed", c)
	}
}

func TestDialect(t *testing.T) {
	d := Dialect{}
	for _, tc := range []struct {
		r    adapters.Relation
		want string
	}{
		{adapters.Relation{Database: "awsdatacatalog", Schema: "Silver", Identifier: "Orders"}, `"silver"."orders"`},
		{adapters.Relation{Database: "AwsDataCatalog", Schema: "s", Identifier: "t"}, `"s"."t"`},
		{adapters.Relation{Database: "lake", Schema: "s", Identifier: "t"}, `"lake"."s"."t"`},
		{adapters.Relation{Identifier: `a"b`}, `"a""b"`},
	} {
		if got := d.Render(tc.r); got != tc.want {
			t.Errorf("Render(%+v) = %s, want %s", tc.r, got, tc.want)
		}
	}
	if d.Quote("MixedCase") != `"mixedcase"` || hiveName("S", "T") != "`s`.`t`" {
		t.Error("quoting")
	}
	for in, want := range map[string]string{
		"text": "varchar", "TEXT": "varchar", "string": "varchar", "varchar(20)": "varchar(20)", "character varying(5)": "varchar(5)",
		"integer": "integer", "int4": "integer", "int8": "bigint", "numeric(10,2)": "decimal(10,2)", "numeric": "decimal(38,6)",
		"float8": "double", "double precision": "double", "boolean": "boolean", "timestamp without time zone": "timestamp",
		"date": "date", "array<string>": "array<string>",
	} {
		if got := athenaType(in); got != want {
			t.Errorf("athenaType(%q) = %q, want %q", in, got, want)
		}
	}
	if !sameType("string", "varchar") || !sameType("int", "INTEGER") || !sameType("timestamp(3)", "timestamp") || sameType("int", "bigint") {
		t.Error("sameType")
	}
	for _, bad := range []string{"", "Order Items", "a-b", strings.Repeat("x", 256)} {
		if checkName("table", bad) == nil {
			t.Errorf("checkName(%q) passed", bad)
		}
	}
	if err := checkName("table", "Fact_Sales_2"); err != nil {
		t.Error(err)
	}
}
