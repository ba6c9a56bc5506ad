package awsfake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func put(t *testing.T, c *clients, bucket, key, body string) {
	t.Helper()
	_, err := c.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
}

func TestS3Objects(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	put(t, c, "data", "a/b/one.csv", "id\n1\n")
	put(t, c, "data", "a/b c/two.csv", "two")

	got, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("a/b/one.csv")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "id\n1\n" || aws.ToInt64(got.ContentLength) != 5 || aws.ToString(got.ETag) == "" {
		t.Errorf("GetObject = %q, length %d, etag %q", body, aws.ToInt64(got.ContentLength), aws.ToString(got.ETag))
	}
	rng, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("a/b/one.csv"), Range: aws.String("bytes=3-")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(rng.Body)
	rng.Body.Close()
	if string(body) != "1\n" {
		t.Errorf("ranged GetObject = %q, want %q", body, "1\n")
	}

	head, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("a/b c/two.csv")})
	if err != nil || aws.ToInt64(head.ContentLength) != 3 {
		t.Errorf("HeadObject of a key with a space: %v, %+v", err, head)
	}
	_, err = c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("nope")})
	var nsk *s3types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Errorf("missing key: %v, want NoSuchKey", err)
	}
	_, err = c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("nope")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadObject of a missing key: %v, want NotFound", err)
	}
	_, err = c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobucket"), Key: aws.String("k")})
	var apiErr smithy.APIError // GetObject does not model NoSuchBucket
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchBucket" {
		t.Errorf("missing bucket: %v, want NoSuchBucket", err)
	}

	if _, err := c.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("other"), Key: aws.String("copy.csv"), CopySource: aws.String("data/a/b/one.csv")}); err != nil {
		t.Fatal(err)
	}
	if b, ok := c.fake.Object("s3://other/copy.csv"); !ok || string(b) != "id\n1\n" {
		t.Errorf("copied object = %q, %v", b, ok)
	}

	if _, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("a/b/one.csv")}); err != nil {
		t.Fatal(err)
	}
	if want := "s3://data/a/b c/two.csv"; strings.Join(c.fake.S3Objects("s3://data/"), ",") != want {
		t.Errorf("objects after delete = %v, want %s", c.fake.S3Objects("s3://data/"), want)
	}
	calls := c.fake.CallsOf("s3", "DeleteObject")
	if len(calls) != 1 || calls[0].Detail != "s3://data/a/b/one.csv" {
		t.Errorf("DeleteObject calls = %+v", calls)
	}
}

func TestS3ListObjectsV2(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		key := fmt.Sprintf("tables/t/part-%02d", i)
		put(t, c, "lake", key, "x")
		want = append(want, key)
	}
	put(t, c, "lake", "tables/t/dt=1/a", "x")
	put(t, c, "lake", "tables/t/dt=2/a", "x")
	put(t, c, "lake", "tables/u/a", "x")

	var keys []string
	pages := 0
	for p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String("lake"), Prefix: aws.String("tables/t/"), MaxKeys: aws.Int32(3)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if got := strings.Join(keys, ","); got != "tables/t/dt=1/a,tables/t/dt=2/a,"+strings.Join(want, ",") || pages != 3 {
		t.Errorf("listed %s in %d pages", got, pages)
	}

	// With a delimiter: common prefixes count towards max-keys and are not
	// repeated across pages.
	var prefixes, files []string
	for p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String("lake"), Prefix: aws.String("tables/t/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(cp.Prefix))
		}
		for _, o := range out.Contents {
			files = append(files, aws.ToString(o.Key))
		}
	}
	if strings.Join(prefixes, ",") != "tables/t/dt=1/,tables/t/dt=2/" || len(files) != 7 {
		t.Errorf("prefixes %v, %d files", prefixes, len(files))
	}

	out, err := c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("lake"), Delete: &s3types.Delete{
		Objects: []s3types.ObjectIdentifier{{Key: aws.String("tables/t/dt=1/a")}, {Key: aws.String("tables/t/dt=2/a")}, {Key: aws.String("never/was")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Errorf("DeleteObjects: %d deleted, %d errors; S3 reports missing keys as deleted", len(out.Deleted), len(out.Errors))
	}
	if n := len(c.fake.S3Objects("s3://lake/tables/t/dt=")); n != 0 {
		t.Errorf("%d partition objects left", n)
	}
	calls := c.fake.CallsOf("s3", "DeleteObjects")
	if len(calls) != 1 || calls[0].Detail != "s3://lake/tables/t/dt=1/a s3://lake/tables/t/dt=2/a s3://lake/never/was" {
		t.Errorf("DeleteObjects calls = %+v", calls)
	}
}

func TestS3Buckets(t *testing.T) {
	c := newClients(t)
	ctx := context.Background()
	_, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("b")})
	var nf *s3types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("HeadBucket of a missing bucket: %v, want NotFound", err)
	}
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("b")})
	if err != nil || aws.ToString(out.BucketRegion) != "eu-west-1" {
		t.Errorf("HeadBucket: %v, region %q", err, aws.ToString(out.BucketRegion))
	}
	loc, err := c.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("b")})
	if err != nil || loc.LocationConstraint != "eu-west-1" {
		t.Errorf("GetBucketLocation: %v, %q", err, loc.LocationConstraint)
	}
	_, err = c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b")})
	var owned *s3types.BucketAlreadyOwnedByYou
	if !errors.As(err, &owned) {
		t.Errorf("second CreateBucket: %v, want BucketAlreadyOwnedByYou", err)
	}
	put(t, c, "b", "k", "v")
	if _, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("b")}); err == nil || !strings.Contains(err.Error(), "BucketNotEmpty") {
		t.Errorf("deleting a non-empty bucket: %v", err)
	}
	// Unsupported operations fail loudly.
	_, err = c.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("b"), Key: aws.String("k")})
	if err == nil || !strings.Contains(err.Error(), "awsfake: unsupported s3 GET ?tagging") {
		t.Errorf("unsupported op: %v", err)
	}
}

func TestS3MultipartUpload(t *testing.T) {
	c := newClients(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 12<<20/16) // 12 MiB: three 5 MiB parts
	// The upload manager is deprecated for feature/s3/transfermanager; both
	// speak the same multipart API, which is what this tests.
	up := manager.NewUploader(c.s3) //lint:ignore SA1019 see above
	//lint:ignore SA1019 see above
	if _, err := up.Upload(context.Background(), &s3.PutObjectInput{Bucket: aws.String("seeds"), Key: aws.String("raw/big.csv"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	got, ok := c.fake.Object("s3://seeds/raw/big.csv")
	if !ok || !bytes.Equal(got, data) {
		t.Fatalf("uploaded object: %d bytes (ok %v), want %d", len(got), ok, len(data))
	}
	if n := len(c.fake.CallsOf("s3", "UploadPart")); n != 3 {
		t.Errorf("%d UploadPart calls, want 3", n)
	}
	if len(c.fake.CallsOf("s3", "CreateMultipartUpload")) != 1 || len(c.fake.CallsOf("s3", "CompleteMultipartUpload")) != 1 {
		t.Errorf("calls = %+v", c.fake.Calls())
	}

	// Parts smaller than 5 MiB but for the last are refused, as S3 does.
	ctx := context.Background()
	cr, err := c.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("seeds"), Key: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	var parts []s3types.CompletedPart
	for i := int32(1); i <= 2; i++ {
		p, err := c.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("seeds"), Key: aws.String("small"), UploadId: cr.UploadId, PartNumber: aws.Int32(i), Body: strings.NewReader("tiny")})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s3types.CompletedPart{ETag: p.ETag, PartNumber: aws.Int32(i)})
	}
	_, err = c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("seeds"), Key: aws.String("small"), UploadId: cr.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts}})
	if err == nil || !strings.Contains(err.Error(), "EntityTooSmall") {
		t.Errorf("completing with small parts: %v", err)
	}
	if _, err := c.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("seeds"), Key: aws.String("small"), UploadId: cr.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("seeds"), Key: aws.String("small"), UploadId: cr.UploadId})
	var nsu *s3types.NoSuchUpload
	if !errors.As(err, &nsu) {
		t.Errorf("aborting twice: %v, want NoSuchUpload", err)
	}
	if _, ok := c.fake.Object("s3://seeds/small"); ok {
		t.Error("an aborted upload left an object")
	}
}

func TestUnsignedRequestRefused(t *testing.T) {
	c := newClients(t)
	c.fake.PutObject("s3://b/k", []byte("secret data"))
	resp, err := http.Get(c.fake.URL + "/b/k")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || bytes.Contains(body, []byte("secret data")) {
		t.Errorf("unsigned GET: %d %s", resp.StatusCode, body)
	}
}
