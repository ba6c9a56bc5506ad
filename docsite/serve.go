package docsite

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzhttp"
)

// web is the app the server and static mode ship: docsite/web, built by
// no tool, embedded as it is.
//
//go:embed web
var web embed.FS

// WebFS is the embedded web app (index.html, scripts, styles).
func WebFS() fs.FS {
	sub, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// ServerOptions configure a Server.
type ServerOptions struct {
	// TargetDir holds manifest.json, catalog.json and run_results.json.
	TargetDir string
	// ProjectDir holds selectors.yml; may be "".
	ProjectDir string
	// Log receives reload notices and errors; nil discards them.
	Log io.Writer
	// Assets is the web app; nil means the embedded one.
	Assets fs.FS
	// ReloadCheck is how often, at most, a request looks at the artifacts'
	// modification times; 0 means once a second.
	ReloadCheck time.Duration
}

// Server serves the docs web app and its API over the artifacts of a
// target directory, rebuilding its Site when they change on disk.
type Server struct {
	opts    ServerOptions
	assets  fs.FS
	handler http.Handler

	mu        sync.Mutex // guards the fields below
	site      *Site
	lastCheck time.Time
	seen      stamp // the artifacts on disk at the last check
	reloading bool

	chromaCSS []byte
	etagSalt  string // identifies the binary's assets
}

// NewServer loads the artifacts of opts.TargetDir; it fails when there is
// no manifest.json or an artifact does not decode.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.ReloadCheck <= 0 {
		opts.ReloadCheck = time.Second
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &Server{opts: opts, assets: opts.Assets, chromaCSS: ChromaCSS()}
	if s.assets == nil {
		s.assets = WebFS()
	}
	site, err := LoadSite(opts.TargetDir, LoadOptions{ProjectDir: opts.ProjectDir})
	if err != nil {
		return nil, err
	}
	s.site, s.lastCheck, s.seen = site, time.Now(), site.stamp
	s.etagSalt = assetsHash(s.assets)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveShell)
	mux.HandleFunc("GET /assets/{file...}", s.serveAsset)
	mux.HandleFunc("GET /api/index.json", s.serveIndex)
	mux.HandleFunc("GET /api/node/{id...}", s.serveNode)
	mux.HandleFunc("GET /api/overview", s.serveOverview)
	mux.HandleFunc("GET /api/search", s.serveSearch)
	mux.HandleFunc("GET /api/select", s.serveSelect)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})
	gz, err := gzhttp.NewWrapper(gzhttp.EnableZstd(false), gzhttp.MinSize(1024))
	if err != nil {
		return nil, err
	}
	s.handler = securityHeaders(gz(mux))
	return s, nil
}

// ServeHTTP serves the app and the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Site returns the current site, reloading it first when the artifacts
// changed on disk (looked at once per ReloadCheck at most). The request
// that notices a change waits for the new site; requests meanwhile get the
// old one. A reload that fails keeps the previous site and logs why.
func (s *Server) Site() *Site {
	s.mu.Lock()
	site := s.site
	if s.reloading || time.Since(s.lastCheck) < s.opts.ReloadCheck {
		s.mu.Unlock()
		return site
	}
	s.lastCheck = time.Now()
	now := statArtifacts(s.opts.TargetDir)
	if now == s.seen {
		s.mu.Unlock()
		return site
	}
	// Not retried until the files change again, even if this fails.
	s.seen = now
	s.reloading = true
	s.mu.Unlock()

	start := time.Now()
	fresh, err := LoadSite(s.opts.TargetDir, LoadOptions{ProjectDir: s.opts.ProjectDir})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reloading = false
	if err != nil {
		fmt.Fprintf(s.opts.Log, "docs: keeping the previous artifacts: %v\n", err)
		return site
	}
	fmt.Fprintf(s.opts.Log, "docs: reloaded %d nodes from %s in %.2fs\n", fresh.Len(), s.opts.TargetDir, time.Since(start).Seconds())
	s.site = fresh
	return fresh
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		// Everything the app loads comes from this server.
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) serveShell(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(s.assets, "index.html")
	if err != nil {
		writeError(w, http.StatusNotFound, "the web app is missing index.html")
		return
	}
	s.writeCached(w, r, "text/html; charset=utf-8", s.etagSalt, b, nil)
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if name == "chroma.css" {
		s.writeCached(w, r, "text/css; charset=utf-8", s.etagSalt, s.chromaCSS, nil)
		return
	}
	// Only files of the embedded app, never index.html twice nor the dev
	// fixtures; fs.ValidPath refuses "..", absolute and empty paths.
	if !fs.ValidPath(name) || name == "index.html" || name == "dev" || strings.HasPrefix(name, "dev/") || strings.Contains(name, "\\") {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	b, err := fs.ReadFile(s.assets, name)
	if err != nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	s.writeCached(w, r, ct, s.etagSalt, b, nil)
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	site := s.Site()
	s.writeCached(w, r, "application/json", site.version, site.indexJSON, site.indexGzip)
}

func (s *Server) serveNode(w http.ResponseWriter, r *http.Request) {
	site := s.Site()
	id := r.PathValue("id")
	b, ok := site.NodeJSON(id)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no node %q in the manifest", id))
		return
	}
	s.writeCached(w, r, "application/json", site.version, b, nil)
}

func (s *Server) serveOverview(w http.ResponseWriter, r *http.Request) {
	site := s.Site()
	writeJSON(w, http.StatusOK, site.Overview())
}

func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request) {
	site := s.Site()
	q := r.URL.Query()
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit=%s: expected a positive number", l))
			return
		}
		limit = min(n, 1000)
	}
	writeJSON(w, http.StatusOK, site.Search(q.Get("q"), limit))
}

func (s *Server) serveSelect(w http.ResponseWriter, r *http.Request) {
	site := s.Site()
	q := r.URL.Query()
	ids, err := site.Select(nonEmpty(q["select"]), nonEmpty(q["exclude"]), q.Get("selector"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ids": ids})
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// writeCached writes a body that only changes with etag: a matching
// If-None-Match gets 304. gz, when given, is the body gzipped already.
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, contentType, etag string, body, gz []byte) {
	tag := `"` + etag + `"`
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", tag)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(gz)))
		_, _ = w.Write(gz)
		return
	}
	_, _ = w.Write(body)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(enc) != "*" {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		if q, ok := strings.CutPrefix(params, "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the response failed")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// assetsHash names the version of the web app, for ETags.
func assetsHash(fsys fs.FS) string {
	h := sha256.New()
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err == nil {
			io.WriteString(h, p)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}
