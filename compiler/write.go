package compiler

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// WriteCompiled writes the compiled SQL of the nodes ids to their
// compiled_path under the project root, and returns how many it wrote.
// Writing thousands of small files waits on the kernel, not the CPU, so
// several are written at once, and a file that already holds its content is
// left alone.
func (m *Manifest) WriteCompiled(ids []string) (int, error) {
	type job struct{ path, code string }
	var jobs []job
	dirs := map[string]bool{}
	for _, id := range ids {
		n := m.ByID[id]
		if n == nil || !n.Compiled || n.CompiledPath == "" {
			continue
		}
		p := n.CompiledPath
		if !filepath.IsAbs(p) {
			p = filepath.Join(m.Project.Root, filepath.FromSlash(p))
		}
		if d := filepath.Dir(p); !dirs[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return 0, err
			}
			dirs[d] = true
		}
		jobs = append(jobs, job{p, n.CompiledCode})
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     atomic.Int64
	)
	for k := 0; k < min(8, len(jobs)); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				if err := writeIfChanged(jobs[i].path, jobs[i].code); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return len(jobs), nil
}

// writeIfChanged writes content to path unless the file already holds it.
func writeIfChanged(path, content string) error {
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(content)) {
		if old, err := os.ReadFile(path); err == nil && string(old) == content {
			return nil
		}
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
