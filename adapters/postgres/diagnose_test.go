package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// lines renders checks as gmodel debug prints them.
func lines(checks []Check) string {
	var b strings.Builder
	for _, c := range checks {
		if c.Err != nil {
			fmt.Fprintf(&b, "%s: ERROR %v\n", c.Name, c.Err)
		} else {
			fmt.Fprintf(&b, "%s: OK %s\n", c.Name, c.Info)
		}
	}
	return b.String()
}

func TestDiagnose(t *testing.T) {
	db := pgtest.NewTLS(t)
	js, _ := json.Marshal(map[string]string{"username": db.User, "password": db.Password})
	f, opts := fakeAWS(t, map[string]*string{"rds!db": aws.String(string(js)), "plain": aws.String(secret)})
	f.Deny("denied")
	noCreds := append(append([]func(*config.LoadOptions) error{}, opts...), config.WithCredentialsProvider(aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{}, errors.New("no EC2 IMDS role found")
		})))
	noRegion := append(append([]func(*config.LoadOptions) error{}, opts...), config.WithRegion(""))

	secretTarget := func(p *profiles.Postgres) {
		p.User, p.Password, p.PasswordSecret, p.Region = "", "", "rds!db", "eu-west-1"
	}
	iamTarget := func(p *profiles.Postgres) { p.Password, p.Method = "", profiles.MethodIAM }
	tests := []struct {
		name string
		edit func(p *profiles.Postgres)
		opts []func(*config.LoadOptions) error
		want string // the lines, with PORT and CA for db's
	}{
		{"secret, verify-full", secretTarget, opts, `region: OK eu-west-1 (from the target's 'region')
AWS credentials: OK from StaticCredentials
secret: OK "rds!db" is readable (RDS JSON with username "postgres" and a password)
CA file: OK CA (1 certificates)
host: OK localhost:PORT answers (127.0.0.1:PORT)
TLS: OK TLS 1.3, certificate verified for host localhost (sslmode verify-full)
`},
		{"iam", iamTarget, opts, `region: OK eu-west-1 (from the AWS profile default)
AWS credentials: OK from StaticCredentials
IAM token: OK signed for localhost:PORT as postgres in eu-west-1 (valid 15 minutes; the server checks it at login)
CA file: OK CA (1 certificates)
host: OK localhost:PORT answers (127.0.0.1:PORT)
TLS: OK TLS 1.3, certificate verified for host localhost (sslmode verify-full)
`},
		{"no credentials", iamTarget, noCreds, `region: OK eu-west-1 (from the AWS profile default)
AWS credentials: ERROR none found in the environment (AWS_ACCESS_KEY_ID), the shared config files (profile default), SSO or an instance or task role; run ` + "`aws sso login`" + `, or set AWS_PROFILE or 'aws_profile' (failed to refresh cached credentials, no EC2 IMDS role found)
CA file: OK CA (1 certificates)
host: OK localhost:PORT answers (127.0.0.1:PORT)
TLS: OK TLS 1.3, certificate verified for host localhost (sslmode verify-full)
`},
		{"no region", iamTarget, noRegion, `region: ERROR none: set 'region' in the target, or AWS_REGION, or region in the AWS profile
AWS credentials: OK from StaticCredentials
`},
		{"secret denied", func(p *profiles.Postgres) { secretTarget(p); p.PasswordSecret = "denied" }, opts,
			`secret: ERROR cannot read "denied" from AWS Secrets Manager: AccessDeniedException: User: arn:aws:iam::123456789012:user/test is not authorized to perform: secretsmanager:GetSecretValue on resource: denied; allow secretsmanager:GetSecretValue on it (and kms:Decrypt on its key when it is a customer managed key)
`},
		{"secret missing", func(p *profiles.Postgres) { secretTarget(p); p.PasswordSecret = "nosuch" }, opts,
			`secret: ERROR cannot read "nosuch" from AWS Secrets Manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.; check the id or ARN, and the region
`},
		{"secret without user", func(p *profiles.Postgres) { secretTarget(p); p.PasswordSecret = "plain" }, opts,
			`secret: ERROR "plain" is readable but has no "username", and the target no 'user': set 'user'
`},
		{"wrong CA", func(p *profiles.Postgres) { p.SSLRootCert = db.OtherCAFile }, nil,
			"TLS: ERROR TLS: the server's certificate is not signed by a CA of sslrootcert " + db.OtherCAFile + " (sslmode verify-full); " + caAdvice + "\n"},
		{"host not in the certificate", func(p *profiles.Postgres) { p.Host = db.IPHost }, nil,
			"host: OK 127.0.0.1:PORT answers (127.0.0.1:PORT)\nTLS: ERROR TLS: the server's certificate is for localhost, not for host 127.0.0.1 (sslmode verify-full); set 'host' to a name in the certificate (for RDS, the endpoint's name, not an IP address or an alias of your own), or use sslmode verify-ca\n"},
		{"missing CA file", func(p *profiles.Postgres) { p.SSLRootCert = "/nonexistent/ca.pem" }, nil,
			"CA file: ERROR cannot read sslrootcert /nonexistent/ca.pem: no such file; " + caAdvice + "\nhost: OK localhost:PORT answers (127.0.0.1:PORT)\n"},
		{"require", func(p *profiles.Postgres) { p.SSLMode, p.SSLRootCert = "require", "" }, nil,
			"host: OK localhost:PORT answers (127.0.0.1:PORT)\nTLS: OK TLS 1.3, certificate not verified (sslmode require; use verify-full with sslrootcert)\n"},
		{"refused", func(p *profiles.Postgres) { p.Port = freePort(t) }, nil,
			"host: ERROR localhost:PORT: connection refused; is the server running and accepting TCP/IP connections on port PORT?\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOME", t.TempDir()) // no ~/.postgresql/root.crt
			t.Setenv("PGSSLROOTCERT", "")
			for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"} {
				t.Setenv(k, "")
			}
			p := profile(&db.DB)
			p.SSLMode, p.SSLRootCert = "verify-full", db.CAFile
			tc.edit(p)
			got := lines(diagnose(context.Background(), p, tc.opts))
			want := strings.NewReplacer("PORT", fmt.Sprint(p.Port), "CA (", db.CAFile+" (").Replace(tc.want)
			if !strings.Contains(got, want) {
				t.Errorf("checks:\n%s\nwant them to hold:\n%s", got, want)
			}
			for _, leak := range []string{db.Password, secret, "test-secret-key", "AKIDTEST"} {
				if strings.Contains(got, leak) {
					t.Errorf("the checks show %q:\n%s", leak, got)
				}
			}
		})
	}
}
