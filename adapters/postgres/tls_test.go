package postgres

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// TestTLS connects to the TLS server of pgtest (a certificate for
// localhost from a test CA) with each sslmode: the right CA succeeds over
// TLS, the rest fail in one line that says what failed and what to do.
func TestTLS(t *testing.T) {
	db := pgtest.NewTLS(t)
	notPEM := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(notPEM, []byte("<html>not a certificate</html>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		mode, host, root string
		wantSSL          bool
		wants            []string // in the one-line error; none: it connects
	}{
		{name: "verify-full", mode: "verify-full", root: db.CAFile, wantSSL: true},
		{name: "verify-full with ~/", mode: "verify-full", root: "~/" + relHome(t, db.CAFile), wantSSL: true},
		{name: "verify-ca on a host not in the certificate", mode: "verify-ca", host: db.IPHost, root: db.CAFile, wantSSL: true},
		{name: "require without a CA", mode: "require", wantSSL: true},
		{name: "disable", mode: "disable", wantSSL: false},
		{name: "wrong CA", mode: "verify-full", root: db.OtherCAFile, wants: []string{
			"TLS: the server's certificate is not signed by a CA of sslrootcert " + db.OtherCAFile + " (sslmode verify-full)",
			"download the RDS CA bundle (global-bundle.pem", "set sslrootcert to its path"}},
		{name: "wrong CA, verify-ca", mode: "verify-ca", root: db.OtherCAFile, wants: []string{"not signed by a CA of sslrootcert " + db.OtherCAFile}},
		// As libpq: require with a CA file verifies the chain.
		{name: "wrong CA, require", mode: "require", root: db.OtherCAFile, wants: []string{"not signed by a CA of sslrootcert " + db.OtherCAFile}},
		{name: "host not in the certificate", mode: "verify-full", host: db.IPHost, root: db.CAFile, wants: []string{
			"cannot connect to postgres at 127.0.0.1:",
			"TLS: the server's certificate is for localhost, not for host 127.0.0.1 (sslmode verify-full)", "or use sslmode verify-ca"}},
		{name: "missing CA file", mode: "verify-full", root: "/nonexistent/rds-global-bundle.pem", wants: []string{
			"cannot read sslrootcert /nonexistent/rds-global-bundle.pem: no such file", "download the RDS CA bundle"}},
		{name: "CA file not PEM", mode: "verify-full", root: notPEM, wants: []string{
			"sslrootcert " + notPEM + " holds no PEM certificate", "download the RDS CA bundle"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := profile(&db.DB)
			p.SSLMode, p.SSLRootCert, p.Retries = tc.mode, tc.root, 0
			if tc.host != "" {
				p.Host = tc.host
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			a, err := New(ctx, p, adapters.Options{Threads: 1})
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				rows, err := a.Query(ctx, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")
				if err != nil {
					t.Fatal(err)
				}
				if got := rows.Values[0][0]; got != tc.wantSSL {
					t.Errorf("pg_stat_ssl.ssl = %v, want %v", got, tc.wantSSL)
				}
				return
			}
			if err == nil {
				a.Close()
				t.Fatal("connected")
			}
			wantCodeT(t, err, adapters.Connect)
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("the error is not one line:\n%s", msg)
			}
			for _, w := range append([]string{":" + strconv.Itoa(db.Port) + "/" + db.Database + " as user " + db.User}, tc.wants...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, s := range errorTexts(err) {
				if strings.Contains(s, db.Password) {
					t.Errorf("an error text shows the password: %q", s)
				}
			}
		})
	}
}

// relHome is path relative to the home directory, which the test makes
// its parent when path is elsewhere.
func relHome(t *testing.T, path string) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "ca.pem"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return "ca.pem"
}

// TestTLSRefused: a server without TLS and sslmode require.
func TestTLSRefused(t *testing.T) {
	db := pgtest.New(t)
	p := profile(db)
	p.SSLMode, p.Retries = "require", 0
	a, err := New(context.Background(), p, adapters.Options{Threads: 1})
	if err == nil {
		a.Close()
		t.Fatal("connected")
	}
	wantCodeT(t, err, adapters.Connect)
	if want := "the server does not accept TLS connections, which sslmode require requires"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q; want one line with %q", err, want)
	}
}

func TestCheckRootCert(t *testing.T) {
	db := pgtest.NewTLS(t)
	data, err := os.ReadFile(db.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(db.OtherCAFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, append(append(data, other...), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := CheckRootCert(bundle); n != 2 || err != nil {
		t.Errorf("bundle: %d certificates, %v; want 2", n, err)
	}
	broken := filepath.Join(dir, "broken.pem")
	if err := os.WriteFile(broken, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckRootCert(broken); err == nil || !strings.Contains(err.Error(), "sslrootcert "+broken+": certificate 1 does not parse") {
		t.Errorf("broken: %v", err)
	}
}
