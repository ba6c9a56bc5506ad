package awsfake

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// s3State holds the buckets. Callers hold Server.mu.
type s3State struct {
	buckets map[string]map[string]*object // bucket -> key -> object
	uploads map[string]*upload            // upload id -> upload
}

type object struct {
	data        []byte
	etag        string // quoted, as S3 answers it
	modified    time.Time
	contentType string
}

type upload struct {
	bucket, key string
	parts       map[int][]byte
}

func (st *s3State) init() {
	st.buckets = map[string]map[string]*object{}
	st.uploads = map[string]*upload{}
}

// parseS3URI splits "s3://bucket/key" (the key may be empty).
func parseS3URI(uri string) (bucket, key string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", false
	}
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key, bucket != ""
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// CreateBucket makes an empty bucket (buckets also appear when an object
// is first put in them).
func (s *Server) CreateBucket(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s3.buckets[name] == nil {
		s.s3.buckets[name] = map[string]*object{}
	}
}

// S3Objects returns "s3://bucket/key" of every object under prefix (an
// s3:// URI; "" or "s3://" for all), sorted.
func (s *Server) S3Objects(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.s3List(prefix)
}

// PutObject stores an object (for test set-up); uri is "s3://bucket/key".
func (s *Server) PutObject(uri string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.s3Put(uri, data)
}

// Object returns a copy of an object's content.
func (s *Server) Object(uri string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, k, _ := parseS3URI(uri)
	o, ok := s.s3.buckets[b][k]
	if !ok {
		return nil, false
	}
	return bytes.Clone(o.data), true
}

func (s *Server) s3List(prefix string) []string {
	var out []string
	pb, pk, _ := parseS3URI(prefix)
	for b, objs := range s.s3.buckets {
		if pb != "" && b != pb {
			continue
		}
		for k := range objs {
			if strings.HasPrefix(k, pk) {
				out = append(out, "s3://"+b+"/"+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s *Server) s3Put(uri string, data []byte) {
	b, k, _ := parseS3URI(uri)
	s.putObject(b, k, data, "")
}

func (s *Server) putObject(bucket, key string, data []byte, contentType string) *object {
	if s.s3.buckets[bucket] == nil {
		s.s3.buckets[bucket] = map[string]*object{}
	}
	if contentType == "" {
		contentType = "binary/octet-stream"
	}
	o := &object{data: data, etag: etagOf(data), modified: s.now(), contentType: contentType}
	s.s3.buckets[bucket][key] = o
	return o
}

// s3DeleteUnder deletes every object under an s3:// prefix.
func (s *Server) s3DeleteUnder(prefix string) {
	b, k, ok := parseS3URI(prefix)
	if !ok {
		return
	}
	for key := range s.s3.buckets[b] {
		if strings.HasPrefix(key, k) {
			delete(s.s3.buckets[b], key)
		}
	}
}

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

type s3Err struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Resource  string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
}

// s3Call is one S3 request being answered.
type s3Call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	call   Call
	bucket string
	key    string
	q      url.Values
}

func (c *s3Call) uri() string {
	if c.key == "" {
		return "s3://" + c.bucket
	}
	return "s3://" + c.bucket + "/" + c.key
}

func (c *s3Call) finish(status int) {
	c.call.Status = status
	c.s.record(c.call)
}

func (c *s3Call) fail(e *apiError) {
	c.w.Header().Set("X-Amz-Request-Id", "awsfake-request")
	if c.r.Method == http.MethodHead { // HEAD answers carry no body
		c.w.WriteHeader(e.status)
		c.finish(e.status)
		return
	}
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.WriteHeader(e.status)
	b, _ := xml.Marshal(s3Err{Code: e.code, Message: e.msg, Resource: "/" + c.bucket + "/" + c.key, RequestID: "awsfake-request"})
	c.w.Write([]byte(xml.Header))
	c.w.Write(b)
	c.finish(e.status)
}

func (c *s3Call) xml(status int, v any) {
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("X-Amz-Request-Id", "awsfake-request")
	c.w.WriteHeader(status)
	b, err := xml.Marshal(v)
	if err != nil {
		panic("awsfake: marshal S3 answer: " + err.Error())
	}
	c.w.Write([]byte(xml.Header))
	c.w.Write(b)
	c.finish(status)
}

func (c *s3Call) empty(status int) {
	c.w.Header().Set("X-Amz-Request-Id", "awsfake-request")
	c.w.WriteHeader(status)
	c.finish(status)
}

func noSuchBucket(b string) *apiError {
	return errorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist (%s)", b)
}

func (s *Server) serveS3(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	// Virtual-hosted style, for an endpoint named localhost (which
	// resolves <bucket>.localhost too); an IP endpoint gets path style.
	if host, _, _ := strings.Cut(r.Host, ":"); strings.HasSuffix(host, ".localhost") {
		bucket, key = strings.TrimSuffix(host, ".localhost"), path
	}
	c := &s3Call{s: s, w: w, r: r, bucket: bucket, key: key, q: r.URL.Query(), call: Call{Service: "s3"}}
	op := c.op()
	c.call.Op = op
	c.call.Detail = c.uri()
	if bucket == "" {
		c.fail(errorf(http.StatusBadRequest, "NotImplemented", "awsfake: unsupported s3 %s / (use path-style addressing with a bucket)", r.Method))
		return
	}
	h := s3Ops[op]
	if h == nil {
		c.fail(errorf(http.StatusBadRequest, "NotImplemented", "awsfake: unsupported s3 %s", op))
		return
	}
	if bad, throttle := s.injected("s3", op); bad {
		c.fail(scriptedError("s3", throttle))
		return
	}
	h(c)
}

// op names the S3 operation from the method, the path and the query.
func (c *s3Call) op() string {
	q, m := c.q, c.r.Method
	has := func(k string) bool { _, ok := q[k]; return ok }
	if c.key == "" {
		switch {
		case m == http.MethodGet && q.Get("list-type") == "2":
			return "ListObjectsV2"
		case m == http.MethodGet && has("location"):
			return "GetBucketLocation"
		case m == http.MethodHead:
			return "HeadBucket"
		case m == http.MethodPut && len(q) == 0:
			return "CreateBucket"
		case m == http.MethodDelete && len(q) == 0:
			return "DeleteBucket"
		case m == http.MethodPost && has("delete"):
			return "DeleteObjects"
		}
	} else {
		switch {
		case m == http.MethodPut && has("partNumber") && has("uploadId"):
			if c.r.Header.Get("X-Amz-Copy-Source") != "" {
				return "UploadPartCopy"
			}
			return "UploadPart"
		case m == http.MethodPut && c.r.Header.Get("X-Amz-Copy-Source") != "":
			return "CopyObject"
		case m == http.MethodPut && !has("tagging") && !has("acl"):
			return "PutObject"
		case m == http.MethodGet && !has("tagging") && !has("acl") && !has("uploadId"):
			return "GetObject"
		case m == http.MethodHead:
			return "HeadObject"
		case m == http.MethodDelete && has("uploadId"):
			return "AbortMultipartUpload"
		case m == http.MethodDelete && !has("tagging"):
			return "DeleteObject"
		case m == http.MethodPost && has("uploads"):
			return "CreateMultipartUpload"
		case m == http.MethodPost && has("uploadId"):
			return "CompleteMultipartUpload"
		}
	}
	var keys []string
	for k := range q {
		if k != "x-id" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return m + " ?" + strings.Join(keys, "&")
}

var s3Ops = map[string]func(*s3Call){
	"ListObjectsV2":           (*s3Call).listObjectsV2,
	"GetBucketLocation":       (*s3Call).getBucketLocation,
	"HeadBucket":              (*s3Call).headBucket,
	"CreateBucket":            (*s3Call).createBucket,
	"DeleteBucket":            (*s3Call).deleteBucket,
	"DeleteObjects":           (*s3Call).deleteObjects,
	"UploadPart":              (*s3Call).uploadPart,
	"CopyObject":              (*s3Call).copyObject,
	"PutObject":               (*s3Call).putObject,
	"GetObject":               (*s3Call).getObject,
	"HeadObject":              (*s3Call).getObject,
	"AbortMultipartUpload":    (*s3Call).abortMultipartUpload,
	"DeleteObject":            (*s3Call).deleteObject,
	"CreateMultipartUpload":   (*s3Call).createMultipartUpload,
	"CompleteMultipartUpload": (*s3Call).completeMultipartUpload,
}

// body reads the request body, undoing aws-chunked encoding (the SDK
// streams checksummed uploads that way).
func (c *s3Call) body() ([]byte, *apiError) {
	b, err := io.ReadAll(c.r.Body)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "IncompleteBody", "awsfake: reading the body: %v", err)
	}
	if strings.Contains(c.r.Header.Get("Content-Encoding"), "aws-chunked") ||
		strings.HasPrefix(c.r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		if b, err = decodeChunked(b); err != nil {
			return nil, errorf(http.StatusBadRequest, "IncompleteBody", "awsfake: aws-chunked body: %v", err)
		}
	}
	return b, nil
}

// decodeChunked decodes an aws-chunked body: "hex-size[;ext]\r\n data
// \r\n" chunks, a zero-size chunk, then trailers.
func decodeChunked(b []byte) ([]byte, error) {
	var out []byte
	r := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("chunk size %q: %w", sizeHex, err)
		}
		if size == 0 {
			return out, nil // trailers follow; the fake does not check checksums
		}
		chunk := make([]byte, size)
		if _, err := io.ReadFull(r, chunk); err != nil {
			return nil, fmt.Errorf("chunk data: %w", err)
		}
		out = append(out, chunk...)
		if crlf, err := r.ReadString('\n'); err != nil || strings.TrimRight(crlf, "\r\n") != "" {
			return nil, fmt.Errorf("chunk not followed by CRLF")
		}
	}
}

func (c *s3Call) putObject() {
	data, e := c.body()
	if e != nil {
		c.fail(e)
		return
	}
	c.s.mu.Lock()
	// A conditional write (If-None-Match: *) fails when the key exists,
	// as S3 does: the way a client takes a lock object.
	if c.r.Header.Get("If-None-Match") == "*" {
		if _, exists := c.s.s3.buckets[c.bucket][c.key]; exists {
			c.s.mu.Unlock()
			c.fail(errorf(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"))
			return
		}
	}
	o := c.s.putObject(c.bucket, c.key, data, c.r.Header.Get("Content-Type"))
	c.s.mu.Unlock()
	c.w.Header().Set("ETag", o.etag)
	c.empty(http.StatusOK)
}

func (c *s3Call) getObject() {
	c.s.mu.Lock()
	objs, bucketOK := c.s.s3.buckets[c.bucket]
	o, ok := objs[c.key]
	c.s.mu.Unlock()
	switch {
	case !bucketOK:
		c.fail(noSuchBucket(c.bucket))
		return
	case !ok:
		c.fail(errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist."))
		return
	}
	data := o.data
	status := http.StatusOK
	h := c.w.Header()
	if rg := c.r.Header.Get("Range"); rg != "" && c.r.Method == http.MethodGet {
		start, end, ok := parseRange(rg, len(data))
		if !ok {
			c.fail(errorf(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable"))
			return
		}
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, len(data)))
		data, status = data[start:end+1], http.StatusPartialContent
	}
	h.Set("ETag", o.etag)
	h.Set("Last-Modified", o.modified.Format(http.TimeFormat))
	h.Set("Content-Type", o.contentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Accept-Ranges", "bytes")
	h.Set("X-Amz-Request-Id", "awsfake-request")
	c.w.WriteHeader(status)
	if c.r.Method == http.MethodGet {
		c.w.Write(data)
	}
	c.finish(status)
}

// parseRange reads "bytes=a-b", "bytes=a-" and "bytes=-n".
func parseRange(h string, size int) (start, end int, ok bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(spec, "-")
	var err error
	switch {
	case a == "":
		n, err := strconv.Atoi(b)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, size > 0
	case b == "":
		end = size - 1
	default:
		if end, err = strconv.Atoi(b); err != nil {
			return 0, 0, false
		}
	}
	if start, err = strconv.Atoi(a); err != nil || start >= size || end < start {
		return 0, 0, false
	}
	return start, min(end, size-1), true
}

func (c *s3Call) deleteObject() {
	c.s.mu.Lock()
	objs, ok := c.s.s3.buckets[c.bucket]
	delete(objs, c.key)
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchBucket(c.bucket))
		return
	}
	c.empty(http.StatusNoContent)
}

func (c *s3Call) copyObject() {
	src, err := url.PathUnescape(c.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		c.fail(errorf(http.StatusBadRequest, "InvalidArgument", "Invalid copy source encoding"))
		return
	}
	src, _, _ = strings.Cut(strings.TrimPrefix(src, "/"), "?versionId=")
	sb, sk, _ := strings.Cut(src, "/")
	c.call.Detail = "s3://" + src + " " + c.uri()
	c.s.mu.Lock()
	so, ok := c.s.s3.buckets[sb][sk]
	var o *object
	if ok {
		o = c.s.putObject(c.bucket, c.key, bytes.Clone(so.data), so.contentType)
	}
	c.s.mu.Unlock()
	if !ok {
		c.fail(errorf(http.StatusNotFound, "NoSuchKey", "The specified key does not exist."))
		return
	}
	c.xml(http.StatusOK, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		ETag         string
		LastModified string
	}{ETag: o.etag, LastModified: o.modified.Format("2006-01-02T15:04:05.000Z")})
}

func (c *s3Call) listObjectsV2() {
	prefix, delim := c.q.Get("prefix"), c.q.Get("delimiter")
	c.call.Detail = "s3://" + c.bucket + "/" + prefix
	maxKeys := 1000
	if mk := c.q.Get("max-keys"); mk != "" {
		n, err := strconv.Atoi(mk)
		if err != nil || n < 0 {
			c.fail(errorf(http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range"))
			return
		}
		maxKeys = min(n, 1000)
	}
	after := c.q.Get("start-after")
	afterIsPrefix := false
	if tok := c.q.Get("continuation-token"); tok != "" {
		raw, err := base64.StdEncoding.DecodeString(tok)
		if err != nil || len(raw) < 2 {
			c.fail(errorf(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect"))
			return
		}
		after, afterIsPrefix = string(raw[2:]), raw[0] == 'p'
	}

	c.s.mu.Lock()
	objs, ok := c.s.s3.buckets[c.bucket]
	var keys []string
	for k := range objs {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int
		StorageClass string
	}
	type commonPrefix struct{ Prefix string }
	var contents []content
	var prefixes []commonPrefix
	sort.Strings(keys)
	count, truncated, last, lastIsPrefix := 0, false, "", false
	for _, k := range keys {
		if after != "" && (k <= after || afterIsPrefix && strings.HasPrefix(k, after)) {
			continue
		}
		cp := ""
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				cp = k[:len(prefix)+i+len(delim)]
			}
		}
		if cp != "" && lastIsPrefix && cp == last {
			continue
		}
		if count == maxKeys {
			truncated = true
			break
		}
		count++
		if cp != "" {
			prefixes = append(prefixes, commonPrefix{cp})
			last, lastIsPrefix = cp, true
			continue
		}
		o := objs[k]
		contents = append(contents, content{Key: k, LastModified: o.modified.Format("2006-01-02T15:04:05.000Z"),
			ETag: o.etag, Size: len(o.data), StorageClass: "STANDARD"})
		last, lastIsPrefix = k, false
	}
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchBucket(c.bucket))
		return
	}
	res := struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		NS                    string   `xml:"xmlns,attr"`
		Name                  string
		Prefix                string
		Delimiter             string `xml:",omitempty"`
		MaxKeys               int
		KeyCount              int
		IsTruncated           bool
		ContinuationToken     string `xml:",omitempty"`
		NextContinuationToken string `xml:",omitempty"`
		StartAfter            string `xml:",omitempty"`
		Contents              []content
		CommonPrefixes        []commonPrefix
	}{NS: s3NS, Name: c.bucket, Prefix: prefix, Delimiter: delim, MaxKeys: maxKeys, KeyCount: count,
		IsTruncated: truncated, ContinuationToken: c.q.Get("continuation-token"), StartAfter: c.q.Get("start-after"),
		Contents: contents, CommonPrefixes: prefixes}
	if truncated {
		kind := "k:"
		if lastIsPrefix {
			kind = "p:"
		}
		res.NextContinuationToken = base64.StdEncoding.EncodeToString([]byte(kind + last))
	}
	c.xml(http.StatusOK, res)
}

func (c *s3Call) deleteObjects() {
	data, e := c.body()
	if e != nil {
		c.fail(e)
		return
	}
	var req struct {
		Quiet   bool
		Objects []struct{ Key string } `xml:"Object"`
	}
	if err := xml.Unmarshal(data, &req); err != nil || len(req.Objects) == 0 || len(req.Objects) > 1000 {
		c.fail(errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"))
		return
	}
	type deleted struct{ Key string }
	var done []deleted
	var uris []string
	c.s.mu.Lock()
	objs, ok := c.s.s3.buckets[c.bucket]
	for _, o := range req.Objects {
		delete(objs, o.Key)
		uris = append(uris, "s3://"+c.bucket+"/"+o.Key)
		if !req.Quiet {
			done = append(done, deleted{o.Key})
		}
	}
	c.s.mu.Unlock()
	c.call.Detail = strings.Join(uris, " ")
	if !ok {
		c.fail(noSuchBucket(c.bucket))
		return
	}
	c.xml(http.StatusOK, struct {
		XMLName xml.Name `xml:"DeleteResult"`
		NS      string   `xml:"xmlns,attr"`
		Deleted []deleted
	}{NS: s3NS, Deleted: done})
}

func (c *s3Call) headBucket() {
	c.s.mu.Lock()
	_, ok := c.s.s3.buckets[c.bucket]
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchBucket(c.bucket))
		return
	}
	c.w.Header().Set("X-Amz-Bucket-Region", Region)
	c.empty(http.StatusOK)
}

func (c *s3Call) getBucketLocation() {
	c.s.mu.Lock()
	_, ok := c.s.s3.buckets[c.bucket]
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchBucket(c.bucket))
		return
	}
	c.xml(http.StatusOK, struct {
		XMLName xml.Name `xml:"LocationConstraint"`
		NS      string   `xml:"xmlns,attr"`
		Region  string   `xml:",chardata"`
	}{NS: s3NS, Region: Region})
}

func (c *s3Call) createBucket() {
	c.s.mu.Lock()
	_, exists := c.s.s3.buckets[c.bucket]
	if !exists {
		c.s.s3.buckets[c.bucket] = map[string]*object{}
	}
	c.s.mu.Unlock()
	if exists {
		c.fail(errorf(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it."))
		return
	}
	c.w.Header().Set("Location", "/"+c.bucket)
	c.empty(http.StatusOK)
}

func (c *s3Call) deleteBucket() {
	c.s.mu.Lock()
	objs, ok := c.s.s3.buckets[c.bucket]
	empty := ok && len(objs) == 0
	if empty {
		delete(c.s.s3.buckets, c.bucket)
	}
	c.s.mu.Unlock()
	switch {
	case !ok:
		c.fail(noSuchBucket(c.bucket))
	case !empty:
		c.fail(errorf(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty"))
	default:
		c.empty(http.StatusNoContent)
	}
}

func (c *s3Call) createMultipartUpload() {
	c.s.mu.Lock()
	id := fmt.Sprintf("awsfake-upload-%d", c.s.nextID())
	c.s.s3.uploads[id] = &upload{bucket: c.bucket, key: c.key, parts: map[int][]byte{}}
	c.s.mu.Unlock()
	c.xml(http.StatusOK, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Bucket   string
		Key      string
		UploadID string `xml:"UploadId"`
	}{NS: s3NS, Bucket: c.bucket, Key: c.key, UploadID: id})
}

func noSuchUpload() *apiError {
	return errorf(http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

func (c *s3Call) uploadPart() {
	n, err := strconv.Atoi(c.q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		c.fail(errorf(http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"))
		return
	}
	data, e := c.body()
	if e != nil {
		c.fail(e)
		return
	}
	c.s.mu.Lock()
	u, ok := c.s.s3.uploads[c.q.Get("uploadId")]
	if ok {
		u.parts[n] = data
	}
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchUpload())
		return
	}
	c.w.Header().Set("ETag", etagOf(data))
	c.empty(http.StatusOK)
}

func (c *s3Call) abortMultipartUpload() {
	c.s.mu.Lock()
	_, ok := c.s.s3.uploads[c.q.Get("uploadId")]
	delete(c.s.s3.uploads, c.q.Get("uploadId"))
	c.s.mu.Unlock()
	if !ok {
		c.fail(noSuchUpload())
		return
	}
	c.empty(http.StatusNoContent)
}

// minPartSize is S3's smallest part but for the last one.
const minPartSize = 5 << 20

func (c *s3Call) completeMultipartUpload() {
	data, e := c.body()
	if e != nil {
		c.fail(e)
		return
	}
	var req struct {
		Parts []completedPart `xml:"Part"`
	}
	if err := xml.Unmarshal(data, &req); err != nil || len(req.Parts) == 0 {
		c.fail(errorf(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"))
		return
	}
	o, e := c.s.completeUpload(c.bucket, c.key, c.q.Get("uploadId"), req.Parts)
	if e != nil {
		c.fail(e)
		return
	}
	c.xml(http.StatusOK, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Location string
		Bucket   string
		Key      string
		ETag     string
	}{NS: s3NS, Location: c.s.URL + "/" + c.bucket + "/" + c.key, Bucket: c.bucket, Key: c.key, ETag: o.etag})
}

type completedPart struct {
	PartNumber int
	ETag       string
}

// completeUpload assembles an upload's parts into its object.
func (s *Server) completeUpload(bucket, key, id string, parts []completedPart) (*object, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.s3.uploads[id]
	if !ok || u.bucket != bucket || u.key != key {
		return nil, noSuchUpload()
	}
	var whole, sums []byte
	for i, p := range parts {
		part, ok := u.parts[p.PartNumber]
		if !ok || etagOf(part) != `"`+strings.Trim(p.ETag, `"`)+`"` {
			return nil, errorf(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		}
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return nil, errorf(http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.")
		}
		if i < len(parts)-1 && len(part) < minPartSize {
			return nil, errorf(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
		}
		whole = append(whole, part...)
		sum := md5.Sum(part)
		sums = append(sums, sum[:]...)
	}
	delete(s.s3.uploads, id)
	o := s.putObject(bucket, key, whole, "")
	sum := md5.Sum(sums)
	o.etag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sum[:]), len(parts))
	return o, nil
}
