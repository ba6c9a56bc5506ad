package adapters

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/gmodel/gmodel/profiles"
)

// Options are what the runner tells an adapter when opening it.
type Options struct {
	// Threads sizes the connection pool.
	Threads int
	// Log receives the adapter's notices (never secrets); nil discards them.
	Log io.Writer
}

// Opener opens an adapter for a profile target. It decodes the target's
// section of profiles.yml itself, strictly (profiles.Decode).
type Opener func(ctx context.Context, t *profiles.Target, opts Options) (Adapter, error)

var (
	mu      sync.RWMutex
	openers = map[string]Opener{}
)

// Register makes an adapter type available; adapter packages call it from
// init(). Registering a type twice panics (a programming error).
func Register(typ string, open Opener) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := openers[typ]; dup {
		panic("adapters: Register called twice for " + typ)
	}
	openers[typ] = open
}

// Types lists the registered adapter types, sorted.
func Types() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(openers))
	for k := range openers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open opens the adapter for t.Type. An unknown type is an error listing
// the known ones.
func Open(ctx context.Context, t *profiles.Target, opts Options) (Adapter, error) {
	mu.RLock()
	open, ok := openers[t.Type]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown adapter type %q (forgotten import?); known types: %s", t.Type, strings.Join(Types(), ", "))
	}
	return open(ctx, t, opts)
}
