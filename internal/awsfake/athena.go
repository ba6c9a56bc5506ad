package awsfake

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
)

// Col is a result column: its name and Athena type name (varchar, bigint,
// double, boolean, date, timestamp, decimal, ...; empty means varchar).
// For OnColumns, Type is the Glue type (string, int, bigint, ...).
type Col struct {
	Name, Type string
}

// Result is the scripted answer of a SELECT-like query. A nil element of
// a row is SQL NULL.
type Result struct {
	Columns []Col
	Rows    [][]*string
	// DataScannedInBytes is what GetQueryExecution reports; when zero the
	// fake reports the size of the result's CSV.
	DataScannedInBytes int64
}

// Row builds a result row: nil is NULL, a string is itself, anything else
// is formatted with fmt.Sprint.
func Row(vals ...any) []*string {
	out := make([]*string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
		case string:
			out[i] = aws.String(v)
		default:
			out[i] = aws.String(fmt.Sprint(v))
		}
	}
	return out
}

// OnSelect sets the function that answers SELECT-like queries (SELECT,
// WITH, VALUES, SHOW, DESCRIBE, EXPLAIN). An error makes the query FAILED
// with the error's text as its reason. Unset, every such query fails with
// "awsfake: no result scripted for: <sql>". The function runs without the
// fake's lock held, so it may call the fake's methods.
func (s *Server) OnSelect(f func(sql string) (*Result, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSelect = f
}

// OnColumns sets the function that gives the output columns of a CREATE
// TABLE AS or CREATE VIEW query when the fake cannot tell them from the
// select list (a "*" over something that is not a CTE, subquery or Glue
// table). Returning nil makes the statement fail.
func (s *Server) OnColumns(f func(sql string) []Col) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCols = f
}

// OnPartitionValues sets the function that tells which partitions a
// partitioned CREATE TABLE AS or INSERT writes: one element per partition,
// the values in the order of the partition keys. Each partition gets a
// data object under <location>/<key>=<value>/ and, for Hive tables, a Glue
// partition. Unset (or returning nil), one data object is written at the
// table's location and no partition is registered. More than 100
// partitions fail as in Athena (HIVE_TOO_MANY_OPEN_PARTITIONS).
func (s *Server) OnPartitionValues(f func(sql string) [][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onParts = f
}

// Failure is a scripted query failure; see FailQuery.
type Failure struct {
	s         *Server
	match     func(sql string) bool
	reason    string
	left      int // -1: always
	retryable bool
}

// FailQuery makes queries whose SQL matches end FAILED with reason as
// their StateChangeReason (and AthenaError.ErrorMessage), without their
// effects. It applies to every matching query unless limited with Times.
// The first FailQuery that matches and is not used up applies.
func (s *Server) FailQuery(match func(sql string) bool, reason string) *Failure {
	f := &Failure{s: s, match: match, reason: reason, left: -1}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena.failures = append(s.athena.failures, f)
	return f
}

// Times limits the failure to the next n matching queries.
func (f *Failure) Times(n int) *Failure {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	f.left = n
	return f
}

// Retryable marks the failure as transient (AthenaError.Retryable), as
// Athena does for errors such as exhausted resources.
func (f *Failure) Retryable() *Failure {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	f.retryable = true
	return f
}

// Hold keeps matching queries RUNNING, without effects, until
// StopQueryExecution cancels them.
func (s *Server) Hold(match func(sql string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena.holds = append(s.athena.holds, match)
}

// CreateWorkGroup adds (or replaces) a workgroup with a result location
// ("" for none); enforce makes it override the client's location.
// The workgroup "primary" exists from the start, without a location.
func (s *Server) CreateWorkGroup(name, outputLocation string, enforce bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena.addWorkGroup(name, outputLocation, enforce, s.now())
}

// QueryState returns the state of a query as the fake last reported it
// (without advancing it), and whether the query exists.
func (s *Server) QueryState(id string) (athenatypes.QueryExecutionState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.athena.queries[id]
	if !ok {
		return "", false
	}
	return q.state, true
}

type athenaState struct {
	queries    map[string]*query
	tokens     map[string]string // ClientRequestToken -> query id
	workgroups map[string]*athenatypes.WorkGroup
	failures   []*Failure
	holds      []func(string) bool
}

func (a *athenaState) init() {
	a.queries = map[string]*query{}
	a.tokens = map[string]string{}
	a.workgroups = map[string]*athenatypes.WorkGroup{}
	a.addWorkGroup("primary", "", false, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func (a *athenaState) addWorkGroup(name, output string, enforce bool, now time.Time) {
	cfg := &athenatypes.WorkGroupConfiguration{
		EnforceWorkGroupConfiguration: aws.Bool(enforce),
		EngineVersion: &athenatypes.EngineVersion{
			SelectedEngineVersion:  aws.String("AUTO"),
			EffectiveEngineVersion: aws.String("Athena engine version 3"),
		},
	}
	if output != "" {
		cfg.ResultConfiguration = &athenatypes.ResultConfiguration{OutputLocation: aws.String(output)}
	}
	a.workgroups[name] = &athenatypes.WorkGroup{
		Name: aws.String(name), State: athenatypes.WorkGroupStateEnabled,
		Configuration: cfg, CreationTime: aws.Time(now),
	}
}

// query is one query execution.
type query struct {
	id, sql      string // sql: as sent
	text         string // sql with the execution parameters bound
	catalog, db  string // the QueryExecutionContext
	workgroup    string
	output       string // the result object, s3://.../<id>.csv or .txt
	st           *stmt
	parseErr     error
	state        athenatypes.QueryExecutionState
	reason       string
	retryable    bool
	polls, seen  int
	held         bool
	finishing    bool
	done         bool
	submitted    time.Time
	completed    time.Time
	result       *Result
	updateCount  *int64
	scannedBytes int64
}

var athenaOps = map[string]jsonHandler{
	"StartQueryExecution": (*Server).startQueryExecution,
	"GetQueryExecution":   (*Server).getQueryExecution,
	"GetQueryResults":     (*Server).getQueryResults,
	"StopQueryExecution":  (*Server).stopQueryExecution,
	"GetWorkGroup":        (*Server).getWorkGroup,
}

func invalidRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "InvalidRequestException", format, args...)
}

func (s *Server) startQueryExecution(body map[string]any) (any, string, error) {
	var in athena.StartQueryExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, "", err
	}
	sql := deref(in.QueryString)
	if strings.TrimSpace(sql) == "" {
		return nil, sql, invalidRequest("QueryString must not be empty")
	}
	wgName := deref(in.WorkGroup)
	if wgName == "" {
		wgName = "primary"
	}
	// Hold's match functions run without the lock, so that they may call
	// the fake.
	s.mu.Lock()
	holds := slices.Clone(s.athena.holds)
	s.mu.Unlock()
	held := slices.ContainsFunc(holds, func(match func(string) bool) bool { return match(sql) })

	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.athena.tokens[deref(in.ClientRequestToken)]; ok && in.ClientRequestToken != nil {
		return map[string]any{"QueryExecutionId": id}, sql, nil // idempotent retry
	}
	wg, ok := s.athena.workgroups[wgName]
	if !ok {
		return nil, sql, invalidRequest("WorkGroup %s is not found.", wgName)
	}
	output := ""
	if in.ResultConfiguration != nil {
		output = deref(in.ResultConfiguration.OutputLocation)
	}
	if rc := wg.Configuration.ResultConfiguration; rc != nil && (output == "" || aws.ToBool(wg.Configuration.EnforceWorkGroupConfiguration)) {
		output = deref(rc.OutputLocation)
	}
	if output == "" {
		return nil, sql, invalidRequest("No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.")
	}
	if _, _, ok := parseS3URI(output); !ok {
		return nil, sql, invalidRequest("The output location %q is not an s3:// URI.", output)
	}
	n := s.nextID()
	q := &query{
		id:        fmt.Sprintf("%08x-fa4e-4e57-8000-%012d", n, n),
		sql:       sql,
		catalog:   "AwsDataCatalog",
		db:        "default",
		workgroup: wgName,
		state:     athenatypes.QueryExecutionStateQueued,
		polls:     s.PollsUntilDone,
		submitted: s.now(),
	}
	if c := in.QueryExecutionContext; c != nil {
		if deref(c.Catalog) != "" {
			q.catalog = deref(c.Catalog)
		}
		if deref(c.Database) != "" {
			q.db = strings.ToLower(deref(c.Database))
		}
	}
	text, perr := bindParameters(sql, in.ExecutionParameters)
	if perr == nil {
		q.text = text
		q.st, perr = parseStmt(text)
	}
	q.parseErr = perr
	ext := ".csv"
	if q.st != nil && q.st.stmtType != "DML" {
		ext = ".txt"
	}
	q.output = strings.TrimSuffix(output, "/") + "/" + q.id + ext
	q.held = held
	s.athena.queries[q.id] = q
	if in.ClientRequestToken != nil {
		s.athena.tokens[*in.ClientRequestToken] = q.id
	}
	return map[string]any{"QueryExecutionId": q.id}, sql, nil
}

// bindParameters substitutes ExecutionParameters for the ? placeholders.
func bindParameters(sql string, params []string) (string, error) {
	if len(params) == 0 {
		return sql, nil
	}
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	var marks []token
	for _, t := range toks {
		if t.isPunct("?") {
			marks = append(marks, t)
		}
	}
	if len(marks) != len(params) {
		return "", failf("INVALID_PARAMETER_USAGE", "Incorrect number of parameters: expected %d but found %d", len(marks), len(params))
	}
	var b strings.Builder
	last := 0
	for i, t := range marks {
		b.WriteString(sql[last:t.pos])
		b.WriteString(params[i])
		last = t.end
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}

// lookupQuery returns a query, or Athena's error for an unknown id.
func (s *Server) lookupQuery(id string) (*query, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.athena.queries[id]
	if !ok {
		return nil, invalidRequest("QueryExecution %s was not found", id)
	}
	return q, nil
}

// observe finds a query and advances it, as a client's look at it does.
func (s *Server) observe(id string) (*query, error) {
	q, err := s.lookupQuery(id)
	if err != nil {
		return nil, err
	}
	s.advance(q)
	return q, nil
}

// advance moves a query one observation forward: QUEUED, RUNNING (as
// many as PollsUntilDone), then its terminal state, reached by running
// the statement.
func (s *Server) advance(q *query) {
	s.mu.Lock()
	if q.held && !q.done {
		q.state = athenatypes.QueryExecutionStateRunning
	}
	if q.done || q.held || q.finishing {
		s.mu.Unlock()
		return
	}
	if q.seen < q.polls {
		q.state = athenatypes.QueryExecutionStateRunning
		if q.seen == 0 {
			q.state = athenatypes.QueryExecutionStateQueued
		}
		q.seen++
		s.mu.Unlock()
		return
	}
	q.finishing = true
	q.state = athenatypes.QueryExecutionStateRunning
	s.mu.Unlock()

	reason, retryable, scripted := s.scriptedFailure(q.sql)
	var err error
	switch {
	case scripted:
		err = &sqlError{reason: reason}
	case q.parseErr != nil:
		err = q.parseErr
	default:
		err = s.execute(q)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	q.finishing, q.done, q.completed = false, true, s.now()
	if err != nil {
		q.state, q.reason = athenatypes.QueryExecutionStateFailed, err.Error()
		q.retryable = scripted && retryable
		return
	}
	q.state = athenatypes.QueryExecutionStateSucceeded
	s.writeResult(q)
}

// scriptedFailure finds the first FailQuery that applies to sql and uses
// it up once. The match functions run without the lock, so that they may
// call the fake.
func (s *Server) scriptedFailure(sql string) (reason string, retryable, ok bool) {
	s.mu.Lock()
	failures := slices.Clone(s.athena.failures)
	s.mu.Unlock()
	for _, f := range failures {
		if !f.match(sql) {
			continue
		}
		s.mu.Lock()
		left := f.left
		if f.left > 0 {
			f.left--
		}
		reason, retryable = f.reason, f.retryable
		s.mu.Unlock()
		if left != 0 {
			return reason, retryable, true
		}
	}
	return "", false, false
}

// writeResult puts the query's result object where Athena puts it.
func (s *Server) writeResult(q *query) {
	var b strings.Builder
	if r := q.result; r != nil {
		if q.st.header {
			for i, c := range r.Columns {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(csvQuote(c.Name))
			}
			b.WriteByte('\n')
		}
		for _, row := range r.Rows {
			for i, v := range row {
				if i > 0 {
					b.WriteByte(',')
				}
				if v != nil {
					b.WriteString(csvQuote(*v))
				}
			}
			b.WriteByte('\n')
		}
		q.scannedBytes = r.DataScannedInBytes
		if q.scannedBytes == 0 {
			q.scannedBytes = int64(b.Len())
		}
	}
	s.s3Put(q.output, []byte(b.String()))
	if strings.HasSuffix(q.output, ".csv") {
		s.s3Put(q.output+".metadata", []byte("awsfake result metadata for "+q.id+"\n"))
	}
}

func csvQuote(v string) string { return `"` + strings.ReplaceAll(v, `"`, `""`) + `"` }

func (s *Server) getQueryExecution(body map[string]any) (any, string, error) {
	var in athena.GetQueryExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, "", err
	}
	id := deref(in.QueryExecutionId)
	q, err := s.observe(id)
	if err != nil {
		return nil, id, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{"QueryExecution": toWire(q.execution())}, id, nil
}

// execution describes a query as GetQueryExecution does. Callers hold mu.
func (q *query) execution() *athenatypes.QueryExecution {
	qe := &athenatypes.QueryExecution{
		QueryExecutionId:      aws.String(q.id),
		Query:                 aws.String(q.sql),
		QueryExecutionContext: &athenatypes.QueryExecutionContext{Catalog: aws.String(q.catalog), Database: aws.String(q.db)},
		ResultConfiguration:   &athenatypes.ResultConfiguration{OutputLocation: aws.String(q.output)},
		WorkGroup:             aws.String(q.workgroup),
		EngineVersion: &athenatypes.EngineVersion{
			SelectedEngineVersion:  aws.String("AUTO"),
			EffectiveEngineVersion: aws.String("Athena engine version 3"),
		},
		Status: &athenatypes.QueryExecutionStatus{
			State:              q.state,
			SubmissionDateTime: aws.Time(q.submitted),
		},
		Statistics: &athenatypes.QueryExecutionStatistics{DataScannedInBytes: aws.Int64(0)},
	}
	if q.st != nil {
		qe.StatementType = athenatypes.StatementType(q.st.stmtType)
		qe.SubstatementType = aws.String(q.st.subType)
	}
	if q.done {
		qe.Status.CompletionDateTime = aws.Time(q.completed)
		ms := q.completed.Sub(q.submitted).Milliseconds()
		qe.Statistics.DataScannedInBytes = aws.Int64(q.scannedBytes)
		qe.Statistics.EngineExecutionTimeInMillis = aws.Int64(ms)
		qe.Statistics.TotalExecutionTimeInMillis = aws.Int64(ms)
	}
	if q.reason != "" {
		qe.Status.StateChangeReason = aws.String(q.reason)
	}
	if q.state == athenatypes.QueryExecutionStateFailed {
		qe.Status.AthenaError = &athenatypes.AthenaError{
			ErrorCategory: aws.Int32(2), // user error
			ErrorType:     aws.Int32(1300),
			ErrorMessage:  aws.String(q.reason),
			Retryable:     q.retryable,
		}
	}
	return qe
}

func (s *Server) stopQueryExecution(body map[string]any) (any, string, error) {
	var in athena.StopQueryExecutionInput
	if err := decode(body, &in); err != nil {
		return nil, "", err
	}
	id := deref(in.QueryExecutionId)
	q, err := s.lookupQuery(id)
	if err != nil {
		return nil, id, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !q.done && !q.finishing {
		q.done, q.completed = true, s.now()
		q.state, q.reason = athenatypes.QueryExecutionStateCancelled, "Query cancelled by user"
	}
	return nil, id, nil
}

func (s *Server) getQueryResults(body map[string]any) (any, string, error) {
	var in athena.GetQueryResultsInput
	if err := decode(body, &in); err != nil {
		return nil, "", err
	}
	id := deref(in.QueryExecutionId)
	q, err := s.observe(id)
	if err != nil {
		return nil, id, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch q.state {
	case athenatypes.QueryExecutionStateSucceeded:
	case athenatypes.QueryExecutionStateFailed, athenatypes.QueryExecutionStateCancelled:
		return nil, id, invalidRequest("Query did not finish successfully. Final query state: %s", q.state)
	default:
		return nil, id, invalidRequest("Query has not yet finished. Current state: %s", q.state)
	}
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, id, invalidRequest("MaxResults must be between 1 and 1000")
		}
		limit = int(*in.MaxResults)
	}
	var rows []athenatypes.Row
	var info []athenatypes.ColumnInfo
	if r := q.result; r != nil {
		for _, c := range r.Columns {
			typ := c.Type
			if typ == "" {
				typ = "varchar"
			}
			info = append(info, athenatypes.ColumnInfo{
				Name: aws.String(c.Name), Label: aws.String(c.Name), Type: aws.String(typ),
				CatalogName: aws.String("hive"), SchemaName: aws.String(""), TableName: aws.String(""),
				Nullable: athenatypes.ColumnNullableUnknown, CaseSensitive: typ == "varchar",
			})
		}
		if q.st.header {
			var h athenatypes.Row
			for _, c := range r.Columns {
				h.Data = append(h.Data, athenatypes.Datum{VarCharValue: aws.String(c.Name)})
			}
			rows = append(rows, h)
		}
		for _, row := range r.Rows {
			var out athenatypes.Row
			for _, v := range row {
				out.Data = append(out.Data, athenatypes.Datum{VarCharValue: v})
			}
			rows = append(rows, out)
		}
	}
	start := 0
	if t := deref(in.NextToken); t != "" {
		raw, err := base64.StdEncoding.DecodeString(t)
		qid, off, _ := strings.Cut(string(raw), "@")
		n, aerr := strconv.Atoi(off)
		if err != nil || aerr != nil || qid != q.id || n < 0 || n > len(rows) {
			return nil, id, invalidRequest("The NextToken is not valid for this query")
		}
		start = n
	}
	end := min(start+limit, len(rows))
	out := &athena.GetQueryResultsOutput{
		ResultSet: &athenatypes.ResultSet{
			Rows:              rows[start:end],
			ResultSetMetadata: &athenatypes.ResultSetMetadata{ColumnInfo: info},
		},
		UpdateCount: q.updateCount,
	}
	if end < len(rows) {
		out.NextToken = aws.String(base64.StdEncoding.EncodeToString([]byte(q.id + "@" + strconv.Itoa(end))))
	}
	res := map[string]any{"ResultSet": toWire(out.ResultSet)}
	rs := res["ResultSet"].(map[string]any)
	if _, ok := rs["Rows"]; !ok {
		rs["Rows"] = []any{}
	}
	if md := rs["ResultSetMetadata"].(map[string]any); md["ColumnInfo"] == nil {
		md["ColumnInfo"] = []any{}
	}
	if out.NextToken != nil {
		res["NextToken"] = *out.NextToken
	}
	if out.UpdateCount != nil {
		res["UpdateCount"] = *out.UpdateCount
	}
	return res, id, nil
}

func (s *Server) getWorkGroup(body map[string]any) (any, string, error) {
	var in athena.GetWorkGroupInput
	if err := decode(body, &in); err != nil {
		return nil, "", err
	}
	name := deref(in.WorkGroup)
	s.mu.Lock()
	defer s.mu.Unlock()
	wg, ok := s.athena.workgroups[name]
	if !ok {
		return nil, name, invalidRequest("WorkGroup %s is not found.", name)
	}
	return map[string]any{"WorkGroup": toWire(wg)}, name, nil
}
