package cli

import (
	"bufio"
	"context"
	"errors"
	"github.com/gmodel/gmodel/tests/testproject"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDocsGenerateFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *docsGenerateOptions
	cmd := newCmdDocs(f, &globalOptions{}, func(o *docsGenerateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"generate", "--no-compile", "--static"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.NoCompile || !got.Static {
		t.Errorf("parsed %+v", got)
	}
}

func TestDocsServeFlags(t *testing.T) {
	for _, c := range []struct {
		args       []string
		port       int
		host       string
		open, fail bool
	}{
		{nil, 8080, "127.0.0.1", false, false},
		{[]string{"--port", "0", "--host", "0.0.0.0", "--open"}, 0, "0.0.0.0", true, false},
		{[]string{"--port", "70000"}, 0, "", false, true},
	} {
		f, _, _ := testFactory()
		var got *docsServeOptions
		cmd := newCmdDocsServe(f, &globalOptions{}, func(o *docsServeOptions) error { got = o; return nil })
		cmd.SetArgs(c.args)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if c.fail {
			if err == nil || !strings.Contains(err.Error(), "--port 70000") {
				t.Errorf("%v: %v", c.args, err)
			}
			continue
		}
		if err != nil || got == nil || got.Port != c.port || got.Host != c.host || got.Open != c.open {
			t.Errorf("%v: parsed %+v, %v", c.args, got, err)
		}
	}
}

// compiledJaffle compiles the jaffle_shop test project into a fresh
// directory (no database) and returns it.
func compiledJaffle(t *testing.T) string {
	t.Helper()
	dir := testproject.Copy(t, "../../tests/testdata/jaffle_shop")
	f, _, errb := testFactory()
	if code := MainWith(context.Background(), f, []string{"compile", "--project-dir", dir, "--profiles-dir", "../../tests/testdata/jaffle_shop_profiles"}); code != 0 {
		t.Fatalf("compile: exit %d\n%s", code, errb)
	}
	return dir
}

// serving is a `gmodel docs serve` running in-process.
type serving struct {
	url    string
	stderr *strings.Builder // read only after stop
	cancel context.CancelFunc
	code   chan int
}

// serveDocs starts `gmodel docs serve` with args and waits for the URL it
// prints.
func serveDocs(t *testing.T, args ...string) *serving {
	t.Helper()
	pr, pw := io.Pipe()
	var errb strings.Builder
	f := &Factory{
		IO:        Stdio{In: strings.NewReader(""), Out: pw, Err: &errb},
		LookupEnv: func(string) (string, bool) { return "", false },
		Getwd:     os.Getwd,
		Home:      os.UserHomeDir,
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{stderr: &errb, cancel: cancel, code: make(chan int, 1)}
	go func() {
		code := MainWith(ctx, f, append([]string{"docs", "serve"}, args...))
		pw.CloseWithError(errors.New("gmodel exited"))
		s.code <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("docs serve printed no URL: %v (exit %d)", err, <-s.code)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	rest, ok := strings.CutPrefix(line, "Serving docs at ")
	if !ok {
		t.Fatalf("docs serve printed %q", line)
	}
	s.url, _, _ = strings.Cut(rest, " ")
	return s
}

// stop cancels the server as Ctrl-C would and returns its exit code.
func (s *serving) stop() int {
	s.cancel()
	return <-s.code
}

// docs serve binds 127.0.0.1 unless told otherwise, serves the app and its
// API, refuses a port in use with one clear line, and exits 0 on Ctrl-C.
func TestDocsServe(t *testing.T) {
	dir := compiledJaffle(t)
	s := serveDocs(t, "--port", "0", "--project-dir", dir)
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || !strings.HasSuffix(s.url, "/") {
		t.Errorf("URL %s: not on 127.0.0.1", s.url)
	}
	for _, p := range []string{"", "api/index.json", "api/node/model.jaffle_shop.orders", "assets/chroma.css"} {
		resp, err := http.Get(s.url + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET /%s: %d", p, resp.StatusCode)
		}
	}

	// The same port again: a one-line error, exit 2.
	port := s.url[strings.LastIndex(s.url[:len(s.url)-1], ":")+1 : len(s.url)-1]
	f, out, errb := testFactory()
	code := MainWith(context.Background(), f, []string{"docs", "serve", "--port", port, "--project-dir", dir})
	if code != ExitError || !strings.Contains(errb.String(), "port "+port+" on 127.0.0.1 is already in use") ||
		strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 || out.Len() != 0 {
		t.Errorf("port in use: exit %d\nstdout %s\nstderr %s", code, out, errb)
	}

	if code := s.stop(); code != 0 {
		t.Errorf("after Ctrl-C: exit %d\n%s", code, s.stderr)
	}
}

// Without a manifest, docs serve says what to run.
func TestDocsServeNoManifest(t *testing.T) {
	dir := compiledJaffle(t)
	if err := os.RemoveAll(filepath.Join(dir, "target")); err != nil {
		t.Fatal(err)
	}
	f, _, errb := testFactory()
	code := MainWith(context.Background(), f, []string{"docs", "serve", "--port", "0", "--project-dir", dir})
	if code != ExitError || !strings.Contains(errb.String(), "manifest.json") || !strings.Contains(errb.String(), "gmodel compile") {
		t.Errorf("exit %d: %s", code, errb)
	}
}

// A browser that cannot be opened is a warning, not a failure.
func TestDocsServeOpenFails(t *testing.T) {
	dir := compiledJaffle(t)
	f, out, errb := testFactory()
	ctx, cancel := context.WithCancel(context.Background())
	var opened string
	cmd := newCmdDocsServe(f, &globalOptions{ProjectDir: dir}, func(o *docsServeOptions) error {
		o.openBrowser = func(url string) error {
			opened = url
			cancel() // stop serving right away
			return errors.New("no opener")
		}
		return docsServeRun(ctx, o)
	})
	cmd.SetArgs([]string{"--port", "0", "--open"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(opened, "http://127.0.0.1:") || !strings.Contains(errb.String(), "warning: could not open a browser (no opener); open "+opened) ||
		!strings.Contains(out.String(), opened) {
		t.Errorf("opened %q\nstdout %s\nstderr %s", opened, out, errb)
	}
}
