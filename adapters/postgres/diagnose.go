package postgres

// Diagnose: the steps of connecting to a target, checked one at a time
// for gmodel debug, so that each missing piece gets a line of its own.

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/smithy-go"

	"github.com/gmodel/gmodel/profiles"
)

// Check is one step of connecting, as Diagnose found it.
type Check struct {
	Name string // "region", "AWS credentials", "secret", "IAM token", "CA file", "host", "TLS"
	// Info says what was found when the step passed; Err why it failed,
	// in one line that says what to do. Neither holds a secret.
	Info string
	Err  error
}

// Diagnose checks what connecting to p needs before the login, one step
// at a time: for targets that use AWS (method iam, password_secret) the
// region, the credentials of the standard chain and the secret or an IAM
// token; then the CA file, that the host answers and its TLS handshake.
// A step that depends on a failed one is left out. The login itself is
// New's: run it when every check passed.
func Diagnose(ctx context.Context, p *profiles.Postgres) []Check {
	return diagnose(ctx, p, nil)
}

func diagnose(ctx context.Context, p *profiles.Postgres, awsOpts []func(*config.LoadOptions) error) []Check {
	var checks []Check
	add := func(name, info string, err error) bool {
		checks = append(checks, Check{Name: name, Info: info, Err: err})
		return err == nil
	}
	if usesAWS(p) {
		checks = append(checks, diagnoseAWS(ctx, p, awsOpts)...)
	}
	caOK := true
	switch root := rootCertPath(p); {
	case root != "" && root != "system":
		n, err := CheckRootCert(root)
		caOK = add("CA file", fmt.Sprintf("%s (%d certificates)", root, n), err)
	case p.SSLMode == "verify-ca" || p.SSLMode == "verify-full":
		add("CA file", "none given: the system's trusted CAs (RDS's are not among them: set sslrootcert)", nil)
	}
	addr, err := dialHost(ctx, p)
	if !add("host", addr, err) || !caOK || p.SSLMode == "disable" {
		return checks
	}
	info, err := diagnoseTLS(ctx, p)
	add("TLS", info, err)
	return checks
}

// diagnoseAWS checks the region, the credentials and the secret or token.
func diagnoseAWS(ctx context.Context, p *profiles.Postgres, extra []func(*config.LoadOptions) error) []Check {
	cfg, err := awsConfig(ctx, p, extra)
	if err != nil {
		return []Check{{Name: "AWS config", Err: fmt.Errorf("%v; check AWS_PROFILE, 'aws_profile' and ~/.aws/config", err)}}
	}
	var checks []Check
	regionOK := cfg.Region != ""
	if regionOK {
		checks = append(checks, Check{Name: "region", Info: cfg.Region + " " + regionSource(p)})
	} else {
		checks = append(checks, Check{Name: "region", Err: errors.New("none: set 'region' in the target, or AWS_REGION, or region in the AWS profile")})
	}
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	creds, err := cfg.Credentials.Retrieve(rctx)
	cancel()
	if err != nil {
		checks = append(checks, Check{Name: "AWS credentials", Err: fmt.Errorf(
			"none found in the environment (AWS_ACCESS_KEY_ID), the shared config files (profile %s), SSO or an instance or task role; run `aws sso login`, or set AWS_PROFILE or 'aws_profile' (%v)",
			awsProfileName(p), shortAWSError(err))})
		return checks
	}
	info := credentialSource(creds.Source, p)
	if creds.CanExpire {
		info += fmt.Sprintf(", valid until %s", creds.Expires.UTC().Format("2006-01-02 15:04 UTC"))
	}
	checks = append(checks, Check{Name: "AWS credentials", Info: info})
	if !regionOK {
		return checks
	}
	if p.PasswordSecret != "" {
		user, _, err := fetchPassword(ctx, p, cfg)
		c := Check{Name: "secret"}
		switch {
		case err != nil:
			c.Err = secretError(p, err)
		case user == "" && p.User == "":
			c.Err = fmt.Errorf("%q is readable but has no \"username\", and the target no 'user': set 'user'", p.PasswordSecret)
		case user != "":
			c.Info = fmt.Sprintf("%q is readable (RDS JSON with username %q and a password)", p.PasswordSecret, user)
		default:
			c.Info = fmt.Sprintf("%q is readable (a string: the password)", p.PasswordSecret)
		}
		checks = append(checks, c)
	}
	if p.Method == profiles.MethodIAM {
		endpoint := net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
		c := Check{Name: "IAM token"}
		if _, err := auth.BuildAuthToken(ctx, endpoint, cfg.Region, p.User, cfg.Credentials); err != nil {
			c.Err = fmt.Errorf("cannot sign a token for %s as %s: %v", endpoint, p.User, err)
		} else {
			c.Info = fmt.Sprintf("signed for %s as %s in %s (valid 15 minutes; the server checks it at login)", endpoint, p.User, cfg.Region)
		}
		checks = append(checks, c)
	}
	return checks
}

func regionSource(p *profiles.Postgres) string {
	switch {
	case p.Region != "":
		return "(from the target's 'region')"
	case os.Getenv("AWS_REGION") != "":
		return "(from AWS_REGION)"
	case os.Getenv("AWS_DEFAULT_REGION") != "":
		return "(from AWS_DEFAULT_REGION)"
	}
	return "(from the AWS profile " + awsProfileName(p) + ")"
}

func awsProfileName(p *profiles.Postgres) string {
	switch {
	case p.AWSProfile != "":
		return p.AWSProfile
	case os.Getenv("AWS_PROFILE") != "":
		return os.Getenv("AWS_PROFILE")
	}
	return "default"
}

// credentialSource names where the chain found the credentials, never
// the credentials.
func credentialSource(source string, p *profiles.Postgres) string {
	profile := " (profile " + awsProfileName(p) + ")"
	switch {
	case source == config.CredentialsSourceName:
		return "from the environment (AWS_ACCESS_KEY_ID)"
	case strings.HasPrefix(source, "SharedConfigCredentials: "):
		return "from " + strings.TrimPrefix(source, "SharedConfigCredentials: ") + profile
	case source == ssocreds.ProviderName:
		return "from AWS SSO" + profile
	case source == stscreds.ProviderName:
		return "by assuming a role" + profile
	case source == stscreds.WebIdentityProviderName:
		return "from a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)"
	case source == processcreds.ProviderName:
		return "from a credential_process" + profile
	case source == ec2rolecreds.ProviderName:
		return "from the EC2 instance's role"
	case source == endpointcreds.ProviderName:
		return "from the container's task role"
	case source == "":
		return "found"
	}
	return "from " + source
}

// shortAWSError is the SDK's error without its request details.
func shortAWSError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// secretError says what the IAM identity needs to read the secret.
func secretError(p *profiles.Postgres, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	what := ""
	switch ae.ErrorCode() {
	case "AccessDeniedException":
		what = "; allow secretsmanager:GetSecretValue on it (and kms:Decrypt on its key when it is a customer managed key)"
	case "ResourceNotFoundException":
		what = "; check the id or ARN, and the region"
	}
	return fmt.Errorf("cannot read %q from AWS Secrets Manager: %s: %s%s", p.PasswordSecret, ae.ErrorCode(), ae.ErrorMessage(), what)
}

// dialHost opens a TCP connection to the target and says what answered.
func dialHost(ctx context.Context, p *profiles.Postgres) (string, error) {
	addr := net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
	d := net.Dialer{Timeout: time.Duration(p.ConnectTimeout) * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr):
			return "", fmt.Errorf("unknown host %s: check 'host' (for RDS, the instance's endpoint)", p.Host)
		case isTimeout(err):
			return "", fmt.Errorf("%s did not answer within %ds: check that the security group lets your address in on port %d, and that the instance is publicly accessible or you are in its VPC", addr, p.ConnectTimeout, p.Port)
		}
		return "", fmt.Errorf("%s: %s; is the server running and accepting TCP/IP connections on port %d?", addr, connectReason(err), p.Port)
	}
	defer conn.Close()
	return fmt.Sprintf("%s answers (%s)", addr, conn.RemoteAddr()), nil
}

// diagnoseTLS asks the server for TLS as libpq does (SSLRequest) and runs
// the handshake with the TLS settings pgx will use.
func diagnoseTLS(ctx context.Context, p *profiles.Postgres) (string, error) {
	cfg, err := poolConfig(p, 1)
	if err != nil {
		return "", err
	}
	tlsCfg := cfg.ConnConfig.TLSConfig
	if tlsCfg == nil { // allow: pgx tries without TLS first
		return fmt.Sprintf("off (sslmode %s)", p.SSLMode), nil
	}
	d := net.Dialer{Timeout: time.Duration(p.ConnectTimeout) * time.Second}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(p.Host, strconv.Itoa(p.Port)))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else if p.ConnectTimeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(time.Duration(p.ConnectTimeout) * time.Second))
	}
	if err := binary.Write(conn, binary.BigEndian, []int32{8, 80877103}); err != nil {
		return "", err
	}
	answer := make([]byte, 1)
	if _, err := io.ReadFull(conn, answer); err != nil {
		return "", err
	}
	mode := p.SSLMode
	if mode == "" {
		mode = "prefer"
	}
	if answer[0] != 'S' {
		if slices.Contains(tlsModes, mode) {
			msg, _ := tlsFailure(errors.New("server refused TLS connection"), p)
			return "", errors.New(msg)
		}
		return fmt.Sprintf("off: the server does not offer TLS (sslmode %s goes on without it)", mode), nil
	}
	tc := tls.Client(conn, tlsCfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		if msg, ok := tlsFailure(err, p); ok {
			return "", errors.New(msg)
		}
		return "", fmt.Errorf("TLS handshake: %v", err)
	}
	version := tls.VersionName(tc.ConnectionState().Version)
	switch mode {
	case "verify-full":
		return fmt.Sprintf("%s, certificate verified for host %s (sslmode verify-full)", version, p.Host), nil
	case "verify-ca":
		return fmt.Sprintf("%s, certificate chain verified, host name not checked (sslmode verify-ca)", version), nil
	case "require":
		if rootCertPath(p) != "" {
			return fmt.Sprintf("%s, certificate chain verified (sslmode require with a CA file), host name not checked", version), nil
		}
	}
	return fmt.Sprintf("%s, certificate not verified (sslmode %s; use verify-full with sslrootcert)", version, mode), nil
}
