// Package localpg runs a PostgreSQL server that gmodel starts itself, from
// the machine's PostgreSQL binaries, in a cluster directory of its own. The
// test harness tests/pgtest uses it for throwaway servers, and the managed
// local target for a persistent cluster kept in the project. Its
// subpackage container runs the server in Docker instead; it is a package
// apart because testcontainers-go's init scans the process table of every
// program that links it.
//
// A cluster directory holds:
//
//	data/            the data directory (PGDATA)
//	localpg.json     state: superuser, last port, owning process (throwaway only)
//	localpg.lock     held while Start runs
//	password         the superuser's generated password (mode 0600)
//	postgres.log     the server's log (the previous one in postgres.log.1)
//	.s.PGSQL.<port>  the unix socket, when the path is short enough
//
// Authentication: TCP connections (the server listens on 127.0.0.1 only) need
// the superuser's password, generated at initdb and kept in Dir/password;
// unix socket connections are trusted, and the socket lives in Dir, which
// only the server's OS user (and root) can enter.
//
// initdb and postgres refuse to run as root: when gmodel runs as root, they
// run as the unprivileged OS user Options.OSUser ("postgres" by default), Dir
// is chowned to it, and every parent of Dir must be traversable by it.
package localpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options configures Start and container.Start.
type Options struct {
	// Dir is the cluster directory; it is created if missing, and initdb
	// runs when it holds no cluster yet. Required by Start.
	Dir string
	// Port is the TCP port on 127.0.0.1. 0 picks the port of the previous
	// start when it is free, else a free one; a busy port is replaced by a
	// free one (Server.Port says which).
	Port int
	// Persistent servers outlive this process (for the managed local
	// target). Otherwise the server is a throwaway tied to this process: on
	// Linux the kernel stops it when the process dies, and Reap removes the
	// directories of dead owners.
	Persistent bool
	// FSyncOff trades durability for speed (fsync, synchronous_commit and
	// full_page_writes off, initdb -N): for test clusters only.
	FSyncOff bool
	// Log receives progress lines and testcontainers' logs; nil discards
	// them. The server's own log is Dir/postgres.log.
	Log io.Writer
	// BinDir holds initdb and postgres; "" asks FindBinaries.
	BinDir string
	// User is the superuser role; "" means "postgres".
	User string
	// OSUser runs initdb and postgres when this process runs as root; ""
	// means "postgres" (the Debian and Ubuntu packages create it).
	OSUser string
	// Settings are extra server settings, passed as -c name=value.
	Settings map[string]string
	// InitCache, if set, is a directory where the result of initdb is kept
	// and copied from, several times faster than initdb (BenchmarkStart):
	// for throwaway clusters. Clusters copied from it share its password.
	InitCache string
	// Image is the container image for container.Start; "" means its
	// DefaultImage.
	Image string
}

// SettingArgs are the postgres arguments for FSyncOff and Settings
// (-c name=value, sorted by name).
func (o *Options) SettingArgs() []string {
	var args []string
	if o.FSyncOff {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	names := make([]string, 0, len(o.Settings))
	for k := range o.Settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "-c", k+"="+o.Settings[k])
	}
	return args
}

// SuperUser is the superuser role: User, or "postgres".
func (o *Options) SuperUser() string { return o.user() }

func (o *Options) user() string {
	if o.User == "" {
		return "postgres"
	}
	return o.User
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, "localpg: "+format+"\n", args...)
	}
}

// Server is a running PostgreSQL server. Its password is never printed:
// every fmt verb shows the server without it; DSN and Password give it.
type Server struct {
	Dir  string // the cluster directory; "" for a container
	Host string // 127.0.0.1, or the container's host
	Port int
	User string // the superuser role
	PID  int    // the postmaster's process id; 0 for a container

	password string
	mu       sync.Mutex
	exited   <-chan struct{} // closed when the postmaster this process started has exited
	stopFn   func(ctx context.Context) error
}

// External describes a server run by something else, such as a container:
// Stop and Destroy call stop (once; later calls return its first result).
func External(host string, port int, user, password string, stop func(context.Context) error) *Server {
	var once sync.Once
	var err error
	return &Server{Host: host, Port: port, User: user, password: password,
		stopFn: func(ctx context.Context) error {
			once.Do(func() { err = stop(ctx) })
			return err
		}}
}

// Password returns the superuser's password. Call it only to connect.
func (s *Server) Password() string { return s.password }

// DSN returns a postgres:// URL for database ("" means the superuser's
// default database, "postgres"). It holds the password: never log it.
func (s *Server) DSN(database string) string {
	if database == "" {
		database = "postgres"
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.User, s.password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path:     "/" + database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// String describes the server without its password.
func (s *Server) String() string {
	where := s.Dir
	if where == "" {
		where = "container"
	}
	return fmt.Sprintf("postgres %s@%s (%s)", s.User, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), where)
}

// GoString keeps %#v from printing the password.
func (s *Server) GoString() string { return "localpg.Server{" + s.String() + "}" }

// Format applies every verb to String, so no verb prints the password.
func (s *Server) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = io.WriteString(f, s.String())
}

// Stop stops the server with a fast shutdown (pg_ctl stop -m fast: open
// sessions are ended, the cluster is left consistent) and waits for it to
// exit. If ctx ends first, the server gets an immediate shutdown and Stop
// returns ctx's error. Stopping a stopped server is not an error.
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopFn != nil {
		return s.stopFn(ctx)
	}
	if s.exited != nil {
		return stopChild(ctx, s.PID, s.exited)
	}
	return Stop(ctx, s.Dir)
}

// Destroy stops the server and removes its cluster directory (a
// container is removed).
func (s *Server) Destroy(ctx context.Context) error {
	if err := s.Stop(ctx); err != nil {
		return err
	}
	if s.Dir == "" {
		return nil
	}
	return Destroy(ctx, s.Dir)
}

// State is what Status finds in a cluster directory.
type State struct {
	Dir         string
	Initialized bool   // Dir holds a cluster
	Version     string // the cluster's major version (data/PG_VERSION)
	Running     bool
	PID         int // the postmaster's, when running
	Port        int // the listening port when running, else the last one used
}

// Status reports on the cluster in dir without changing anything. A
// directory that does not exist is reported as not initialized.
func Status(ctx context.Context, dir string) (State, error) {
	if err := ctx.Err(); err != nil {
		return State{}, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return State{}, fmt.Errorf("localpg: status: %w", err)
	}
	st := State{Dir: dir}
	v, err := os.ReadFile(filepath.Join(dir, "data", "PG_VERSION"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return st, nil
	case err != nil:
		return st, fmt.Errorf("localpg: status of %s: %w", dir, err)
	}
	st.Initialized = true
	st.Version = strings.TrimSpace(string(v))
	if s, err := readState(dir); err == nil {
		st.Port = s.Port
	}
	if pm, ok := runningPostmaster(dir); ok {
		st.Running, st.PID, st.Port = true, pm.pid, pm.port
	}
	return st, nil
}

// Stop stops the server of the cluster in dir, whichever process started
// it, as Server.Stop does. A cluster that is not running is not an error.
func Stop(ctx context.Context, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("localpg: stop: %w", err)
	}
	pm, ok := runningPostmaster(dir)
	if !ok {
		return nil
	}
	if err := signalProcess(pm.pid, syscall.SIGINT); err != nil {
		return fmt.Errorf("localpg: stop %s (pid %d): %w", dir, pm.pid, err)
	}
	for {
		if !processAlive(pm.pid) {
			return nil
		}
		select {
		case <-ctx.Done():
			_ = signalProcess(pm.pid, syscall.SIGQUIT)
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Destroy stops the cluster in dir and removes dir. It refuses a
// non-empty directory that is not a localpg cluster directory, so a
// mistyped path cannot delete anything else.
func Destroy(ctx context.Context, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("localpg: destroy: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
		entries, rerr := os.ReadDir(dir)
		if errors.Is(rerr, os.ErrNotExist) {
			return nil
		}
		if rerr != nil || len(entries) > 0 {
			return fmt.Errorf("localpg: destroy %s: not a localpg cluster directory (no %s)", dir, stateFile)
		}
	}
	if err := Stop(ctx, dir); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("localpg: destroy %s: %w", dir, err)
	}
	return nil
}

// Start starts the cluster in opts.Dir, creating it first if needed, and
// returns once it accepts connections. If the cluster is already running,
// Start returns that server. If ctx ends before the server is ready, the
// server is stopped and Start returns ctx's error.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("localpg: start: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: start: %w", err)
	}
	opts.Dir = dir
	s, err := start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("localpg: start %s: %w", dir, err)
	}
	return s, nil
}

func start(ctx context.Context, opts Options) (*Server, error) {
	dir := opts.Dir
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, hasDeadline := ctx.Deadline(); !hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
	}
	var err error
	if opts.BinDir == "" {
		if opts.BinDir, err = findBinaries(os.Getenv("PATH"), binaryGlobs, runtime.GOOS, readOSRelease()); err != nil {
			return nil, err
		}
	}
	as, err := resolveOSUser(opts.OSUser)
	if err != nil {
		return nil, err
	}
	if err := prepareDir(dir, as); err != nil {
		return nil, err
	}
	// Two gmodel commands finding the managed server down start it once:
	// the second waits here, then finds it running.
	unlock, err := lockFile(ctx, filepath.Join(dir, "localpg.lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	if pm, ok := runningPostmaster(dir); ok {
		pw, err := readPassword(dir)
		if err != nil {
			return nil, err
		}
		st, _ := readState(dir)
		opts.logf("%s is already running (pid %d, port %d)", dir, pm.pid, pm.port)
		return &Server{Dir: dir, Host: "127.0.0.1", Port: pm.port, User: orDefault(st.User, opts.user()), PID: pm.pid, password: pw}, nil
	}
	// The postmaster is gone: a lock file left by a crash names a pid that
	// may since belong to another process, which postgres would take for a
	// running server.
	if err := os.Remove(filepath.Join(dir, "data", "postmaster.pid")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale postmaster.pid: %w", err)
	}

	st, err := readState(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, err = os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
	fresh := err != nil
	if fresh {
		st = state{User: opts.user()}
	}
	// The owner is recorded before initdb, so that Reap also finds the
	// directories of owners killed during initdb.
	st.OwnerPID, st.OwnerStart = 0, ""
	if !opts.Persistent {
		st.OwnerPID, st.OwnerStart = os.Getpid(), processStart(os.Getpid())
	}
	if err := writeState(dir, st); err != nil {
		return nil, err
	}
	if fresh {
		if err := initCluster(ctx, &opts, as); err != nil {
			return nil, err
		}
	}
	if err := chownTree(dir, as); err != nil {
		return nil, err
	}
	pw, err := readPassword(dir)
	if err != nil {
		return nil, err
	}

	want := opts.Port
	if want == 0 {
		want = st.Port
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := want
		if port == 0 || !portFree(port) {
			if port, err = freePort(); err != nil {
				return nil, err
			}
			if want != 0 {
				opts.logf("port %d is in use; using %d", want, port)
			}
		}
		want = 0
		srv, err := launch(ctx, &opts, as, port)
		if err == nil {
			srv.User, srv.password = st.User, pw
			st.Port = port
			if err := writeState(dir, st); err != nil {
				_ = srv.Stop(context.Background())
				return nil, err
			}
			return srv, nil
		}
		if !errors.Is(err, errPortInUse) {
			return nil, err
		}
		lastErr = err
	}
	return nil, lastErr
}

var errPortInUse = errors.New("port in use")

// launch starts postgres on port and waits until it accepts connections.
func launch(ctx context.Context, opts *Options, as *osUser, port int) (*Server, error) {
	dir := opts.Dir
	data := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "postgres.log")
	if fi, err := os.Stat(logPath); err == nil && fi.Size() > 10<<20 {
		_ = os.Rename(logPath, logPath+".1")
	}
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	logStart, _ := logFile.Seek(0, io.SeekEnd)

	args := []string{"-D", data, "-p", strconv.Itoa(port), "-c", "listen_addresses=127.0.0.1"}
	if sock := socketDir(dir, port); sock != "" {
		args = append(args, "-c", "unix_socket_directories="+sock, "-c", "unix_socket_permissions=0700")
	} else {
		args = append(args, "-c", "unix_socket_directories=")
	}
	args = append(args, opts.SettingArgs()...)

	cmd := exec.Command(filepath.Join(opts.BinDir, "postgres"), args...)
	cmd.Dir = dir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = sysProcAttr(as, !opts.Persistent)
	exited, err := startProcess(cmd, !opts.Persistent)
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	pid := cmd.Process.Pid
	opts.logf("started postgres (pid %d) on 127.0.0.1:%d for %s", pid, port, dir)

	tick := time.NewTicker(15 * time.Millisecond)
	defer tick.Stop()
	for {
		if pm, ok := readPostmasterPid(data); ok && pm.pid == pid && pm.status == "ready" {
			return &Server{Dir: dir, Host: "127.0.0.1", Port: port, PID: pid, exited: exited}, nil
		}
		select {
		case <-exited:
			tail := logTail(logPath, logStart)
			if strings.Contains(tail, "Address already in use") {
				return nil, fmt.Errorf("%w: %d", errPortInUse, port)
			}
			return nil, fmt.Errorf("postgres exited during startup; %s says:\n%s", logPath, tail)
		case <-ctx.Done():
			_ = signalProcess(pid, syscall.SIGQUIT)
			<-exited
			return nil, fmt.Errorf("start postgres: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// stopChild stops a postmaster this process started.
func stopChild(ctx context.Context, pid int, exited <-chan struct{}) error {
	select {
	case <-exited:
		return nil
	default:
	}
	if err := signalProcess(pid, syscall.SIGINT); err != nil {
		return fmt.Errorf("localpg: stop postgres (pid %d): %w", pid, err)
	}
	select {
	case <-exited:
		return nil
	case <-ctx.Done():
		_ = signalProcess(pid, syscall.SIGQUIT)
		return ctx.Err()
	}
}

// socketDir returns dir if a unix socket fits there, else "" (TCP only):
// sun_path holds 107 bytes, and the setting is a comma-separated list.
func socketDir(dir string, port int) string {
	if len(dir)+len("/.s.PGSQL.")+len(strconv.Itoa(port)) > 107 || strings.ContainsAny(dir, `,"`) {
		return ""
	}
	return dir
}

// serverEnv is this process's environment without the PG* variables, which
// would otherwise change initdb's and postgres's defaults.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return env
}

func logTail(path string, from int64) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if from > 0 && from <= int64(len(b)) {
		b = b[from:]
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

// postmaster is what data/postmaster.pid says.
type postmaster struct {
	pid    int
	port   int
	status string // "starting", "ready", "stopping", "standby"
}

func readPostmasterPid(data string) (postmaster, bool) {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return postmaster{}, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return postmaster{}, false
	}
	var pm postmaster
	pm.pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	pm.port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	if len(lines) >= 8 {
		pm.status = strings.TrimSpace(lines[7])
	}
	return pm, pm.pid > 0
}

// runningPostmaster returns the live postmaster of the cluster in dir. A
// pid file naming a dead process, or (where /proc tells) a process that is
// not serving this data directory, is stale.
func runningPostmaster(dir string) (postmaster, bool) {
	data := filepath.Join(dir, "data")
	pm, ok := readPostmasterPid(data)
	if !ok || !processAlive(pm.pid) {
		return postmaster{}, false
	}
	if cwd, ok := processCwd(pm.pid); ok && cwd != data {
		if real, err := filepath.EvalSymlinks(data); err != nil || cwd != real {
			return postmaster{}, false
		}
	}
	return pm, true
}

// state is Dir/localpg.json.
type state struct {
	User       string `json:"user"`
	Port       int    `json:"port,omitempty"`
	OwnerPID   int    `json:"owner_pid,omitempty"`
	OwnerStart string `json:"owner_start,omitempty"`
}

const stateFile = "localpg.json"

func readState(dir string) (state, error) {
	var s state
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return s, nil
}

func writeState(dir string, s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stateFile), append(b, '\n'), 0o644)
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readPassword(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "password"))
	if err != nil {
		return "", fmt.Errorf("read the superuser's password: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func newPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
