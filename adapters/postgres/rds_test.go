package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/postgres/smfake"
	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// fakeAWS starts a fake Secrets Manager and returns the config options
// that point the real SDK clients at it, with static credentials and no
// shared config files, so that nothing of the machine's AWS setup is used.
func fakeAWS(t *testing.T, secrets map[string]*string) (*smfake.Server, []func(*config.LoadOptions) error) {
	t.Helper()
	f := smfake.New(t, secrets)
	return f, []func(*config.LoadOptions) error{
		config.WithRegion("eu-west-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret-key", "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithBaseEndpoint(f.URL),
		config.WithRetryMaxAttempts(1),
	}
}

func TestSecretsManagerPassword(t *testing.T) {
	tests := []struct {
		name     string
		secret   *string
		user     string // in the profile
		wantUser string
		wantErr  string
	}{
		{name: "rds json", secret: aws.String(`{"username":"app","password":"` + secret + `","engine":"postgres"}`), wantUser: "app"},
		{name: "json keeps the profile's user", secret: aws.String(`{"username":"app","password":"` + secret + `"}`), user: "me", wantUser: "me"},
		{name: "plain string", secret: aws.String(secret), user: "me", wantUser: "me"},
		{name: "brace password", secret: aws.String("{" + secret), user: "me", wantUser: "me"},
		{name: "plain string no user", secret: aws.String(secret), wantErr: `no user: the target has no 'user' and secret "db" no "username"`},
		{name: "json without password", secret: aws.String(`{"user":"app","pass":"` + secret + `"}`), user: "me", wantErr: `secret "db" is JSON without a "password" key`},
		{name: "binary", secret: nil, user: "me", wantErr: `secret "db" is binary`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, opts := fakeAWS(t, map[string]*string{"db": tc.secret})
			p := &profiles.Postgres{Host: "db.example.com", Port: 5432, User: tc.user, Database: "d", PasswordSecret: "db", Method: profiles.MethodPassword}
			hook, err := setupAWS(context.Background(), p, opts)
			if f.Calls() != 1 {
				t.Errorf("GetSecretValue called %d times, want 1", f.Calls())
			}
			if hook != nil {
				t.Error("a password target got a BeforeConnect hook")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				for _, s := range errorTexts(err) {
					if strings.Contains(s, secret) {
						t.Errorf("error shows the secret: %s", s)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := secret
			if tc.name == "brace password" {
				want = "{" + secret
			}
			if p.User != tc.wantUser || p.Password.Reveal() != want {
				t.Errorf("user %q password %q, want %q %q", p.User, p.Password.Reveal(), tc.wantUser, want)
			}
		})
	}
}

func TestSecretsManagerErrors(t *testing.T) {
	_, opts := fakeAWS(t, map[string]*string{})
	p := &profiles.Postgres{Host: "db.example.com", Port: 5432, User: "u", Database: "d", PasswordSecret: "prod/missing", Method: profiles.MethodPassword}
	_, err := setupAWS(context.Background(), p, opts)
	var ae *adapters.Error
	if !errors.As(err, &ae) || ae.Code != adapters.Connect ||
		!strings.Contains(err.Error(), `reading secret "prod/missing" from AWS Secrets Manager`) ||
		!strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("err = %v", err)
	}
	for _, s := range errorTexts(err) {
		if strings.Contains(s, "test-secret-key") {
			t.Errorf("error shows the AWS secret key: %s", s)
		}
	}
}

// TestNewWithSecret connects to a real server with the password read
// from the fake Secrets Manager, once for the adapter's life.
func TestNewWithSecret(t *testing.T) {
	db := pgtest.New(t)
	js, _ := json.Marshal(map[string]string{"username": db.User, "password": db.Password})
	f, opts := fakeAWS(t, map[string]*string{"rds!db-1": aws.String(string(js)), "wrong": aws.String(`{"username":"` + db.User + `","password":"` + secret + `"}`)})
	p := profile(db)
	p.User, p.Password, p.PasswordSecret = "", "", "rds!db-1"
	var log bytes.Buffer
	ctx := context.Background()
	a, err := newAdapter(ctx, p, adapters.Options{Threads: 2, Log: &log}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 3 {
		if _, err := a.pool.Exec(ctx, "select 1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Calls(); n != 1 {
		t.Errorf("GetSecretValue called %d times, want 1", n)
	}
	if p.User != "" || p.Password != "" {
		t.Error("New changed the caller's profile")
	}

	p.PasswordSecret = "wrong"
	_, err = newAdapter(ctx, p, adapters.Options{Threads: 1, Log: &log}, opts)
	if err == nil {
		t.Fatal("connected with a wrong password")
	}
	for _, s := range append(errorTexts(err), log.String()) {
		if strings.Contains(s, secret) || strings.Contains(s, db.Password) {
			t.Errorf("error or log shows the secret: %s", s)
		}
	}
}

// countingCreds counts the retrievals of static credentials: one per
// token built.
type countingCreds struct {
	n atomic.Int32
	aws.CredentialsProvider
}

func (c *countingCreds) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c.n.Add(1)
	return c.CredentialsProvider.Retrieve(ctx)
}

func iamProfile() *profiles.Postgres {
	return &profiles.Postgres{Type: "postgres", Method: profiles.MethodIAM, Host: "db.abc123.eu-west-1.rds.amazonaws.com", Port: 5432,
		User: "gmodel", Database: "analytics", SSLMode: "require", ConnectTimeout: 10, Retries: 1, ApplicationName: "gmodel"}
}

func TestIAMTokenPerConnection(t *testing.T) {
	p := iamProfile()
	creds := &countingCreds{CredentialsProvider: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret-key", "")}
	hook := iamBeforeConnect(p, "eu-west-1", creds)
	poolCfg, err := poolConfig(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for i := range 2 {
		if i > 0 {
			time.Sleep(1100 * time.Millisecond) // X-Amz-Date has a one-second resolution
		}
		cc := poolCfg.ConnConfig.Copy() // as pgxpool hands BeforeConnect a copy
		if err := hook(context.Background(), cc); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, cc.Password)
	}
	if creds.n.Load() != 2 {
		t.Errorf("credentials retrieved %d times, want one per connection", creds.n.Load())
	}
	if tokens[0] == tokens[1] {
		t.Error("two connections got the same token")
	}
	var dates []string
	for _, tok := range tokens {
		// Older SDKs wrote "host:port/?Action=...", this one "host:port?Action=...".
		prefix := "db.abc123.eu-west-1.rds.amazonaws.com:5432?Action=connect&DBUser=gmodel&X-Amz-"
		if !strings.HasPrefix(strings.Replace(tok, "/?", "?", 1), prefix) {
			t.Fatalf("token %q does not start with %q", tok, prefix)
		}
		q, err := url.ParseQuery(strings.SplitN(tok, "?", 2)[1])
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" || q.Get("X-Amz-Expires") != "900" || q.Get("X-Amz-Signature") == "" ||
			!strings.HasPrefix(q.Get("X-Amz-Credential"), "AKIDTEST/") || !strings.HasSuffix(q.Get("X-Amz-Credential"), "/eu-west-1/rds-db/aws4_request") {
			t.Errorf("token query %v", q)
		}
		if strings.Contains(tok, "test-secret-key") {
			t.Error("the token holds the secret key")
		}
		dates = append(dates, q.Get("X-Amz-Date"))
	}
	if dates[0] >= dates[1] {
		t.Errorf("token dates %v, want the second later", dates)
	}
}

// TestIAMSetup checks that method iam yields the hook, with the region of
// the AWS config, and that the hook is what New's pool and dedicated
// connections call.
func TestIAMSetup(t *testing.T) {
	f, opts := fakeAWS(t, nil)
	p := iamProfile()
	hook, err := setupAWS(context.Background(), p, opts)
	if err != nil || hook == nil {
		t.Fatalf("hook %v err %v", hook != nil, err)
	}
	if f.Calls() != 0 {
		t.Error("an iam target called Secrets Manager")
	}
	cc, _ := poolConfig(p, 1)
	if err := hook(context.Background(), cc.ConnConfig); err != nil || !strings.Contains(cc.ConnConfig.Password, "%2Feu-west-1%2Frds-db%2F") {
		t.Errorf("token %q err %v", cc.ConnConfig.Password, err)
	}

	p.Password = profiles.Secret(secret)
	if _, err := setupAWS(context.Background(), p, opts); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("iam with a password: err = %v", err)
	}
}

// TestBeforeConnectWiring runs a hook that plays the token's part (it sets
// the real password) on a server: every new connection, pooled or
// dedicated, calls it.
func TestBeforeConnectWiring(t *testing.T) {
	db := pgtest.New(t)
	p := profile(db)
	p.Password = ""
	var n atomic.Int32
	hook := func(_ context.Context, cc *pgx.ConnConfig) error {
		n.Add(1)
		cc.Password = db.Password
		return nil
	}
	poolCfg, err := poolConfig(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	poolCfg.ConnConfig.Password = "" // no ~/.pgpass fallback either
	poolCfg.BeforeConnect = hook
	a := &Adapter{connCfg: poolCfg.ConnConfig, cfg: *p, log: &bytes.Buffer{}, beforeConnect: hook}
	ctx := context.Background()
	conn, err := a.connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c1, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c1.Release()
	c2.Release()
	if n.Load() != 3 {
		t.Errorf("hook called %d times, want 3 (one dedicated, two pooled connections)", n.Load())
	}
}

func TestIAMTokenSessionCredentials(t *testing.T) {
	p := iamProfile()
	creds := credentials.NewStaticCredentialsProvider("ASIATEST", "test-secret-key", "test-session-token")
	cc, err := poolConfig(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := iamBeforeConnect(p, "eu-west-1", creds)(context.Background(), cc.ConnConfig); err != nil {
		t.Fatal(err)
	}
	q, err := url.ParseQuery(strings.SplitN(cc.ConnConfig.Password, "?", 2)[1])
	if err != nil {
		t.Fatal(err)
	}
	// Temporary credentials (SSO, a role) sign with their session token.
	if q.Get("X-Amz-Security-Token") != "test-session-token" || !strings.HasPrefix(q.Get("X-Amz-Credential"), "ASIATEST/") {
		t.Errorf("token query %v", q)
	}
	if d, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date")); err != nil || time.Since(d) > time.Hour || time.Until(d) > time.Hour {
		t.Errorf("X-Amz-Date %q (%v): want now", q.Get("X-Amz-Date"), err)
	}
}

// TestIAMTokenRenewed runs method iam's hook on a real TLS server, where
// it builds a real token and then logs in with the server's password
// (only RDS accepts the token). RDS checks a token only at login, so a
// session outlives it; what a run longer than the token's 15 minutes
// needs is a new token for every connection that replaces one, after the
// server ended it or at the end of its lifetime.
func TestIAMTokenRenewed(t *testing.T) {
	db := pgtest.NewTLS(t)
	p := profile(&db.DB)
	p.Method, p.Password, p.SSLMode, p.SSLRootCert = profiles.MethodIAM, "", "verify-full", db.CAFile
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret-key", "")
	iam := iamBeforeConnect(p, "eu-west-1", creds)
	var mu sync.Mutex
	var tokens []string
	hook := func(ctx context.Context, cc *pgx.ConnConfig) error {
		if err := iam(ctx, cc); err != nil {
			return err
		}
		mu.Lock()
		tokens = append(tokens, cc.Password)
		mu.Unlock()
		cc.Password = db.Password
		return nil
	}
	ctx := context.Background()
	newPool := func(lifetime time.Duration) *pgxpool.Pool {
		poolCfg, err := poolConfig(p, 1)
		if err != nil {
			t.Fatal(err)
		}
		poolCfg.BeforeConnect = hook
		if lifetime > 0 {
			poolCfg.MaxConnLifetime = lifetime
		}
		pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		return pool
	}
	pid := func(pool *pgxpool.Pool) int32 {
		t.Helper()
		var pid int32
		if err := pool.QueryRow(ctx, "select pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	pool := newPool(0) // pgxpool's lifetime, an hour: the token only opens the session
	first := pid(pool)
	if pid(pool) != first || len(tokens) != 1 {
		t.Fatalf("a pooled connection was not reused: %d tokens", len(tokens))
	}
	time.Sleep(1100 * time.Millisecond) // X-Amz-Date has a one-second resolution
	// The server ends the session (a failover, an idle timeout).
	if _, err := pool.Exec(ctx, "select pg_terminate_backend(pg_backend_pid())"); err == nil {
		t.Fatal("the session survived pg_terminate_backend")
	}
	if pid(pool) == first {
		t.Error("the pool kept the terminated connection")
	}

	// A connection past its lifetime is replaced.
	short := newPool(2 * time.Second)
	a := pid(short)
	time.Sleep(2100 * time.Millisecond)
	if pid(short) == a {
		t.Error("a connection past its lifetime was reused")
	}

	mu.Lock()
	defer mu.Unlock()
	if len(tokens) != 4 {
		t.Fatalf("%d tokens for 4 connections", len(tokens))
	}
	var dates []string
	for _, tok := range tokens {
		if !strings.Contains(tok, "Action=connect&DBUser="+p.User+"&") {
			t.Fatalf("token %q", tok)
		}
		q, _ := url.ParseQuery(strings.SplitN(tok, "?", 2)[1])
		dates = append(dates, q.Get("X-Amz-Date"))
	}
	// Tokens built in the same second are alike; these span seconds.
	if !sort.StringsAreSorted(dates) || dates[0] == dates[1] || dates[2] == dates[3] {
		t.Errorf("token dates %v: want one signed for each connection, when it opened", dates)
	}
}

// TestIAMRefused: the local server refuses the token (it is not RDS) as
// RDS refuses a token without rds_iam or rds-db:connect; the error says
// what to check and shows neither the token nor the AWS secret key.
func TestIAMRefused(t *testing.T) {
	db := pgtest.NewTLS(t)
	_, opts := fakeAWS(t, nil)
	p := profile(&db.DB)
	p.Method, p.Password, p.SSLMode, p.SSLRootCert, p.Retries = profiles.MethodIAM, "", "verify-full", db.CAFile, 0
	var log bytes.Buffer
	_, err := newAdapter(context.Background(), p, adapters.Options{Threads: 1, Log: &log}, opts)
	if err == nil {
		t.Fatal("connected with an IAM token to a server that is not RDS")
	}
	wantCodeT(t, err, adapters.Connect)
	for _, w := range []string{"as user " + db.User + ": password authentication failed", "the server refused the IAM token", "GRANT rds_iam TO " + db.User, "rds-db:connect"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	for _, s := range append(errorTexts(err), log.String()) {
		for _, leak := range []string{"X-Amz-Signature", "Action=connect", "test-secret-key"} {
			if strings.Contains(s, leak) {
				t.Errorf("error or log shows %s: %s", leak, s)
			}
		}
	}
}
