package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// secret is a password no message may ever show.
const secret = "Zq-s3cret-!-pw"

// freePort returns a TCP port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// errorTexts is every way err could be printed: the chain's messages and
// fmt's verbs on each link.
func errorTexts(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			out = append(out, e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, x := range j.Unwrap() {
					walk(x)
				}
				return
			}
			e = errors.Unwrap(e)
		}
	}
	walk(err)
	return out
}

func TestConnectErrors(t *testing.T) {
	db := pgtest.New(t)
	tests := []struct {
		name  string
		edit  func(p *profiles.Postgres)
		wants []string // in the message
		state string
	}{
		{"refused", func(p *profiles.Postgres) { p.Port = freePort(t); p.Password = secret },
			[]string{"connection refused", "hint: is the server running"}, ""},
		{"wrong password", func(p *profiles.Postgres) { p.Password = secret },
			[]string{"password authentication failed", "hint: check the target's password"}, "28P01"},
		{"unknown database", func(p *profiles.Postgres) { p.Database = "no_such_db"; p.Password = profiles.Secret(db.Password) },
			[]string{`database "no_such_db" does not exist`}, "3D000"},
		{"unknown user", func(p *profiles.Postgres) { p.User = "no_such_user"; p.Password = secret },
			[]string{"password authentication failed"}, "28P01"},
		{"unknown role", func(p *profiles.Postgres) { p.Role = "no_such_role" },
			[]string{`role "no_such_role" does not exist`}, "22023"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := profile(db)
			p.Retries = 0
			tc.edit(p)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			a, err := New(ctx, p, adapters.Options{Threads: 1})
			if err == nil {
				a.Close()
				t.Fatal("connected")
			}
			var ae *adapters.Error
			if !errors.As(err, &ae) || ae.Code != adapters.Connect {
				t.Fatalf("error %T %v; want an *adapters.Error of code Connect", err, err)
			}
			msg := err.Error()
			first, _, _ := strings.Cut(msg, "\n")
			for _, w := range append([]string{p.Host + ":" + strconv.Itoa(p.Port) + "/" + p.Database, "user " + p.User}, tc.wants...) {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
			if !strings.HasPrefix(first, "cannot connect to postgres at ") {
				t.Errorf("first line %q", first)
			}
			if ae.State != tc.state {
				t.Errorf("State %q, want %q", ae.State, tc.state)
			}
			for _, s := range errorTexts(err) {
				if strings.Contains(s, secret) || (db.Password != "" && strings.Contains(s, db.Password)) {
					t.Errorf("an error text shows the password: %q", s)
				}
			}
			t.Logf("%s", msg)
		})
	}
}

// TestSecretsNeverShown covers the failures before any connection: bad
// TLS files, bad settings. pgx quotes its connection string in some of
// them; gmodel's never holds the password.
func TestSecretsNeverShown(t *testing.T) {
	db := pgtest.New(t)
	for _, edit := range []func(p *profiles.Postgres){
		func(p *profiles.Postgres) { p.SSLMode = "verify-full"; p.SSLRootCert = "/nonexistent/root.crt" },
		func(p *profiles.Postgres) { p.SSLMode = "bogus" },
		func(p *profiles.Postgres) {
			p.SSLCert = "/nonexistent/client.crt"
			p.SSLKey = "/nonexistent/client.key"
			p.SSLMode = "require"
		},
		func(p *profiles.Postgres) { p.Host = "no-such-host.invalid" },
		func(p *profiles.Postgres) { p.Host = "10.255.255.1"; p.ConnectTimeout = 1 },
	} {
		p := profile(db)
		p.Password = secret
		p.Retries = 0
		edit(p)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		a, err := New(ctx, p, adapters.Options{})
		cancel()
		if err == nil {
			a.Close()
			t.Errorf("%s: connected", where(p))
			continue
		}
		wantCodeT(t, err, adapters.Connect)
		for _, s := range errorTexts(err) {
			if strings.Contains(s, secret) {
				t.Errorf("an error text shows the password: %q", s)
			}
		}
		t.Logf("%v", err)
	}
}

func wantCodeT(t *testing.T, err error, code adapters.Code) {
	t.Helper()
	if got := adapters.CodeOf(err); got != code {
		t.Errorf("error code %d, want %d: %v", got, code, err)
	}
}

func TestRetriesRefused(t *testing.T) {
	p := profile(&pgtest.DB{Host: "127.0.0.1", Port: freePort(t), User: "u", Database: "d"})
	p.Retries = 1
	start := time.Now()
	_, err := New(context.Background(), p, adapters.Options{})
	wantCodeT(t, err, adapters.Connect)
	if took := time.Since(start); took < time.Second {
		t.Errorf("gave up after %v; one retry a second later was due", took)
	}
}

func TestSessionSettings(t *testing.T) {
	db := pgtest.New(t)
	admin := openTest(t, db)
	ctx := context.Background()
	role := "gm_role_" + db.Database
	if _, err := admin.Exec(ctx, fmt.Sprintf("create role %s; grant %s to current_user; create schema elsewhere", role, role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "drop owned by "+role+"; drop role "+role) })
	p := profile(db)
	p.Role = role
	p.SearchPath = "elsewhere, public"
	p.ApplicationName = "gmodel-settings-test"
	p.KeepalivesIdle = 30
	a := openProfile(t, p)
	rows, err := a.Query(ctx, "select current_user, current_setting('search_path'), current_setting('application_name')")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rows.Values[0]...)
	if want := fmt.Sprint(role, "elsewhere, public", "gmodel-settings-test"); got != want {
		t.Errorf("session: %q, want %q", got, want)
	}
}

func TestNoticesGoToLog(t *testing.T) {
	db := pgtest.New(t)
	var log strings.Builder
	a, err := New(context.Background(), profile(db), adapters.Options{Threads: 1, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Exec(context.Background(), "do $$ begin raise notice 'hello from a hook'; end $$"); err != nil {
		t.Fatal(err)
	}
	if want := "postgres: notice: hello from a hook\n"; log.String() != want {
		t.Errorf("log %q, want %q", log.String(), want)
	}
}

// TestPoolReconnectError: the pool connects again later (here after the
// server ended every session and the password changed); that failure is
// a Connect error without the password either.
func TestPoolReconnectError(t *testing.T) {
	db := pgtest.New(t)
	admin := openTest(t, db)
	ctx := context.Background()
	user := "gm_user_" + db.Database
	if _, err := admin.Exec(ctx, fmt.Sprintf("create role %s login password '%s'", user, secret)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "drop role "+user) })
	p := profile(db)
	p.User, p.Password = user, secret
	a := openProfile(t, p)
	if _, err := a.Query(ctx, "select 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("alter role %s password 'changed'; select pg_terminate_backend(pid) from pg_stat_activity where usename = '%s'", user, user)); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 3 { // the first may meet the terminated connection
		if _, err = a.Query(ctx, "select 1"); adapters.CodeOf(err) == adapters.Connect && strings.Contains(err.Error(), "password") {
			break
		}
	}
	wantCodeT(t, err, adapters.Connect)
	if err == nil || !strings.Contains(err.Error(), "as user "+user+": password authentication failed") {
		t.Errorf("error %v", err)
	}
	for _, s := range errorTexts(err) {
		if strings.Contains(s, secret) {
			t.Errorf("an error text shows the password: %q", s)
		}
	}
}
