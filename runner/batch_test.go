package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/adapters"
)

// batcher is the fake with adapters.TestBatcher: it records each batch.
type batcher struct {
	*fake
	batches [][]string
	fail    bool // QueryTests fails: the runner must go one by one
}

func (b *batcher) QueryTests(ctx context.Context, queries []string) ([]*adapters.Rows, error) {
	b.mu.Lock()
	b.batches = append(b.batches, queries)
	b.mu.Unlock()
	if b.fail {
		return nil, errors.New("the batch failed")
	}
	out := make([]*adapters.Rows, len(queries))
	for i, q := range queries {
		rows, err := b.fake.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		out[i] = rows
	}
	return out, nil
}

// The tests of one relation go to the adapter in one batch; results and
// run_results stay per test.
func TestBatchedTests(t *testing.T) {
	extra := map[string]string{"models/schema.yml": `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [unique, not_null]
      - name: customer_id
        tests:
          - not_null
          - accepted_values: {values: [1, 2]}
          - not_null:
              config: {store_failures: true}
              name: stored_not_null
`}
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch fails %v", fail), func(t *testing.T) {
			b := &batcher{fake: &fake{}, fail: fail}
			b.fake.query = func(sql string) (*adapters.Rows, error) {
				failures := int64(0)
				if strings.Contains(sql, "accepted_values") || strings.Contains(sql, "not in (") {
					failures = 3
				}
				return &adapters.Rows{Columns: []string{"failures", "should_warn", "should_error"}, Values: [][]any{{failures, failures > 0, failures > 0}}}, nil
			}
			rep, out, dir := runShop(t, CmdTest, b.fake, extra, func(o *Options) { o.Adapter = b })
			if len(rep.Results) != 5 {
				t.Fatalf("%d results\n%s", len(rep.Results), out)
			}
			if len(b.batches) != 1 || len(b.batches[0]) != 4 {
				t.Errorf("batches %d (sizes %v), want one of 4 (the stored test runs alone)", len(b.batches), func() []int {
					var n []int
					for _, x := range b.batches {
						n = append(n, len(x))
					}
					return n
				}())
			}
			statuses := map[string]Status{}
			for _, r := range rep.Results {
				statuses[r.Node.Name] = r.Status
			}
			if statuses["accepted_values_orders_customer_id__1__2"] != Fail || statuses["unique_orders_id"] != Pass || statuses["stored_not_null"] != Pass {
				t.Errorf("statuses %v\n%s", statuses, out)
			}
			if c := strings.Count(out, "START test "); c != 5 {
				t.Errorf("%d START lines, want 5:\n%s", c, out)
			}
			rr, err := os.ReadFile(filepath.Join(dir, "target", "run_results.json"))
			if err != nil || strings.Count(string(rr), `"unique_id": "test.`) != 5 {
				t.Errorf("run_results.json: %v\n%s", err, rr)
			}
		})
	}
}
