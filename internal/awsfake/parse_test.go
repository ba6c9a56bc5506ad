package awsfake

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
)

func TestParseStmt(t *testing.T) {
	tests := []struct {
		sql  string
		kind stmtKind
		typ  string
		name string
	}{
		{"/* {\"app\": \"gmodel\"} */ select 1", kSelect, "DML", ""},
		{"-- c\nWITH a AS (SELECT 1) SELECT * FROM a", kSelect, "DML", ""},
		{"show tables in s", kSelect, "UTILITY", ""},
		{"describe s.t", kSelect, "UTILITY", ""},
		{`create table "AwsDataCatalog"."S"."T" with (format='orc') as select 1 as a with no data`, kCTAS, "DML", "s.t"},
		{"create or replace view s.v as select 1 as a", kCreateView, "DDL", "s.v"},
		{"create view v security invoker as select 1 as a", kCreateView, "DDL", "v"},
		{"create schema if not exists s", kCreateDB, "DDL", "s"},
		{"create database s location 's3://b/s/' with dbproperties ('k'='v')", kCreateDB, "DDL", "s"},
		{"drop schema if exists s cascade", kDropDB, "DDL", "s"},
		{"drop table if exists `s`.`t`", kDropTable, "DDL", "s.t"},
		{"drop view if exists s.v;", kDropView, "DDL", "s.v"},
		{"alter table s.a rename to s.b", kRename, "DDL", "s.a"},
		{"alter table s.a add partition (dt='1')", kAddPartition, "DDL", "s.a"},
		{"alter table s.a drop if exists partition (dt='1'), partition (dt=2)", kDropPartition, "DDL", "s.a"},
		{"alter table s.a set location 's3://b/a/'", kSetLocation, "DDL", "s.a"},
		{"alter table s.a set tblproperties ('k'='v')", kSetProperties, "DDL", "s.a"},
		{"alter table s.a add columns (c int comment 'x')", kAddColumns, "DDL", "s.a"},
		{"alter table s.a replace columns (c int)", kReplaceColumns, "DDL", "s.a"},
		{"alter table s.a change column c d bigint", kChangeColumn, "DDL", "s.a"},
		{"insert into s.t (a, b) select 1, 2", kInsert, "DML", "s.t"},
		{"insert into s.t values (1)", kInsert, "DML", "s.t"},
		{"merge into s.t as t using s.u as u on t.id = u.id when matched then delete", kIcebergDML, "DML", "s.t"},
		{"delete from s.t where x = 1", kIcebergDML, "DML", "s.t"},
		{"msck repair table s.t", kMsck, "DDL", "s.t"},
	}
	for _, tt := range tests {
		st, err := parseStmt(tt.sql)
		if err != nil {
			t.Errorf("%s: %v", tt.sql, err)
			continue
		}
		if st.kind != tt.kind || st.stmtType != tt.typ || st.name.String() != tt.name {
			t.Errorf("%s: kind %d type %s name %q, want %d %s %q", tt.sql, st.kind, st.stmtType, st.name.String(), tt.kind, tt.typ, tt.name)
		}
	}

	st, _ := parseStmt(`create table t with (partitioned_by = ARRAY['a', 'b'], bucket_count = 4, is_external = false) as select 1`)
	if st.props["partitioned_by"] != "a,b" || st.props["bucket_count"] != "4" || st.props["is_external"] != "false" {
		t.Errorf("CTAS properties = %v", st.props)
	}

	for sql, want := range map[string]string{
		"":                                     "SYNTAX_ERROR: line 1:1: empty statement",
		"select 'unterminated":                 "SYNTAX_ERROR: line 1:8: unterminated '",
		"select 1 /* open":                     "SYNTAX_ERROR: line 1:10: unterminated comment",
		"create table t with (a = ) as x":      "SYNTAX_ERROR: line 1:26: mismatched input ')'",
		"drop table t extra":                   "SYNTAX_ERROR: line 1:14: mismatched input 'extra'. Expecting: end of statement",
		"select `x` from t":                    "SYNTAX_ERROR: line 1:8: backquoted identifiers are not supported",
		"alter table t\n  frobnicate":          "NOT_SUPPORTED: awsfake: unsupported statement: alter table t frobnicate",
		"create table t (a int,) location 'x'": "SYNTAX_ERROR: line 1:23: mismatched input ')'. Expecting: an identifier",
	} {
		_, err := parseStmt(sql)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("parseStmt(%q) = %v, want %s...", sql, err, want)
		}
	}
}

func TestInferColumns(t *testing.T) {
	tables := map[string][]colDef{
		"s.orders": {{"id", "bigint", ""}, {"customer", "string", ""}, {"amount", "decimal(10,2)", ""}},
		"s.people": {{"id", "bigint", ""}, {"name", "string", ""}},
	}
	tests := []struct{ sql, want string }{
		{"select 1", "_col0 int"},
		{"select current_date, current_timestamp now", "_col0 date, now timestamp"},
		{"select id, o.amount, o.customer as who from s.orders o", "id bigint, amount decimal(10,2), who string"},
		{"select o.*, p.name from s.orders as o join s.people p on p.id = o.id", "id bigint, customer string, amount decimal(10,2), name string"},
		{"select * from s.orders, s.people", "id bigint, customer string, amount decimal(10,2), id bigint, name string"},
		{"with a (x, y) as (select id, name from s.people) select * from a", "x bigint, y string"},
		{"with a as (select id from s.people), b as (select a.*, 2 two from a) select * from b", "id bigint, two int"},
		{"select * from (select id as k from s.orders) sub", "k bigint"},
		{"select p.name, o.* from (s.orders o join s.people p on o.id = p.id)", "name string, id bigint, customer string, amount decimal(10,2)"},
		{"select * from (select id as k from s.orders) sub(kk)", "kk bigint"},
		{"(select id from s.orders) union all (select id from s.people)", "id bigint"},
		{"select count(*), sum(amount) total, 'x' \"Quoted\", -2.5 neg, 1e3 f, 12345678901 big from s.orders", "_col0 bigint, total string, quoted string, neg decimal(2,1), f double, big bigint"},
		{"select cast(x as varchar(10)) a, cast(y as row(a integer, b array(real))) b, try_cast(z as map(varchar, integer)) c from s.orders",
			"a varchar(10), b struct<a:int,b:array<float>>, c map<string,int>"},
		{"select case when id > 1 then 'a' end, id is null, id between 1 and 2, (id > 1) = true, not (id = 1) from s.orders", "_col0 string, _col1 boolean, _col2 boolean, _col3 boolean, _col4 boolean"},
		{"select max(amount) over (partition by id), row_number() over (order by id) rn, coalesce(customer, 'x'), avg(amount), date_add('day', 1, current_date), date_parse(customer, '%Y') from s.orders",
			"_col0 decimal(10,2), rn bigint, _col2 string, _col3 double, _col4 date, _col5 timestamp"},
		{"values (1, 'a'), (2, 'b')", "_col0 string, _col1 string"},
		{"select distinct id from s.orders where id in (select id from s.people) order by 1 limit 5", "id bigint"},
		{"select x from unnest(array[1]) as t(x)", "x string"},
		{"select * from s.orders for timestamp as of timestamp '2024-01-01' o", "id bigint, customer string, amount decimal(10,2)"},
	}
	for _, tt := range tests {
		toks, err := lex(tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		ix := &inferrer{src: tt.sql, lookup: func(q qname) ([]colDef, error) {
			cols, ok := tables[q.db+"."+q.name]
			if !ok {
				return nil, failf("TABLE_NOT_FOUND", "%s", q)
			}
			return cols, nil
		}}
		cols, known, err := ix.query(toks[:len(toks)-1], nil)
		if err != nil || !known {
			t.Errorf("%s: known %v, err %v", tt.sql, known, err)
			continue
		}
		var got []string
		for _, c := range cols {
			got = append(got, c.name+" "+c.typ)
		}
		if strings.Join(got, ", ") != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.sql, strings.Join(got, ", "), tt.want)
		}
	}
}

func TestDecodeChunked(t *testing.T) {
	body := "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	got, err := decodeChunked([]byte(body))
	if err != nil || string(got) != "hello world" {
		t.Errorf("decodeChunked = %q, %v", got, err)
	}
	for _, bad := range []string{"zz\r\nhello", "5\r\nhel", "5\r\nhelloXX\r\n0\r\n"} {
		if _, err := decodeChunked([]byte(bad)); err == nil {
			t.Errorf("decodeChunked(%q) accepted a malformed body", bad)
		}
	}
}

func TestWireRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC)
	in := &gluetypes.Table{
		Name:       aws.String("t"),
		CreateTime: aws.Time(now),
		Parameters: map[string]string{"k": "v"},
		Retention:  7,
		StorageDescriptor: &gluetypes.StorageDescriptor{
			Columns:         []gluetypes.Column{{Name: aws.String("a"), Type: aws.String("int")}},
			NumberOfBuckets: 3,
			Compressed:      true,
		},
	}
	w := toWire(in).(map[string]any)
	if w["CreateTime"] != float64(now.UnixMilli())/1000 {
		t.Errorf("CreateTime on the wire = %v, want epoch seconds", w["CreateTime"])
	}
	if _, ok := w["Description"]; ok {
		t.Error("a nil member is on the wire")
	}
	out := clone(in)
	if !out.CreateTime.Equal(now) || out.Parameters["k"] != "v" || out.Retention != 7 ||
		out.StorageDescriptor.NumberOfBuckets != 3 || !out.StorageDescriptor.Compressed || aws.ToString(out.StorageDescriptor.Columns[0].Type) != "int" {
		t.Errorf("clone = %+v", out)
	}
	out.Parameters["k"] = "changed"
	if in.Parameters["k"] != "v" {
		t.Error("clone shares its maps")
	}
	var bad gluetypes.Table
	if err := fromWire(map[string]any{"Retention": "seven"}, &bad); err == nil || !strings.Contains(err.Error(), "Retention") {
		t.Errorf("type mismatch: %v", err)
	}
}

func TestLikeAndTablePattern(t *testing.T) {
	for _, tt := range []struct {
		s, pat string
		want   bool
	}{{"2024-01", "2024-%", true}, {"2024-01", "2024-0_", true}, {"2023-01", "2024%", false}, {"", "%", true}, {"a", "", false}} {
		if got := likeMatch(tt.s, tt.pat); got != tt.want {
			t.Errorf("likeMatch(%q, %q) = %v", tt.s, tt.pat, got)
		}
	}
	re, err := tablePattern("stg_*|dim_customers")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"stg_orders": true, "DIM_CUSTOMERS": true, "dim_customers_x": false, "my_stg_x": false} {
		if re.MatchString(name) != want {
			t.Errorf("pattern matches %s: %v, want %v", name, !want, want)
		}
	}
}

// Every prefix of well-formed statements (so: malformed statements of all
// shapes) is refused or accepted, never a panic.
func TestTruncatedStatements(t *testing.T) {
	stmts := []string{
		`create table "s"."t" with (partitioned_by=ARRAY['a'], bucket_count=4) as with x (a, b) as (select 1, 2) select x.*, cast(b as decimal(3, 1)) c from x join s.u on u.a = x.a cross join unnest(y) as z(k) union all select * from (values (1, 2)) v(a, b)`,
		"create external table if not exists `s`.`t` (a int comment 'x', b map<string,array<int>>) partitioned by (d string) row format serde 'x' with serdeproperties ('a'='b') stored as inputformat 'i' outputformat 'o' location 's3://b/t/' tblproperties ('k'='v')",
		"alter table s.t add if not exists partition (d='1', e=2) location 's3://b/x' partition (d='2', e=3)",
		"alter table s.t change column a b decimal(10, 2) comment 'c'",
		"insert into s.t (a) select a from s.u where a in (select b from s.v)",
		"merge into s.t t using (select 1 a) u on t.a = u.a when matched then update set a = u.a",
	}
	lookup := func(q qname) ([]colDef, error) { return []colDef{{"a", "int", ""}}, nil }
	for _, full := range stmts {
		for n := range len(full) + 1 {
			sql := full[:n]
			st, err := parseStmt(sql)
			if err != nil || len(st.query) == 0 {
				continue
			}
			ix := &inferrer{src: sql, lookup: lookup}
			ix.query(st.query, nil)
		}
	}
	keys := []gluetypes.Column{{Name: aws.String("y")}, {Name: aws.String("m")}}
	full := "(y = '2024' or not y between 1 and 2) and m in ('1', 2) and m like '1%'"
	for n := range len(full) + 1 {
		partitionFilter(full[:n], keys)
	}
}
