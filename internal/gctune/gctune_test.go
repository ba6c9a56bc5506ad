package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// restore puts the collector back to Go's defaults after a test.
func restore(t *testing.T) {
	t.Cleanup(func() {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}

func TestEnableSetsLimitAndFollowsLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	restore(t)
	Enable()
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("GC percent = %d, want -1 (off)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != Floor {
		t.Fatalf("memory limit = %d, want the floor %d", got, Floor)
	}
	// Keep a live heap of 1.5 floors: after a collection the limit must be
	// twice that, not the floor (which would make the collector run back to
	// back).
	live := make([][]byte, 0, 3*Floor/2>>20)
	for i := 0; i < cap(live); i++ {
		live = append(live, make([]byte, 1<<20))
	}
	want := int64(len(live)) << 21
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	if got := debug.SetMemoryLimit(-1); got < want {
		t.Fatalf("memory limit = %d after collections with %d bytes live, want at least %d", got, len(live)<<20, want)
	}
	runtime.KeepAlive(live)
}

func TestUserSettingsWin(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			restore(t)
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "200")
			before := debug.SetGCPercent(100)
			Enable()
			if got := debug.SetGCPercent(before); got != 100 {
				t.Fatalf("GC percent = %d with %s set, want it untouched (100)", got, env)
			}
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Fatalf("memory limit = %d with %s set, want none", got, env)
			}
		})
	}
}
