// Package gctune sets the garbage collector up for a short-lived command
// line program: gmodel allocates most of its memory in a burst (the
// project's files, YAML trees, rendered SQL, the manifest) and exits, so
// collecting every time the heap doubles (GOGC=100) spends a fifth of the
// CPU on garbage that would be freed by the exit anyway.
//
// Instead the collector runs when the heap reaches a soft limit: Floor, or
// twice the heap that was live after the last collection, whichever is
// larger. Small and medium projects never collect more than a few times;
// a project whose live heap outgrows the floor still gets a collector that
// scales with it (the limit follows the live heap, so there is no spiral of
// back-to-back collections near a fixed limit).
//
// A user's GOGC or GOMEMLIMIT environment variable wins: Enable does
// nothing when either is set.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Floor is the smallest heap limit: below it the collector only runs when
// the heap reaches it.
const Floor = 224 << 20

// Enable applies the policy for the rest of the process's life.
func Enable() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(Floor)
	arm()
}

var sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// arm plants an object whose finalizer runs after the next collection,
// adjusts the limit to the live heap, and plants the next one.
func arm() {
	s := new(sentinel)
	runtime.SetFinalizer(s, func(*sentinel) {
		metrics.Read(sample)
		limit := int64(Floor)
		if v := sample[0].Value; v.Kind() == metrics.KindUint64 {
			if twice := int64(v.Uint64()) * 2; twice > limit {
				limit = twice
			}
		}
		debug.SetMemoryLimit(limit)
		arm()
	})
}

type sentinel struct{ _ [16]byte }
