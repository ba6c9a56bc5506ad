package tests

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gmodel/gmodel/docsite"
)

// The docs benchmarks of the README on the generated 10,000-model project
// (30,000 nodes with the tests, ~98 MB manifest): the server's load, the
// first page in headless Chromium until window.__gmodelReady, and the
// lineage focus the app reports in data-render-ms. `make bench-docs`.

var (
	docsBenchOnce sync.Once
	docsBenchErr  error
)

// docsBenchProject is the 10,000-model project, compiled (no database).
func docsBenchProject(b *testing.B) string {
	dir := benchProject(b)
	docsBenchOnce.Do(func() {
		r := run(nil, nil, "compile", "--write-compiled=false", "--project-dir", dir, "--profiles-dir", dir)
		if r.code != 0 {
			docsBenchErr = fmt.Errorf("compile: exit %d\n%s", r.code, r.stderr)
		}
	})
	if docsBenchErr != nil {
		b.Fatal(docsBenchErr)
	}
	return dir
}

// BenchmarkDocsServerLoad10k reads the artifacts and builds the index, the
// search text and the overview, as `docs serve` does at start and on each
// reload; it reports the index's size, raw and gzipped.
func BenchmarkDocsServerLoad10k(b *testing.B) {
	target := filepath.Join(docsBenchProject(b), "target")
	var site *docsite.Site
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if site, err = docsite.LoadSite(target, docsite.LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var raw bytes.Buffer
	if err := site.WriteIndex(&raw); err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw.Bytes())
	_ = zw.Close()
	b.ReportMetric(float64(site.Len()), "nodes")
	b.ReportMetric(float64(raw.Len())/1e6, "MB-index")
	b.ReportMetric(float64(gz.Len())/1e6, "MB-index-gzip")
}

// BenchmarkDocsSearch10k is /api/search's work for a few queries: a name
// found exactly, a common word, and one found only in SQL.
func BenchmarkDocsSearch10k(b *testing.B) {
	site, err := docsite.LoadSite(filepath.Join(docsBenchProject(b), "target"), docsite.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"gold_orders_09506", "customers", "coalesce(", "no such text"} {
		b.Run(q, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				site.Search(q, 50)
			}
		})
	}
}

// BenchmarkDocsFirstPage10k loads the app in a fresh browser context (empty
// cache) and waits for window.__gmodelReady. ms/first-page is the page's
// own performance.now() when the flag turned true (from navigation start);
// ms/first-page-wall adds the DevTools round trips around it.
func BenchmarkDocsFirstPage10k(b *testing.B) {
	srv := serveDocs(b, docsBenchProject(b))
	browser := newBrowser(b, 1366, 768)
	var page, wall float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		if err := addProbe(ctx); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"#/overview")); err != nil {
			b.Fatal(err)
		}
		waitReady(b, ctx)
		wall += float64(time.Since(start).Microseconds()) / 1000
		ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64]("window.__gmReadyMs"))
		if err != nil {
			b.Fatal(err)
		}
		page += ms
		noPageErrors(b, ctx, "first page")
		cancel()
	}
	b.ReportMetric(page/float64(b.N), "ms/first-page")
	b.ReportMetric(wall/float64(b.N), "ms/first-page-wall")
}

// BenchmarkDocsLineageFocus10k measures the lineage focus: the time the
// app reports in data-render-ms, from the click handler to the painted
// frame (ms/focus), the same seen from DevTools (ms/focus-wall), and how
// many nodes the focused graph drew.
//
//   - largest: the lineage of the node with the most nodes upstream and
//     downstream (77, a source), clicking in turn that node and its
//     biggest neighbour;
//   - from-selection: the graph of a big selection (tag:gold, 2,500 models)
//     on screen, clicking one of its nodes.
func BenchmarkDocsLineageFocus10k(b *testing.B) {
	srv := serveDocs(b, docsBenchProject(b))
	a, nb := bigLineage(b, srv.url)
	browser := newBrowser(b, 1366, 768)
	b.Run("largest", func(b *testing.B) {
		ctx := newTab(b, browser)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"#/lineage/"+a)); err != nil {
			b.Fatal(err)
		}
		waitReady(b, ctx)
		waitFor(b, ctx, fmt.Sprintf(`#lineage g.lnode[data-id=%q]`, nb), "the neighbour in the lineage")
		var f focusStats
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			id := nb
			if i%2 == 1 {
				id = a
			}
			f.focus(b, ctx, id)
			// Two clicks on one node within 450 ms would be a double click.
			b.StopTimer()
			time.Sleep(500 * time.Millisecond)
			b.StartTimer()
		}
		f.report(b)
		noPageErrors(b, ctx, "lineage")
	})
	b.Run("from-selection", func(b *testing.B) {
		ctx := newTab(b, browser)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"#/overview")); err != nil {
			b.Fatal(err)
		}
		waitReady(b, ctx)
		var f focusStats
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			setHash(b, ctx, "#/overview")
			waitFor(b, ctx, "#overview", "the overview")
			setHash(b, ctx, "#/lineage?select=tag%3Agold")
			waitFor(b, ctx, "#lineage g.lnode", "the selection's graph")
			id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
				const v = document.querySelector('#lineage').getBoundingClientRect();
				const x = v.left + v.width / 2, y = v.top + v.height / 2;
				let best = null, bd = Infinity;
				for (const g of document.querySelectorAll('#lineage g.lnode')) {
					const r = g.getBoundingClientRect();
					const d = Math.hypot(r.left + r.width / 2 - x, r.top + r.height / 2 - y);
					if (d < bd) { bd = d; best = g; }
				}
				return best ? best.getAttribute('data-id') : '';
			})()`))
			if err != nil || id == "" {
				b.Fatalf("no node in the selection's graph: %v", err)
			}
			f.drawnBefore += float64(evalInt(b, ctx, `document.querySelectorAll('#lineage g.lnode').length`))
			b.StartTimer()
			f.focus(b, ctx, id)
		}
		f.report(b)
		b.ReportMetric(f.drawnBefore/float64(b.N), "nodes-before")
		noPageErrors(b, ctx, "lineage")
	})
}

type focusStats struct {
	n                            int
	ms, wall, drawn, drawnBefore float64
}

// focus clicks the node id in the lineage and waits for the re-render.
func (f *focusStats) focus(b *testing.B, ctx context.Context, id string) {
	b.Helper()
	seq := evalInt(b, ctx, `+(document.querySelector('#lineage').dataset.renderSeq || 0)`)
	start := time.Now()
	clickNode(b, ctx, id)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`+(document.querySelector('#lineage').dataset.renderSeq || 0) > %d`, seq))); err != nil {
		b.Fatalf("focus on %s did not render: %v", id, err)
	}
	f.wall += float64(time.Since(start).Microseconds()) / 1000
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#lineage').dataset.renderMs`))
	if err != nil {
		b.Fatal(err)
	}
	var v float64
	if _, err := fmt.Sscan(ms, &v); err != nil {
		b.Fatalf("data-render-ms = %q", ms)
	}
	f.ms += v
	f.drawn += float64(evalInt(b, ctx, `document.querySelectorAll('#lineage g.lnode').length`))
	f.n++
}

func (f *focusStats) report(b *testing.B) {
	n := float64(max(f.n, 1))
	b.ReportMetric(f.ms/n, "ms/focus")
	b.ReportMetric(f.wall/n, "ms/focus-wall")
	b.ReportMetric(f.drawn/n, "nodes/focus")
}

// clickNode clicks a lineage node with the mouse when it is on screen,
// else dispatches the click to it.
func clickNode(b *testing.B, ctx context.Context, id string) {
	b.Helper()
	expr := fmt.Sprintf(`(() => {
		const g = document.querySelector('#lineage g.lnode[data-id=%q]');
		const v = document.querySelector('#lineage').getBoundingClientRect();
		if (!g) return {X: 0, Y: 0, OK: -1};
		const r = g.getBoundingClientRect();
		const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
		const on = x > v.left && x < v.right && y > v.top && y < v.bottom && document.elementFromPoint(x, y) && document.elementFromPoint(x, y).closest('g.lnode') === g;
		return {X: x, Y: y, OK: on ? 1 : 0};
	})()`, id)
	box, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ X, Y, OK float64 }](expr))
	if err != nil {
		b.Fatal(err)
	}
	switch box.OK {
	case -1:
		b.Fatalf("%s is not in the lineage graph", id)
	case 1:
		err = chromedp.Do(ctx, chromedp.MouseClickXY(box.X, box.Y))
	default:
		_, err = chromedp.Run(ctx, chromedp.Evaluate[any](fmt.Sprintf(
			`document.querySelector('#lineage g.lnode[data-id=%q]').dispatchEvent(new MouseEvent('click', {bubbles: true}))`, id)))
	}
	if err != nil {
		b.Fatal(err)
	}
}

// bigLineage picks the node (tests aside) with the most nodes upstream and
// downstream, and its neighbour with the most.
func bigLineage(b *testing.B, url string) (string, string) {
	b.Helper()
	resp, err := http.Get(url + "api/index.json")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	var idx struct {
		Nodes []struct {
			ID string `json:"id"`
			T  string `json:"t"`
			Up []int  `json:"up"`
			Dn []int  `json:"dn"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		b.Fatal(err)
	}
	reach := func(start int) int {
		seen := map[int]bool{start: true}
		for _, dir := range []bool{true, false} {
			queue := []int{start}
			for len(queue) > 0 {
				n := queue[0]
				queue = queue[1:]
				next := idx.Nodes[n].Dn
				if dir {
					next = idx.Nodes[n].Up
				}
				for _, m := range next {
					if !seen[m] {
						seen[m] = true
						queue = append(queue, m)
					}
				}
			}
		}
		return len(seen) - 1
	}
	best, bestN := -1, -1
	for i, n := range idx.Nodes {
		if n.T == "test" {
			continue
		}
		if r := reach(i); r > bestN {
			best, bestN = i, r
		}
	}
	if best < 0 {
		b.Fatal("no model in the index")
	}
	nb, nbN := -1, -1
	for _, j := range append(append([]int{}, idx.Nodes[best].Up...), idx.Nodes[best].Dn...) {
		if r := reach(j); r > nbN {
			nb, nbN = j, r
		}
	}
	if nb < 0 {
		b.Fatalf("%s has no neighbour", idx.Nodes[best].ID)
	}
	b.Logf("focus nodes: %s (%d up and downstream), %s (%d)", idx.Nodes[best].ID, bestN, idx.Nodes[nb].ID, nbN)
	return idx.Nodes[best].ID, idx.Nodes[nb].ID
}
