package athena

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listKeys lists the keys under dir.
func (a *Adapter) listKeys(ctx context.Context, dir s3Dir) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(a.s3, &s3.ListObjectsV2Input{Bucket: aws.String(dir.bucket), Prefix: aws.String(dir.key)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, a.apiError(ctx, err, "listing "+dir.String())
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// deleteDir deletes every object under dir but those under keep. It must
// only be called on a location checkLocation allowed.
func (a *Adapter) deleteDir(ctx context.Context, dir s3Dir, keep ...s3Dir) error {
	keys, err := a.listKeys(ctx, dir)
	if err != nil {
		return err
	}
	var objs []s3types.ObjectIdentifier
	for _, k := range keys {
		kept := false
		for _, d := range keep {
			if d.bucket == dir.bucket && strings.HasPrefix(k, d.key) {
				kept = true
			}
		}
		if !kept {
			objs = append(objs, s3types.ObjectIdentifier{Key: aws.String(k)})
		}
	}
	// DeleteObjects takes at most 1,000 keys.
	for i := 0; i < len(objs); i += 1000 {
		batch := objs[i:min(i+1000, len(objs))]
		out, err := a.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(dir.bucket), Delete: &s3types.Delete{Objects: batch, Quiet: aws.Bool(true)}})
		if err != nil {
			return a.apiError(ctx, err, "deleting objects under "+dir.String())
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return a.apiError(ctx, fmt.Errorf("%s: %s", aws.ToString(e.Code), aws.ToString(e.Message)),
				fmt.Sprintf("deleting s3://%s/%s (and %d more)", dir.bucket, aws.ToString(e.Key), len(out.Errors)-1))
		}
	}
	if len(objs) > 0 {
		a.logf("deleted %d objects under %s", len(objs), dir)
	}
	return nil
}

// put writes body to dir/name. Seeds are uploaded as several objects of
// a few megabytes each (Athena reads every object under a table's
// location, in parallel), so a plain PutObject of a buffer suffices.
func (a *Adapter) put(ctx context.Context, dir s3Dir, name string, body []byte) error {
	_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(dir.bucket), Key: aws.String(dir.key + name), Body: bytes.NewReader(body)})
	return a.apiError(ctx, err, "uploading "+dir.String()+name)
}
