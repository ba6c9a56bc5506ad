package docsite_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"github.com/gmodel/gmodel/tests/testproject"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gmodel/gmodel/docsite"
	"github.com/gmodel/gmodel/internal/cli"
)

// The jaffle_shop test profile's password when JAFFLE_PASSWORD is set:
// no response may ever contain it.
const secret = "pw-docs-s3cret-9f1c"

// jaffle compiles tests/testdata/jaffle_shop into a fresh directory (no
// database: compile never connects) and adds a catalog and the
// run_results of a build, as `docs generate` and `build` would leave them.
// It returns the project directory.
func jaffle(t *testing.T) string {
	t.Helper()
	dir := testproject.Copy(t, filepath.Join("..", "tests", "testdata", "jaffle_shop"))
	profiles := filepath.Join("..", "tests", "testdata", "jaffle_shop_profiles")
	var out, errb bytes.Buffer
	f := &cli.Factory{
		IO: cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		LookupEnv: func(k string) (string, bool) {
			if k == "JAFFLE_PASSWORD" {
				return secret, true
			}
			return "", false
		},
		Getwd: os.Getwd,
		Home:  func() (string, error) { return t.TempDir(), nil },
	}
	if code := cli.MainWith(context.Background(), f, []string{"compile", "--project-dir", dir, "--profiles-dir", profiles}); code != 0 {
		t.Fatalf("compile: exit %d\n%s", code, errb.String())
	}
	target := filepath.Join(dir, "target")
	ids := manifestIDs(t, target)

	cat := docsite.New("1.8.0", "2026-01-01T00:00:00Z", "inv")
	cat.Nodes["model.jaffle_shop.orders"] = &docsite.Table{
		UniqueID: "model.jaffle_shop.orders",
		Metadata: docsite.TableMetadata{Name: "orders", Schema: "dbt_alice", Type: "BASE TABLE"},
		Columns: map[string]*docsite.Column{
			"order_id":     {Name: "order_id", Index: 1, Type: "integer"},
			"customer_id":  {Name: "customer_id", Index: 2, Type: "integer"},
			"order_date":   {Name: "order_date", Index: 3, Type: "date"},
			"status":       {Name: "status", Index: 4, Type: "text"},
			"amount":       {Name: "amount", Index: 5, Type: "numeric"},
			"undocumented": {Name: "undocumented", Index: 6, Type: "boolean"},
		},
		Stats: map[string]*docsite.Stat{
			"num_rows":  {ID: "num_rows", Value: float64(99), Include: true},
			"num_bytes": {ID: "num_bytes", Value: float64(16384), Include: true},
		},
	}
	var buf bytes.Buffer
	if err := cat.Write(&buf); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(target, "catalog.json"), buf.String())

	results := []map[string]any{
		result("model.jaffle_shop.orders", "success", ""),
		result("model.jaffle_shop.stg_orders", "success", ""),
		result(ids["unique_orders_order_id"], "pass", ""),
		result(ids["not_null_orders_customer_id"], "fail", "Got 3 results, configured to fail if != 0"),
	}
	rr, _ := json.Marshal(map[string]any{
		"metadata":     map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v5.json", "generated_at": "2026-01-01T00:00:10Z"},
		"results":      results,
		"elapsed_time": 1.5,
		// A careless writer could record secrets in args; they must never
		// reach a response.
		"args": map[string]any{"password": secret},
	})
	writeFile(t, filepath.Join(target, "run_results.json"), string(rr))
	return dir
}

func result(id, status, msg string) map[string]any {
	r := map[string]any{
		"unique_id": id, "status": status, "execution_time": 0.25, "thread_id": "Thread-1",
		"adapter_response": map[string]any{}, "failures": nil,
		"timing": []map[string]string{{"name": "execute", "started_at": "2026-01-01T00:00:01Z", "completed_at": "2026-01-01T00:00:02Z"}},
	}
	if msg != "" {
		r["message"] = msg
	}
	return r
}

// manifestIDs maps the names of the manifest's nodes to their unique IDs.
func manifestIDs(t *testing.T, target string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(target, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Nodes map[string]struct {
			Name string `json:"name"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for id, n := range m.Nodes {
		ids[n.Name] = id
	}
	return ids
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testAssets stand in for the web app, so these tests do not depend on
// the front end's files.
var testAssets = fstest.MapFS{
	"index.html":       {Data: []byte(`<!doctype html><html><head><link rel="stylesheet" href="/assets/chroma.css"><link rel="stylesheet" href="/assets/app.css"></head><body><main></main><script src="/assets/app.js"></script></body></html>`)},
	"app.css":          {Data: []byte("body { color: black }\n")},
	"app.js":           {Data: []byte("window.app = '</script>';\n")},
	"dev/fixture.json": {Data: []byte(`{"dev": true}`)},
}

type fixture struct {
	dir string
	srv *docsite.Server
	ts  *httptest.Server
	log *bytes.Buffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := jaffle(t)
	var log bytes.Buffer
	srv, err := docsite.NewServer(docsite.ServerOptions{
		TargetDir: filepath.Join(dir, "target"), ProjectDir: dir, Log: &log, Assets: testAssets,
		ReloadCheck: time.Nanosecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &fixture{dir: dir, srv: srv, ts: ts, log: &log}
}

// get fetches path and returns the status and body (decompressed by the
// client when it asked for gzip transparently).
func (f *fixture) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(f.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (f *fixture) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	code, b := f.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

type index struct {
	Project map[string]string `json:"project"`
	Nodes   []struct {
		ID    string   `json:"id"`
		T     string   `json:"t"`
		N     string   `json:"n"`
		P     string   `json:"p"`
		F     string   `json:"f"`
		L     string   `json:"l"`
		M     string   `json:"m"`
		S     string   `json:"s"`
		Tg    []string `json:"tg"`
		D     string   `json:"d"`
		C     []string `json:"c"`
		Up    []int    `json:"up"`
		Dn    []int    `json:"dn"`
		Tests []int    `json:"tests"`
		St    string   `json:"st"`
	} `json:"nodes"`
	Tags   []string `json:"tags"`
	Layers []string `json:"layers"`
}

func (x *index) find(t *testing.T, id string) int {
	t.Helper()
	for i, n := range x.Nodes {
		if n.ID == id {
			return i
		}
	}
	t.Fatalf("%s is not in the index", id)
	return -1
}

func TestIndex(t *testing.T) {
	f := newFixture(t)
	var x index
	f.getJSON(t, "/api/index.json", &x)
	if x.Project["name"] != "jaffle_shop" || x.Project["adapter_type"] != "postgres" || x.Project["generated_at"] == "" {
		t.Errorf("project = %v", x.Project)
	}
	if len(x.Nodes) != 28 {
		t.Errorf("%d nodes, want 28 (5 models, 3 seeds, 20 tests)", len(x.Nodes))
	}
	if !slices.Equal(x.Layers, []string{"bronze", "silver", "gold", "other"}) {
		t.Errorf("layers = %v", x.Layers)
	}
	orders := x.Nodes[x.find(t, "model.jaffle_shop.orders")]
	stg := x.find(t, "model.jaffle_shop.stg_orders")
	if orders.T != "model" || orders.N != "orders" || orders.P != "jaffle_shop" || orders.F != "models/orders.sql" ||
		orders.M != "table" || orders.S != "dbt_alice" || orders.L != "other" || orders.St != "success" {
		t.Errorf("orders = %+v", orders)
	}
	if !strings.HasPrefix(orders.D, "This table has basic information about orders") {
		t.Errorf("orders description = %q", orders.D)
	}
	// The catalog's columns in the warehouse's order, then none missing.
	if want := []string{"order_id", "customer_id", "order_date", "status", "amount", "undocumented",
		"credit_card_amount", "coupon_amount", "bank_transfer_amount", "gift_card_amount"}; !slices.Equal(orders.C, want) {
		t.Errorf("orders columns = %v\nwant %v", orders.C, want)
	}
	if !slices.Contains(orders.Up, stg) || !slices.Contains(x.Nodes[stg].Dn, x.find(t, "model.jaffle_shop.orders")) {
		t.Errorf("stg_orders is not upstream of orders: up %v, stg_orders dn %v", orders.Up, x.Nodes[stg].Dn)
	}
	if len(orders.Tests) != 10 {
		t.Errorf("orders has %d tests, want 10", len(orders.Tests))
	}
	for i, n := range x.Nodes {
		for _, j := range append(append([]int{}, n.Up...), n.Dn...) {
			if x.Nodes[j].T == "test" {
				t.Errorf("%s: up/dn holds the test %s", n.ID, x.Nodes[j].ID)
			}
		}
		for _, j := range n.Tests {
			if x.Nodes[j].T != "test" || !slices.Contains(x.Nodes[j].Up, i) {
				t.Errorf("%s: tests holds %s", n.ID, x.Nodes[j].ID)
			}
		}
		if n.T == "test" && n.M != "test" || n.Tg == nil || n.C == nil || n.Up == nil {
			t.Errorf("node %+v", n)
		}
	}
	if seed := x.Nodes[x.find(t, "seed.jaffle_shop.raw_orders")]; seed.M != "seed" || seed.St != "" {
		t.Errorf("raw_orders = %+v", seed)
	}
}

// The medallion layer comes from the schema, a folder or a tag.
func TestLayers(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	node := func(id, schema, path string, fqn, tags []string) map[string]any {
		return map[string]any{"unique_id": id, "resource_type": "model", "name": fqn[len(fqn)-1], "schema": schema,
			"original_file_path": path, "fqn": fqn, "tags": tags, "config": map[string]any{"materialized": "view"}}
	}
	man, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"project_name": "p"},
		"nodes": map[string]any{
			"model.p.a": node("model.p.a", "gold", "models/a.sql", []string{"p", "a"}, nil),
			"model.p.b": node("model.p.b", "x", "models/silver/b.sql", []string{"p", "silver", "b"}, nil),
			"model.p.c": node("model.p.c", "x", "models/c.sql", []string{"p", "c"}, []string{"Bronze"}),
			"model.p.d": node("model.p.d", "x", "models/golden/d.sql", []string{"p", "golden", "d"}, []string{"goldish"}),
			"model.p.e": node("model.p.e", "x", "models/gold/e.sql", []string{"p", "e"}, nil),
		},
	})
	writeFile(t, filepath.Join(target, "manifest.json"), string(man))
	site, err := docsite.LoadSite(target, docsite.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"model.p.a": "gold", "model.p.b": "silver", "model.p.c": "bronze", "model.p.d": "other", "model.p.e": "gold"}
	for id, l := range want {
		d, ok := site.Node(id)
		if !ok || d.L != l {
			t.Errorf("%s: layer %q, want %q", id, d.L, l)
		}
	}
	if got := site.Overview().Counts.ByLayer; got["gold"] != 2 || got["silver"] != 1 || got["bronze"] != 1 || got["other"] != 1 {
		t.Errorf("by_layer = %v", got)
	}
	// No __overview__ block: a generated one.
	if h := site.Overview().OverviewHTML; !strings.Contains(h, "5 models") {
		t.Errorf("generated overview = %s", h)
	}
}

type detail struct {
	ID, T, N, F, L, M, Schema, Database, Alias, Relation string
	Tags                                                 []string
	DescriptionHTML                                      string `json:"description_html"`
	Columns                                              []struct {
		Name            string `json:"name"`
		Type            string `json:"type"`
		DescriptionHTML string `json:"description_html"`
		Tests           []struct{ ID, Name, Status string }
	} `json:"columns"`
	Config          map[string]any `json:"config"`
	RawSQL          string         `json:"raw_sql"`
	CompiledSQL     string         `json:"compiled_sql"`
	RawSQLHTML      string         `json:"raw_sql_html"`
	CompiledSQLHTML string         `json:"compiled_sql_html"`
	Up, Dn          []string
	Tests           []struct{ ID, Name, Status, Column string }
	Stats           *struct{ Rows, Bytes float64 }
	LastRun         *struct {
		Status        string  `json:"status"`
		ExecutionTime float64 `json:"execution_time"`
		CompletedAt   string  `json:"completed_at"`
	} `json:"last_run"`
	Source any `json:"source"`
}

func TestNode(t *testing.T) {
	f := newFixture(t)
	var d detail
	f.getJSON(t, "/api/node/model.jaffle_shop.orders", &d)
	if d.ID != "model.jaffle_shop.orders" || d.T != "model" || d.N != "orders" || d.M != "table" || d.Schema != "dbt_alice" ||
		d.Database != "jaffle" || d.Alias != "orders" || d.Relation != `"jaffle"."dbt_alice"."orders"` || d.Source != nil {
		t.Errorf("orders detail: %+v", d)
	}
	if d.Config["materialized"] != "table" || d.Config["enabled"] != true {
		t.Errorf("config = %v", d.Config)
	}
	if !slices.Equal(d.Up, []string{"model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments"}) || len(d.Dn) != 0 {
		t.Errorf("up %v dn %v", d.Up, d.Dn)
	}
	cols := map[string]int{}
	for i, c := range d.Columns {
		cols[c.Name] = i
	}
	oid := d.Columns[cols["order_id"]]
	if oid.Type != "integer" || oid.DescriptionHTML != "<p>This is a unique identifier for an order</p>\n" || len(oid.Tests) != 2 {
		t.Errorf("order_id = %+v", oid)
	}
	statuses := map[string]string{}
	for _, tt := range oid.Tests {
		statuses[tt.Name] = tt.Status
	}
	if statuses["unique"] != "pass" || statuses["not_null"] != "" {
		t.Errorf("order_id tests = %+v", oid.Tests)
	}
	cid := d.Columns[cols["customer_id"]]
	var failed bool
	for _, tt := range cid.Tests {
		failed = failed || tt.Name == "not_null" && tt.Status == "fail"
	}
	if !failed {
		t.Errorf("customer_id tests = %+v", cid.Tests)
	}
	// The status doc block is a Markdown table.
	if st := d.Columns[cols["status"]]; !strings.Contains(st.DescriptionHTML, "<table>") || st.Type != "text" {
		t.Errorf("status = %+v", st)
	}
	if c := d.Columns[cols["credit_card_amount"]]; c.Type != "" || c.DescriptionHTML == "" {
		t.Errorf("credit_card_amount (not in the catalog) = %+v", c)
	}
	if len(d.Tests) != 10 {
		t.Errorf("%d tests", len(d.Tests))
	}
	if d.Stats == nil || d.Stats.Rows != 99 || d.Stats.Bytes != 16384 {
		t.Errorf("stats = %+v", d.Stats)
	}
	if d.LastRun == nil || d.LastRun.Status != "success" || d.LastRun.CompletedAt != "2026-01-01T00:00:02Z" {
		t.Errorf("last_run = %+v", d.LastRun)
	}
	if !strings.Contains(d.RawSQL, "{% set payment_methods") || strings.Contains(d.CompiledSQL, "{%") {
		t.Errorf("raw/compiled SQL:\n%s\n%s", d.RawSQL, d.CompiledSQL)
	}
	for _, h := range []string{d.RawSQLHTML, d.CompiledSQLHTML} {
		if !strings.HasPrefix(h, `<pre class="chroma">`) || !strings.Contains(h, `<span class="k">`) || strings.Contains(h, "style=") {
			t.Errorf("highlighted SQL:\n%.400s", h)
		}
	}
	if !strings.Contains(d.RawSQLHTML, `<span class="cp">{%</span>`) {
		t.Errorf("raw SQL's Jinja is not highlighted:\n%.400s", d.RawSQLHTML)
	}

	code, b := f.get(t, "/api/node/model.jaffle_shop.nope")
	var e map[string]string
	if code != http.StatusNotFound || json.Unmarshal(b, &e) != nil || !strings.Contains(e["error"], "model.jaffle_shop.nope") {
		t.Errorf("unknown node: %d %s", code, b)
	}
	// A seed has no catalog entry and no run here.
	var seed detail
	f.getJSON(t, "/api/node/seed.jaffle_shop.raw_orders", &seed)
	if seed.Stats != nil || seed.LastRun != nil || seed.M != "seed" {
		t.Errorf("raw_orders = %+v", seed)
	}
}

// Markdown is rendered without raw HTML and without javascript: links.
func TestMarkdownIsSafe(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	_ = os.MkdirAll(target, 0o755)
	man, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"project_name": "p"},
		"nodes": map[string]any{"model.p.a": map[string]any{
			"unique_id": "model.p.a", "resource_type": "model", "name": "a", "fqn": []string{"p", "a"},
			"description": "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))",
			"columns":     map[string]any{"c": map[string]any{"name": "c", "description": "<b onclick=x>c</b>", "data_type": "int"}},
		}},
	})
	writeFile(t, filepath.Join(target, "manifest.json"), string(man))
	site, err := docsite.LoadSite(target, docsite.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := site.Node("model.p.a")
	all := d.DescriptionHTML + d.Columns[0].DescriptionHTML
	for _, bad := range []string{"<script", "<img", "onerror", "onclick", "javascript:"} {
		if strings.Contains(all, bad) {
			t.Errorf("rendered HTML holds %q:\n%s", bad, all)
		}
	}
	if !strings.Contains(d.DescriptionHTML, "<strong>bold</strong>") || d.Columns[0].Type != "int" {
		t.Errorf("description = %s, column = %+v", d.DescriptionHTML, d.Columns[0])
	}
	var x index
	if err := json.Unmarshal(indexBytes(t, site), &x); err != nil {
		t.Fatal(err)
	}
	if got := x.Nodes[0].D; got != "bold alert(1) x" {
		t.Errorf("plain description = %q", got)
	}
}

func indexBytes(t *testing.T, site *docsite.Site) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := site.WriteIndex(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type hit struct{ ID, N, T, L, Where, Snippet string }

func TestSearch(t *testing.T) {
	f := newFixture(t)
	search := func(q string) []hit {
		var hs []hit
		f.getJSON(t, "/api/search?q="+url.QueryEscape(q), &hs)
		return hs
	}
	hs := search("Customers")
	if len(hs) < 3 || hs[0].ID != "model.jaffle_shop.customers" || hs[0].Where != "name" {
		t.Fatalf("customers: %+v", hs)
	}
	// Exact, then prefix, then substring; models before tests.
	var names []string
	for _, h := range hs {
		names = append(names, h.N)
	}
	if i, j := slices.Index(names, "stg_customers"), slices.Index(names, "unique_customers_customer_id"); i < 0 || j < 0 || i > j {
		t.Errorf("order: %v", names)
	}
	// A column name ranks after names holding the word (a test's here).
	hs = search("credit_card_amount")
	if len(hs) != 2 || hs[0].Where != "name" || hs[1].ID != "model.jaffle_shop.orders" || hs[1].Where != "column:credit_card_amount" {
		t.Errorf("credit_card_amount: %+v", hs)
	}
	// A description.
	hs = search("derived facts")
	if len(hs) != 2 || hs[0].Where != "description" || !strings.Contains(hs[0].Snippet, "derived facts") {
		t.Errorf("derived facts: %+v", hs)
	}
	// SQL only.
	hs = search("payment_methods")
	if len(hs) != 1 || hs[0].ID != "model.jaffle_shop.orders" || hs[0].Where != "sql" ||
		!strings.Contains(hs[0].Snippet, "set payment_methods") {
		t.Errorf("payment_methods: %+v", hs)
	}
	if hs := search("no-such-thing-anywhere"); len(hs) != 0 {
		t.Errorf("nothing: %+v", hs)
	}
	var limited []hit
	f.getJSON(t, "/api/search?q=order&limit=2", &limited)
	if len(limited) != 2 {
		t.Errorf("limit=2: %d hits", len(limited))
	}
	if code, _ := f.get(t, "/api/search?q=x&limit=-1"); code != http.StatusBadRequest {
		t.Errorf("limit=-1: %d", code)
	}
}

func TestSelect(t *testing.T) {
	f := newFixture(t)
	var got struct{ IDs []string }
	f.getJSON(t, "/api/select?select="+url.QueryEscape("+orders")+"&exclude="+url.QueryEscape("resource_type:test"), &got)
	want := []string{"model.jaffle_shop.orders", "model.jaffle_shop.stg_orders", "model.jaffle_shop.stg_payments",
		"seed.jaffle_shop.raw_orders", "seed.jaffle_shop.raw_payments"}
	if !slices.Equal(got.IDs, want) {
		t.Errorf("+orders = %v", got.IDs)
	}
	// Tests of selected models come along (eager indirect selection).
	f.getJSON(t, "/api/select?select="+url.QueryEscape("stg_orders+1,resource_type:model"), &got)
	models := slices.DeleteFunc(got.IDs, func(id string) bool { return strings.HasPrefix(id, "test.") })
	if !slices.Equal(models, []string{"model.jaffle_shop.customers", "model.jaffle_shop.orders", "model.jaffle_shop.stg_orders"}) {
		t.Errorf("stg_orders+1,resource_type:model = %v", got.IDs)
	}
	code, b := f.get(t, "/api/select?select="+url.QueryEscape("colour:red"))
	var e map[string]string
	if code != http.StatusBadRequest || json.Unmarshal(b, &e) != nil || !strings.Contains(e["error"], `'colour' is not a valid method name`) {
		t.Errorf("bad method: %d %s", code, b)
	}
}

func TestOverview(t *testing.T) {
	f := newFixture(t)
	var o struct {
		Project      map[string]string
		OverviewHTML string `json:"overview_html"`
		Counts       struct {
			ByLayer           map[string]int `json:"by_layer"`
			ByMaterialization map[string]int `json:"by_materialization"`
			ByType            map[string]int `json:"by_type"`
		}
		LastRun *struct {
			GeneratedAt string `json:"generated_at"`
			Elapsed     float64
			Statuses    map[string]int
		} `json:"last_run"`
	}
	f.getJSON(t, "/api/overview", &o)
	if !strings.Contains(o.OverviewHTML, "<h2>Data Documentation for Jaffle Shop</h2>") {
		t.Errorf("overview_html = %s", o.OverviewHTML)
	}
	if o.Counts.ByType["model"] != 5 || o.Counts.ByType["seed"] != 3 || o.Counts.ByType["test"] != 20 ||
		o.Counts.ByMaterialization["table"] != 2 || o.Counts.ByMaterialization["view"] != 3 ||
		o.Counts.ByLayer["other"] != 8 || o.Counts.ByLayer["gold"] != 0 {
		t.Errorf("counts = %+v", o.Counts)
	}
	if o.LastRun == nil || o.LastRun.Elapsed != 1.5 || o.LastRun.Statuses["success"] != 2 || o.LastRun.Statuses["pass"] != 1 ||
		o.LastRun.Statuses["fail"] != 1 || o.LastRun.Statuses["error"] != 0 {
		t.Errorf("last_run = %+v", o.LastRun)
	}
}

// Only the app's own files and the API are served: no path reaches the
// file system or a file of the app not meant to be served.
func TestNoTraversal(t *testing.T) {
	f := newFixture(t)
	goMod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/../go.mod", "/assets/../../go.mod", "/assets/..%2f..%2fgo.mod", "/assets/%2e%2e/%2e%2e/go.mod",
		"/assets/%2e%2e%2f%2e%2e%2fgo.mod", "/assets//etc/passwd", "/assets/%2fetc%2fpasswd", "/etc/passwd",
		"/assets/..\\..\\go.mod", "/assets/dev/fixture.json", "/assets/index.html", "/go.mod", "/target/manifest.json",
		"/manifest.json", "/api/../go.mod", "/api/node/..%2f..%2fgo.mod", "/assets/", "/assets/.",
	} {
		code, b := rawGet(t, f.ts.URL, p)
		if code == http.StatusOK || bytes.Contains(b, goMod[:40]) || bytes.Contains(b, []byte("root:")) || bytes.Contains(b, []byte(`"dev"`)) {
			t.Errorf("GET %s: %d %.200s", p, code, b)
		}
	}
	for p, want := range map[string]string{"/": "<main>", "/assets/app.css": "color: black", "/assets/chroma.css": ".chroma"} {
		if code, b := f.get(t, p); code != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d %.200s", p, code, b)
		}
	}
}

// rawGet sends path exactly as written (no client-side cleaning) and
// follows redirects, returning the last status and body.
func rawGet(t *testing.T, base, path string) (int, []byte) {
	t.Helper()
	u, _ := url.Parse(base)
	req, err := http.NewRequest("GET", base, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = "//" + u.Host + path
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestGzip(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/api/index.json", "/api/search?q=order", "/api/node/model.jaffle_shop.orders", "/api/select?select=%2Borders"} {
		req, _ := http.NewRequest("GET", f.ts.URL+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q", p, resp.Header.Get("Content-Encoding"))
			resp.Body.Close()
			continue
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		b, err := io.ReadAll(zr)
		resp.Body.Close()
		if err != nil || !json.Valid(b) {
			t.Errorf("%s: gzip body does not decode to JSON: %v", p, err)
		}
	}
	// Without Accept-Encoding, plain JSON.
	req, _ := http.NewRequest("GET", f.ts.URL+"/api/index.json", nil)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "" || !json.Valid(b) {
		t.Errorf("plain index: %q", resp.Header.Get("Content-Encoding"))
	}
}

// No response, nor the static page, holds the profile's password, even
// when an artifact does.
func TestNoSecrets(t *testing.T) {
	f := newFixture(t)
	var x index
	f.getJSON(t, "/api/index.json", &x)
	paths := []string{"/", "/api/index.json", "/api/overview", "/api/search?q=s3cret", "/api/search?q=" + secret,
		"/api/select?select=" + secret, "/api/select?select=password:x", "/api/node/" + secret, "/assets/chroma.css"}
	for _, n := range x.Nodes {
		paths = append(paths, "/api/node/"+n.ID)
	}
	for _, p := range paths {
		_, b := f.get(t, p)
		if bytes.Contains(b, []byte(secret)) && !strings.Contains(p, secret) {
			t.Errorf("GET %s holds the password", p)
		}
	}
	// Echoing the request is the only way to see it: an unknown node's
	// error names the ID asked for, which the caller already had.
	var buf bytes.Buffer
	if err := docsite.WriteStatic(&buf, f.srv.Site(), testAssets); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(secret)) {
		t.Error("the static page holds the password")
	}
	if strings.Contains(f.log.String(), secret) {
		t.Error("the server's log holds the password")
	}
}

// The server picks up a new run_results.json and manifest.json; a broken
// manifest keeps the last good one and says why.
func TestReload(t *testing.T) {
	f := newFixture(t)
	target := filepath.Join(f.dir, "target")
	var x index
	f.getJSON(t, "/api/index.json", &x)
	etag := headerOf(t, f.ts.URL+"/api/index.json", "ETag")
	orders := x.find(t, "model.jaffle_shop.orders")
	if x.Nodes[orders].St != "success" {
		t.Fatalf("orders status %q", x.Nodes[orders].St)
	}
	rr, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"generated_at": "2026-01-02T00:00:00Z"},
		"results":  []map[string]any{result("model.jaffle_shop.orders", "error", "boom")},
	})
	replace(t, filepath.Join(target, "run_results.json"), rr)
	f.getJSON(t, "/api/index.json", &x)
	if x.Nodes[orders].St != "error" {
		t.Errorf("after a new run_results.json: orders status %q", x.Nodes[orders].St)
	}
	if e := headerOf(t, f.ts.URL+"/api/index.json", "ETag"); e == etag || e == "" {
		t.Errorf("ETag %s did not change", e)
	}
	var d detail
	f.getJSON(t, "/api/node/model.jaffle_shop.orders", &d)
	if d.LastRun == nil || d.LastRun.Status != "error" {
		t.Errorf("node detail not reloaded: %+v", d.LastRun)
	}

	// A manifest cut short: the previous site stays.
	good, _ := os.ReadFile(filepath.Join(target, "manifest.json"))
	replace(t, filepath.Join(target, "manifest.json"), good[:len(good)/2])
	f.getJSON(t, "/api/index.json", &x)
	if len(x.Nodes) != 28 || !strings.Contains(f.log.String(), "keeping the previous artifacts") ||
		!strings.Contains(f.log.String(), "manifest.json:") {
		t.Errorf("broken manifest: %d nodes, log:\n%s", len(x.Nodes), f.log.String())
	}
	// A new model appears once the manifest is whole again.
	var m map[string]any
	_ = json.Unmarshal(good, &m)
	nodes := m["nodes"].(map[string]any)
	c := nodes["model.jaffle_shop.customers"].(map[string]any)
	c2 := map[string]any{}
	for k, v := range c {
		c2[k] = v
	}
	c2["unique_id"], c2["name"] = "model.jaffle_shop.customers_v2", "customers_v2"
	nodes["model.jaffle_shop.customers_v2"] = c2
	b, _ := json.Marshal(m)
	replace(t, filepath.Join(target, "manifest.json"), b)
	f.getJSON(t, "/api/index.json", &x)
	if len(x.Nodes) != 29 {
		t.Errorf("after the new manifest: %d nodes", len(x.Nodes))
	}
}

// replace writes a file with a modification time that differs from the
// previous one, as a later write would have.
func replace(t *testing.T, path string, b []byte) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
	later := fi.ModTime().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
}

func headerOf(t *testing.T, u, name string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get(name)
}

// A missing or broken manifest is a clear error naming the file.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := docsite.LoadSite(dir, docsite.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "manifest.json")) || !strings.Contains(err.Error(), "gmodel compile") {
		t.Errorf("no manifest: %v", err)
	}
	writeFile(t, filepath.Join(dir, "manifest.json"), "{\n  \"nodes\": {\n    \"x\": {\"name\": \"a\",}\n}")
	_, err = docsite.LoadSite(dir, docsite.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "manifest.json")+":3:") || !strings.Contains(err.Error(), "hint:") {
		t.Errorf("broken manifest: %v", err)
	}
	writeFile(t, filepath.Join(dir, "manifest.json"), "{\n  \"nodes\": {\n    \"x\": [1]}}")
	_, err = docsite.LoadSite(dir, docsite.LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "manifest.json:3:10:") {
		t.Errorf("wrong type: %v", err)
	}
}

// The static page inlines the app and holds every node's detail.
func TestStatic(t *testing.T) {
	f := newFixture(t)
	site := f.srv.Site()
	var buf bytes.Buffer
	if err := docsite.WriteStatic(&buf, site, testAssets); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{`src="/assets/`, `href="/assets/`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page still refers to %s", bad)
		}
	}
	for _, want := range []string{"body { color: black }", ".chroma", `window.app = '<\/script>'`, `<script id="gmodel-data" type="application/json">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	element := func(id string) string {
		open := `<script id="` + id + `" type="application/json">`
		start := strings.Index(page, open)
		if start < 0 || start > strings.Index(page, "window.app") {
			t.Fatalf("%s must come before the app's script", id)
		}
		data := page[start+len(open):]
		data = data[:strings.Index(data, "</script>")]
		if strings.Contains(data, "</") || strings.Contains(data, "<!--") {
			t.Errorf("%s holds </ or <!--", id)
		}
		return data
	}
	var d struct {
		Index    index                      `json:"index"`
		Overview map[string]json.RawMessage `json:"overview"`
		Nodes    map[string]detail
	}
	if err := json.Unmarshal([]byte(element("gmodel-data")), &d); err != nil {
		t.Fatalf("gmodel-data is not JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(element("gmodel-nodes")), &d.Nodes); err != nil {
		t.Fatalf("gmodel-nodes is not JSON: %v", err)
	}
	if len(d.Index.Nodes) != 28 || len(d.Nodes) != 28 || d.Overview["overview_html"] == nil {
		t.Errorf("%d index nodes, %d details", len(d.Index.Nodes), len(d.Nodes))
	}
	if o := d.Nodes["model.jaffle_shop.orders"]; o.N != "orders" || len(o.Columns) != 10 || !strings.Contains(o.RawSQLHTML, "chroma") {
		t.Errorf("orders in the static data: %+v", o)
	}
}
