package athena

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

// Check is one finding of Diagnose: what was checked and, when it
// failed, why, in one line that holds no secret.
type Check struct {
	What string
	OK   string // what was found, when the check passed
	Err  error
}

// Diagnose checks what an athena target needs, each on its own, for
// `gmodel debug`: the AWS configuration, a region, credentials from the
// chain, the workgroup, the buckets of s3_staging_dir and s3_data_dir,
// and, when all of those pass, a `select 1`. A check that cannot run
// because an earlier one failed is left out.
func Diagnose(ctx context.Context, cfg *profiles.Athena) []Check {
	awsCfg, err := LoadAWSConfig(ctx, cfg)
	if err != nil {
		return []Check{{What: "AWS configuration", Err: err}}
	}
	return diagnose(ctx, cfg, awsCfg)
}

func diagnose(ctx context.Context, cfg *profiles.Athena, awsCfg aws.Config) []Check {
	var out []Check
	region := Check{What: "region", OK: awsCfg.Region}
	if awsCfg.Region == "" {
		region.Err = errors.New("none: set region_name in the target, or AWS_REGION")
	}
	out = append(out, region)
	if region.Err != nil {
		return out
	}
	a, err := newAdapter(cfg, awsCfg, adapters.Options{})
	if err != nil {
		return append(out, Check{What: "clients", Err: err})
	}
	creds := Check{What: "credentials"}
	if c, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
		creds.Err = fmt.Errorf("none found (%s): set aws_profile_name or AWS_PROFILE, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them", credentialsReason(err))
	} else {
		creds.OK = "from " + c.Source
	}
	out = append(out, creds)
	if creds.Err != nil {
		return out
	}
	wg := Check{What: "work_group", OK: a.workGroup()}
	wg.Err = a.CheckWorkGroup(ctx)
	out = append(out, wg)
	buckets := []struct{ what, bucket string }{{"s3_staging_dir bucket", a.staging.bucket}}
	if a.dataDir.bucket != a.staging.bucket {
		buckets = append(buckets, struct{ what, bucket string }{"s3_data_dir bucket", a.dataDir.bucket})
	}
	for _, b := range buckets {
		c := Check{What: b.what, OK: b.bucket + " reachable"}
		if _, err := a.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b.bucket)}); err != nil {
			var re *smithyhttp.ResponseError
			switch {
			case errors.As(err, &re) && re.HTTPStatusCode() == 404:
				c.Err = fmt.Errorf("bucket %s does not exist", b.bucket)
			case errors.As(err, &re) && re.HTTPStatusCode() == 403:
				c.Err = fmt.Errorf("access to bucket %s is denied: the credentials need s3:ListBucket on it", b.bucket)
			default:
				c.Err = a.apiError(ctx, err, "reaching bucket "+b.bucket)
			}
		}
		out = append(out, c)
	}
	for _, c := range out {
		if c.Err != nil {
			return out
		}
	}
	q := Check{What: "query", OK: "select 1 ran"}
	if _, err := a.Query(ctx, "select 1"); err != nil {
		q.Err = err
	}
	return append(out, q)
}
