package runner

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/compiler"
	"github.com/gmodel/gmodel/internal/atomicfile"
)

// RunResultsSchema is the dbt artifact schema run_results.json follows.
const RunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v5.json"

// Status is a node's outcome, as dbt names it in run_results.json.
type Status string

const (
	Success Status = "success" // a model or seed was built
	Error   Status = "error"   // a model, seed or test could not run
	Skipped Status = "skipped"
	Pass    Status = "pass" // a test found nothing
	Fail    Status = "fail" // a test failed at error severity
	Warn    Status = "warn" // a test failed at warn severity (or below error_if)
)

// Timing is one phase of a node's execution.
type Timing struct {
	Name        string // "compile" or "execute"
	StartedAt   time.Time
	CompletedAt time.Time
}

// Result is what happened to one node.
type Result struct {
	Node   *compiler.Node
	Status Status
	// Message is dbt's result message: the server's status for models and
	// seeds ("SELECT 4372", "INSERT 100"), the failure text of a test or
	// error; empty is null.
	Message  string
	Failures *int64 // tests that ran
	// Response is the adapter's response; nil is {}.
	Response      *adapters.Result
	Timing        []Timing
	ThreadID      string
	ExecutionTime time.Duration
	// Index is the node's place in the progress lines ("3 of 12").
	Index int
	// StoredFailures is the relation a test's failing rows were stored in.
	StoredFailures string
	// compiled tells whether the node ran (its compiled code is reported).
	compiled bool
}

// isError reports whether dbt counts the result as an error at the end of
// a run (errors, test failures, and nodes skipped for a reason).
func (r *Result) isError() bool {
	switch r.Status {
	case Error, Fail:
		return true
	case Skipped:
		return r.Message != ""
	}
	return false
}

// Report is the outcome of a run.
type Report struct {
	Results []*Result
	Elapsed time.Duration
	// Interrupted is set when the run was cancelled (Ctrl-C).
	Interrupted bool
	// HookFailed is set when an on-run-start or on-run-end hook failed.
	HookFailed bool
}

// Failed reports whether a node or test failed or errored (exit code 1).
func (r *Report) Failed() bool {
	if r.HookFailed {
		return true
	}
	for _, res := range r.Results {
		switch res.Status {
		case Error, Fail:
			return true
		case Skipped:
			if res.Message != "" {
				return true
			}
		}
	}
	return false
}

// Counts returns dbt's PASS/WARN/ERROR/SKIP/TOTAL.
func (r *Report) Counts() (pass, warn, errs, skip, total int) {
	for _, res := range r.Results {
		switch res.Status {
		case Error, Fail:
			errs++
		case Skipped:
			skip++
		case Warn:
			warn++
		default:
			pass++
		}
		total++
	}
	return
}

// artifact time format: dbt writes UTC with microseconds.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

type runResultsJSON struct {
	Metadata    metadataJSON   `json:"metadata"`
	Results     []resultJSON   `json:"results"`
	ElapsedTime float64        `json:"elapsed_time"`
	Args        map[string]any `json:"args"`
}

type metadataJSON struct {
	DbtSchemaVersion string            `json:"dbt_schema_version"`
	DbtVersion       string            `json:"dbt_version"`
	GeneratedAt      string            `json:"generated_at"`
	InvocationID     string            `json:"invocation_id"`
	Env              map[string]string `json:"env"`
}

type timingJSON struct {
	Name        string `json:"name"`
	StartedAt   string `json:"started_at"`
	CompletedAt string `json:"completed_at"`
}

type adapterResponseJSON struct {
	Message      string `json:"_message"`
	Code         string `json:"code"`
	RowsAffected int64  `json:"rows_affected"`
}

type resultJSON struct {
	Status          Status       `json:"status"`
	Timing          []timingJSON `json:"timing"`
	ThreadID        string       `json:"thread_id"`
	ExecutionTime   float64      `json:"execution_time"`
	AdapterResponse any          `json:"adapter_response"`
	Message         *string      `json:"message"`
	Failures        *int64       `json:"failures"`
	UniqueID        string       `json:"unique_id"`
	Compiled        *bool        `json:"compiled"`
	CompiledCode    *string      `json:"compiled_code"`
	RelationName    *string      `json:"relation_name"`
}

// responseCode is dbt-postgres' AdapterResponse code: the status message
// without its numbers ("INSERT 0 12" -> "INSERT").
func responseCode(msg string) string {
	var parts []string
	for _, f := range strings.Fields(msg) {
		if strings.Trim(f, "0123456789") != "" {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, " ")
}

func strPtr(s string) *string { return &s }

// encodeRunResults renders run_results.json in dbt's v5 layout.
func encodeRunResults(rep *Report, m *compiler.Manifest, generatedAt time.Time, args map[string]any) ([]byte, error) {
	out := runResultsJSON{
		Metadata: metadataJSON{
			DbtSchemaVersion: RunResultsSchema,
			DbtVersion:       compiler.DbtVersion,
			GeneratedAt:      isoTime(generatedAt),
			Env:              map[string]string{},
		},
		Results:     []resultJSON{},
		ElapsedTime: rep.Elapsed.Seconds(),
		Args:        args,
	}
	if m != nil {
		out.Metadata.InvocationID = m.InvocationID
	}
	if out.Args == nil {
		out.Args = map[string]any{}
	}
	for _, r := range rep.Results {
		rj := resultJSON{
			Status:          r.Status,
			Timing:          []timingJSON{},
			ThreadID:        r.ThreadID,
			ExecutionTime:   r.ExecutionTime.Seconds(),
			AdapterResponse: map[string]any{},
			Failures:        r.Failures,
			UniqueID:        r.Node.UniqueID,
		}
		for _, t := range r.Timing {
			rj.Timing = append(rj.Timing, timingJSON{Name: t.Name, StartedAt: isoTime(t.StartedAt), CompletedAt: isoTime(t.CompletedAt)})
		}
		if r.Response != nil {
			rj.AdapterResponse = adapterResponseJSON{Message: r.Response.Message, Code: responseCode(r.Response.Message), RowsAffected: r.Response.RowsAffected}
		}
		if r.Message != "" {
			rj.Message = strPtr(r.Message)
		}
		// dbt reports compiled fields for compiled node kinds (models,
		// tests, snapshots); seeds have none.
		if r.Node.ResourceType != compiler.Seed {
			compiled := r.compiled
			rj.Compiled = &compiled
			if compiled {
				rj.CompiledCode = strPtr(r.Node.CompiledCode)
			}
			if r.Node.RelationName != "" {
				rj.RelationName = strPtr(r.Node.RelationName)
			} else if r.StoredFailures != "" {
				rj.RelationName = strPtr(r.StoredFailures)
			}
		}
		out.Results = append(out.Results, rj)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes data to path through a temporary file, so that a
// reader never sees half a file.
func writeFileAtomic(path string, write func(f *os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, write)
}
