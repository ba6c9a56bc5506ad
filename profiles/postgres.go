package profiles

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/gmodel/gmodel/project"
)

// Postgres is a postgres output of profiles.yml, with dbt-postgres' keys
// exactly (plus gmodel's `managed`). It lives here until the postgres
// adapter takes it over; it has no DSN method on purpose: the adapter
// builds its pgx config field by field, so the password never passes
// through a string that could be logged.
type Postgres struct {
	Type            string `yaml:"type"`
	Host            string `yaml:"host"`
	Port            int    `yaml:"port"`
	User            string `yaml:"user"`
	Password        Secret `yaml:"password" aliases:"pass"`
	Database        string `yaml:"dbname" aliases:"database"`
	Schema          string `yaml:"schema"`
	Threads         int    `yaml:"threads"`
	SSLMode         string `yaml:"sslmode"`
	SSLRootCert     string `yaml:"sslrootcert"`
	SSLCert         string `yaml:"sslcert"`
	SSLKey          string `yaml:"sslkey"`
	ConnectTimeout  int    `yaml:"connect_timeout"` // seconds
	KeepalivesIdle  int    `yaml:"keepalives_idle"` // seconds; 0 leaves the system default
	SearchPath      string `yaml:"search_path"`
	Role            string `yaml:"role"`
	ApplicationName string `yaml:"application_name"`
	Retries         int    `yaml:"retries"`
	// Managed (a gmodel extension) asks gmodel to run the server itself, so
	// the connection keys are optional.
	Managed bool `yaml:"managed"`
	// Method is "password" (the default) or "iam": an RDS IAM token,
	// generated for every new connection, instead of a password.
	Method string `yaml:"method"`
	// Region is the AWS region for IAM tokens and Secrets Manager; empty
	// takes it from the standard AWS chain (AWS_REGION, the profile).
	Region string `yaml:"region"`
	// AWSProfile names a profile of the AWS shared config files.
	AWSProfile string `yaml:"aws_profile"`
	// PasswordSecret is an AWS Secrets Manager secret id or ARN holding the
	// password: a plain string, or RDS's JSON {"username", "password"}.
	PasswordSecret string `yaml:"password_secret"`
}

// Authentication methods of a postgres target.
const (
	MethodPassword = "password"
	MethodIAM      = "iam"
)

var (
	methods     = []string{MethodPassword, MethodIAM}
	iamSSLModes = []string{"require", "verify-ca", "verify-full"}
)

var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// DecodePostgres decodes a postgres target strictly and applies
// dbt-postgres' defaults: port 5432, connect_timeout 10, retries 1,
// application_name "gmodel" (dbt's is "dbt"), threads from the target.
// host, user, dbname and schema are required unless managed is set.
func DecodePostgres(t *Target) (*Postgres, error) {
	var errs project.ErrorList
	if t.Type != "postgres" {
		errs.Add(t.Pos, "target '%s' is of type '%s', not postgres", t.Name, t.Type)
		return nil, errs.Err()
	}
	p := &Postgres{}
	if err := Decode(t, p); err != nil {
		var list project.ErrorList
		if !errors.As(err, &list) {
			return nil, err
		}
		errs = list // and go on: the checks below add their findings
	}
	if p.Port == 0 {
		p.Port = 5432
	}
	if p.ConnectTimeout == 0 {
		p.ConnectTimeout = 10
	}
	if p.Retries == 0 {
		p.Retries = 1
	}
	if p.ApplicationName == "" {
		p.ApplicationName = "gmodel"
	}
	if p.Method == "" {
		p.Method = MethodPassword
	}
	p.Threads = t.Threads
	for _, kv := range project.YAMLPairs(t.Node) {
		switch k, v := kv[0].Value, kv[1]; k {
		case "port":
			if p.Port < 1 || p.Port > 65535 {
				errs.Add(project.NodePos(t.File, v), "'port' must be between 1 and 65535")
			}
		case "sslmode":
			if p.SSLMode != "" && !isKnown(p.SSLMode, sslModes) {
				hint := didYouMean(p.SSLMode, sslModes)
				if hint == "" {
					hint = "use one of " + quoteList(sslModes)
				}
				errs.Append(&project.Error{Pos: project.NodePos(t.File, v), Msg: "unknown 'sslmode'", Hint: hint})
			}
		case "method":
			if !isKnown(p.Method, methods) {
				hint := didYouMean(p.Method, methods)
				if hint == "" {
					hint = "use one of " + quoteList(methods)
				}
				errs.Append(&project.Error{Pos: project.NodePos(t.File, v), Msg: "unknown 'method'", Hint: hint})
			}
		case "connect_timeout", "keepalives_idle", "retries":
			if n := map[string]int{"connect_timeout": p.ConnectTimeout, "keepalives_idle": p.KeepalivesIdle, "retries": p.Retries}[k]; n < 0 {
				errs.Add(project.NodePos(t.File, v), "'%s' must not be negative", k)
			}
		}
	}
	if !p.Managed {
		// A misspelt key ('hots') is reported as such, not again as a
		// missing one.
		byKey, keys := fields(reflect.TypeFor[Postgres]())
		meant := map[string]bool{}
		for _, kv := range project.YAMLPairs(t.Node) {
			if _, ok := byKey[kv[0].Value]; !ok {
				if s := project.DidYouMean(kv[0].Value, keys); s != "" {
					meant[byKey[s].name] = true
				}
			}
		}
		for _, req := range []struct{ key, val string }{{"host", p.Host}, {"user", p.User}, {"dbname", p.Database}, {"schema", p.Schema}} {
			// An RDS-managed secret may carry the user name.
			if req.key == "user" && p.PasswordSecret != "" && p.Method != MethodIAM {
				continue
			}
			if req.val == "" && !meant[req.key] {
				errs.Add(t.Pos, "postgres target '%s' has no '%s'", t.Name, req.key)
			}
		}
	}
	checkAWS(t, p, &errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// checkAWS reports the combinations of the AWS keys that cannot work.
// The missing host or user of an iam target is reported with the other
// required keys.
func checkAWS(t *Target, p *Postgres, errs *project.ErrorList) {
	pos := func(key string) project.Pos {
		for _, kv := range project.YAMLPairs(t.Node) {
			if kv[0].Value == key {
				return project.NodePos(t.File, kv[0])
			}
		}
		return t.Pos
	}
	given := map[string]bool{}
	for _, kv := range project.YAMLPairs(t.Node) {
		given[kv[0].Value] = true
	}
	password := ""
	for _, k := range []string{"password", "pass"} {
		if given[k] {
			password = k
		}
	}
	if p.Method == MethodIAM {
		if password != "" {
			errs.Append(&project.Error{Pos: pos(password), Msg: fmt.Sprintf("'%s' cannot be used with 'method: iam'", password),
				Hint: "an IAM target connects with a token generated for each connection; remove '" + password + "'"})
		}
		if p.PasswordSecret != "" {
			errs.Append(&project.Error{Pos: pos("password_secret"), Msg: "'password_secret' cannot be used with 'method: iam'",
				Hint: "remove 'password_secret', or 'method: iam' to connect with the secret's password"})
		}
		if p.Managed {
			errs.Add(pos("managed"), "'managed' cannot be used with 'method: iam': IAM authentication is for Amazon RDS")
		}
		if !isKnown(p.SSLMode, iamSSLModes) {
			at, what := pos("sslmode"), "no 'sslmode'"
			if p.SSLMode != "" {
				what = "'sslmode: " + p.SSLMode + "'"
			}
			if isKnown(p.SSLMode, sslModes) || p.SSLMode == "" {
				errs.Append(&project.Error{Pos: at, Msg: fmt.Sprintf("'method: iam' requires TLS, but the target has %s", what),
					Hint: "use sslmode require, verify-ca or verify-full (verify-full with sslrootcert for RDS)"})
			}
		}
		return
	}
	if password != "" && p.PasswordSecret != "" {
		errs.Append(&project.Error{Pos: pos("password_secret"), Msg: fmt.Sprintf("'%s' and 'password_secret' both give the password; give only one", password)})
	}
	if p.PasswordSecret == "" {
		for _, k := range []string{"region", "aws_profile"} {
			if given[k] {
				errs.Add(pos(k), "'%s' is used only with 'method: iam' or 'password_secret'", k)
			}
		}
	}
}

func isKnown(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}
