package postgres

// Amazon RDS: IAM database authentication and passwords from AWS Secrets
// Manager. Both take their AWS credentials from the standard chain
// (environment, shared config and SSO profiles, instance or task role).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

// usesAWS reports whether the target needs AWS credentials.
func usesAWS(p *profiles.Postgres) bool {
	return p.Method == profiles.MethodIAM || p.PasswordSecret != ""
}

// loadAWSConfig loads the standard AWS chain with the target's region and
// profile. extra comes after them, so that tests can point the clients at
// a fake endpoint with static credentials.
func loadAWSConfig(ctx context.Context, p *profiles.Postgres, extra []func(*config.LoadOptions) error) (aws.Config, error) {
	cfg, err := awsConfig(ctx, p, extra)
	if err != nil {
		return aws.Config{}, awsError(p, "loading the AWS configuration", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, &adapters.Error{Code: adapters.Connect,
			Msg:  fmt.Sprintf("postgres target %s: no AWS region", where(p)),
			Hint: "set 'region' in the target, or AWS_REGION, or a region in the AWS profile"}
	}
	return cfg, nil
}

// awsConfig is loadAWSConfig without the region check.
func awsConfig(ctx context.Context, p *profiles.Postgres, extra []func(*config.LoadOptions) error) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if p.Region != "" {
		opts = append(opts, config.WithRegion(p.Region))
	}
	if p.AWSProfile != "" {
		opts = append(opts, config.WithSharedConfigProfile(p.AWSProfile))
	}
	return config.LoadDefaultConfig(ctx, append(opts, extra...)...)
}

func awsError(p *profiles.Postgres, doing string, err error) error {
	return &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("postgres target %s: %s: %v", where(p), doing, err), Err: err}
}

// rdsSecret is the JSON of an RDS-managed secret (other keys ignored).
type rdsSecret struct {
	Username string  `json:"username"`
	Password *string `json:"password"`
}

// fetchPassword reads the target's password_secret once. A JSON object
// secret must have a "password" (RDS-managed secrets also give the
// username); any other string is the password itself. No error quotes the
// secret's value.
func fetchPassword(ctx context.Context, p *profiles.Postgres, cfg aws.Config, opts ...func(*secretsmanager.Options)) (user string, password profiles.Secret, err error) {
	client := secretsmanager.NewFromConfig(cfg, opts...)
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(p.PasswordSecret)})
	if err != nil {
		return "", "", awsError(p, fmt.Sprintf("reading secret %q from AWS Secrets Manager", p.PasswordSecret), err)
	}
	if out.SecretString == nil {
		return "", "", &adapters.Error{Code: adapters.Connect,
			Msg: fmt.Sprintf("postgres target %s: secret %q is binary; gmodel reads a string or RDS's JSON {\"username\", \"password\"}", where(p), p.PasswordSecret)}
	}
	s := *out.SecretString
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		var js rdsSecret
		// A password that merely starts with "{" is not JSON: it is taken
		// as the password below.
		if json.Unmarshal([]byte(s), &js) == nil {
			if js.Password == nil {
				return "", "", &adapters.Error{Code: adapters.Connect,
					Msg: fmt.Sprintf("postgres target %s: secret %q is JSON without a \"password\" key", where(p), p.PasswordSecret)}
			}
			return js.Username, profiles.Secret(*js.Password), nil
		}
	}
	return "", profiles.Secret(s), nil
}

// iamBeforeConnect returns a pgxpool BeforeConnect that sets a fresh RDS
// IAM token as the password of every new connection: a token is valid for
// 15 minutes, and a long run keeps opening connections.
func iamBeforeConnect(p *profiles.Postgres, region string, creds aws.CredentialsProvider) func(context.Context, *pgx.ConnConfig) error {
	endpoint := net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
	return func(ctx context.Context, cc *pgx.ConnConfig) error {
		token, err := auth.BuildAuthToken(ctx, endpoint, region, cc.User, creds)
		if err != nil {
			return fmt.Errorf("building an RDS IAM token for %s as %s: %w", endpoint, cc.User, err)
		}
		cc.Password = token
		return nil
	}
}

// setupAWS resolves the target's AWS settings before the pool is built:
// the secret's user and password are filled into p (a copy of the
// target), and for method iam the returned hook makes each connection's
// token.
func setupAWS(ctx context.Context, p *profiles.Postgres, extra []func(*config.LoadOptions) error) (func(context.Context, *pgx.ConnConfig) error, error) {
	if !usesAWS(p) {
		return nil, nil
	}
	if p.Method == profiles.MethodIAM && p.Password.Reveal() != "" {
		return nil, &adapters.Error{Code: adapters.Connect, Msg: fmt.Sprintf("postgres target %s: 'password' cannot be used with 'method: iam'", where(p))}
	}
	cfg, err := loadAWSConfig(ctx, p, extra)
	if err != nil {
		return nil, err
	}
	if p.PasswordSecret != "" {
		user, pw, err := fetchPassword(ctx, p, cfg)
		if err != nil {
			return nil, err
		}
		if p.User == "" {
			p.User = user
		}
		if p.User == "" {
			return nil, &adapters.Error{Code: adapters.Connect,
				Msg:  fmt.Sprintf("postgres target %s: no user: the target has no 'user' and secret %q no \"username\"", where(p), p.PasswordSecret),
				Hint: "set 'user' in the target"}
		}
		p.Password = pw
		return nil, nil
	}
	return iamBeforeConnect(p, cfg.Region, cfg.Credentials), nil
}
