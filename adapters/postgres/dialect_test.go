package postgres

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/adaptertest"
)

func TestQuoteAndRender(t *testing.T) {
	d := Dialect{}
	for _, tc := range []struct {
		in, want string
	}{
		{"orders", `"orders"`},
		{"Order Items", `"Order Items"`},
		{"select", `"select"`},
		{`a"b`, `"a""b"`},
		{`""`, `""""""`},
		{"ünï", `"ünï"`},
	} {
		if got := d.Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		r    adapters.Relation
		want string
	}{
		{adapters.Relation{Identifier: "t"}, `"t"`},
		{adapters.Relation{Schema: "s", Identifier: "t"}, `"s"."t"`},
		{adapters.Relation{Database: "My DB", Schema: `s"x`, Identifier: "t"}, `"My DB"."s""x"."t"`},
	} {
		if got := d.Render(tc.r); got != tc.want {
			t.Errorf("Render(%+v) = %s, want %s", tc.r, got, tc.want)
		}
	}
	if d.Type() != "postgres" {
		t.Errorf("Type() = %q", d.Type())
	}
}

func TestQuoteLiteral(t *testing.T) {
	for in, want := range map[string]string{
		"plain":    "'plain'",
		"it's":     "'it''s'",
		`back\one`: `E'back\\one'`,
		`'\`:       `E'''\\'`,
	} {
		if got := quoteLiteral(in); got != want {
			t.Errorf("quoteLiteral(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAside(t *testing.T) {
	if got := aside("orders", "__gmodel_tmp"); got != "orders__gmodel_tmp" {
		t.Errorf("short name: %q", got)
	}
	long1 := strings.Repeat("x", 55) + "_one"
	long2 := strings.Repeat("x", 55) + "_two"
	a1, a2 := aside(long1, "__gmodel_tmp"), aside(long2, "__gmodel_tmp")
	if len(a1) > maxIdent || len(a2) > maxIdent || a1 == a2 || !strings.HasSuffix(a1, "__gmodel_tmp") {
		t.Errorf("long names: %q (%d), %q (%d)", a1, len(a1), a2, len(a2))
	}
	// Never cut inside a character.
	multi := strings.Repeat("é", 40)
	if got := aside(multi, "__gmodel_tmp"); !strings.HasSuffix(got, "__gmodel_tmp") || len(got) > maxIdent || !utf8Valid(got) {
		t.Errorf("multibyte: %q", got)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestCopyReader(t *testing.T) {
	rows := adaptertest.NewRows(
		[]string{"1", `a\b`, "tab\tnl\ncr\r"},
		[]string{"2", `\N`, ""},
	)
	var progress []int64
	r := &copyReader{rows: rows, width: 3, progress: func(n int64) { progress = append(progress, n) }}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	want := "1\ta\\\\b\ttab\\tnl\\ncr\\r\n2\t\\N\t\n"
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if n, err := r.stop(); n != 2 || !errors.Is(err, io.EOF) {
		t.Errorf("stop() = %d, %v", n, err)
	}
	if _, err := r.Read(make([]byte, 10)); err == nil {
		t.Error("Read after stop succeeded")
	}
	bad := &copyReader{rows: adaptertest.NewRows([]string{"1"}), width: 2}
	if _, err := io.ReadAll(bad); err == nil || !strings.Contains(err.Error(), "row 1 has 1 values") {
		t.Errorf("width mismatch: %v", err)
	}
}

func TestIncrementalSQL(t *testing.T) {
	cols := []adapters.Column{{Name: "id"}, {Name: "Na me"}}
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"insert", insertSQL(`"s"."t"`, `"tmp"`, cols),
			"INSERT INTO \"s\".\"t\" (\"id\", \"Na me\")\nSELECT \"id\", \"Na me\" FROM \"tmp\""},
		{"delete one key", deleteSQL(`"s"."t"`, `"tmp"`, &adapters.Incremental{UniqueKey: []string{"id"}, Predicates: []string{"id > 2"}}),
			"DELETE FROM \"s\".\"t\" AS DBT_INTERNAL_DEST\nWHERE (id) IN (SELECT (id) FROM \"tmp\" AS DBT_INTERNAL_SOURCE)\n  AND (id > 2)"},
		{"delete two keys", deleteSQL(`"s"."t"`, `"tmp"`, &adapters.Incremental{UniqueKey: []string{"a", "b"}}),
			"DELETE FROM \"s\".\"t\" AS DBT_INTERNAL_DEST\nUSING \"tmp\" AS DBT_INTERNAL_SOURCE\nWHERE DBT_INTERNAL_SOURCE.a = DBT_INTERNAL_DEST.a\n  AND DBT_INTERNAL_SOURCE.b = DBT_INTERNAL_DEST.b"},
		{"merge", mergeSQL(`"s"."t"`, `"tmp"`, cols, &adapters.Incremental{UniqueKey: []string{"id"}}),
			"MERGE INTO \"s\".\"t\" AS DBT_INTERNAL_DEST\nUSING \"tmp\" AS DBT_INTERNAL_SOURCE\nON DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id\n" +
				"WHEN MATCHED THEN UPDATE SET \"id\" = DBT_INTERNAL_SOURCE.\"id\", \"Na me\" = DBT_INTERNAL_SOURCE.\"Na me\"\n" +
				"WHEN NOT MATCHED THEN INSERT (\"id\", \"Na me\")\nVALUES (DBT_INTERNAL_SOURCE.\"id\", DBT_INTERNAL_SOURCE.\"Na me\")"},
		{"merge without key", mergeSQL(`"t"`, `"tmp"`, cols[:1], &adapters.Incremental{}),
			"MERGE INTO \"t\" AS DBT_INTERNAL_DEST\nUSING \"tmp\" AS DBT_INTERNAL_SOURCE\nON FALSE\nWHEN NOT MATCHED THEN INSERT (\"id\")\nVALUES (DBT_INTERNAL_SOURCE.\"id\")"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
}

func TestSchemaDiff(t *testing.T) {
	src := []adapters.Column{{Name: "id", DataType: "integer"}, {Name: "n", DataType: "text"}, {Name: "new", DataType: "date"}}
	dst := []adapters.Column{{Name: "id", DataType: "integer"}, {Name: "n", DataType: "integer"}, {Name: "old", DataType: "text"}}
	d := diffColumns(src, dst)
	want := `new columns: "new" date; columns no longer in the model: "old" text; changed types: "n" integer -> text`
	if d.Describe(quoteIdent) != want {
		t.Errorf("diff:\n got %s\nwant %s", d.Describe(quoteIdent), want)
	}
	stmts, out := expandVarchar(`"t"`,
		[]adapters.Column{{Name: "a", DataType: "character varying(20)"}, {Name: "b", DataType: "character varying(5)"}},
		[]adapters.Column{{Name: "a", DataType: "character varying(10)"}, {Name: "b", DataType: "character varying(10)"}})
	if len(stmts) != 1 || stmts[0] != `ALTER TABLE "t" ALTER COLUMN "a" TYPE character varying(20)` || out[0].DataType != "character varying(20)" || out[1].DataType != "character varying(10)" {
		t.Errorf("expandVarchar: %q %v", stmts, out)
	}
}
