package profiles

import (
	"fmt"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The athena cases: each testdata/athena/*.txtar holds a profiles.yml, the
// args and env, and the decoded target or the errors as wanted.
func TestDecodeAthenaCases(t *testing.T) {
	txtarCases(t, "testdata/athena/*.txtar", 4, decodeAthenaCase)
}

func decodeAthenaCase(path string, args, env map[string]string) string {
	t, err := Load(path, args["profile"], args["target"], fakeRender(env))
	if err != nil {
		return "ERROR\n" + err.Error() + "\n"
	}
	a, err := DecodeAthena(t)
	if err != nil {
		return "ERROR\n" + err.Error() + "\n"
	}
	return fmt.Sprintf("athena %+v\nsecret lengths %d %d %d\n", *a,
		len(a.AWSAccessKeyID.Reveal()), len(a.AWSSecretAccessKey.Reveal()), len(a.AWSSessionToken.Reveal()))
}

func TestDecodeAthenaWrongType(t *testing.T) {
	_, err := DecodeAthena(&Target{Name: "dev", Type: "postgres", File: "profiles.yml", Node: &yaml.Node{Kind: yaml.MappingNode}})
	if err == nil || !strings.Contains(err.Error(), "target 'dev' is of type 'postgres', not athena") {
		t.Errorf("err = %v", err)
	}
}

func TestS3Dir(t *testing.T) {
	for in, want := range map[string]string{
		"s3://bucket":              "s3://bucket/",
		"s3://bucket/":             "s3://bucket/",
		"s3://bucket/a/b":          "s3://bucket/a/b/",
		"s3://my.bucket-1/a/b/":    "s3://my.bucket-1/a/b/",
		"https://bucket/a":         "ERROR must start with s3://",
		"s3://B/a":                 "ERROR does not name a valid S3 bucket",
		"s3://a..b/x":              "ERROR does not name a valid S3 bucket",
		"s3:///key":                "ERROR does not name a valid S3 bucket",
		"s3://bucket/a//b":         "ERROR has an empty path segment (//)",
		"s3://bucket-with-dash-/x": "ERROR does not name a valid S3 bucket",
	} {
		got, err := S3Dir(in)
		if err != nil {
			got = "ERROR " + err.Error()
		}
		if got != want {
			t.Errorf("S3Dir(%q) = %q, want %q", in, got, want)
		}
	}
}
