package runner

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gmodel/gmodel/compiler"
)

// job is one selected node in the run's graph.
type job struct {
	n        *compiler.Node
	parents  []*job
	children []*job
	pending  int // parents not finished yet
	depth    int // longest path from a root: the queue's priority
	index    int // progress number, given when the job leaves the queue
	skip     bool
	started  bool
	done     bool
	// cancelled is set when fail-fast or Ctrl-C stopped the job while it ran.
	cancelled bool
}

// buildJobs makes the run's graph over the selected nodes. Only
// dependencies among selected nodes order the run; a path through nodes
// that are not selected (or ephemeral) still counts, as in dbt. For build,
// a test also gates the nodes downstream of what it tests (dbt's test
// edges).
func (r *runner) buildJobs(ids []string) {
	m := r.m
	byID := make(map[string]*job, len(ids))
	for _, id := range ids {
		n := m.ByID[id]
		if n == nil {
			continue
		}
		j := &job{n: n}
		byID[id] = j
		r.jobs = append(r.jobs, j)
	}
	extra := map[string][]string{}
	if r.opts.Command == CmdBuild {
		extra = r.testEdges(byID)
	}
	parents := func(id string) []string {
		ps := m.ParentMap[id]
		if n := m.ByID[id]; n != nil && ps == nil {
			ps = n.DependsOnNodes
		}
		if e := extra[id]; len(e) > 0 {
			ps = append(append([]string(nil), ps...), e...)
		}
		return ps
	}
	// frontier: the selected nodes nearest above an unselected node.
	memo := map[string][]*job{}
	var frontier func(id string) []*job
	frontier = func(id string) []*job {
		if f, ok := memo[id]; ok {
			return f
		}
		memo[id] = nil // cycles cannot happen; this guards anyway
		var out []*job
		for _, p := range parents(id) {
			if pj := byID[p]; pj != nil {
				out = append(out, pj)
			} else {
				out = append(out, frontier(p)...)
			}
		}
		out = uniqueJobs(out)
		memo[id] = out
		return out
	}
	for _, j := range r.jobs {
		var ps []*job
		for _, p := range parents(j.n.UniqueID) {
			if pj := byID[p]; pj != nil {
				ps = append(ps, pj)
			} else {
				ps = append(ps, frontier(p)...)
			}
		}
		j.parents = uniqueJobs(ps)
		for _, p := range j.parents {
			p.children = append(p.children, j)
		}
		j.pending = len(j.parents)
	}
	// Depths in topological order.
	order := make([]*job, 0, len(r.jobs))
	indeg := map[*job]int{}
	for _, j := range r.jobs {
		indeg[j] = len(j.parents)
		if len(j.parents) == 0 {
			order = append(order, j)
		}
	}
	for i := 0; i < len(order); i++ {
		j := order[i]
		for _, c := range j.children {
			c.depth = max(c.depth, j.depth+1)
			if indeg[c]--; indeg[c] == 0 {
				order = append(order, c)
			}
		}
	}
	r.total = len(r.jobs)
}

func uniqueJobs(js []*job) []*job {
	if len(js) < 2 {
		return js
	}
	seen := make(map[*job]bool, len(js))
	out := js[:0:0]
	for _, j := range js {
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].n.UniqueID < out[b].n.UniqueID })
	return out
}

// testEdges gives, for build, the selected tests each node must wait for:
// dbt adds an edge from a test to every node whose ancestors include all
// of the test's parents. The edge to the nearest such nodes is enough, as
// the rest are their descendants.
func (r *runner) testEdges(byID map[string]*job) map[string][]string {
	m := r.m
	isTest := func(id string) bool {
		n := m.ByID[id]
		return n != nil && n.ResourceType == compiler.Test
	}
	extra := map[string][]string{}
	for _, j := range r.jobs {
		t := j.n
		if t.ResourceType != compiler.Test || len(t.DependsOnNodes) == 0 {
			continue
		}
		deps := t.DependsOnNodes
		if len(deps) == 1 {
			for _, c := range m.ChildMap[deps[0]] {
				if !isTest(c) {
					extra[c] = append(extra[c], t.UniqueID)
				}
			}
			continue
		}
		// Nodes below every parent of the test.
		count := map[string]int{}
		for _, d := range deps {
			seen := map[string]bool{}
			stack := append([]string(nil), m.ChildMap[d]...)
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if seen[x] || isTest(x) {
					continue
				}
				seen[x] = true
				count[x]++
				stack = append(stack, m.ChildMap[x]...)
			}
		}
		var below []string
		for x, c := range count {
			if c == len(deps) {
				below = append(below, x)
			}
		}
		sort.Strings(below)
		for _, x := range below {
			nearest := true
			for _, p := range m.ParentMap[x] {
				if count[p] == len(deps) {
					nearest = false
					break
				}
			}
			if nearest {
				extra[x] = append(extra[x], t.UniqueID)
			}
		}
	}
	return extra
}

// readyQueue orders runnable jobs: shallower first, then by unique id, so
// a run is deterministic with one thread.
type readyQueue []*job

func (q readyQueue) Len() int { return len(q) }
func (q readyQueue) Less(i, j int) bool {
	if q[i].depth != q[j].depth {
		return q[i].depth < q[j].depth
	}
	return q[i].n.UniqueID < q[j].n.UniqueID
}
func (q readyQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)   { *q = append(*q, x.(*job)) }
func (q *readyQueue) Pop() any {
	old := *q
	j := old[len(old)-1]
	*q = old[:len(old)-1]
	return j
}

type finished struct {
	j   *job
	res *Result
}

// failureSkipsChildren reports whether a result skips what depends on the
// node: an error, and for build also a failing test.
func (r *runner) failureSkipsChildren(res *Result) bool {
	switch res.Status {
	case Error:
		return true
	case Fail:
		return r.opts.Command == CmdBuild
	}
	return false
}

// schedule runs the jobs on Threads workers in dependency order.
func (r *runner) schedule(ctx context.Context, rep *Report) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan []*job)
	done := make(chan finished, len(r.jobs))
	for w := 1; w <= r.opts.Threads; w++ {
		thread := fmt.Sprintf("Thread-%d (worker)", w)
		go func() {
			for js := range work {
				if len(js) == 1 {
					done <- finished{js[0], r.execute(runCtx, js[0], thread)}
					continue
				}
				for i, res := range r.executeTests(runCtx, js, thread) {
					done <- finished{js[i], res}
				}
			}
		}()
	}
	defer close(work)

	q := &readyQueue{}
	for _, j := range r.jobs {
		if j.pending == 0 {
			heap.Push(q, j)
		}
	}
	index := 0
	inflight := map[*job]bool{}
	remaining := len(r.jobs)
	var failFast *Result

	complete := func(j *job, res *Result) {
		j.done = true
		remaining--
		if res != nil {
			rep.Results = append(rep.Results, res)
		}
		if res != nil && r.failureSkipsChildren(res) {
			r.skipDescendants(j)
		}
		for _, c := range j.children {
			if c.pending--; c.pending == 0 {
				heap.Push(q, c)
			}
		}
	}
	stopping := false
	stop := func() {
		stopping = true
		for j := range inflight {
			j.cancelled = true
		}
		ids := make([]string, 0, len(inflight))
		for j := range inflight {
			ids = append(ids, j.n.UniqueID)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r.p.line(fancy("CANCEL query "+id, "CANCEL", 0, 0, nil))
		}
		cancel()
	}

	// interrupt handles Ctrl-C: running statements are cancelled, what
	// finishes within the grace period is reported, nothing else starts.
	interrupt := func() {
		rep.Interrupted = true
		stop()
		r.drain(inflight, done, func(f finished) {
			if f.res.Status == Error && f.j.cancelled {
				f.j.done = true
				return // cancelled mid-statement: nothing to report
			}
			r.printResult(f.res)
			complete(f.j, f.res)
		})
	}

	for remaining > 0 {
		if ctx.Err() != nil {
			interrupt()
			return
		}
		for !stopping && q.Len() > 0 && (len(inflight) < r.opts.Threads || (*q)[0].skip) {
			j := heap.Pop(q).(*job)
			index++
			j.index = index
			j.started = true
			if j.skip {
				res := r.skipped(j, "")
				r.printResult(res)
				complete(j, res)
				continue
			}
			batch := []*job{j}
			if key := r.batchKey(j); key != "" {
				batch = append(batch, r.takeBatch(q, key)...)
			}
			for _, b := range batch[1:] {
				index++
				b.index = index
				b.started = true
			}
			for _, b := range batch {
				inflight[b] = true
			}
			work <- batch
		}
		if len(inflight) == 0 {
			break
		}
		var f finished
		select {
		case f = <-done:
		case <-ctx.Done():
			interrupt()
			return
		}
		if ctx.Err() != nil && f.res.Status == Error {
			// Failed because Ctrl-C cancelled it: part of the interruption.
			f.j.cancelled = true
			r.p.line(fancy("CANCEL query "+f.j.n.UniqueID, "CANCEL", 0, 0, nil))
			delete(inflight, f.j)
			f.j.done = true
			interrupt()
			return
		}
		delete(inflight, f.j)
		r.printResult(f.res)
		complete(f.j, f.res)
		if r.opts.FailFast && (f.res.Status == Error || f.res.Status == Fail) {
			failFast = f.res
			stop()
			break
		}
	}
	if failFast != nil {
		// Whatever is still running had its statement cancelled; wait a
		// moment for it, then report everything not run as skipped.
		r.drain(inflight, done, func(f finished) {
			if f.j.cancelled && f.res.Status == Error {
				complete(f.j, r.skipped(f.j, "Skipping due to fail_fast"))
				return
			}
			r.printResult(f.res)
			complete(f.j, f.res)
		})
		for _, j := range r.jobs {
			if !j.done {
				j.done = true
				rep.Results = append(rep.Results, r.skipped(j, "Skipping due to fail_fast"))
			}
		}
		r.p.line("")
		r.printError(failFast, false)
	}
}

// takeBatch takes from q the ready tests of batch key, in queue order,
// up to what one batch holds.
func (r *runner) takeBatch(q *readyQueue, key string) []*job {
	var taken, rest []*job
	for _, c := range *q {
		if len(taken) < maxTestBatch-1 && !c.skip && r.batchKey(c) == key {
			taken = append(taken, c)
		} else {
			rest = append(rest, c)
		}
	}
	if len(taken) == 0 {
		return nil
	}
	*q = rest
	heap.Init(q)
	sort.Slice(taken, func(a, b int) bool { return readyQueue(taken).Less(a, b) })
	return taken
}

// drain waits, at most the grace period, for the jobs still running after
// a cancellation.
func (r *runner) drain(inflight map[*job]bool, done chan finished, handle func(finished)) {
	deadline := time.NewTimer(r.opts.Grace)
	defer deadline.Stop()
	for len(inflight) > 0 {
		select {
		case f := <-done:
			delete(inflight, f.j)
			handle(f)
		case <-deadline.C:
			return
		}
	}
}

// skipDescendants marks every job below j as skipped.
func (r *runner) skipDescendants(j *job) {
	stack := append([]*job(nil), j.children...)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.skip || c.started {
			continue
		}
		c.skip = true
		stack = append(stack, c.children...)
	}
}

func (r *runner) skipped(j *job, msg string) *Result {
	return &Result{Node: j.n, Status: Skipped, Message: msg, ThreadID: "MainThread", Index: j.index}
}
