package container_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/internal/localpg"
	"github.com/gmodel/gmodel/internal/localpg/container"
)

// Without a Docker engine, Available must answer at once, so that the
// harness falls back to local binaries without delay.
func TestAvailableIsFast(t *testing.T) {
	begin := time.Now()
	err := container.Available(context.Background())
	took := time.Since(begin)
	if took > 2500*time.Millisecond {
		t.Fatalf("Available took %s", took)
	}
	if err != nil && !errors.Is(err, container.ErrNoDocker) {
		t.Fatalf("Available = %v, want nil or ErrNoDocker", err)
	}
	t.Logf("Available: %v (%s)", err, took)
}

// TestStart runs a real container where a Docker engine answers, and
// elsewhere checks that Start fails at once and says why.
func TestStart(t *testing.T) {
	ctx := context.Background()
	var log strings.Builder
	opts := localpg.Options{FSyncOff: true, Log: &log, Settings: map[string]string{"max_connections": "50"}}
	if container.Available(ctx) != nil {
		begin := time.Now()
		s, err := container.Start(ctx, opts)
		if err == nil {
			_ = s.Destroy(ctx)
			t.Fatal("Start succeeded without a Docker engine")
		}
		if took := time.Since(begin); took > 5*time.Second || !strings.Contains(err.Error(), "Docker") {
			t.Fatalf("Start without an engine: %v after %s; want a quick error about Docker", err, took)
		}
		if log.Len() > 0 {
			t.Fatalf("testcontainers logged: %s", log.String())
		}
		return
	}
	s, err := container.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Destroy(ctx); err != nil {
			t.Error(err)
		}
	}()
	c, err := pgx.Connect(ctx, s.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var maxConn string
	if err := c.QueryRow(ctx, "show max_connections").Scan(&maxConn); err != nil || maxConn != "50" {
		t.Fatalf("max_connections = %q, %v; want the setting passed, 50", maxConn, err)
	}
}
