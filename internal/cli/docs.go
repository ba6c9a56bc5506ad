package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/docsite"
	"github.com/gmodel/gmodel/project"
)

type docsGenerateOptions struct {
	f *Factory
	g *globalOptions
	// NoCompile skips compiling SQL: the manifest comes from parsing only.
	NoCompile bool
	// Static also writes target/static_index.html, the docs app with its
	// data in one file.
	Static bool
}

func newCmdDocs(f *Factory, g *globalOptions, runF func(*docsGenerateOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Generate the project's documentation artifacts",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCmdDocsGenerate(f, g, runF), newCmdDocsServe(f, g, nil))
	return cmd
}

func newCmdDocsGenerate(f *Factory, g *globalOptions, runF func(*docsGenerateOptions) error) *cobra.Command {
	opts := &docsGenerateOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Compile the project, write target/manifest.json and read target/catalog.json from the warehouse",
		Long: `Compile the project as 'gmodel compile' does, write target/manifest.json, then
read the columns, types, comments, owners and statistics of every model, seed,
snapshot and source relation from the warehouse into target/catalog.json
(dbt's catalog v1 layout). Relations not built yet are left out.

--static also writes target/static_index.html: the docs web app with the
manifest's, catalog's and last run's data inlined, one file that opens from
disk without a server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return docsGenerateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.NoCompile, "no-compile", false, "do not compile SQL: build the manifest from parsing only")
	fl.BoolVar(&opts.Static, "static", false, "also write target/static_index.html, the docs app and its data in one file")
	return cmd
}

func docsGenerateRun(ctx context.Context, opts *docsGenerateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	w, err := loadWorkspace(opts.f, opts.g)
	if err != nil {
		return err
	}
	var adapterLog io.Writer
	if w.debug {
		adapterLog = opts.f.IO.Err
	}
	// The adapter opens first: a managed local target sets the database,
	// schema and user the compiler must see.
	ad, err := w.openAdapter(ctx, opts.f, adapters.Options{Threads: 1, Log: adapterLog})
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		return usageErr(err)
	}
	defer closeWithin(ad, time.Second)

	var m *compiler.Manifest
	m, err = w.compile(opts.f, "generate", opts.NoCompile)
	if err != nil {
		return err
	}
	if err := w.writeManifest(m); err != nil {
		return usageErr(fmt.Errorf("writing the manifest: %w", err))
	}
	w.phases.Done("write manifest")

	rels := docsite.Relations(m)
	cat := docsite.New(compiler.DbtVersion, m.GeneratedAt, m.InvocationID)
	if err := cat.Fill(ctx, ad, rels); err != nil {
		if ctx.Err() != nil {
			return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
		}
		return failureErr(err)
	}
	w.phases.Done("read catalog")
	path := filepath.Join(w.targetDir(), "catalog.json")
	if err := writeFileAtomic(path, func(fh *os.File) error { return cat.Write(fh) }); err != nil {
		return usageErr(fmt.Errorf("writing the catalog: %w", err))
	}
	fmt.Fprintf(opts.f.IO.Err, "Catalog of %d of %d relations written to %s in %.2fs\n",
		len(cat.Nodes)+len(cat.Sources), len(rels), relTo(w.project.Root, path), time.Since(start).Seconds())
	if opts.Static {
		path, n, err := writeStaticDocs(w.project)
		if err != nil {
			return usageErr(err)
		}
		w.phases.Done("write static docs")
		fmt.Fprintf(opts.f.IO.Err, "Static docs written to %s\n", relTo(w.project.Root, path))
		if n > docsite.StaticHighlightMax {
			fmt.Fprintf(opts.f.IO.Err, "(%d nodes: the SQL in the static page is not highlighted above %d; docs serve highlights it)\n", n, docsite.StaticHighlightMax)
		}
	}
	return nil
}

// writeStaticDocs writes target/static_index.html from the artifacts in
// target/ and returns its path and how many nodes it documents.
func writeStaticDocs(p *project.Project) (string, int, error) {
	dir := targetDirOf(p)
	site, err := docsite.LoadSite(dir, docsite.LoadOptions{ProjectDir: p.Root})
	if err != nil {
		return "", 0, err
	}
	path := filepath.Join(dir, "static_index.html")
	err = writeFileAtomic(path, func(fh *os.File) error { return docsite.WriteStatic(fh, site, nil) })
	if err != nil {
		return "", 0, fmt.Errorf("writing %s: %w", path, err)
	}
	return path, site.Len(), nil
}

type docsServeOptions struct {
	f    *Factory
	g    *globalOptions
	Port int
	Host string
	Open bool
	// openBrowser opens url in the user's browser; tests replace it.
	openBrowser func(url string) error
}

func newCmdDocsServe(f *Factory, g *globalOptions, runF func(*docsServeOptions) error) *cobra.Command {
	opts := &docsServeOptions{f: f, g: g, openBrowser: openBrowser}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the docs web app over target/manifest.json, catalog.json and run_results.json",
		Long: `Serve the documentation web app: the project's models, sources, seeds and
tests with their columns, SQL, tests and last run, search, and a lineage graph.
It reads target/manifest.json (from 'gmodel compile' or 'docs generate'),
target/catalog.json (column types and sizes, from 'docs generate') and
target/run_results.json (the last run, test or build) when they exist, and
picks up new versions of them when the page is reloaded.

The server listens on 127.0.0.1 only, unless --host says otherwise, and serves
until Ctrl-C. Everything it sends is built into gmodel: it works offline.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Port < 0 || opts.Port > 65535 {
				return usageErr(fmt.Errorf("--port %d: expected a port number from 0 to 65535", opts.Port))
			}
			if runF != nil {
				return runF(opts)
			}
			return docsServeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.Port, "port", 8080, "port to listen on (0 picks a free one)")
	fl.StringVar(&opts.Host, "host", "127.0.0.1", "address to listen on; anything but a loopback address exposes the docs to the network")
	fl.BoolVar(&opts.Open, "open", false, "open the docs in the default browser")
	return cmd
}

func docsServeRun(ctx context.Context, opts *docsServeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	f, g := opts.f, opts.g
	p, err := loadProject(f, g)
	if err != nil {
		return err
	}
	start := time.Now()
	srv, err := docsite.NewServer(docsite.ServerOptions{TargetDir: targetDirOf(p), ProjectDir: p.Root, Log: f.IO.Err})
	if err != nil {
		return usageErr(err)
	}
	if g.Debug {
		fmt.Fprintf(f.IO.Err, "debug: load artifacts and build the index %7.1f ms (%d nodes)\n",
			float64(time.Since(start).Microseconds())/1000, srv.Site().Len())
	}
	addr := net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return usageErr(fmt.Errorf("port %d on %s is already in use; stop what holds it or pass another --port", opts.Port, opts.Host))
	}
	if err != nil {
		return usageErr(fmt.Errorf("cannot listen on %s: %w", addr, err))
	}
	url := "http://" + ln.Addr().String() + "/"
	if ip := net.ParseIP(opts.Host); opts.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(f.IO.Err, "warning: listening on %s: anyone who can reach this machine can read the docs\n", opts.Host)
	}
	fmt.Fprintf(f.IO.Out, "Serving docs at %s (Ctrl-C to stop)\n", url)
	if opts.Open {
		if err := opts.openBrowser(url); err != nil {
			fmt.Fprintf(f.IO.Err, "warning: could not open a browser (%v); open %s yourself\n", err, url)
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return failureErr(fmt.Errorf("docs server: %w", err))
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = hs.Shutdown(shut)
	return nil
}

// openBrowser opens url with the desktop's opener, without waiting for it.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// loadProject loads the project alone, for commands that need no profile
// (clean, docs serve). Errors are usage errors.
func loadProject(f *Factory, g *globalOptions) (*project.Project, error) {
	cliVars, err := parseVars(g.Vars)
	if err != nil {
		return nil, usageErr(err)
	}
	p, err := project.Load(projectDir(f, g), project.LoadOptions{Render: compiler.YAMLRenderer(f.LookupEnv, cliVars)})
	if err != nil {
		return nil, usageErr(err)
	}
	return p, nil
}
