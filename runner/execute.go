package runner

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/project"
)

// execute runs one node on a worker and returns its result; the START line
// is printed here, the result line by the scheduler.
func (r *runner) execute(ctx context.Context, j *job, thread string) *Result {
	n := j.n
	start := r.opts.Now()
	r.p.line(fancy("START "+r.describe(n), "RUN", j.index, r.total, nil))
	res := &Result{Node: n, ThreadID: thread, Index: j.index, compiled: n.Compiled}
	var err error
	if ctx.Err() != nil {
		err = adapters.Errorf(adapters.Canceled, "cancelled")
	} else {
		switch n.ResourceType {
		case compiler.Model:
			err = r.runModel(ctx, n, res)
		case compiler.Seed:
			err = r.runSeed(ctx, j, res)
		case compiler.Test:
			err = r.runTest(ctx, n, res)
		default:
			err = fmt.Errorf("gmodel cannot run a %s", n.ResourceType)
		}
	}
	r.finish(res, err, start, r.opts.Now())
	return res
}

// finish records a node's error, if any, and its timing.
func (r *runner) finish(res *Result, err error, start, end time.Time) {
	if err != nil {
		res.Status = Error
		res.Message = r.errorMessage(res.Node, err)
		res.Response = nil
		res.Failures = nil
	}
	res.Timing = []Timing{{"compile", start, start}, {"execute", start, end}}
	res.ExecutionTime = end.Sub(start)
}

// maxTestBatch bounds how many tests go to a TestBatcher at once.
const maxTestBatch = 50

// batchKey groups the tests a TestBatcher may run together: those of one
// relation (the same parents), that do not store their failures. "" for
// a node that runs alone.
func (r *runner) batchKey(j *job) string {
	n := j.n
	if r.batcher == nil || n.ResourceType != compiler.Test || len(n.DependsOnNodes) == 0 || r.storesFailures(n) != "" {
		return ""
	}
	return strings.Join(n.DependsOnNodes, "\x00")
}

// executeTests runs tests of one relation in as few statements as the
// adapter's TestBatcher can. Each test keeps its START line, result and
// run_results entry; their timing is the batch's.
func (r *runner) executeTests(ctx context.Context, js []*job, thread string) []*Result {
	start := r.opts.Now()
	results := make([]*Result, len(js))
	errs := make([]error, len(js))
	sqls := make([]string, len(js))
	var idx []int
	var queries []string
	for i, j := range js {
		n := j.n
		r.p.line(fancy("START "+r.describe(n), "RUN", j.index, r.total, nil))
		results[i] = &Result{Node: n, ThreadID: thread, Index: j.index, compiled: n.Compiled}
		if ctx.Err() != nil {
			errs[i] = adapters.Errorf(adapters.Canceled, "cancelled")
			continue
		}
		if sqls[i], errs[i] = r.testQuery(ctx, n, results[i]); errs[i] == nil {
			idx = append(idx, i)
			queries = append(queries, sqls[i])
		}
	}
	rows, err := r.batcher.QueryTests(ctx, queries)
	for k, i := range idx {
		if err == nil {
			errs[i] = r.testResult(js[i].n, rows[k], results[i])
			continue
		}
		// One by one, so that a failure is reported against its own test.
		one, qerr := r.ad.Query(ctx, sqls[i])
		if qerr != nil {
			errs[i] = qerr
			continue
		}
		errs[i] = r.testResult(js[i].n, one, results[i])
	}
	end := r.opts.Now()
	for i := range js {
		r.finish(results[i], errs[i], start, end)
	}
	return results
}

// describe is dbt's node description in progress lines.
func (r *runner) describe(n *compiler.Node) string {
	switch n.ResourceType {
	case compiler.Model:
		return fmt.Sprintf("%s %s model %s", language(n), n.Materialized(), r.relation(n))
	case compiler.Seed:
		return "seed file " + r.relation(n)
	}
	return n.ResourceType + " " + n.Name
}

func language(n *compiler.Node) string {
	if n.Language == "" {
		return "sql"
	}
	return n.Language
}

// relation is how dbt shows a relation: schema.alias, with the database
// only when it is not the target's.
func (r *runner) relation(n *compiler.Node) string {
	if n.Database != "" && n.Database != r.opts.Compile.Target.Database {
		return n.Database + "." + n.Schema + "." + n.Alias
	}
	return n.Schema + "." + n.Alias
}

func relationOf(n *compiler.Node) adapters.Relation {
	return adapters.Relation{Database: n.Database, Schema: n.Schema, Identifier: n.Alias}
}

// printResult prints a node's result line.
func (r *runner) printResult(res *Result) {
	n := res.Node
	d := res.ExecutionTime
	var line string
	switch {
	case res.Status == Skipped:
		what := "relation " + n.Schema + "." + n.Name
		if n.ResourceType == compiler.Test {
			what = "test " + n.Name
		}
		line = fancy("SKIP "+what, "SKIP", res.Index, r.total, nil)
	case n.ResourceType == compiler.Test:
		var info string
		switch res.Status {
		case Error:
			info = "ERROR"
		case Pass:
			info = "PASS"
		case Warn:
			info = fmt.Sprintf("WARN %d", deref(res.Failures))
		default:
			info = fmt.Sprintf("FAIL %d", deref(res.Failures))
		}
		line = fancy(info+" "+n.Name, info, res.Index, r.total, &d)
	case n.ResourceType == compiler.Seed:
		if res.Status == Error {
			line = fancy("ERROR loading seed file "+r.relation(n), "ERROR", res.Index, r.total, &d)
		} else {
			line = fancy("OK loaded seed file "+r.relation(n), res.Message, res.Index, r.total, &d)
		}
	default:
		if res.Status == Error {
			line = fancy("ERROR creating "+r.describe(n), "ERROR", res.Index, r.total, &d)
		} else {
			line = fancy("OK created "+r.describe(n), res.Message, res.Index, r.total, &d)
		}
	}
	r.p.line(line)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// runModel materializes a model.
func (r *runner) runModel(ctx context.Context, n *compiler.Node, res *Result) error {
	kind := n.Materialized()
	switch kind {
	case "view", "table", "incremental":
	default:
		return fmt.Errorf("materialization '%s' is not supported (gmodel builds view, table, incremental and ephemeral models)", kind)
	}
	mat := adapters.Materialization{
		Kind:        kind,
		Relation:    relationOf(n),
		SQL:         n.CompiledCode,
		PreHooks:    hooks(n.PreHooks),
		PostHooks:   hooks(n.PostHooks),
		FullRefresh: r.fullRefresh(n),
		Config:      compiler.PlainConfig(n.Config),
	}
	if kind == "incremental" {
		mat.Incremental = incrementalConfig(n.Config)
	}
	out, err := r.ad.Materialize(ctx, mat)
	if err != nil {
		return err
	}
	res.Status = Success
	res.Message = out.Message
	res.Response = &out
	return nil
}

func hooks(hs []compiler.Hook) []adapters.Hook {
	if len(hs) == 0 {
		return nil
	}
	out := make([]adapters.Hook, len(hs))
	for i, h := range hs {
		out[i] = adapters.Hook{SQL: h.SQL, Transaction: h.Transaction}
	}
	return out
}

// incrementalConfig reads an incremental model's configs.
func incrementalConfig(cfg *project.OrderedMap) *adapters.Incremental {
	inc := &adapters.Incremental{}
	if cfg == nil {
		return inc
	}
	inc.Strategy, _ = cfg.Values["incremental_strategy"].(string)
	inc.UniqueKey = stringList(cfg.Values["unique_key"])
	inc.Predicates = stringList(cfg.Values["incremental_predicates"])
	inc.OnSchemaChange, _ = cfg.Values["on_schema_change"].(string)
	return inc
}

// stringList reads a config that is a string or a list of strings.
func stringList(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if it != nil {
				out = append(out, fmt.Sprint(it))
			}
		}
		return out
	case []string:
		return x
	}
	return []string{fmt.Sprint(v)}
}

// configString reads a config value as text (numbers as written).
func configString(cfg *project.OrderedMap, key, def string) string {
	if cfg == nil {
		return def
	}
	switch v := cfg.Values[key].(type) {
	case nil:
		return def
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// storesFailures returns how a test stores its failing rows, "table" or
// "view", or "" when it does not (dbt's should_store_failures and
// store_failures_as).
func (r *runner) storesFailures(n *compiler.Node) string {
	as := strings.ToLower(configString(n.Config, "store_failures_as", ""))
	switch as {
	case "table", "view":
		return as
	case "ephemeral":
		return ""
	}
	store := r.opts.StoreFailures
	if n.Config != nil {
		if v, ok := n.Config.Values["store_failures"].(bool); ok {
			store = v
		}
	}
	if store {
		return "table"
	}
	return ""
}

// testSQL is dbt's get_test_sql: the test query wrapped to count its rows
// and compare the count with warn_if and error_if.
func testSQL(main, failCalc, warnIf, errorIf, limit string) string {
	lim := ""
	if limit != "" {
		lim = "limit " + limit
	}
	return "\n    select\n      " + failCalc + " as failures,\n      " +
		failCalc + " " + warnIf + " as should_warn,\n      " +
		failCalc + " " + errorIf + " as should_error\n    from (\n      " +
		main + "\n      " + lim + "\n    ) dbt_internal_test"
}

// runTest runs a data test with dbt's test materialization.
func (r *runner) runTest(ctx context.Context, n *compiler.Node, res *Result) error {
	sql, err := r.testQuery(ctx, n, res)
	if err != nil {
		return err
	}
	rows, err := r.ad.Query(ctx, sql)
	if err != nil {
		return err
	}
	return r.testResult(n, rows, res)
}

// testQuery is the query of a test: its SQL (or, when it stores its
// failures, a select of the table it stores them in, built first) wrapped
// by testSQL.
func (r *runner) testQuery(ctx context.Context, n *compiler.Node, res *Result) (string, error) {
	main := n.CompiledCode
	if as := r.storesFailures(n); as != "" {
		rel := relationOf(n)
		_, err := r.ad.Materialize(ctx, adapters.Materialization{Kind: as, Relation: rel, SQL: main})
		if err != nil {
			return "", err
		}
		rendered := r.ad.Dialect().Render(rel)
		res.StoredFailures = rendered
		main = "select *\n    from " + rendered
	}
	failCalc := configString(n.Config, "fail_calc", "count(*)")
	warnIf := configString(n.Config, "warn_if", "!= 0")
	errorIf := configString(n.Config, "error_if", "!= 0")
	limit := configString(n.Config, "limit", "")
	return testSQL(main, failCalc, warnIf, errorIf, limit), nil
}

// testResult reads a test query's row into res.
func (r *runner) testResult(n *compiler.Node, rows *adapters.Rows, res *Result) error {
	failCalc := configString(n.Config, "fail_calc", "count(*)")
	warnIf := configString(n.Config, "warn_if", "!= 0")
	errorIf := configString(n.Config, "error_if", "!= 0")
	if rows == nil || len(rows.Values) != 1 || len(rows.Columns) != 3 {
		nr, nc := 0, 0
		if rows != nil {
			nr, nc = len(rows.Values), len(rows.Columns)
		}
		return fmt.Errorf("the test query returned %d rows and %d columns, but 1 row of 3 columns was expected", nr, nc)
	}
	vals := map[string]any{}
	for i, c := range rows.Columns {
		vals[strings.ToLower(c)] = rows.Values[0][i]
	}
	failures, err := toInt(vals["failures"])
	if err != nil {
		return fmt.Errorf("fail_calc %q: %v", failCalc, err)
	}
	shouldWarn, err := toBool(vals["should_warn"])
	if err != nil {
		return fmt.Errorf("warn_if %q: %v", warnIf, err)
	}
	shouldError, err := toBool(vals["should_error"])
	if err != nil {
		return fmt.Errorf("error_if %q: %v", errorIf, err)
	}
	severity := strings.ToUpper(configString(n.Config, "severity", "ERROR"))
	res.Response = &adapters.Result{Message: "SELECT 1", RowsAffected: 1}
	zero := int64(0)
	res.Failures = &zero
	got := pluralize(int(failures), "result")
	switch {
	case severity == "ERROR" && shouldError:
		res.Status = Fail
		res.Message = fmt.Sprintf("Got %s, configured to fail if %s", got, errorIf)
		res.Failures = &failures
	case shouldWarn:
		res.Status = Warn
		res.Message = fmt.Sprintf("Got %s, configured to warn if %s", got, warnIf)
		res.Failures = &failures
	default:
		res.Status = Pass
	}
	return nil
}

// toInt reads a count from a query result.
func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case []byte:
		return toInt(string(x))
	case string:
		s := strings.TrimSpace(x)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int64(f), nil
		}
		return 0, fmt.Errorf("%q is not a number", x)
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}

// toBool reads should_warn / should_error as dbt does (booleans, 0/1,
// "true"/"false").
func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool:
		return x, nil
	case []byte:
		return toBool(string(x))
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "y", "yes", "t", "true", "on", "1":
			return true, nil
		case "n", "no", "f", "false", "off", "0":
			return false, nil
		}
		return false, fmt.Errorf("%q is not a boolean", x)
	}
	i, err := toInt(v)
	return i != 0, err
}

// runHooks runs on-run-start (or on-run-end) hooks in order. It reports
// false when one failed.
func (r *runner) runHooks(ctx context.Context, kind string, hs []compiler.Hook) bool {
	if len(hs) == 0 {
		return true
	}
	if kind == "on-run-end" {
		r.p.line("")
	}
	hooksWord := "hooks"
	if len(hs) == 1 {
		hooksWord = "hook"
	}
	r.p.linef("Running %d %s %s", len(hs), kind, hooksWord)
	ok := true
	for i, h := range hs {
		name := fmt.Sprintf("%s.%s.%d", r.m.Project.Name, kind, i)
		r.p.line(fancy("START hook: "+name, "RUN", i+1, len(hs), nil))
		start := r.opts.Now()
		out, err := r.ad.Exec(ctx, h.SQL)
		d := r.opts.Now().Sub(start)
		r.hooksRan++
		if err != nil {
			r.p.line(fancy("ERROR hook: "+name, "ERROR", i+1, len(hs), &d))
			r.p.lines(fmt.Sprintf("%s: ERROR in %s hook %d: %s", r.m.Project.File, kind, i, strings.TrimPrefix(err.Error(), "ERROR: ")))
			ok = false
			break
		}
		status := out.Message
		if status == "" {
			status = "OK"
		}
		r.p.line(fancy("OK hook: "+name, status, i+1, len(hs), &d))
	}
	r.p.line("")
	return ok
}

// runEndHooks renders on-run-end with the run's results and runs it.
func (r *runner) runEndHooks(ctx context.Context, rep *Report) bool {
	p := r.m.Project
	if p == nil || len(p.OnRunEnd) == 0 {
		return true
	}
	results := make([]any, 0, len(rep.Results))
	schemas := map[string]bool{}
	var schemaList []any
	for _, res := range rep.Results {
		n := res.Node
		results = append(results, map[string]any{
			"status":         string(res.Status),
			"message":        nilIfEmpty(res.Message),
			"execution_time": res.ExecutionTime.Seconds(),
			"failures":       failuresValue(res.Failures),
			"thread_id":      res.ThreadID,
			"node": map[string]any{
				"unique_id": n.UniqueID, "name": n.Name, "resource_type": n.ResourceType,
				"database": n.Database, "schema": n.Schema, "alias": n.Alias,
				"relation_name": n.RelationName, "original_file_path": n.OriginalFilePath,
			},
		})
		if n.ResourceType != compiler.Test && !schemas[n.Schema] {
			schemas[n.Schema] = true
			schemaList = append(schemaList, n.Schema)
		}
	}
	var hs []compiler.Hook
	for _, h := range p.OnRunEnd {
		sql, err := r.m.RenderSQL(nil, p.File, h.SQL, map[string]any{"results": results, "schemas": schemaList})
		if err != nil {
			r.p.lines(err.Error())
			return false
		}
		hs = append(hs, compiler.Hook{SQL: sql, Transaction: h.Transaction})
	}
	return r.runHooks(ctx, "on-run-end", hs)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func failuresValue(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// printEnd prints dbt's end of run: the totals, the summary, each error
// and warning, and the PASS/WARN/ERROR/SKIP line.
func (r *runner) printEnd(rep *Report) {
	counts := map[string]int{}
	var order []string
	for _, res := range rep.Results {
		n := res.Node
		t := n.ResourceType
		if t == compiler.Model {
			t = n.Materialized() + " model"
		}
		if _, ok := counts[t]; !ok {
			order = append(order, t)
		}
		counts[t]++
	}
	if r.hooksRan > 0 {
		order = append(order, "project hook")
		counts["project hook"] = r.hooksRan
	}
	var parts []string
	for _, t := range order {
		parts = append(parts, pluralize(counts[t], t))
	}
	r.p.line("")
	r.p.line("Finished running " + strings.Join(parts, ", ") + humanizeDuration(rep.Elapsed) + ".")

	var errs, warns []*Result
	for _, res := range rep.Results {
		switch {
		case res.isError():
			errs = append(errs, res)
		case res.Status == Warn:
			warns = append(warns, res)
		}
	}
	r.p.line("")
	switch {
	case rep.Interrupted:
		r.p.line("Exited because of keyboard interrupt")
	case len(errs) > 0:
		r.p.linef("Completed with %s and %s:", pluralize(len(errs), "error"), pluralize(len(warns), "warning"))
	case len(warns) > 0:
		r.p.linef("Completed with %s:", pluralize(len(warns), "warning"))
	case rep.HookFailed:
		r.p.line("Completed with errors in a project hook")
	default:
		r.p.line("Completed successfully")
	}
	for _, res := range errs {
		r.printError(res, true)
	}
	for _, res := range warns {
		r.printError(res, true)
	}
	pass, warn, errc, skip, total := rep.Counts()
	r.p.line("")
	r.p.linef("Done. PASS=%d WARN=%d ERROR=%d SKIP=%d TOTAL=%d", pass, warn, errc, skip, total)
}

// printError is dbt's print_run_result_error.
func (r *runner) printError(res *Result, newline bool) {
	if newline {
		r.p.line("")
	}
	n := res.Node
	if res.Status == Fail || res.Status == Warn {
		what := "Failure"
		if res.Status == Warn {
			what = "Warning"
		}
		r.p.linef("%s in %s %s (%s)", what, n.ResourceType, n.Name, n.OriginalFilePath)
		if res.Message != "" {
			r.p.line("  " + res.Message)
		} else {
			r.p.line("  Status: " + string(res.Status))
		}
		if n.CompiledPath != "" {
			r.p.line("")
			r.p.line("  compiled code at " + n.CompiledPath)
		}
		if res.StoredFailures != "" {
			r.p.line("")
			msg := "select * from " + res.StoredFailures
			border := strings.Repeat("-", len(msg))
			r.p.line("  See test failures:\n  " + border + "\n  " + msg + "\n  " + border)
		}
		return
	}
	if res.Message != "" {
		r.p.lines(res.Message)
	}
}
