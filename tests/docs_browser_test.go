package tests

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/gmodel/gmodel/internal/cli"
)

// The docs web app in a real headless Chromium (Debian's chromium package),
// driven through the DOM hooks of docsite/README.md.

// artifactDir holds the screenshots the browser tests take.
const artifactDir = ".artifacts/docs"

// chromiumPath finds Chromium; its absence fails the test with what to
// install, never skips it.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium found for the docs browser tests: install chromium (apt-get install chromium)")
	return ""
}

// errorProbe records the page's uncaught errors and rejected promises, and
// when __gmodelReady becomes true (ms since navigation start).
const errorProbe = `
window.__gmErrors = [];
window.addEventListener('error', e => window.__gmErrors.push(String(e.message || e)));
window.addEventListener('unhandledrejection', e => window.__gmErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason)));
(() => {
  let ready;
  Object.defineProperty(window, '__gmodelReady', {
    configurable: true,
    get() { return ready; },
    set(v) { ready = v; if (v === true && window.__gmReadyMs === undefined) window.__gmReadyMs = performance.now(); },
  });
})();
`

// newBrowser starts a headless Chromium with one tab of the given size;
// the browser stops with the test.
func newBrowser(t testing.TB, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.WindowSize(width, height),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return newTab(t, ctx)
}

// newTab opens another tab of the browser with the error probe installed.
func newTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := addProbe(ctx); err != nil {
		t.Fatalf("installing the error probe: %v", err)
	}
	return ctx
}

// addProbe installs errorProbe in every page the tab loads from now on.
func addProbe(ctx context.Context) error {
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: errorProbe})
	return err
}

// docsServer is `gmodel docs serve` running in-process on a free port.
type docsServer struct {
	url  string
	stop func() int
}

func serveDocs(t testing.TB, projectDir string) *docsServer {
	t.Helper()
	pr, pw := io.Pipe()
	var errb strings.Builder
	f := &cli.Factory{
		IO:        cli.Stdio{In: strings.NewReader(""), Out: pw, Err: &errb},
		LookupEnv: func(string) (string, bool) { return "", false },
		Getwd:     os.Getwd,
		Home:      func() (string, error) { return os.TempDir(), nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		c := cli.MainWith(ctx, f, []string{"docs", "serve", "--port", "0", "--project-dir", projectDir})
		pw.CloseWithError(errors.New("gmodel docs serve exited"))
		code <- c
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		c := <-code
		t.Fatalf("docs serve: exit %d, %v\n%s", c, err, errb.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	rest, ok := strings.CutPrefix(line, "Serving docs at ")
	if !ok {
		t.Fatalf("docs serve printed %q", line)
	}
	url, _, _ := strings.Cut(rest, " ")
	s := &docsServer{url: url}
	stopped := false
	var last int
	s.stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			last = <-code
		}
		return last
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// docsCase is what one project's browser test looks for.
type docsCase struct {
	name     string // screenshot prefix
	search   string // typed into the search box
	hit      string // the node the search must find; its page is checked
	title    string // its #node-title
	column   string // a column of it, with a type and passing tests
	colType  string
	model    string // a node whose lineage and upstream list are checked
	upstream string // a parent of model
}

func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(artifactDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifactDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot: %s", abs)
}

// waitReady waits for the app's first page to be interactive.
func waitReady(t testing.TB, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool]("window.__gmodelReady === true")); err != nil {
		t.Fatalf("window.__gmodelReady never became true: %v; page errors: %v", err, pageErrors(ctx))
	}
}

func pageErrors(ctx context.Context) []string {
	errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string]("window.__gmErrors || []"))
	return errs
}

func noPageErrors(t testing.TB, ctx context.Context, where string) {
	t.Helper()
	if errs := pageErrors(ctx); len(errs) > 0 {
		t.Errorf("%s: the page threw: %v", where, errs)
	}
}

// evalInt evaluates a JavaScript expression returning a number.
func evalInt(t testing.TB, ctx context.Context, expr string) int {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return int(v)
}

// setHash moves the app to a route without reloading the page.
func setHash(t testing.TB, ctx context.Context, hash string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](fmt.Sprintf("location.hash = %q", hash))); err != nil {
		t.Fatalf("location.hash = %s: %v", hash, err)
	}
}

func waitFor(t testing.TB, ctx context.Context, sel, what string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(sel))); err != nil {
		t.Fatalf("%s: %s never appeared: %v; page errors: %v", what, sel, err, pageErrors(ctx))
	}
}

func css(sel string, args ...any) string { return fmt.Sprintf(sel, args...) }

// checkDocsApp walks through the app as a user would: overview, search,
// node page (columns, types, tests with statuses, upstream), lineage.
func checkDocsApp(t *testing.T, ctx context.Context, base string, c docsCase, static bool) {
	t.Helper()
	prefix := c.name
	if static {
		prefix += "-static"
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"#/overview")); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	waitFor(t, ctx, `#overview .layer-count[data-layer="bronze"]`, "overview")
	for _, l := range []string{"silver", "gold"} {
		waitFor(t, ctx, css(`#overview .layer-count[data-layer=%q]`, l), "overview")
	}
	screenshot(t, ctx, prefix+"-overview")

	// Search, then open the hit.
	hit := css(`#search-results a.search-hit[data-id=%q]`, c.hit)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#search-input")), chromedp.SendKeys(chromedp.CSS("#search-input"), c.search)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(hit))); err != nil {
		t.Fatalf("searching %q did not list %s: %v; page errors: %v", c.search, c.hit, err, pageErrors(ctx))
	}
	screenshot(t, ctx, prefix+"-search")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(hit))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, css(`#node-page[data-id=%q]`, c.hit), "the search hit's page")
	if title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#node-title"))); err != nil || !strings.Contains(title, c.title) {
		t.Errorf("#node-title = %q (%v), want %q", title, err, c.title)
	}
	row := css(`#node-columns tr[data-column=%q]`, c.column)
	waitFor(t, ctx, row, "the columns table")
	if typ, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(row+" .col-type"))); err != nil || strings.TrimSpace(typ) != c.colType {
		t.Errorf("%s type = %q (%v), want %q", c.column, typ, err, c.colType)
	}
	if n := evalInt(t, ctx, css(`document.querySelectorAll(%q).length`, row+` .col-tests .test-badge[data-status="pass"]`)); n < 1 {
		t.Errorf("%s: no passing test badge", c.column)
	}
	if n := evalInt(t, ctx, css(`document.querySelectorAll(%q).length`, row+` .col-tests .test-badge:not([data-status="pass"])`)); n != 0 {
		t.Errorf("%s: %d test badges are not pass", c.column, n)
	}
	if desc := evalInt(t, ctx, css(`document.querySelector(%q).textContent.trim().length`, row+" .col-desc")); desc == 0 {
		t.Errorf("%s has no description", c.column)
	}
	screenshot(t, ctx, prefix+"-node")

	// The upstream list of model, then its lineage.
	setHash(t, ctx, "#/node/"+c.model)
	waitFor(t, ctx, css(`#node-page[data-id=%q] #upstream a[data-id=%q]`, c.model, c.upstream), "the upstream list")
	setHash(t, ctx, "#/lineage/"+c.model)
	waitFor(t, ctx, css(`#lineage g.lnode[data-id=%q]`, c.upstream), "the lineage graph")
	waitFor(t, ctx, css(`#lineage path.ledge[data-from=%q][data-to=%q]`, c.upstream, c.model), "the lineage edge")
	screenshot(t, ctx, prefix+"-lineage")

	// Focusing a node renders its subgraph and says how long that took.
	seq := evalInt(t, ctx, `+(document.querySelector('#lineage').dataset.renderSeq || 0)`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css(`#lineage g.lnode[data-id=%q]`, c.upstream)))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`+(document.querySelector('#lineage').dataset.renderSeq || 0) > %d`, seq))); err != nil {
		t.Fatalf("clicking %s in the lineage did not re-render it: %v", c.upstream, err)
	}
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#lineage').dataset.renderMs`))
	if _, perr := strconv.ParseFloat(ms, 64); err != nil || perr != nil {
		t.Errorf("data-render-ms = %q (%v)", ms, err)
	}
	t.Logf("%s: lineage focus on %s rendered in %s ms", prefix, c.upstream, ms)
	noPageErrors(t, ctx, prefix)
}

// checkPhone opens a node page at phone size: readable, nothing wider than
// the screen.
func checkPhone(t *testing.T, browser context.Context, base string, c docsCase) {
	t.Helper()
	ctx := newTab(t, browser)
	if err := chromedp.Do(ctx, chromedp.Emulate(device.IPhone12), chromedp.Navigate(base+"#/node/"+c.hit)); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ctx)
	waitFor(t, ctx, css(`#node-page[data-id=%q]`, c.hit), "the node page on a phone")
	if w := evalInt(t, ctx, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("on a 390 px wide phone the page is %d px wide", w)
	}
	screenshot(t, ctx, c.name+"-phone")
	noPageErrors(t, ctx, c.name+" phone")
}

// checkStatic opens target/static_index.html from disk, no server.
func checkStatic(t *testing.T, browser context.Context, projectDir string, c docsCase) {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(projectDir, "target", "static_index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no static page: %v", err)
	}
	checkDocsApp(t, newTab(t, browser), "file://"+path, c, true)
}

// jaffle_shop built on PostgreSQL, with its catalog and the run results of
// the build.
func TestDocsBrowserJaffle(t *testing.T) {
	e := newPGEnv(t, "testdata/jaffle_shop", "jaffle_shop", nil)
	if r := e.gmodel(t, "build"); r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	analyze(t, e)
	if r := e.gmodel(t, "docs", "generate", "--static"); r.code != 0 {
		t.Fatalf("docs generate --static: exit %d\n%s", r.code, r.stderr)
	}
	srv := serveDocs(t, e.dir)
	c := docsCase{
		name: "jaffle", search: "customers", hit: "model.jaffle_shop.customers", title: "customers",
		column: "customer_id", colType: "integer",
		model: "model.jaffle_shop.orders", upstream: "model.jaffle_shop.stg_orders",
	}
	browser := newBrowser(t, 1366, 768)
	checkDocsApp(t, browser, srv.url, c, false)
	checkPhone(t, browser, srv.url, c)
	checkStatic(t, browser, e.dir, c)
	if code := srv.stop(); code != 0 {
		t.Errorf("docs serve: exit %d after Ctrl-C", code)
	}
}

// The retail medallion example: a gold model, its tests and its silver
// parent.
func TestDocsBrowserRetail(t *testing.T) {
	e := newPGEnv(t, "", "retail", nil)
	e.dir = retailProject(t, 2_000)
	if r := e.gmodel(t, "build"); r.code != 0 {
		t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
	}
	if r := e.gmodel(t, "docs", "generate", "--static"); r.code != 0 {
		t.Fatalf("docs generate --static: exit %d\n%s", r.code, r.stderr)
	}
	srv := serveDocs(t, e.dir)
	c := docsCase{
		name: "retail", search: "customer_lifetime", hit: "model.retail.customer_lifetime_value", title: "customer_lifetime_value",
		column: "customer_key", colType: "integer",
		model: "model.retail.customer_lifetime_value", upstream: "model.retail.fact_sales",
	}
	browser := newBrowser(t, 1366, 768)
	checkDocsApp(t, browser, srv.url, c, false)
	checkPhone(t, browser, srv.url, c)
	checkStatic(t, browser, e.dir, c)
}
