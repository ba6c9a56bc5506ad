// Package phase measures the phases of a command for --debug: the wall
// time of each and the CPU time the process spent in it, whose ratio tells
// whether a phase kept both cores busy or ran on one.
package phase

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Timer logs "debug: <name> <wall> ms (cpu <cpu> ms)" lines.
type Timer struct {
	mu   sync.Mutex
	w    io.Writer
	wall time.Time
	cpu  time.Duration
}

// New returns a timer starting now that writes to w; a nil w makes a
// timer that logs nothing.
func New(w io.Writer) *Timer {
	return &Timer{w: w, wall: time.Now(), cpu: processCPU()}
}

// Done logs the phase that ends now and starts the next one.
func (t *Timer) Done(name string) {
	if t == nil || t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now, cpu := time.Now(), processCPU()
	fmt.Fprintf(t.w, "debug: %-26s %7.1f ms (cpu %6.1f ms)\n", name,
		float64(now.Sub(t.wall).Microseconds())/1000, float64((cpu-t.cpu).Microseconds())/1000)
	t.wall, t.cpu = now, cpu
}
