package awsfake_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	athenatypes "github.com/aws/aws-sdk-go-v2/service/athena/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gmodel/gmodel/internal/awsfake"
)

// statuses lists the HTTP statuses of the recorded calls of one op.
func statuses(f *awsfake.Server, service, op string) string {
	var out []string
	for _, c := range f.CallsOf(service, op) {
		out = append(out, fmt.Sprint(c.Status))
	}
	return strings.Join(out, " ")
}

// The SDK's standard retryer retries each service's throttling error; the
// calls it made are all recorded.
func TestThrottleThenSuccess(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()

	c.fake.Throttle("StartQueryExecution", 2)
	id := c.start(t, "default", "create schema s")
	if got := statuses(c.fake, "athena", "StartQueryExecution"); got != "400 400 200" {
		t.Errorf("StartQueryExecution statuses = %s, want two throttled then one answered", got)
	}
	for _, call := range c.fake.CallsOf("athena", "StartQueryExecution") {
		if call.Detail != "create schema s" {
			t.Errorf("a StartQueryExecution call's detail = %q, want its SQL", call.Detail)
		}
	}
	c.fake.Throttle("GetQueryExecution", 1)
	if qe := c.wait(t, id); qe.Status.State != athenatypes.QueryExecutionStateSucceeded {
		t.Errorf("state %s", qe.Status.State)
	}

	c.fake.Throttle("glue.GetDatabase", 2)
	if _, err := c.glue.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if got := statuses(c.fake, "glue", "GetDatabase"); got != "400 400 200" {
		t.Errorf("GetDatabase statuses = %s", got)
	}
	if d := c.fake.CallsOf("glue", "GetDatabase")[0].Detail; d != "s" {
		t.Errorf("throttled GetDatabase detail = %q", d)
	}

	c.fake.Throttle("PutObject", 2)
	put(t, c, "b", "k", "v")
	if got := statuses(c.fake, "s3", "PutObject"); got != "503 503 200" {
		t.Errorf("PutObject statuses = %s, want two SlowDown then one answered", got)
	}

	c.fake.InternalError("GetTable", 1)
	c.run(t, "s", "create table t with (external_location='s3://b/t/') as select 1 as a")
	if _, err := c.glue.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("s"), Name: aws.String("t")}); err != nil {
		t.Fatal(err)
	}
	if got := statuses(c.fake, "glue", "GetTable"); got != "500 200" {
		t.Errorf("GetTable statuses = %s", got)
	}

	// More throttling than the retryer's attempts: the typed error surfaces.
	c.fake.Throttle("athena.GetQueryExecution", 10)
	_, err := c.athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: aws.String(id)})
	var tmr *athenatypes.TooManyRequestsException
	if !errors.As(err, &tmr) {
		t.Errorf("persistent throttling: %v, want TooManyRequestsException", err)
	}
}

func TestSecretsManager(t *testing.T) {
	c := newClients(t)
	sm := secretsmanager.NewFromConfig(c.fake.Config())
	ctx := context.Background()
	c.fake.PutSecret("prod/db", `{"password":"hunter2"}`)
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SecretString) != `{"password":"hunter2"}` || aws.ToString(out.Name) != "prod/db" || out.CreatedDate == nil {
		t.Errorf("secret = %+v", out)
	}
	c.fake.PutSecretBinary("bin", []byte{0, 1, 2})
	bin, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("bin")})
	if err != nil || bin.SecretString != nil || string(bin.SecretBinary) != "\x00\x01\x02" {
		t.Errorf("binary secret: %v, %+v", err, bin)
	}
	_, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var rnf *smtypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("missing secret: %v, want ResourceNotFoundException", err)
	}
	calls := c.fake.CallsOf("secretsmanager", "GetSecretValue")
	if len(calls) != 3 || calls[0].Detail != "prod/db" {
		t.Errorf("calls = %+v", calls)
	}
	for _, call := range c.fake.Calls() {
		if strings.Contains(call.Detail, "hunter2") {
			t.Errorf("a recorded call holds the secret's value: %+v", call)
		}
	}
}

// Many clients at once: every call is recorded and the state stays
// consistent (run with -race).
func TestConcurrentClients(t *testing.T) {
	c := newClients(t)
	c.run(t, "default", "create schema s")
	c.fake.PollsUntilDone = 1
	c.fake.OnSelect(func(sql string) (*awsfake.Result, error) {
		return &awsfake.Result{Columns: []awsfake.Col{{Name: "sql"}}, Rows: [][]*string{awsfake.Row(sql)}}, nil
	})
	c.fake.ResetCalls()
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			name := fmt.Sprintf("t%02d", i)
			sqls := []string{
				fmt.Sprintf("create table s.%s with (external_location='s3://lake/s/%s/') as select %d as id", name, name, i),
				fmt.Sprintf("select id from s.%s", name),
			}
			for _, sql := range sqls {
				start, err := c.athena.StartQueryExecution(ctx, &athena.StartQueryExecutionInput{
					QueryString: aws.String(sql), ResultConfiguration: &athenatypes.ResultConfiguration{OutputLocation: aws.String(staging)},
				})
				if err != nil {
					errs <- err
					return
				}
				for {
					out, err := c.athena.GetQueryExecution(ctx, &athena.GetQueryExecutionInput{QueryExecutionId: start.QueryExecutionId})
					if err != nil {
						errs <- err
						return
					}
					if st := out.QueryExecution.Status.State; st == athenatypes.QueryExecutionStateSucceeded {
						break
					} else if st != athenatypes.QueryExecutionStateQueued && st != athenatypes.QueryExecutionStateRunning {
						errs <- fmt.Errorf("%s: %s %s", sql, st, aws.ToString(out.QueryExecution.Status.StateChangeReason))
						return
					}
				}
			}
			if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("up"), Key: aws.String(name), Body: strings.NewReader(name)}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out, err := c.glue.GetTables(context.Background(), &glue.GetTablesInput{DatabaseName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TableList) != n || len(c.fake.S3Objects("s3://up/")) != n || len(c.fake.S3Objects("s3://lake/s/")) != n {
		t.Errorf("%d tables, %d uploads, %d data objects; want %d each", len(out.TableList), len(c.fake.S3Objects("s3://up/")), len(c.fake.S3Objects("s3://lake/s/")), n)
	}
	if got := len(c.fake.CallsOf("athena", "StartQueryExecution")); got != 2*n {
		t.Errorf("%d StartQueryExecution calls recorded, want %d", got, 2*n)
	}
}

func TestSTSCallerIdentity(t *testing.T) {
	c := newClients(t)
	client := sts.NewFromConfig(c.fake.Config())
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != awsfake.AccountID || !strings.HasSuffix(aws.ToString(out.Arn), ":user/awsfake") {
		t.Errorf("identity = %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
	_, err = client.GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if err == nil || !strings.Contains(err.Error(), "awsfake: unsupported sts GetSessionToken") {
		t.Errorf("unsupported STS action: %v", err)
	}
	if got := statuses(c.fake, "sts", "GetCallerIdentity"); got != "200" {
		t.Errorf("GetCallerIdentity statuses = %s", got)
	}
}
