package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gmodel/gmodel/tests/benchgen"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkSeedRetail is the seed benchmark of the README: `gmodel seed` of
// a generated 541,897-row Online Retail CSV (about 45 MB) against psql's
// \copy of the same file into a ready table, on the same server,
// interleaved in one run. It reports both times and their ratio.
func BenchmarkSeedRetail(b *testing.B) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		b.Fatal("psql is needed as the yardstick: install the postgresql-client package")
	}
	e := newPGEnv(b, "", "bench", map[string]string{
		"dbt_project.yml": "name: bench\nprofile: bench\nconfig-version: 2\n",
	})
	csvPath := filepath.Join(e.dir, "seeds", "raw_transactions.csv")
	if err := os.MkdirAll(filepath.Dir(csvPath), 0o755); err != nil {
		b.Fatal(err)
	}
	fh, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	if err := benchgen.WriteRetailCSV(fh, benchgen.RetailRows); err != nil {
		b.Fatal(err)
	}
	fh.Close()
	// psql loads into a table of the types gmodel infers, created by a first seed.
	if r := e.gmodel(b, "seed"); r.code != 0 {
		b.Fatalf("seed: %s", r.stderr)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, e.db.DSN)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "create table psql_copy (like dbt_test.raw_transactions)"); err != nil {
		b.Fatal(err)
	}
	var gm, ps time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if r := e.gmodel(b, "seed"); r.code != 0 {
			b.Fatalf("seed: %s", r.stderr)
		}
		gm += time.Since(start)

		if _, err := pool.Exec(ctx, "truncate psql_copy"); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", e.db.Host, "-p", strconv.Itoa(e.db.Port),
			"-U", e.db.User, "-d", e.db.Database, "-c", fmt.Sprintf(`\copy psql_copy from '%s' with (format csv, header true)`, csvPath))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+e.db.Password)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("psql: %v\n%s", err, out)
		}
		ps += time.Since(start)
	}
	b.StopTimer()
	var n int64
	if err := pool.QueryRow(ctx, "select count(*) from dbt_test.raw_transactions").Scan(&n); err != nil || n != benchgen.RetailRows {
		b.Fatalf("raw_transactions has %d rows (%v), want %d", n, err, benchgen.RetailRows)
	}
	b.ReportMetric(gm.Seconds()/float64(b.N), "gmodel-s")
	b.ReportMetric(ps.Seconds()/float64(b.N), "psql-s")
	b.ReportMetric(float64(gm)/float64(ps), "ratio")
}

// BenchmarkRunOverhead1000Views is the run-overhead benchmark of the README:
// `gmodel run --threads 4` of 1,000 trivial view models, against the same
// 1,000 CREATE VIEW statements sent directly on 4 connections. The
// difference per model is gmodel's own cost (compile, planning, progress,
// artifacts, catalog queries and the atomic build steps).
func BenchmarkRunOverhead1000Views(b *testing.B) {
	const n = 1000
	files := map[string]string{"dbt_project.yml": "name: bench\nprofile: bench\nconfig-version: 2\nmodels:\n  bench:\n    +materialized: view\n"}
	for i := 0; i < n; i++ {
		src := "select 1 as id"
		if i >= 10 {
			src = fmt.Sprintf("select id from {{ ref('v%04d') }}", i%10)
		}
		files[fmt.Sprintf("models/v%04d.sql", i)] = src
	}
	e := newPGEnv(b, "", "bench", files)
	if r := e.gmodel(b, "run", "--threads", "4"); r.code != 0 {
		b.Fatalf("run: %s", r.stderr)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, e.db.DSN+"&pool_max_conns=4")
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "create schema raw_views"); err != nil {
		b.Fatal(err)
	}
	var gm, raw time.Duration
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		start := time.Now()
		if r := e.gmodel(b, "run", "--threads", "4"); r.code != 0 {
			b.Fatalf("run: %s", r.stderr)
		}
		gm += time.Since(start)

		start = time.Now()
		sqlFor := func(i int) string {
			body := "select 1 as id"
			if i >= 10 {
				body = fmt.Sprintf(`select id from raw_views."v%04d"`, i%10)
			}
			return fmt.Sprintf(`create or replace view raw_views."v%04d" as %s`, i, body)
		}
		for i := 0; i < 10; i++ {
			if _, err := pool.Exec(ctx, sqlFor(i)); err != nil {
				b.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		next := make(chan int)
		var mu sync.Mutex
		var firstErr error
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					if _, err := pool.Exec(ctx, sqlFor(i)); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
					}
				}
			}()
		}
		for i := 10; i < n; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		raw += time.Since(start)
	}
	b.StopTimer()
	per := float64(gm-raw) / float64(b.N) / n / float64(time.Millisecond)
	b.ReportMetric(gm.Seconds()/float64(b.N), "gmodel-s")
	b.ReportMetric(raw.Seconds()/float64(b.N), "sql-s")
	b.ReportMetric(per, "overhead-ms/model")
}
