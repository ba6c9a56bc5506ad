package adaptertest

import (
	"context"
	"time"

	"github.com/gmodel/gmodel/adapters"
)

var lockTests = []test{
	{"Exclusive", func(e *env) {
		unlock, err := e.a.Lock(e.ctx, "", e.schema, false)
		if err != nil {
			e.t.Fatal(err)
		}
		_, err = e.a.Lock(e.ctx, "", e.schema, false)
		wantCode(e.t, err, adapters.Locked)
		wantContains(e.t, err, e.schema)
		// Another schema is another lock.
		unlockOther, err := e.a.Lock(e.ctx, "", e.schema+"_other", false)
		if err != nil {
			e.t.Errorf("locking another schema: %v", err)
		} else {
			unlockOther()
		}
		unlock()
		unlock() // twice is fine
		unlock, err = e.a.Lock(e.ctx, "", e.schema, false)
		if err != nil {
			e.t.Fatalf("after unlock: %v", err)
		}
		unlock()
	}},
	{"WaitUntilReleased", func(e *env) {
		unlock, err := e.a.Lock(e.ctx, "", e.schema, false)
		if err != nil {
			e.t.Fatal(err)
		}
		go func() {
			time.Sleep(300 * time.Millisecond)
			unlock()
		}()
		start := time.Now()
		unlock2, err := e.a.Lock(e.ctx, "", e.schema, true)
		if err != nil {
			e.t.Fatalf("waiting: %v", err)
		}
		if time.Since(start) < 200*time.Millisecond {
			e.t.Errorf("got the lock after %v, before it was released", time.Since(start))
		}
		unlock2()
	}},
	{"WaitCancelled", func(e *env) {
		unlock, err := e.a.Lock(e.ctx, "", e.schema, false)
		if err != nil {
			e.t.Fatal(err)
		}
		defer unlock()
		ctx, cancel := context.WithTimeout(e.ctx, 300*time.Millisecond)
		defer cancel()
		_, err = e.a.Lock(ctx, "", e.schema, true)
		wantCode(e.t, err, adapters.Canceled)
	}},
}
