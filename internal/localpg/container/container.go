// Package container runs PostgreSQL in a Docker container with
// testcontainers-go, as a localpg.Server: the test harness tests/pgtest
// uses it when a Docker engine answers. It is apart from localpg because
// importing testcontainers-go costs every process that links it an init
// that scans the process table.
package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/gmodel/gmodel/internal/localpg"
)

// DefaultImage is the image Start runs when Options.Image is empty.
const DefaultImage = "postgres:16-alpine"

// ErrNoDocker is wrapped by Available's error when no Docker engine answers.
var ErrNoDocker = errors.New("container: no Docker engine answered")

// Available returns nil if a Docker engine answers, as testcontainers-go
// finds it (DOCKER_HOST, the default and rootless sockets,
// ~/.testcontainers.properties). Without one it fails at once (no socket)
// or within 2 s (an engine that does not answer). testcontainers-go's logs
// go nowhere.
func Available(ctx context.Context) error {
	routeLogs(nil)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// NewDockerProvider looks for the engine without a ctx: hence the
		// goroutine, abandoned if it hangs.
		p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(logger{}))
		if err != nil {
			done <- err
			return
		}
		done <- p.Health(ctx) // closes p
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%w: %v", ErrNoDocker, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", ErrNoDocker, ctx.Err())
	}
}

// Start runs PostgreSQL in a container of opts.Image with a generated
// password, and returns once it accepts connections. It uses opts.User,
// FSyncOff, Settings and Log (Dir and the other fields are for local
// clusters). The container is a throwaway: Stop and Destroy remove it, and
// testcontainers-go's reaper removes it when this process dies. Call
// Available first to fail fast.
func Start(ctx context.Context, opts localpg.Options) (*localpg.Server, error) {
	routeLogs(opts.Log)
	img := opts.Image
	if img == "" {
		img = DefaultImage
	}
	pw, err := password()
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	ctr, err := tcpostgres.Run(ctx, img,
		testcontainers.WithLogger(logger{}),
		tcpostgres.WithUsername(opts.SuperUser()),
		tcpostgres.WithPassword(pw),
		tcpostgres.WithDatabase("postgres"),
		testcontainers.WithCmd(append([]string{"postgres"}, opts.SettingArgs()...)...),
		tcpostgres.BasicWaitStrategies(),
	)
	if err != nil {
		if ctr != nil {
			_ = ctr.Terminate(context.WithoutCancel(ctx))
		}
		return nil, fmt.Errorf("container: start %s: %w", img, err)
	}
	fail := func(err error) (*localpg.Server, error) {
		_ = ctr.Terminate(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("container: %s: %w", img, err)
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return fail(err)
	}
	mapped, err := ctr.MappedPort(ctx, "5432/tcp")
	if err != nil {
		return fail(err)
	}
	port := int(mapped.Num())
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "container: started %s at %s:%d (%s)\n", img, host, port, time.Since(begin).Round(time.Millisecond))
	}
	stop := func(ctx context.Context) error { return ctr.Terminate(ctx) }
	return localpg.External(host, port, opts.SuperUser(), pw, stop), nil
}

func password() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// testcontainers-go logs through a process-wide logger (its banner ignores
// WithLogger): route it, once, to the latest Options.Log.
var (
	logOnce   sync.Once
	logWriter atomic.Pointer[io.Writer]
)

func routeLogs(w io.Writer) {
	logOnce.Do(func() { tclog.SetDefault(logger{}) })
	if w != nil {
		logWriter.Store(&w)
	}
}

type logger struct{}

func (logger) Printf(format string, args ...any) {
	if w := logWriter.Load(); w != nil {
		fmt.Fprintf(*w, "testcontainers: "+format+"\n", args...)
	}
}
