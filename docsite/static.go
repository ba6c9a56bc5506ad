package docsite

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
)

// The tags of index.html static mode replaces with the files' text.
var (
	linkTag   = regexp.MustCompile(`(?is)<link\b[^>]*>`)
	scriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>\s*</script\s*>`)
	hrefAttr  = regexp.MustCompile(`(?is)\bhref\s*=\s*["']?/assets/([^"'\s>]+)["']?`)
	srcAttr   = regexp.MustCompile(`(?is)\s*\bsrc\s*=\s*["']?/assets/([^"'\s>]+)["']?`)
	relStyle  = regexp.MustCompile(`(?is)\brel\s*=\s*["']?stylesheet\b`)
	closeTag  = regexp.MustCompile(`(?i)</(script|style)`)
)

// StaticHighlightMax is the largest project, in nodes, whose SQL the static
// page carries highlighted. Highlighting costs about 2 ms and quintuples
// the size of each piece of SQL: a 30,000-node page would take minutes to
// write and weigh hundreds of MB, so above this the SQL stays plain text.
const StaticHighlightMax = 5000

// WriteStatic writes the app as one self-contained HTML page: index.html
// with its stylesheets and scripts inlined, and every piece of data the app
// asks the server for in two JSON script elements: gmodel-data (index and
// overview) and gmodel-nodes (each node's detail). assets nil means the
// embedded app.
func WriteStatic(w io.Writer, site *Site, assets fs.FS) error {
	if assets == nil {
		assets = WebFS()
	}
	shell, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		return fmt.Errorf("the web app has no index.html: %w", err)
	}
	page, err := inlineAssets(string(shell), assets)
	if err != nil {
		return err
	}
	// The data goes before the first script, so it is there when the
	// scripts run.
	at := strings.Index(strings.ToLower(page), "<script")
	if at < 0 {
		at = strings.LastIndex(strings.ToLower(page), "</body")
	}
	if at < 0 {
		at = len(page)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(page[:at])
	if err := site.writeData(bw); err != nil {
		return err
	}
	bw.WriteString(page[at:])
	return bw.Flush()
}

// inlineAssets replaces the stylesheet links and script tags pointing at
// /assets/ with the files' text.
func inlineAssets(page string, assets fs.FS) (string, error) {
	var firstErr error
	read := func(name string) string {
		if name == "chroma.css" {
			return string(ChromaCSS())
		}
		b, err := fs.ReadFile(assets, name)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("index.html refers to /assets/%s, which the web app lacks", name)
		}
		return string(b)
	}
	page = linkTag.ReplaceAllStringFunc(page, func(tag string) string {
		m := hrefAttr.FindStringSubmatch(tag)
		if m == nil || !relStyle.MatchString(tag) {
			return tag
		}
		return "<style>\n" + escapeClose(read(m[1])) + "\n</style>"
	})
	page = scriptTag.ReplaceAllStringFunc(page, func(tag string) string {
		sub := scriptTag.FindStringSubmatch(tag)
		attrs := sub[1]
		m := srcAttr.FindStringSubmatch(attrs)
		if m == nil {
			return tag
		}
		attrs = strings.Replace(attrs, m[0], "", 1)
		return "<script" + attrs + ">\n" + escapeClose(read(m[1])) + "\n</script>"
	})
	return page, firstErr
}

// escapeClose keeps an inlined file from closing its element early:
// "</script" becomes "<\/script", which means the same in JavaScript
// strings and regular expressions.
func escapeClose(s string) string {
	return closeTag.ReplaceAllStringFunc(s, func(m string) string { return `<\/` + m[2:] })
}

// writeData writes two script elements: gmodel-data holding
// {"index":…,"overview":…}, and gmodel-nodes holding {id: detail,…},
// which the app parses only when it first needs a detail. Inside both, "</"
// is written "<\/" and "<!--" "<\u0021--", so the JSON cannot end the
// element early.
func (s *Site) writeData(w io.Writer) error {
	ov, err := json.Marshal(s.overview, json.Deterministic(true))
	if err != nil {
		return err
	}
	out := &scriptSafe{w: w}
	io.WriteString(w, `<script id="gmodel-data" type="application/json">`)
	out.write([]byte(`{"index":`))
	out.write(s.indexJSON)
	out.write([]byte(`,"overview":`))
	out.write(ov)
	out.write([]byte("}"))
	io.WriteString(w, "</script>\n"+`<script id="gmodel-nodes" type="application/json">{`)
	// Details are built in parallel, a batch at a time, and written in
	// the index's order.
	const batch = 512
	workers := runtime.GOMAXPROCS(0)
	highlight := len(s.nodes) <= StaticHighlightMax
	for lo := 0; lo < len(s.nodes); lo += batch {
		hi := min(lo+batch, len(s.nodes))
		docs := make([][]byte, hi-lo)
		errs := make([]error, hi-lo)
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					docs[i-lo], errs[i-lo] = json.Marshal(s.detail(s.nodes[i], highlight), json.Deterministic(true))
				}
			}()
		}
		for i := lo; i < hi; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		for i := lo; i < hi; i++ {
			if errs[i-lo] != nil {
				return fmt.Errorf("node %s: %w", s.nodes[i].m.UniqueID, errs[i-lo])
			}
			if i > 0 {
				out.write([]byte(","))
			}
			key, _ := json.Marshal(s.nodes[i].m.UniqueID)
			out.write(key)
			out.write([]byte(":"))
			out.write(docs[i-lo])
		}
	}
	out.write([]byte("}"))
	if out.err == nil {
		_, out.err = io.WriteString(w, "</script>\n")
	}
	return out.err
}

// scriptSafe rewrites "</" and "<!--" as it writes JSON into a script
// element; both can only occur inside JSON strings, where the escapes
// mean the same.
type scriptSafe struct {
	w   io.Writer
	err error
}

var (
	ltSlash   = []byte("</")
	ltBang    = []byte("<!--")
	safeSlash = []byte(`<\/`)
	safeBang  = []byte(`<\u0021--`)
)

func (s *scriptSafe) write(b []byte) {
	if s.err != nil {
		return
	}
	for len(b) > 0 {
		i := bytes.IndexByte(b, '<')
		if i < 0 {
			_, s.err = s.w.Write(b)
			return
		}
		if _, s.err = s.w.Write(b[:i]); s.err != nil {
			return
		}
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, ltSlash):
			_, s.err = s.w.Write(safeSlash)
			b = rest[len(ltSlash):]
		case bytes.HasPrefix(rest, ltBang):
			_, s.err = s.w.Write(safeBang)
			b = rest[len(ltBang):]
		default:
			_, s.err = s.w.Write(rest[:1])
			b = rest[1:]
		}
		if s.err != nil {
			return
		}
	}
}
