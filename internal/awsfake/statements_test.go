package awsfake_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"

	"github.com/gmodel/gmodel/internal/awsfake"
)

// columns renders a Glue table's columns as "name type, ...".
func columns(cols []gluetypes.Column) string {
	var out []string
	for _, c := range cols {
		out = append(out, aws.ToString(c.Name)+" "+aws.ToString(c.Type))
	}
	return strings.Join(out, ", ")
}

func mustTable(t *testing.T, f *awsfake.Server, db, name string) *gluetypes.Table {
	t.Helper()
	tb := f.Table(db, name)
	if tb == nil {
		t.Fatalf("no Glue table %s.%s", db, name)
	}
	return tb
}

func wantReason(t *testing.T, reason, want string) {
	t.Helper()
	if !strings.Contains(reason, want) {
		t.Errorf("reason %q does not contain %q", reason, want)
	}
}

func TestCTASHive(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema if not exists silver")
	qe := c.run(t, "silver", `create table "awsdatacatalog"."silver"."Dim_Customers"
with (table_type='hive', format='parquet', write_compression='snappy', external_location='s3://lake/silver/dim_customers/abc123/')
as
with src as (select 1 as customer_id, 'gb' as country, cast(null as timestamp) as seen_at)
select customer_id as customer_key, src.country, seen_at, count(*) over () as n, true as is_known, 1.50 price, customer_id + 1
from src`)
	if qe.StatementType != "DML" || aws.ToString(qe.SubstatementType) != "CREATE_TABLE_AS_SELECT" {
		t.Errorf("statement type %s/%s", qe.StatementType, aws.ToString(qe.SubstatementType))
	}
	tb := mustTable(t, c.fake, "silver", "dim_customers")
	if got, want := columns(tb.StorageDescriptor.Columns),
		"customer_key int, country string, seen_at timestamp, n bigint, is_known boolean, price decimal(3,2), _col6 string"; got != want {
		t.Errorf("columns = %s\nwant      %s", got, want)
	}
	if aws.ToString(tb.TableType) != "EXTERNAL_TABLE" || aws.ToString(tb.StorageDescriptor.Location) != "s3://lake/silver/dim_customers/abc123/" ||
		tb.Parameters["parquet.compression"] != "SNAPPY" || !strings.Contains(aws.ToString(tb.StorageDescriptor.SerdeInfo.SerializationLibrary), "Parquet") {
		t.Errorf("table = %+v", tb)
	}
	if objs := c.fake.S3Objects("s3://lake/silver/dim_customers/abc123/"); len(objs) != 1 {
		t.Errorf("data objects = %v, want one", objs)
	}

	wantReason(t, c.fail(t, "silver", `create table dim_customers with (external_location='s3://lake/x/') as select 1 as a`),
		"TABLE_ALREADY_EXISTS: line 1:14: Table 'awsdatacatalog.silver.dim_customers' already exists")
	c.run(t, "silver", `create table if not exists dim_customers as select 1 as a`)
	wantReason(t, c.fail(t, "silver", `create table other with (external_location='s3://lake/silver/dim_customers/abc123') as select 1 as a`),
		"HIVE_PATH_ALREADY_EXISTS: Target directory for table 'silver.other' already exists")
	wantReason(t, c.fail(t, "silver", `create table other with (external_location='s3://lake/o/', colour='red') as select 1 as a`),
		"INVALID_TABLE_PROPERTY: line 1:14: Catalog 'awsdatacatalog' table property 'colour' does not exist")
	wantReason(t, c.fail(t, "silver", `create table other with (location='s3://lake/o/') as select 1 as a`),
		"Table property 'location' does not apply to HIVE tables; use 'external_location'")
	wantReason(t, c.fail(t, "silver", "create table `other` as select 1 as a"),
		"SYNTAX_ERROR: line 1:14: backquoted identifiers are not supported; use double quotes to quote identifiers")
	wantReason(t, c.fail(t, "silver", `create table other as select a from bronze.raw`),
		"SCHEMA_NOT_FOUND: line 1:37: Schema 'bronze' does not exist")
	wantReason(t, c.fail(t, "silver", `create table other as select a from raw`),
		"TABLE_NOT_FOUND: line 1:37: Table 'awsdatacatalog.silver.raw' does not exist")
	wantReason(t, c.fail(t, "silver", `create table other as select 1 as a, 2 as a`),
		"Column name 'a' specified more than once")
	wantReason(t, c.fail(t, "gold", `create table t as select 1 as a`), "SCHEMA_NOT_FOUND: line 1:14: Schema 'gold' does not exist")

	// A table built without a location goes under the result location, as
	// Athena puts it, or under DefaultLocation when set.
	id := c.start(t, "silver", "create table no_loc as select 1 as a")
	c.wait(t, id)
	if loc := aws.ToString(mustTable(t, c.fake, "silver", "no_loc").StorageDescriptor.Location); loc != staging+"tables/"+id+"/" {
		t.Errorf("default location = %s", loc)
	}
	c.fake.DefaultLocation = "s3://warehouse/"
	c.run(t, "silver", "create table no_loc2 as select 1 as a")
	if loc := aws.ToString(mustTable(t, c.fake, "silver", "no_loc2").StorageDescriptor.Location); loc != "s3://warehouse/silver/no_loc2/" {
		t.Errorf("DefaultLocation location = %s", loc)
	}
	if len(c.fake.S3Objects("s3://warehouse/silver/no_loc2/")) != 1 {
		t.Error("no data under the DefaultLocation")
	}
}

func TestCTASHivePartitions(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema s")
	var months int
	c.fake.OnPartitionValues(func(sql string) [][]string {
		var vals [][]string
		for m := 1; m <= months; m++ {
			vals = append(vals, []string{"gb", fmt.Sprintf("2024-%02d", m)})
		}
		return vals
	})
	months = 3
	c.run(t, "s", `create table sales with (partitioned_by=ARRAY['country', 'month'], bucketed_by=ARRAY['id'], bucket_count=4, external_location='s3://lake/s/sales/')
as select 1 as id, 2.5 as amount, 'gb' as country, '2024-01' as month`)
	tb := mustTable(t, c.fake, "s", "sales")
	if got := columns(tb.StorageDescriptor.Columns); got != "id int, amount decimal(2,1)" {
		t.Errorf("data columns = %s", got)
	}
	if got := columns(tb.PartitionKeys); got != "country string, month string" {
		t.Errorf("partition keys = %s", got)
	}
	if tb.StorageDescriptor.NumberOfBuckets != 4 || !slices.Equal(tb.StorageDescriptor.BucketColumns, []string{"id"}) {
		t.Errorf("buckets = %d %v", tb.StorageDescriptor.NumberOfBuckets, tb.StorageDescriptor.BucketColumns)
	}
	parts := c.fake.Partitions("s", "sales")
	if len(parts) != 3 || aws.ToString(parts[1].StorageDescriptor.Location) != "s3://lake/s/sales/country=gb/month=2024-02" {
		t.Fatalf("partitions = %+v", parts)
	}
	objs := c.fake.S3Objects("s3://lake/s/sales/")
	if len(objs) != 3 || !strings.HasPrefix(objs[0], "s3://lake/s/sales/country=gb/month=2024-01/") {
		t.Errorf("objects = %v", objs)
	}

	// INSERT INTO adds partitions (and data) the same way.
	months = 5
	c.run(t, "s", "insert into s.sales select 1, 2.5, 'gb', '2024-05'")
	if n := len(c.fake.Partitions("s", "sales")); n != 5 {
		t.Errorf("%d partitions after insert, want 5", n)
	}
	if n := len(c.fake.S3Objects("s3://lake/s/sales/")); n != 8 {
		t.Errorf("%d objects after insert, want 8", n)
	}

	wantReason(t, c.fail(t, "s", `create table bad with (partitioned_by=ARRAY['country'], external_location='s3://lake/s/bad/') as select 'gb' as country, 1 as id`),
		"HIVE_COLUMN_ORDER_MISMATCH: Partition keys must be the last columns in the table and in the same order as the table properties: [country]")
	// 30 partitions x 4 buckets: more than Athena's 100 writers.
	months = 30
	wantReason(t, c.fail(t, "s", `create table big with (partitioned_by=ARRAY['country', 'month'], bucketed_by=ARRAY['id'], bucket_count=4, external_location='s3://lake/s/big/') as select 1 as id, 'gb' as country, 'm' as month`),
		"HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets")
	if c.fake.Table("s", "big") != nil || len(c.fake.S3Objects("s3://lake/s/big/")) != 0 {
		t.Error("a failed CTAS left a table or data")
	}
	months = 101
	wantReason(t, c.fail(t, "s", "insert into sales select 1, 2.5, 'gb', 'x'"), "HIVE_TOO_MANY_OPEN_PARTITIONS")
	wantReason(t, c.fail(t, "s", "insert into sales select 1, 'gb', 'x'"), "Insert query has 3 columns, but table awsdatacatalog.s.sales has 4")
	wantReason(t, c.fail(t, "s", "insert into nope select 1"), "TABLE_NOT_FOUND: line 1:13: Table 'awsdatacatalog.s.nope' does not exist")
}

func TestIceberg(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema s")
	c.run(t, "s", `create table "s"."orders__tmp" with (table_type='iceberg', is_external=false, location='s3://lake/s/orders/v2/', format='parquet', partitioning=ARRAY['day(ordered_at)', 'bucket(16, id)'])
as select 1 as id, cast(current_timestamp as timestamp(6)) as ordered_at`)
	tb := mustTable(t, c.fake, "s", "orders__tmp")
	if tb.Parameters["table_type"] != "ICEBERG" || !strings.HasPrefix(tb.Parameters["metadata_location"], "s3://lake/s/orders/v2/metadata/") ||
		columns(tb.StorageDescriptor.Columns) != "id int, ordered_at timestamp" || len(tb.PartitionKeys) != 0 {
		t.Errorf("iceberg table = %+v", tb)
	}
	wantReason(t, c.fail(t, "s", `create table x with (table_type='iceberg', external_location='s3://lake/x/') as select 1 as a`),
		"Table property 'external_location' does not apply to ICEBERG tables; use 'location'")
	wantReason(t, c.fail(t, "s", `create table x with (table_type='iceberg', location='s3://lake/x/', partitioning=ARRAY['month(nope)']) as select 1 as a`),
		"Cannot find source column: nope")

	// The swap: rename the new table into place.
	c.run(t, "s", "alter table s.orders__tmp rename to s.orders")
	if c.fake.Table("s", "orders__tmp") != nil || c.fake.Table("s", "orders") == nil {
		t.Fatal("rename did not move the table")
	}
	before := len(c.fake.S3Objects("s3://lake/s/orders/v2/"))
	c.run(t, "s", `merge into s.orders t using (select 2 as id) u on t.id = u.id when not matched then insert (id) values (u.id)`)
	if after := len(c.fake.S3Objects("s3://lake/s/orders/v2/")); after != before+2 {
		t.Errorf("MERGE wrote %d objects, want a data and a metadata object", after-before)
	}
	if v := aws.ToString(mustTable(t, c.fake, "s", "orders").VersionId); v == "0" {
		t.Error("an Iceberg commit did not bump the Glue table version")
	}
	c.run(t, "s", "delete from s.orders where id = 1")
	c.run(t, "s", "optimize s.orders rewrite data using bin_pack")
	c.run(t, "s", "vacuum s.orders")
	c.run(t, "s", "alter table s.orders add columns (note string comment 'why')")
	c.run(t, "s", "alter table s.orders drop column note")

	c.run(t, "s", "drop table if exists s.orders")
	if n := len(c.fake.S3Objects("s3://lake/s/orders/")); n != 0 {
		t.Errorf("DROP TABLE of an Iceberg table left %d objects", n)
	}
}

func TestHiveSwapAndRefusals(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema s")
	c.run(t, "s", `create table t with (external_location='s3://lake/s/t/v1/') as select 1 as a`)
	wantReason(t, c.fail(t, "s", "alter table s.t rename to s.t2"), "ALTER TABLE RENAME TO is supported only for Iceberg tables")
	wantReason(t, c.fail(t, "s", "merge into s.t using (select 1 as a) u on t.a = u.a when matched then delete"), "MERGE is supported only for Iceberg tables")
	wantReason(t, c.fail(t, "s", "alter table s.t drop column a"), "DROP COLUMN is supported only for Iceberg tables")
	wantReason(t, c.fail(t, "s", "insert overwrite table s.t select 1"), "INSERT OVERWRITE is not supported")

	c.run(t, "s", "alter table `s`.`t` set location 's3://lake/s/t/v2/'")
	tb := mustTable(t, c.fake, "s", "t")
	if aws.ToString(tb.StorageDescriptor.Location) != "s3://lake/s/t/v2/" || aws.ToString(tb.VersionId) != "1" {
		t.Errorf("after SET LOCATION: %s version %s", aws.ToString(tb.StorageDescriptor.Location), aws.ToString(tb.VersionId))
	}
	c.run(t, "s", "alter table s.t set tblproperties ('comment'='hello')")
	c.run(t, "s", "alter table s.t replace columns (a bigint, b string)")
	if tb := mustTable(t, c.fake, "s", "t"); tb.Parameters["comment"] != "hello" || columns(tb.StorageDescriptor.Columns) != "a bigint, b string" {
		t.Errorf("after ALTER: %+v", tb)
	}
	c.run(t, "s", "drop table `s`.`t`")
	if c.fake.Table("s", "t") != nil {
		t.Error("DROP TABLE left the Glue table")
	}
	if n := len(c.fake.S3Objects("s3://lake/s/t/v1/")); n != 1 {
		t.Errorf("DROP TABLE of a Hive table must keep its data (Athena does): %d objects", n)
	}
	wantReason(t, c.fail(t, "s", "drop table s.t"), "Table not found s.t")
	c.run(t, "s", "drop table if exists s.t")

	c.run(t, "default", "create table s.keep with (external_location='s3://lake/s/keep/') as select 1 as a")
	wantReason(t, c.fail(t, "default", "drop schema s"), "Database s is not empty")
	c.run(t, "default", "drop schema s cascade")
	if c.fake.Table("s", "keep") != nil {
		t.Error("DROP SCHEMA CASCADE left a table")
	}
	wantReason(t, c.fail(t, "default", "drop schema s"), "SCHEMA_NOT_FOUND")
	wantReason(t, c.fail(t, "default", "grant select on t to u"), "awsfake: unsupported statement: grant select on t to u")
}

func TestViews(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema gold")
	c.run(t, "gold", `create table base with (external_location='s3://lake/gold/base/') as select 1 as id, cast('x' as varchar) as name`)
	qe := c.run(t, "gold", `create or replace view "gold"."v" as select b.*, 1 as one from gold.base b`)
	if qe.StatementType != "DDL" || aws.ToString(qe.SubstatementType) != "CREATE_VIEW" {
		t.Errorf("statement type %s/%s", qe.StatementType, aws.ToString(qe.SubstatementType))
	}
	v := mustTable(t, c.fake, "gold", "v")
	if aws.ToString(v.TableType) != "VIRTUAL_VIEW" || columns(v.StorageDescriptor.Columns) != "id int, name string, one int" ||
		!strings.HasPrefix(aws.ToString(v.ViewOriginalText), "/* Presto View: ") || v.Parameters["presto_view"] != "true" {
		t.Errorf("view = %+v", v)
	}
	c.run(t, "gold", `create or replace view gold.v as select id from gold.base`)
	if v := mustTable(t, c.fake, "gold", "v"); columns(v.StorageDescriptor.Columns) != "id int" || aws.ToString(v.VersionId) != "1" {
		t.Errorf("replaced view = %+v", v)
	}
	wantReason(t, c.fail(t, "gold", `create view gold.v as select 1 as a`), "View 'awsdatacatalog.gold.v' already exists")
	wantReason(t, c.fail(t, "gold", `create or replace view gold.base as select 1 as a`), "already exists and is not a view")
	wantReason(t, c.fail(t, "gold", `drop table gold.v`), "Cannot drop a view with DROP TABLE")
	wantReason(t, c.fail(t, "gold", `drop view gold.base`), "View 'awsdatacatalog.gold.base' does not exist")
	c.run(t, "gold", `drop view gold.v`)
	c.run(t, "gold", `drop view if exists gold.v`)
	if c.fake.Table("gold", "v") != nil {
		t.Error("DROP VIEW left the view")
	}
}

func TestOnColumns(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema s")
	const ctas = "create table t as select * from information_schema.columns"
	wantReason(t, c.fail(t, "s", ctas), "awsfake: cannot tell the columns of: select * from information_schema.columns (script them with OnColumns)")
	var asked string
	c.fake.OnColumns(func(sql string) []awsfake.Col {
		asked = sql
		return []awsfake.Col{{Name: "X", Type: "int"}}
	})
	c.run(t, "s", ctas)
	if asked != "select * from information_schema.columns" {
		t.Errorf("OnColumns got %q", asked)
	}
	if got := columns(mustTable(t, c.fake, "s", "t").StorageDescriptor.Columns); got != "x int" {
		t.Errorf("columns = %s", got)
	}
	// UNNEST with column aliases needs no help.
	c.run(t, "s", "create table u as select * from unnest(array[1, 2]) as u(y)")
	if got := columns(mustTable(t, c.fake, "s", "u").StorageDescriptor.Columns); got != "y string" {
		t.Errorf("columns = %s", got)
	}
}

func TestExternalTablesAndPartitions(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create database if not exists bronze")
	qe := c.run(t, "bronze", "create external table if not exists `bronze`.`raw_transactions__seed` (\n"+
		"  `invoiceno` string comment 'invoice',\n  `quantity` int,\n  `price` decimal(10, 2),\n  `tags` array<string>\n)\n"+
		"partitioned by (`load_date` string)\n"+
		"row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' with serdeproperties ('separatorChar'=',')\n"+
		"stored as textfile location 's3://lake/bronze/raw_transactions/seed/'\n"+
		"tblproperties ('skip.header.line.count'='1')")
	if qe.StatementType != "DDL" {
		t.Errorf("statement type %s", qe.StatementType)
	}
	tb := mustTable(t, c.fake, "bronze", "raw_transactions__seed")
	if got := columns(tb.StorageDescriptor.Columns); got != "invoiceno string, quantity int, price decimal(10,2), tags array<string>" {
		t.Errorf("columns = %s", got)
	}
	if aws.ToString(tb.StorageDescriptor.Columns[0].Comment) != "invoice" || columns(tb.PartitionKeys) != "load_date string" ||
		aws.ToString(tb.StorageDescriptor.SerdeInfo.SerializationLibrary) != "org.apache.hadoop.hive.serde2.OpenCSVSerde" ||
		tb.Parameters["skip.header.line.count"] != "1" {
		t.Errorf("table = %+v", tb)
	}
	wantReason(t, c.fail(t, "bronze", "create table plain (a int) location 's3://lake/p/'"), "Only external table creation is supported")
	wantReason(t, c.fail(t, "bronze", "create external table ice (a int) location 's3://lake/i/' tblproperties ('table_type'='ICEBERG')"),
		"External keyword not supported for table type ICEBERG")
	c.run(t, "bronze", "create table ice (a int, ts timestamp) partitioned by (day(ts)) location 's3://lake/i/' tblproperties ('table_type'='ICEBERG')")

	c.run(t, "bronze", "alter table raw_transactions__seed add if not exists partition (load_date='2024-01-01') partition (load_date='2024-01-02') location 's3://elsewhere/x'")
	parts := c.fake.Partitions("bronze", "raw_transactions__seed")
	if len(parts) != 2 || aws.ToString(parts[0].StorageDescriptor.Location) != "s3://lake/bronze/raw_transactions/seed/load_date=2024-01-01" ||
		aws.ToString(parts[1].StorageDescriptor.Location) != "s3://elsewhere/x" {
		t.Errorf("partitions = %+v", parts)
	}
	wantReason(t, c.fail(t, "bronze", "alter table raw_transactions__seed add partition (load_date='2024-01-01')"), "Partition already exists")
	c.run(t, "bronze", "alter table raw_transactions__seed drop partition (load_date='2024-01-01'), partition (load_date='2024-01-02')")
	wantReason(t, c.fail(t, "bronze", "alter table raw_transactions__seed drop partition (load_date='2024-01-01')"), "Partition not found")

	c.fake.PutObject("s3://lake/bronze/raw_transactions/seed/load_date=2024-02-01/data.csv", []byte("x"))
	c.fake.PutObject("s3://lake/bronze/raw_transactions/seed/load_date=2024-02-02/data.csv", []byte("x"))
	c.fake.PutObject("s3://lake/bronze/raw_transactions/seed/stray.csv", []byte("x"))
	c.run(t, "bronze", "msck repair table raw_transactions__seed")
	var got []string
	for _, p := range c.fake.Partitions("bronze", "raw_transactions__seed") {
		got = append(got, p.Values...)
	}
	if strings.Join(got, ",") != "2024-02-01,2024-02-02" {
		t.Errorf("partitions after MSCK REPAIR = %v", got)
	}
}

// The select lists of examples/retail's models, as they compile for
// Athena: the fake must tell their columns without help.
func TestRetailShapes(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema bronze")
	c.run(t, "default", "create schema silver")
	c.run(t, "bronze", `create external table bronze.raw_transactions (invoiceno string, stockcode string, description string, quantity int,
		invoicedate string, unitprice string, customerid int, country string) location 's3://lake/bronze/raw/'`)
	c.run(t, "bronze", `create table "awsdatacatalog"."bronze"."stg_transactions" with (external_location='s3://lake/bronze/stg/') as
select
    invoiceno as invoice_no,
    stockcode as stock_code,
    description,
    quantity,
    date_parse(invoicedate, '%c/%e/%Y %k:%i') as invoice_at,
    try_cast(unitprice as decimal(38, 6)) as unit_price,
    customerid as customer_id,
    country,
    invoiceno like 'C%' as is_cancellation
from "awsdatacatalog"."bronze"."raw_transactions"`)
	if got := columns(mustTable(t, c.fake, "bronze", "stg_transactions").StorageDescriptor.Columns); got !=
		"invoice_no string, stock_code string, description string, quantity int, invoice_at timestamp, unit_price decimal(38,6), customer_id int, country string, is_cancellation boolean" {
		t.Errorf("stg_transactions columns = %s", got)
	}
	c.run(t, "silver", `create table "awsdatacatalog"."silver"."dim_customers" with (external_location='s3://lake/silver/dim/') as
with by_country as (
    select customer_id, country, count(*) as line_count, min(invoice_at) as first_seen_at
    from "awsdatacatalog"."bronze"."stg_transactions"
    where customer_id is not null
    group by customer_id, country
),
ranked as (
    select *, row_number() over (partition by customer_id order by line_count desc, country) as country_rank
    from by_country
)
select customer_id as customer_key, customer_id, country, first_seen_at, false as is_unknown
from ranked
where country_rank = 1
union all
select -1 as customer_key, cast(null as integer) as customer_id, 'unknown' as country, cast(null as timestamp) as first_seen_at, true as is_unknown`)
	if got := columns(mustTable(t, c.fake, "silver", "dim_customers").StorageDescriptor.Columns); got !=
		"customer_key int, customer_id int, country string, first_seen_at timestamp, is_unknown boolean" {
		t.Errorf("dim_customers columns = %s", got)
	}
	c.run(t, "silver", `create table silver.scored with (external_location='s3://lake/silver/scored/') as
with per_customer as (select customer_key, count(*) as orders from silver.dim_customers group by customer_key),
as_of as (select date_add('day', 1, max(first_seen_at)) as as_of_at from silver.dim_customers)
select per_customer.*, date_diff('day', per_customer.orders, as_of.as_of_at) as recency_days,
    case when orders > 1 then 'loyal' else 'new' end as segment, case when orders > 1 then 1 end
from per_customer
cross join as_of
left join (select 1 as k) extra on extra.k = per_customer.customer_key
where per_customer.orders > 0`)
	if got := columns(mustTable(t, c.fake, "silver", "scored").StorageDescriptor.Columns); got !=
		"customer_key int, orders bigint, recency_days bigint, segment string, _col4 string" {
		t.Errorf("scored columns = %s", got)
	}
}
