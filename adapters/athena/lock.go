package athena

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gmodel/gmodel/adapters"
)

// The run lock of a target schema is an object in the staging directory,
// created with S3's conditional write (If-None-Match: *), which fails
// when it exists: s3_staging_dir/_gmodel_locks/<catalog>/<schema>.json,
// holding who took it. Unlike PostgreSQL's advisory locks it outlives a
// crashed run; the error says which object to delete then.

type lockHolder struct {
	PID   int    `json:"pid"`
	Host  string `json:"host"`
	Since string `json:"since"`
}

func (a *Adapter) lockKey(database, schema string) (bucket, key string) {
	d := a.staging.join("_gmodel_locks", a.catalog(database))
	return d.bucket, d.key + strings.ToLower(schema) + ".json"
}

// lockPoll is how often a waiting Lock tries again.
var lockPoll = 2 * time.Second

// Lock takes the run lock of (database, schema).
func (a *Adapter) Lock(ctx context.Context, database, schema string, wait bool) (func(), error) {
	if err := a.checkCatalog(database); err != nil {
		return nil, err
	}
	bucket, key := a.lockKey(database, schema)
	host, _ := os.Hostname()
	body, _ := json.Marshal(lockHolder{PID: os.Getpid(), Host: host, Since: time.Now().UTC().Format(time.RFC3339)})
	for {
		_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body)),
			IfNoneMatch: aws.String("*"), ContentType: aws.String("application/json"),
		})
		if err == nil {
			break
		}
		if !conflict(err) {
			return nil, wrapMsg(a.apiError(ctx, err, "taking the run lock"), "schema %s", schema)
		}
		if !wait {
			return nil, &adapters.Error{
				Code: adapters.Locked,
				Msg:  fmt.Sprintf("schema %q of catalog %q is locked by another run%s", strings.ToLower(schema), a.catalog(database), a.holder(ctx, bucket, key)),
				Hint: fmt.Sprintf("wait for it to finish (or let gmodel wait for it); if no run is going on (one crashed), delete s3://%s/%s", bucket, key),
			}
		}
		if err := sleep(ctx, lockPoll); err != nil {
			return nil, canceled(ctx, "", err)
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			uctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if _, err := a.s3.DeleteObject(uctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				a.logf("could not release the run lock s3://%s/%s: %v", bucket, key, err)
			}
		})
	}, nil
}

// conflict reports whether a conditional write failed because the
// object exists (412), or another write of it is in flight (409).
func conflict(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() == http.StatusPreconditionFailed || re.HTTPStatusCode() == http.StatusConflict) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "PreconditionFailed" || ae.ErrorCode() == "ConditionalRequestConflict")
}

// holder describes the lock's holder, or "" when it cannot be read.
func (a *Adapter) holder(ctx context.Context, bucket, key string) string {
	out, err := a.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return ""
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 4096))
	var h lockHolder
	if err != nil || json.Unmarshal(b, &h) != nil || h.PID == 0 {
		return ""
	}
	return fmt.Sprintf(" (pid %d on %s, since %s)", h.PID, h.Host, h.Since)
}
