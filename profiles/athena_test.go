package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The athena cases: each testdata/athena/*.txtar holds a profiles.yml, the
// args and env, and the decoded target or the errors as wanted (-update
// rewrites them).
func TestDecodeAthenaCases(t *testing.T) {
	cases, _ := filepath.Glob("testdata/athena/*.txtar")
	if len(cases) < 4 {
		t.Fatalf("found %d cases, want at least 4", len(cases))
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(tc), ".txtar"), func(t *testing.T) {
			names, content := readTxtar(t, tc)
			dir := t.TempDir()
			path := filepath.Join(dir, "profiles.yml")
			if err := os.WriteFile(path, []byte(content["profiles.yml"]), 0o600); err != nil {
				t.Fatal(err)
			}
			args, env := keyValues(content["args"]), keyValues(content["env"])
			got := decodeAthenaCase(path, args, env)
			got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
			for _, v := range env {
				if strings.Contains(v, "secret") && strings.Contains(got, v) {
					t.Errorf("output shows the secret %q:\n%s", v, got)
				}
			}
			if *update {
				content["want"] = got
				if !slices.Contains(names, "want") {
					names = append(names, "want")
				}
				var b strings.Builder
				for _, n := range names {
					fmt.Fprintf(&b, "-- %s --\n%s", n, content[n])
				}
				if err := os.WriteFile(tc, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != content["want"] {
				t.Errorf("got:\n%s\nwant:\n%s", got, content["want"])
			}
		})
	}
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
