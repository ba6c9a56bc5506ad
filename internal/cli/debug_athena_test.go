package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/internal/awsfake"
)

const awsSecret = "aws-secret-key-never-printed"

// debug --target athena against the fake: each missing thing is one line
// saying so; no secret is printed.
func TestDebugAthena(t *testing.T) {
	// The SDK reads the process environment: no credentials from it, and
	// no instance metadata service to wait for.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	s := awsfake.New(t)
	s.PollsUntilDone = 1
	s.CreateBucket("results")
	s.OnSelect(func(string) (*awsfake.Result, error) {
		return &awsfake.Result{Columns: []awsfake.Col{{Name: "_col0", Type: "integer"}}, Rows: [][]*string{awsfake.Row(1)}}, nil
	})
	dir := initProject(t, "shop")
	keys := fmt.Sprintf(`
      aws_access_key_id: AKIDEXAMPLE
      aws_secret_access_key: %s`, awsSecret)
	profile := func(name, extra string) string {
		return fmt.Sprintf(`
    %s:
      type: athena
      s3_staging_dir: s3://results/athena/
      s3_data_dir: s3://data-bucket/warehouse/
      schema: analytics
      poll_interval: 0.001
      num_retries: 0
      endpoint_url: %s%s`, name, s.URL, extra)
	}
	yml := "shop:\n  target: ok\n  outputs:" +
		profile("ok", "\n      region_name: eu-west-1"+keys) +
		profile("noregion", keys) +
		profile("nocreds", "\n      region_name: eu-west-1") +
		profile("nowg", "\n      region_name: eu-west-1\n      work_group: nosuch"+keys) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target string
		code   int
		want   []string
	}{
		{"ok", ExitFailure, []string{"region: OK eu-west-1", "credentials: OK from StaticCredentials", "work_group: OK primary",
			"s3_staging_dir bucket: OK results reachable", "s3_data_dir bucket: ERROR bucket data-bucket does not exist",
			"aws_secret_access_key: ******", "1 check failed"}},
		{"noregion", ExitFailure, []string{"region: ERROR none: set region_name in the target, or AWS_REGION"}},
		{"nocreds", ExitFailure, []string{"credentials: ERROR none found"}},
		{"nowg", ExitFailure, []string{"work_group: ERROR", "nosuch"}},
	} {
		f, out, errb := testFactory()
		code := MainWith(context.Background(), f, []string{"debug", "--project-dir", dir, "--target", tc.target})
		all := out.String() + errb.String()
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.target, code, tc.code, all)
		}
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.target, w, all)
			}
		}
		if strings.Contains(all, awsSecret) || strings.Contains(all, "AKIDEXAMPLE") {
			t.Errorf("%s: a key is in the output:\n%s", tc.target, all)
		}
	}
	// All there: every check passes, a query runs.
	s.CreateBucket("data-bucket")
	f, out, _ := testFactory()
	if code := MainWith(context.Background(), f, []string{"debug", "--project-dir", dir}); code != ExitOK || !strings.Contains(out.String(), "query: OK select 1 ran") || !strings.Contains(out.String(), "All checks passed!") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
