//go:build unix

package localpg_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/internal/localpg"
)

// clusterDir returns a fresh cluster directory the server's OS user can reach.
func clusterDir(t testing.TB) string {
	return filepath.Join(localpg.TempDirForTest(t), "pg")
}

func initCache(t testing.TB) string { return localpg.InitCacheForTest(t) }

func TestMain(m *testing.M) {
	if dir := os.Getenv("LOCALPG_TEST_HELPER_DIR"); dir != "" {
		helperProcess(dir, os.Getenv("LOCALPG_TEST_HELPER_CACHE"))
		return
	}
	code := m.Run()
	localpg.RemoveInitCacheForTest()
	os.Exit(code)
}

func start(t *testing.T, opts localpg.Options) *localpg.Server {
	t.Helper()
	if testing.Verbose() {
		opts.Log = testWriter{t}
	}
	s, err := localpg.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func connect(t *testing.T, s *localpg.Server) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.DSN(""))
	if err != nil {
		t.Fatalf("connect to %v: %v", s, err)
	}
	t.Cleanup(func() { _ = c.Close(ctx) })
	return c
}

func exec1(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestPersistentCluster(t *testing.T) {
	ctx := context.Background()
	dir := clusterDir(t)
	opts := localpg.Options{Dir: dir, Persistent: true, FSyncOff: true}

	s := start(t, opts)
	c := connect(t, s)
	exec1(t, c, "create table kept (id int); insert into kept values (42)")
	_ = c.Close(ctx)
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := localpg.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Initialized || st.Running || st.Port != s.Port {
		t.Fatalf("status after stop = %+v, want initialized, stopped, port %d", st, s.Port)
	}

	// What a crash and a careless root leave behind: a lock file naming a
	// live process that is no postmaster, and files owned by root.
	pidFile := filepath.Join(dir, "data", "postmaster.pid")
	lock := fmt.Sprintf("%d\n%s/data\n0\n%d\n%s\n127.0.0.1\n0 0\nready   \n", os.Getpid(), dir, s.Port, dir)
	if err := os.WriteFile(pidFile, []byte(lock), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		chownTree(t, dir, 0, 0)
	}

	s2 := start(t, opts)
	c2 := connect(t, s2)
	var id int
	if err := c2.QueryRow(ctx, "select id from kept").Scan(&id); err != nil || id != 42 {
		t.Fatalf("after restart: id = %d, %v; want 42", id, err)
	}
	st, err = localpg.Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Running || st.PID != s2.PID || st.Port != s2.Port || st.Version == "" {
		t.Fatalf("status = %+v, want running with pid %d, port %d", st, s2.PID, s2.Port)
	}

	// Starting a running cluster returns it.
	s3, err := localpg.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if s3.PID != s2.PID || s3.Port != s2.Port || s3.DSN("x") != s2.DSN("x") {
		t.Fatalf("second Start = %v (pid %d), want the running %v (pid %d)", s3, s3.PID, s2, s2.PID)
	}

	_ = c2.Close(ctx)
	if err := s2.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after Destroy, stat %s: %v", dir, err)
	}
	if processAlive(s2.PID) {
		t.Fatalf("postmaster %d still running after Destroy", s2.PID)
	}
	st, err = localpg.Status(ctx, dir)
	if err != nil || st.Initialized || st.Running {
		t.Fatalf("status after Destroy = %+v, %v", st, err)
	}
}

func chownTree(t *testing.T, dir string, uid, gid int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func TestBusyPortIsReplaced(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port

	s := start(t, localpg.Options{Dir: clusterDir(t), Port: busy, FSyncOff: true, InitCache: initCache(t)})
	if s.Port == busy {
		t.Fatalf("server on busy port %d", busy)
	}
	c := connect(t, s)
	exec1(t, c, "select 1")
}

func TestCancelledStartLeavesNothingRunning(t *testing.T) {
	dir := clusterDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := localpg.Start(ctx, localpg.Options{Dir: dir, FSyncOff: true})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Start with a 300ms deadline: %v, want context.DeadlineExceeded", err)
	}
	if st, _ := localpg.Status(context.Background(), dir); st.Running {
		t.Fatalf("a server runs after a cancelled Start: %+v", st)
	}
	// What the cancelled initdb left is not mistaken for a cluster.
	s := start(t, localpg.Options{Dir: dir, FSyncOff: true, InitCache: initCache(t)})
	exec1(t, connect(t, s), "select 1")
}

// TestThrowawayDiesWithOwner kills (-9) a process that started a throwaway
// server: the kernel stops the server (Linux), and Reap removes its files.
func TestThrowawayDiesWithOwner(t *testing.T) {
	dir := clusterDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCALPG_TEST_HELPER_DIR="+dir, "LOCALPG_TEST_HELPER_CACHE="+initCache(t))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("helper: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "READY "))
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()

	if runtime.GOOS == "linux" {
		deadline := time.Now().Add(10 * time.Second)
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if processAlive(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("postmaster %d still runs 10s after its owner was killed", pid)
		}
	}
	removed, err := localpg.Reap(context.Background(), filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != dir {
		t.Fatalf("Reap removed %q, want [%s]", removed, dir)
	}
	if processAlive(pid) {
		t.Fatalf("postmaster %d still runs after Reap", pid)
	}
}

func helperProcess(dir, cache string) {
	s, err := localpg.Start(context.Background(), localpg.Options{Dir: dir, FSyncOff: true, InitCache: cache})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("READY %d\n", s.PID)
	select {}
}

func TestReapLeavesLiveAndPersistentClusters(t *testing.T) {
	ctx := context.Background()
	live := start(t, localpg.Options{Dir: clusterDir(t), FSyncOff: true, InitCache: initCache(t)})
	kept := start(t, localpg.Options{Dir: filepath.Join(filepath.Dir(live.Dir), "kept"), Persistent: true, FSyncOff: true, InitCache: initCache(t)})
	if err := kept.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	removed, err := localpg.Reap(ctx, filepath.Dir(live.Dir))
	if err != nil || len(removed) != 0 {
		t.Fatalf("Reap = %q, %v; want nothing removed", removed, err)
	}
	exec1(t, connect(t, live), "select 1")
}

func TestUnreachableDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	dir := filepath.Join(t.TempDir(), "pg") // the parent is mode 0700, root's
	_, err := localpg.Start(context.Background(), localpg.Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "cannot reach "+dir) || !strings.Contains(err.Error(), "chmod o+x") {
		t.Fatalf("Start in %s: %v; want a 'cannot reach' error with a fix", dir, err)
	}
}

func TestDestroyRefusesOtherDirs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "precious.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := localpg.Destroy(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "not a localpg cluster directory") {
		t.Fatalf("Destroy = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "precious.txt")); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStart is the time to a ready throwaway server: initdb (or a copy
// from the init cache) and start.
func BenchmarkStart(b *testing.B) {
	for _, bc := range []struct {
		name  string
		cache bool
	}{{"initdb", false}, {"cached", true}} {
		b.Run(bc.name, func(b *testing.B) {
			opts := localpg.Options{FSyncOff: true}
			if bc.cache {
				opts.InitCache = initCache(b)
				opts.Dir = clusterDir(b)
				s, err := localpg.Start(context.Background(), opts) // fills the cache
				if err != nil {
					b.Fatal(err)
				}
				_ = s.Destroy(context.Background())
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				opts.Dir = filepath.Join(clusterDir(b), strconv.Itoa(i))
				s, err := localpg.Start(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = s.Destroy(context.Background())
				b.StartTimer()
			}
		})
	}
}
