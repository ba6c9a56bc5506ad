package athena

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/smithy-go"

	"github.com/gmodel/gmodel/adapters"
)

// statement is one query to run, and where a model's SQL sits in it, so
// that Athena's line:column of an error maps back to the model.
type statement struct {
	sql string
	// model is the model's SQL as the runner gave it; prefix the runes
	// of sql before it. Empty when the statement is the adapter's own.
	model  string
	prefix int
	// retry allows resubmitting the statement when Athena reports the
	// failure as retryable: queries and DDL, never writes.
	retry bool
}

func plain(sql string) statement { return statement{sql: sql, retry: true} }

// inModel is a statement made of prefix + the model's SQL.
func inModel(prefix, model string) statement {
	return statement{sql: prefix + modelBody(model), model: model, prefix: utf8.RuneCountInString(prefix)}
}

// execution is a finished query.
type execution struct {
	id       string
	scanned  int64
	stmtType types.StatementType
	subType  string
}

// run starts st and polls it until it ends: nil when it SUCCEEDED, an
// *adapters.Error otherwise. On ctx's end it stops the query
// (StopQueryExecution) and returns an error of code Canceled wrapping
// ctx's error.
func (a *Adapter) run(ctx context.Context, st statement) (*execution, error) {
	for attempt := 0; ; attempt++ {
		ex, err := a.runOnce(ctx, st)
		if err == nil {
			return ex, nil
		}
		if st.retry && attempt < a.cfg.NumRetries && errors.Is(err, errRetryable) {
			a.logf("%v; resubmitting the query", err)
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return nil, canceled(ctx, st.sql, err)
			}
			continue
		}
		return nil, err
	}
}

// errRetryable marks the error of a query Athena says may succeed if
// resubmitted.
var errRetryable = errors.New("athena: the failure is transient")

// backoff is the jittered exponential wait before a resubmission.
func backoff(attempt int) time.Duration {
	d := time.Duration(math.Min(float64(maxBackoff), float64(time.Second)*math.Pow(2, float64(attempt))))
	return time.Duration(float64(d) * (0.5 + jitter()/2))
}

var jitter = rand.Float64

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (a *Adapter) runOnce(ctx context.Context, st statement) (*execution, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(ctx, st.sql, err)
	}
	in := &athena.StartQueryExecutionInput{
		QueryString:           aws.String(st.sql),
		QueryExecutionContext: &types.QueryExecutionContext{Catalog: aws.String(a.cfg.Database), Database: aws.String(strings.ToLower(a.cfg.Schema))},
		WorkGroup:             aws.String(a.workGroup()),
		ResultConfiguration:   &types.ResultConfiguration{OutputLocation: aws.String(a.staging.String())},
	}
	out, err := a.athena.StartQueryExecution(ctx, in)
	if err != nil {
		return nil, a.startError(ctx, err, st)
	}
	id := aws.ToString(out.QueryExecutionId)
	wait := a.poll
	for {
		if err := sleep(ctx, wait); err != nil {
			a.stop(ctx, id)
			return nil, canceled(ctx, st.sql, err)
		}
		wait = min(wait*3/2, a.pollCap)
		got, err := a.athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
		if err != nil {
			if ctx.Err() != nil {
				a.stop(ctx, id)
				return nil, canceled(ctx, st.sql, err)
			}
			return nil, a.apiError(ctx, err, "polling query "+id)
		}
		q := got.QueryExecution
		if q == nil || q.Status == nil {
			continue
		}
		switch q.Status.State {
		case types.QueryExecutionStateSucceeded:
			ex := &execution{id: id, stmtType: q.StatementType, subType: aws.ToString(q.SubstatementType)}
			if q.Statistics != nil {
				ex.scanned = aws.ToInt64(q.Statistics.DataScannedInBytes)
			}
			return ex, nil
		case types.QueryExecutionStateFailed:
			e := queryError(st, reason(q), id)
			if retryableFailure(q) {
				e.Err = errRetryable
			}
			return nil, e
		case types.QueryExecutionStateCancelled:
			if ctx.Err() != nil {
				return nil, canceled(ctx, st.sql, ctx.Err())
			}
			return nil, &adapters.Error{Code: adapters.Canceled, Msg: fmt.Sprintf("athena: query %s was cancelled by someone else", id), SQL: st.sql}
		}
	}
}

// stop asks Athena to stop a query whose caller has gone, even though
// ctx is done.
func (a *Adapter) stop(ctx context.Context, id string) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := a.athena.StopQueryExecution(sctx, &athena.StopQueryExecutionInput{QueryExecutionId: aws.String(id)}); err != nil {
		a.logf("could not stop query %s: %v", id, err)
	}
}

func reason(q *types.QueryExecution) string {
	if q.Status != nil {
		if r := aws.ToString(q.Status.StateChangeReason); r != "" {
			return r
		}
		if e := q.Status.AthenaError; e != nil && aws.ToString(e.ErrorMessage) != "" {
			return aws.ToString(e.ErrorMessage)
		}
	}
	return "the query failed (Athena gave no reason)"
}

// retryableFailure: Athena says the query may succeed if resubmitted
// (its capacity, throttling inside the engine), or the reason names
// throttling.
func retryableFailure(q *types.QueryExecution) bool {
	if q.Status == nil {
		return false
	}
	if e := q.Status.AthenaError; e != nil && e.Retryable {
		return true
	}
	r := aws.ToString(q.Status.StateChangeReason)
	return strings.Contains(r, "ThrottlingException") || strings.Contains(r, "SlowDown") || strings.Contains(r, "TooManyRequests")
}

var (
	linePos   = regexp.MustCompile(`line (\d+):(\d+)`)
	errorCode = regexp.MustCompile(`^([A-Z][A-Z0-9_]+): ?`)
)

// queryError is a statement Athena rejected: its reason, the error code
// in front of it as State, and the position it names mapped into the
// model's SQL when it falls there.
func queryError(st statement, msg, id string) *adapters.Error {
	e := &adapters.Error{Code: adapters.SQL, Msg: msg, SQL: st.sql}
	if m := errorCode.FindStringSubmatch(msg); m != nil {
		e.State = m[1]
	}
	if m := linePos.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		e.Position = position(st.sql, line, col)
	}
	if st.model != "" && e.Position > st.prefix && e.Position <= st.prefix+utf8.RuneCountInString(modelBody(st.model)) {
		e.SQL = st.model
		e.Position -= st.prefix
	}
	if id != "" {
		e.Detail = "query id " + id
	}
	if strings.Contains(msg, "TOO_MANY_OPEN_PARTITIONS") {
		e.Hint = "a statement may write at most 100 partitions; gmodel splits a build into batches when it sees this error"
	}
	return e
}

// position converts Athena's 1-based line and column to a 1-based
// character offset in sql, 0 when outside it.
func position(sql string, line, col int) int {
	if line < 1 || col < 1 {
		return 0
	}
	off := 0
	for i, l := range strings.SplitAfter(sql, "\n") {
		if i+1 == line {
			if col > utf8.RuneCountInString(l)+1 {
				return 0
			}
			return off + col
		}
		off += utf8.RuneCountInString(l)
	}
	return 0
}

// canceled is the error of a statement stopped because ctx ended.
func canceled(ctx context.Context, sql string, err error) error {
	cause := ctx.Err()
	if cause == nil {
		cause = err
	}
	return &adapters.Error{Code: adapters.Canceled, Msg: "canceled: " + context.Cause(ctx).Error(), SQL: sql, Err: errors.Join(cause, err)}
}

// startError classifies a refused StartQueryExecution: Athena checks some
// statements' syntax then (InvalidRequestException naming line:column).
func (a *Adapter) startError(ctx context.Context, err error, st statement) error {
	if ctx.Err() != nil {
		return canceled(ctx, st.sql, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "InvalidRequestException" {
		e := queryError(st, ae.ErrorMessage(), "")
		e.Err = err
		return e
	}
	return a.apiError(ctx, err, "starting a query")
}

// apiError classifies a failed AWS call (not a failed query): access and
// credential problems and unreachable endpoints are Connect, a missing
// entity NotFound, the rest Unknown. The SDK's messages hold no secrets.
func (a *Adapter) apiError(ctx context.Context, err error, what string) error {
	if err == nil {
		return nil
	}
	var e *adapters.Error
	if errors.As(err, &e) {
		return err
	}
	if ctx.Err() != nil {
		return canceled(ctx, "", err)
	}
	msg := "athena: " + what + ": "
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		out := &adapters.Error{Code: adapters.Unknown, Msg: msg + code + ": " + ae.ErrorMessage(), State: code, Err: err}
		switch code {
		case "AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException",
			"SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidAccessKeyId", "InvalidClientTokenId":
			out.Code = adapters.Connect
			out.Hint = "check the credentials and that their IAM policy allows what adapters/athena/README.md lists"
		case "EntityNotFoundException", "NoSuchKey", "NoSuchBucket", "NotFound":
			out.Code = adapters.NotFound
		}
		if code == "InvalidRequestException" && strings.Contains(ae.ErrorMessage(), "WorkGroup") {
			out.Code = adapters.Connect
			out.Hint = "check work_group in the target"
		}
		return out
	}
	var netErr net.Error
	var oe *smithy.OperationError
	if errors.As(err, &netErr) || errors.As(err, &oe) {
		return &adapters.Error{Code: adapters.Connect, Msg: msg + "cannot reach AWS: " + innermost(err).Error(), Err: err,
			Hint: "check the network, region_name and endpoint_url"}
	}
	return &adapters.Error{Code: adapters.Unknown, Msg: msg + err.Error(), Err: err}
}

func innermost(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// fetch reads all rows of a finished query. For a SELECT, Athena's first
// row holds the column names; it is skipped.
func (a *Adapter) fetch(ctx context.Context, ex *execution) (*adapters.Rows, error) {
	rows, _, err := a.fetchTyped(ctx, ex)
	return rows, err
}

// fetchTyped is fetch with the columns' Athena types.
func (a *Adapter) fetchTyped(ctx context.Context, ex *execution) (*adapters.Rows, []string, error) {
	out := &adapters.Rows{}
	var types []string
	first := true
	p := athena.NewGetQueryResultsPaginator(a.athena, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(ex.id), MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, a.apiError(ctx, err, "reading the results of query "+ex.id)
		}
		rs := page.ResultSet
		if rs == nil {
			continue
		}
		if first && rs.ResultSetMetadata != nil {
			for _, c := range rs.ResultSetMetadata.ColumnInfo {
				out.Columns = append(out.Columns, aws.ToString(c.Name))
				types = append(types, strings.ToLower(aws.ToString(c.Type)))
			}
		}
		rows := rs.Rows
		if first && hasHeader(ex) && len(rows) > 0 {
			rows = rows[1:]
		}
		first = false
		for _, r := range rows {
			vals := make([]any, len(out.Columns))
			for i := range vals {
				if i < len(r.Data) {
					vals[i] = convert(r.Data[i].VarCharValue, types[i])
				}
			}
			out.Values = append(out.Values, vals)
		}
	}
	return out, types, nil
}

// hasHeader: Athena puts the column names in the first row of a SELECT's
// results, not of DDL or utility statements' (SHOW, DESCRIBE).
func hasHeader(ex *execution) bool {
	return ex.stmtType == types.StatementTypeDml && (ex.subType == "" || strings.EqualFold(ex.subType, "SELECT"))
}

// updateCount is the number of rows a CTAS, INSERT or MERGE wrote.
func (a *Adapter) updateCount(ctx context.Context, ex *execution) (int64, error) {
	out, err := a.athena.GetQueryResults(ctx, &athena.GetQueryResultsInput{QueryExecutionId: aws.String(ex.id), MaxResults: aws.Int32(1)})
	if err != nil {
		return 0, a.apiError(ctx, err, "reading the results of query "+ex.id)
	}
	return aws.ToInt64(out.UpdateCount), nil
}

// convert turns one value of Athena's text results into the types
// adapters.Rows promises, by the column's type.
func convert(v *string, typ string) any {
	if v == nil {
		return nil
	}
	s := *v
	base, _, _ := strings.Cut(typ, "(")
	switch base {
	case "tinyint", "smallint", "integer", "int", "bigint":
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	case "double", "float", "real":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "decimal":
		// Whole values as int64, as the postgres adapter reads numerics.
		whole, frac, _ := strings.Cut(s, ".")
		if strings.Trim(frac, "0") == "" {
			if i, err := strconv.ParseInt(whole, 10, 64); err == nil {
				return i
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case "date":
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t
		}
	case "timestamp":
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999 MST", "2006-01-02 15:04:05.999999999 -07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t
			}
		}
	}
	return s
}

// Exec runs one statement that returns no rows and reports how many it
// wrote (CTAS, INSERT, MERGE, DELETE).
func (a *Adapter) Exec(ctx context.Context, sql string) (adapters.Result, error) {
	ex, err := a.run(ctx, plain(sql))
	if err != nil {
		return adapters.Result{}, err
	}
	return a.result(ctx, ex)
}

func (a *Adapter) result(ctx context.Context, ex *execution) (adapters.Result, error) {
	res := adapters.Result{Message: "OK"}
	if ex.stmtType == types.StatementTypeDml && !strings.EqualFold(ex.subType, "SELECT") {
		n, err := a.updateCount(ctx, ex)
		if err != nil {
			return res, err
		}
		res.RowsAffected = n
		res.Message = fmt.Sprintf("OK %d", n)
	}
	if ex.scanned > 0 {
		res.Message += fmt.Sprintf(" (%s scanned)", bytesString(ex.scanned))
	}
	return res, nil
}

// Query runs one statement and reads all of its rows.
func (a *Adapter) Query(ctx context.Context, sql string) (*adapters.Rows, error) {
	ex, err := a.run(ctx, plain(sql))
	if err != nil {
		return nil, err
	}
	return a.fetch(ctx, ex)
}

// bytesString is a byte count as people read it: 12.3 MB.
func bytesString(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
