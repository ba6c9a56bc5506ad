package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gmodel/gmodel/adapters/postgres/smfake"
)

func TestDebugFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *debugOptions
	cmd := newCmdDebug(f, &globalOptions{}, func(o *debugOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--config-dir"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.ConfigDir {
		t.Errorf("parsed %+v", got)
	}
}

// closedPort is a local TCP port with nothing listening.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

const debugSecret = "s3cret-debug-never-printed"

func TestDebug(t *testing.T) {
	dir := initProject(t, "shop")
	profile := fmt.Sprintf(`shop:
  target: dev
  outputs:
    dev:
      type: postgres
      host: 127.0.0.1
      port: %d
      user: alice
      password: "{{ env_var('SHOP_PASSWORD') }}"
      dbname: shop
      schema: analytics
      threads: 3
      connect_timeout: 5
`, closedPort(t))
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"refused", nil, ExitFailure, []string{
			"gmodel version: " + Version, "go version: go",
			"project file: " + filepath.Join(dir, "dbt_project.yml"), "project name: shop",
			"profiles.yml: " + filepath.Join(dir, "profiles.yml"), "profile: shop", "target: dev",
			"type:     postgres", "host:     127.0.0.1", "user:     alice", "password: ******",
			"database: shop", "schema:   analytics", "threads:  3",
			"host: ERROR 127.0.0.1:", "connection refused; is the server running",
			"Connection test: skipped", "1 check failed: host"}},
		{"threads flag", []string{"--threads", "7"}, ExitFailure, []string{"threads:  7"}},
		{"config dir", []string{"--config-dir"}, ExitOK, []string{"profiles.yml is in " + dir}},
		{"unknown target", []string{"--target", "nosuch"}, ExitError, []string{"profile: shop", "target: ERROR", "nosuch"}},
		{"no project", []string{"--project-dir", filepath.Join(dir, "nosuch")}, ExitError, []string{"does not exist"}},
	} {
		f, out, errb := testFactory()
		f.LookupEnv = func(k string) (string, bool) {
			if k == "SHOP_PASSWORD" {
				return debugSecret, true
			}
			return "", false
		}
		args := append([]string{"debug", "--project-dir", dir}, tc.args...)
		code := MainWith(context.Background(), f, args)
		all := out.String() + errb.String()
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d:\n%s", tc.name, code, tc.code, all)
		}
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, all)
			}
		}
		if strings.Contains(all, debugSecret) {
			t.Errorf("%s: the password is in the output:\n%s", tc.name, all)
		}
	}
}

// TestDebugAWS: the RDS checks, one line each, through the real AWS
// chain (environment variables) and a fake Secrets Manager.
func TestDebugAWS(t *testing.T) {
	const awsKey = "aws-secret-key-never-printed"
	sm := smfake.New(t, map[string]*string{"prod/db": aws.String(`{"username":"app","password":"` + debugSecret + `"}`)})
	sm.Deny("prod/other")
	dir := initProject(t, "shop")
	profile := fmt.Sprintf(`shop:
  target: aws
  outputs:
    aws:
      type: postgres
      host: 127.0.0.1
      port: %[1]d
      password_secret: "{{ env_var('SECRET_ID', 'prod/db') }}"
      dbname: shop
      schema: analytics
      connect_timeout: 5
      sslmode: verify-full
      sslrootcert: /nonexistent/rds-global-bundle.pem
    iam:
      type: postgres
      method: iam
      host: 127.0.0.1
      port: %[1]d
      user: gmodel
      dbname: shop
      schema: analytics
      sslmode: verify-full
      sslrootcert: /nonexistent/rds-global-bundle.pem
`, closedPort(t))
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profile), 0o644); err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDDEBUGTEST", "AWS_SECRET_ACCESS_KEY": awsKey, "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": sm.URL}
	for _, tc := range []struct {
		name   string
		target string
		env    map[string]string
		lookup map[string]string
		want   []string
	}{
		{"secret", "aws", creds, nil, []string{
			"password: (from AWS Secrets Manager: prod/db)",
			"sslrootcert: /nonexistent/rds-global-bundle.pem",
			"region: OK eu-west-1 (from AWS_REGION)",
			"AWS credentials: OK from the environment (AWS_ACCESS_KEY_ID)",
			`secret: OK "prod/db" is readable (RDS JSON with username "app" and a password)`,
			"CA file: ERROR cannot read sslrootcert /nonexistent/rds-global-bundle.pem: no such file; for Amazon RDS, download the RDS CA bundle",
			"host: ERROR 127.0.0.1:", "connection refused",
			"Connection test: skipped",
			"2 checks failed: CA file, host", "user:     (from the secret)"}},
		{"secret denied", "aws", creds, map[string]string{"SECRET_ID": "prod/other"}, []string{
			`secret: ERROR cannot read "prod/other" from AWS Secrets Manager: AccessDeniedException:`,
			"allow secretsmanager:GetSecretValue on it (and kms:Decrypt on its key when it is a customer managed key)",
			"checks failed: secret, CA file, host"}},
		{"iam without credentials or region", "iam", nil, nil, []string{
			"password: (an RDS IAM token for each connection: method iam)",
			"region: ERROR none: set 'region' in the target, or AWS_REGION, or region in the AWS profile",
			"AWS credentials: ERROR none found in the environment (AWS_ACCESS_KEY_ID), the shared config files (profile default), SSO or an instance or task role",
			"4 checks failed: region, AWS credentials, CA file, host"}},
		{"iam", "iam", creds, nil, []string{
			"IAM token: OK signed for 127.0.0.1:", "as gmodel in eu-west-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			smfake.SetEnv(t, tc.env)
			f, out, errb := testFactory()
			f.LookupEnv = func(k string) (string, bool) { v, ok := tc.lookup[k]; return v, ok }
			code := MainWith(context.Background(), f, []string{"debug", "--project-dir", dir, "--target", tc.target})
			all := out.String() + errb.String()
			if code != ExitFailure {
				t.Errorf("exit %d, want %d:\n%s", code, ExitFailure, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, leak := range []string{debugSecret, awsKey, "AKIDDEBUGTEST", "X-Amz-Signature"} {
				if strings.Contains(all, leak) {
					t.Errorf("the output shows %q:\n%s", leak, all)
				}
			}
		})
	}
}
