// Package awsfake is an in-process fake of the Amazon Athena, AWS Glue,
// Amazon S3 and AWS Secrets Manager HTTP APIs, for tests that drive the real
// aws-sdk-go-v2 clients without an AWS account.
//
// New starts an httptest server; Config returns an aws.Config pointed at it
// (static fake credentials, region eu-west-1, no shared config files read).
// The endpoint is an IP address, for which the S3 client addresses buckets
// in the path, as gmodel does for endpoint_url (s3.Options.UsePathStyle);
// requests to <bucket>.localhost are understood too. Every request is
// recorded (Calls, CallsOf) and the state can be inspected (Table,
// Partitions, S3Objects, Object).
//
// What is faked:
//   - Athena: StartQueryExecution, GetQueryExecution, GetQueryResults (with
//     pagination and Athena's header row for SELECT results),
//     StopQueryExecution, GetWorkGroup. Each query writes its result object
//     under the output location in the fake S3 as Athena does.
//   - Glue: databases, tables, partitions (the calls an Athena client makes).
//   - S3: objects, listing, copy, batch delete, multipart upload, buckets.
//   - Secrets Manager: GetSecretValue of secrets put with PutSecret.
//   - STS: GetCallerIdentity (the fake account's "awsfake" user).
//
// What is deliberately not faked: there is no SQL engine. Athena statements
// are classified and their effects on Glue and S3 are simulated (CREATE
// TABLE AS creates the Glue table from the select list's output names and
// writes a data object; DROP TABLE removes it; and so on, see athena.go),
// but SELECT-like queries are answered only by the OnSelect hook. Signatures
// are not verified beyond their scheme, IAM is not modelled, and nothing is
// eventually consistent.
//
// Failure paths are scripted: FailQuery makes matching queries end FAILED,
// Hold keeps them RUNNING until StopQueryExecution, Throttle and
// InternalError make the next calls of an operation fail as AWS does, so
// that the SDK's retryer is exercised.
package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region is the region of the Config the fake hands out.
const Region = "eu-west-1"

// AccountID is the account the fake's ARNs and Glue catalog belong to.
const AccountID = "123456789012"

// Call is one recorded request.
type Call struct {
	Service string // "athena", "glue", "s3", "secretsmanager" or "sts"
	Op      string // the API operation, e.g. "StartQueryExecution"
	// Detail says what the call was about: the SQL of StartQueryExecution,
	// the query id of the other Athena calls, "db.table" or "db" for Glue,
	// "s3://bucket/key" for S3 (several space-separated for DeleteObjects),
	// the secret id for Secrets Manager.
	Detail string
	Status int // the HTTP status the fake answered
}

// Server is the fake. Its exported fields may be set before the calls they
// affect; everything else goes through its methods, which are safe for
// concurrent use.
type Server struct {
	// URL is the endpoint of all four services.
	URL string
	// PollsUntilDone is how many times GetQueryExecution reports a query
	// QUEUED (the first time) or RUNNING before its terminal state. It is
	// read when the query starts.
	PollsUntilDone int
	// DefaultLocation is where CREATE TABLE AS without a location puts a
	// table: DefaultLocation/<db>/<table>/. When empty, Athena's own rule
	// applies: <output location>/tables/<query id>/.
	DefaultLocation string

	srv *httptest.Server

	mu       sync.Mutex
	calls    []Call
	inject   []*injection
	seq      int // ids, sequence numbers
	clock    time.Time
	athena   athenaState
	glue     glueState
	s3       s3State
	secrets  map[string]secret
	onSelect func(sql string) (*Result, error)
	onCols   func(sql string) []Col
	onParts  func(sql string) [][]string
}

// New starts a fake closed by t.Cleanup.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		clock:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		secrets: map[string]secret{},
	}
	s.athena.init()
	s.glue.init()
	s.s3.init()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Config returns an aws.Config for the fake: static fake credentials,
// region eu-west-1, BaseEndpoint the fake's URL and the SDK's standard
// retryer with its backoff capped at 5ms (so that throttling tests retry
// as AWS clients do, but quickly). Nothing is read from the environment or
// from shared config files.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDAWSFAKE", "awsfake-secret-key", ""),
		BaseEndpoint: aws.String(s.URL),
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.NewStandard(), 5*time.Millisecond)
		},
	}
}

// Calls returns every request so far, in the order they arrived.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsOf returns the calls of one service's operation, in order.
func (s *Server) CallsOf(service, op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Service == service && c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the calls recorded so far (the state stays), for tests
// that set up state through the APIs and then assert on what follows.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// now is the fake's clock: it starts at 2026-01-01 and advances one second
// per call, so that timestamps are deterministic and ordered. Callers hold mu.
func (s *Server) now() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

// nextID returns a fresh sequence number. Callers hold mu.
func (s *Server) nextID() int {
	s.seq++
	return s.seq
}

// injection is a scripted failure of the next n calls of an operation.
type injection struct {
	service, op string // service empty: any service
	n           int
	throttle    bool // else an internal error
}

// Throttle makes the next n calls of op fail with the service's throttling
// error: TooManyRequestsException for Athena, ThrottlingException for Glue
// and Secrets Manager, 503 SlowDown for S3. op is an operation name such as
// "GetQueryExecution", or "service.Op" (e.g. "glue.GetDatabase") where
// several services share the name.
func (s *Server) Throttle(op string, n int) {
	s.addInjection(op, n, true)
}

// InternalError makes the next n calls of op fail with the service's 500
// error (InternalServerException, InternalServiceException, S3's
// InternalError), which the SDK retries as transient.
func (s *Server) InternalError(op string, n int) {
	s.addInjection(op, n, false)
}

func (s *Server) addInjection(op string, n int, throttle bool) {
	service, name, ok := strings.Cut(op, ".")
	if !ok {
		service, name = "", op
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = append(s.inject, &injection{service: service, op: name, n: n, throttle: throttle})
}

// injected reports whether this call is scripted to fail, and how.
func (s *Server) injected(service, op string) (fail, throttle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, in := range s.inject {
		if in.n > 0 && in.op == op && (in.service == "" || in.service == service) {
			in.n--
			return true, in.throttle
		}
	}
	return false, false
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// apiError is an error answer of any of the services.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// jsonTargets maps the X-Amz-Target prefix of the JSON 1.1 services.
var jsonTargets = map[string]string{
	"AmazonAthena":   "athena",
	"AWSGlue":        "glue",
	"secretsmanager": "secretsmanager",
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	defer func() {
		// A bug in the fake shows as a clear 500, not as a dropped
		// connection and a stack trace in the test log.
		if v := recover(); v != nil {
			s.record(Call{Service: "awsfake", Op: r.Method + " " + r.URL.Path, Detail: fmt.Sprint(v), Status: http.StatusInternalServerError})
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "awsfake: internal error: %v", v)
		}
	}()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		// Record it so that a test sees the refused call.
		s.record(Call{Service: "unknown", Op: r.Method + " " + r.URL.Path, Status: http.StatusForbidden})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"__type":"MissingAuthenticationTokenException","message":"awsfake: the request is not signed with AWS4-HMAC-SHA256"}`)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		s.serveJSON(w, r, target)
		return
	}
	if isQueryProtocol(r) {
		s.serveQuery(w, r)
		return
	}
	s.serveS3(w, r)
}

// jsonHandler answers one JSON 1.1 operation: the decoded request body in,
// the response members (or an *apiError) and the call's detail out.
type jsonHandler func(s *Server, in map[string]any) (out any, detail string, err error)

var jsonOps = map[string]map[string]jsonHandler{
	"athena":         athenaOps,
	"glue":           glueOps,
	"secretsmanager": secretsOps,
}

func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request, target string) {
	prefix, op, _ := strings.Cut(target, ".")
	service := jsonTargets[prefix]
	call := Call{Service: service, Op: op}
	if service == "" {
		call.Service = prefix
	}
	respond := func(status int, body any) {
		call.Status = status
		s.record(call)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-RequestId", "awsfake-request")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}
	fail := func(e *apiError) {
		respond(e.status, map[string]string{"__type": e.code, "message": e.msg, "Message": e.msg})
	}

	h := jsonOps[service][op]
	if h == nil {
		fail(errorf(http.StatusBadRequest, "UnknownOperationException", "awsfake: unsupported %s %s", call.Service, op))
		return
	}
	var in map[string]any
	body, err := io.ReadAll(r.Body)
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &in)
	}
	if err != nil {
		fail(errorf(http.StatusBadRequest, "SerializationException", "awsfake: cannot read the request body: %v", err))
		return
	}
	if in == nil {
		in = map[string]any{}
	}
	if bad, throttle := s.injected(service, op); bad {
		call.Detail = requestDetail(in)
		fail(scriptedError(service, throttle))
		return
	}
	out, detail, err := h(s, in)
	call.Detail = detail
	if err != nil {
		e, ok := err.(*apiError)
		if !ok {
			e = errorf(http.StatusBadRequest, "InvalidRequestException", "%v", err)
		}
		fail(e)
		return
	}
	if out == nil {
		out = map[string]any{}
	}
	respond(http.StatusOK, out)
}

// requestDetail is a call's Detail read from its request alone, for calls
// refused before their handler runs.
func requestDetail(in map[string]any) string {
	str := func(k string) string { v, _ := in[k].(string); return v }
	for _, k := range []string{"QueryString", "QueryExecutionId", "SecretId", "WorkGroup"} {
		if v := str(k); v != "" {
			return v
		}
	}
	db := str("DatabaseName")
	name := str("Name") + str("TableName")
	if ti, ok := in["TableInput"].(map[string]any); ok {
		name, _ = ti["Name"].(string)
	}
	if db != "" && name != "" {
		return db + "." + name
	}
	return db + name
}

// scriptedError is the error a service answers when Throttle or
// InternalError scripted it.
func scriptedError(service string, throttle bool) *apiError {
	switch {
	case throttle && service == "athena":
		return errorf(http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded")
	case throttle && service == "s3":
		return errorf(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
	case throttle:
		return errorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
	case service == "athena":
		return errorf(http.StatusInternalServerError, "InternalServerException", "awsfake: scripted internal error")
	case service == "glue":
		return errorf(http.StatusInternalServerError, "InternalServiceException", "awsfake: scripted internal error")
	case service == "s3":
		return errorf(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
	}
	return errorf(http.StatusInternalServerError, "InternalServiceError", "awsfake: scripted internal error")
}

// handle makes a jsonHandler of a function of the SDK's input struct,
// which runs with the lock held.
func handle[In any](f func(s *Server, in *In) (any, string, error)) jsonHandler {
	return func(s *Server, body map[string]any) (any, string, error) {
		in := new(In)
		if err := decode(body, in); err != nil {
			return nil, "", err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return f(s, in)
	}
}

// decode fills an SDK input struct from a request body, turning a type
// mismatch into the error the services answer.
func decode(in map[string]any, dst any) error {
	if err := fromWire(in, dst); err != nil {
		return errorf(http.StatusBadRequest, "SerializationException", "awsfake: %v", err)
	}
	return nil
}
