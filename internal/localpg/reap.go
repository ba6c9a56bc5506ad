package localpg

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Reap removes the throwaway clusters (started without Persistent) in the
// directories directly under parent whose owning process is gone, first
// stopping a server still running there: a killed test run leaves no
// server behind on systems without a parent-death signal, and no data
// behind anywhere. Persistent clusters and other directories are left
// alone. It returns the directories removed.
func Reap(ctx context.Context, parent string) ([]string, error) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("localpg: reap: %w", err)
	}
	var removed []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		st, err := readState(dir)
		if err != nil || st.OwnerPID == 0 || ownerAlive(st.OwnerPID, st.OwnerStart) {
			continue
		}
		if pm, ok := runningPostmaster(dir); ok {
			killPostmaster(ctx, pm.pid)
		}
		if err := os.RemoveAll(dir); err != nil {
			return removed, fmt.Errorf("localpg: reap: %w", err)
		}
		removed = append(removed, dir)
	}
	return removed, nil
}

func ownerAlive(pid int, start string) bool {
	if !processAlive(pid) {
		return false
	}
	now := processStart(pid)
	return start == "" || now == "" || now == start
}

// killPostmaster asks for an immediate shutdown, then kills.
func killPostmaster(ctx context.Context, pid int) {
	_ = signalProcess(pid, syscall.SIGQUIT)
	deadline := time.Now().Add(5 * time.Second)
	for processAlive(pid) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if processAlive(pid) {
		_ = signalProcess(pid, syscall.SIGKILL)
	}
}
