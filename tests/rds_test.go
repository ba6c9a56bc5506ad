package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters/postgres/smfake"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// tlsEnv is a one-model project whose model records whether its own
// session is encrypted, and a profile for pgtest's TLS server; extra
// holds the target's keys beyond host, port, dbname and schema.
func tlsEnv(t *testing.T, db *pgtest.TLSDB, extra string) *pgEnv {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"dbt_project.yml":    "name: tls_check\nprofile: tls_check\n",
		"models/session.sql": "{{ config(materialized='table') }}\nselect ssl, version as tls_version from pg_stat_ssl where pid = pg_backend_pid()\n",
	}
	for p, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prof := t.TempDir()
	yml := fmt.Sprintf(`tls_check:
  target: aws
  outputs:
    aws:
      type: postgres
      port: %d
      dbname: %q
      schema: analytics
      threads: 2
      retries: 0
%s`, db.Port, db.Database, extra)
	if err := os.WriteFile(filepath.Join(prof, "profiles.yml"), []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return &pgEnv{dir: dir, profiles: prof, db: &db.DB}
}

func indent(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "      %s: %q\n", kv[i], kv[i+1])
	}
	return b.String()
}

// TestRunVerifyFull: gmodel run over TLS with sslmode verify-full, as the
// retail example's aws target; a wrong CA or a host outside the
// certificate stops it with one line.
func TestRunVerifyFull(t *testing.T) {
	db := pgtest.NewTLS(t)
	login := func(host, ca string) string {
		return indent("host", host, "user", db.User, "password", db.Password, "sslmode", "verify-full", "sslrootcert", ca)
	}
	e := tlsEnv(t, db, login(pgtest.TLSHost, db.CAFile))
	r := e.gmodel(t, "run")
	expectDone(t, "run", r, 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
	if got := e.queryString(t, "select ssl::text || ' ' || tls_version from analytics.session"); !strings.HasPrefix(got, "true TLS") {
		t.Errorf("the model's session: %q, want TLS", got)
	}

	for _, tc := range []struct{ name, host, ca, want string }{
		{"wrong CA", pgtest.TLSHost, db.OtherCAFile, "TLS: the server's certificate is not signed by a CA of sslrootcert " + db.OtherCAFile +
			" (sslmode verify-full); for Amazon RDS, download the RDS CA bundle"},
		{"host not in the certificate", db.IPHost, db.CAFile, "TLS: the server's certificate is for localhost, not for host 127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tlsEnv(t, db, login(tc.host, tc.ca))
			r := e.gmodel(t, "run")
			if r.code != 2 {
				t.Fatalf("exit %d, want 2:\n%s%s", r.code, r.stdout, r.stderr)
			}
			// Nothing but the one line: no stack trace, no retry noise.
			if l := lines(r.stderr); len(l) != 1 || !strings.Contains(l[0], tc.want) {
				t.Errorf("stderr:\n%s\nwant one line with %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stdout+r.stderr, db.Password) {
				t.Errorf("the output shows the password:\n%s", r.stderr)
			}
		})
	}
}

// TestRDSSecretAndDebug: a target whose user and password are an
// RDS-managed secret (read through the real SDK client from a fake
// Secrets Manager, credentials from the environment) over verify-full:
// debug passes every check, run builds; the secret never shows.
func TestRDSSecretAndDebug(t *testing.T) {
	const awsKey = "aws-secret-key-never-printed"
	db := pgtest.NewTLS(t)
	js, _ := json.Marshal(map[string]string{"username": db.User, "password": db.Password, "engine": "postgres"})
	sm := smfake.New(t, map[string]*string{"rds!db-1": aws.String(string(js))})
	smfake.SetEnv(t, map[string]string{"AWS_ACCESS_KEY_ID": "AKIDE2ETEST", "AWS_SECRET_ACCESS_KEY": awsKey, "AWS_ENDPOINT_URL": sm.URL})
	e := tlsEnv(t, db, indent("host", pgtest.TLSHost, "password_secret", "rds!db-1", "region", "eu-west-1",
		"sslmode", "verify-full", "sslrootcert", db.CAFile))

	r := e.gmodel(t, "debug")
	all := r.stdout + r.stderr
	for _, w := range []string{
		"region: OK eu-west-1 (from the target's 'region')",
		"AWS credentials: OK from the environment (AWS_ACCESS_KEY_ID)",
		`secret: OK "rds!db-1" is readable (RDS JSON with username "` + db.User + `" and a password)`,
		"CA file: OK " + db.CAFile + " (1 certificates)",
		"host: OK localhost:",
		"TLS: OK TLS 1.3, certificate verified for host localhost (sslmode verify-full)",
		"Connection test: OK",
		"All checks passed!",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("debug output lacks %q:\n%s", w, all)
		}
	}
	if r.code != 0 {
		t.Errorf("debug: exit %d", r.code)
	}

	r = e.gmodel(t, "run")
	expectDone(t, "run", r, 0, "Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1")
	all += r.stdout + r.stderr
	for _, leak := range []string{db.Password, awsKey, "AKIDE2ETEST"} {
		if strings.Contains(all, leak) {
			t.Errorf("the output shows %q", leak)
		}
	}
	// Connected as the secret's user, over TLS.
	conn, err := pgx.Connect(context.Background(), db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ssl bool
	if err := conn.QueryRow(context.Background(), "select ssl from analytics.session").Scan(&ssl); err != nil || !ssl {
		t.Errorf("the run's session: ssl %v, %v", ssl, err)
	}
	if sm.Calls() != 3 { // debug's check, debug's connection test, run
		t.Errorf("GetSecretValue called %d times, want 3", sm.Calls())
	}
}

// TestDebugWrongCA: debug names the failing step and exits 1.
func TestDebugWrongCA(t *testing.T) {
	db := pgtest.NewTLS(t)
	e := tlsEnv(t, db, indent("host", pgtest.TLSHost, "user", db.User, "password", db.Password, "sslmode", "verify-full", "sslrootcert", db.OtherCAFile))
	r := e.gmodel(t, "debug")
	all := r.stdout + r.stderr
	for _, w := range []string{
		"CA file: OK " + db.OtherCAFile + " (1 certificates)",
		"TLS: ERROR TLS: the server's certificate is not signed by a CA of sslrootcert " + db.OtherCAFile,
		"Connection test: skipped",
		"1 check failed: TLS",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("debug output lacks %q:\n%s", w, all)
		}
	}
	if r.code != 1 || strings.Contains(all, db.Password) {
		t.Errorf("exit %d (want 1), or the password shows:\n%s", r.code, all)
	}
}
