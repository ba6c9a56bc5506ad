package profiles

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/project"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fakeRender stands in for the Jinja engine: env_var() with an optional
// default, and the as_* filters; anything else fails.
func fakeRender(env map[string]string) func(file string, pos project.Pos, s string) (string, error) {
	re := regexp.MustCompile(`\{\{\s*env_var\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)\s*(?:\|\s*as_\w+\s*)?\}\}`)
	return func(file string, pos project.Pos, s string) (string, error) {
		var err error
		out := re.ReplaceAllStringFunc(s, func(m string) string {
			sm := re.FindStringSubmatchIndex(m)
			name := m[sm[2]:sm[3]]
			if v, ok := env[name]; ok {
				return v
			}
			if sm[4] >= 0 {
				return m[sm[4]:sm[5]]
			}
			if err == nil {
				err = fmt.Errorf("env var '%s' is not set and has no default", name)
			}
			return ""
		})
		if err != nil {
			return "", err
		}
		if strings.Contains(out, "{{") {
			return "", errors.New("unsupported template")
		}
		return out, nil
	}
}

func readTxtar(t *testing.T, path string) ([]string, map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	content := map[string]string{}
	cur := ""
	for _, line := range strings.SplitAfter(string(b), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			cur = trimmed[3 : len(trimmed)-3]
			names = append(names, cur)
			continue
		}
		if cur != "" {
			content[cur] += line
		}
	}
	return names, content
}

func keyValues(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// TestLoadCases runs testdata/cases/*.txtar: a profiles.yml, the profile
// and target asked for ("args"), the environment ("env") and, under
// "want", the errors or the decoded postgres target. -update rewrites want.
func TestLoadCases(t *testing.T) {
	txtarCases(t, "testdata/cases/*.txtar", 12, run)
}

// txtarCases runs each case of pattern (at least min): decode gives the
// output for the case's profiles.yml, args and env, compared with its
// "want" section, which -update rewrites. No output may show a secret.
func txtarCases(t *testing.T, pattern string, min int, decode func(path string, args, env map[string]string) string) {
	cases, _ := filepath.Glob(pattern)
	if len(cases) < min {
		t.Fatalf("found %d cases, want at least %d", len(cases), min)
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(tc), ".txtar"), func(t *testing.T) {
			t.Parallel()
			names, content := readTxtar(t, tc)
			dir := t.TempDir()
			path := filepath.Join(dir, "profiles.yml")
			if err := os.WriteFile(path, []byte(content["profiles.yml"]), 0o600); err != nil {
				t.Fatal(err)
			}
			args := keyValues(content["args"])
			env := keyValues(content["env"])
			got := decode(path, args, env)
			got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
			for _, v := range env {
				if strings.Contains(v, "secret") && strings.Contains(got, v) {
					t.Errorf("output shows the secret %q:\n%s", v, got)
				}
			}
			if *update {
				content["want"] = got
				if !slices.Contains(names, "want") {
					names = append(names, "want")
				}
				var b strings.Builder
				for _, n := range names {
					fmt.Fprintf(&b, "-- %s --\n%s", n, content[n])
				}
				if err := os.WriteFile(tc, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != content["want"] {
				t.Errorf("got:\n%s\nwant:\n%s", got, content["want"])
			}
		})
	}
}

func run(path string, args, env map[string]string) string {
	t, err := Load(path, args["profile"], args["target"], fakeRender(env))
	if err != nil {
		return "ERROR\n" + err.Error() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "target %s/%s type=%s schema=%q database=%q user=%q threads=%d @ %s\n",
		t.Profile, t.Name, t.Type, t.Schema, t.Database, t.User, t.Threads, t.Pos)
	if t.Type != "postgres" {
		return b.String()
	}
	pg, err := DecodePostgres(t)
	if err != nil {
		return b.String() + "ERROR\n" + err.Error() + "\n"
	}
	fmt.Fprintf(&b, "postgres %+v\n", *pg)
	fmt.Fprintf(&b, "password length %d\n", len(pg.Password.Reveal()))
	return b.String()
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "profiles.yml"), []byte("x: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return d
	}
	flagDir, gmodelEnv, dbtEnv, proj := mk("flag"), mk("genv"), mk("denv"), mk("proj")
	home := filepath.Join(root, "home")
	mk("home/.gmodel")
	mk("home/.dbt")
	empty := filepath.Join(root, "empty")
	tests := []struct {
		name string
		opts FindOptions
		env  map[string]string
		want string // a path, or "ERROR: " and the message
	}{
		{"flag first", FindOptions{Dir: flagDir, ProjectDir: proj}, map[string]string{"GMODEL_PROFILES_DIR": gmodelEnv}, flagDir},
		{"gmodel env", FindOptions{ProjectDir: proj}, map[string]string{"GMODEL_PROFILES_DIR": gmodelEnv, "DBT_PROFILES_DIR": dbtEnv}, gmodelEnv},
		{"dbt env", FindOptions{ProjectDir: proj}, map[string]string{"DBT_PROFILES_DIR": dbtEnv}, dbtEnv},
		{"empty env ignored", FindOptions{ProjectDir: proj}, map[string]string{"DBT_PROFILES_DIR": ""}, proj},
		{"project dir", FindOptions{ProjectDir: proj}, nil, proj},
		{"home gmodel", FindOptions{ProjectDir: empty}, nil, filepath.Join(home, ".gmodel")},
		{"explicit dir is used alone", FindOptions{Dir: empty, ProjectDir: proj}, nil,
			"ERROR: no profiles.yml found; looked for:\n  $ROOT/empty/profiles.yml (--profiles-dir)\n  hint: create profiles.yml (dbt's format) in one of those places, or point --profiles-dir at its directory"},
		{"explicit env is used alone", FindOptions{ProjectDir: proj}, map[string]string{"DBT_PROFILES_DIR": empty},
			"ERROR: no profiles.yml found; looked for:\n  $ROOT/empty/profiles.yml ($DBT_PROFILES_DIR)\n  hint: create profiles.yml (dbt's format) in one of those places, or point --profiles-dir at its directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.LookupEnv = func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			opts.Home = func() (string, error) { return home, nil }
			got, err := Find(opts)
			if err != nil {
				got = "ERROR: " + strings.ReplaceAll(err.Error(), root, "$ROOT")
			} else {
				got = filepath.Dir(got)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// Nothing anywhere: every place is listed.
	_, err := Find(FindOptions{ProjectDir: empty,
		LookupEnv: func(string) (string, bool) { return "", false },
		Home:      func() (string, error) { return empty, nil }})
	want := "no profiles.yml found; looked for:\n  $ROOT/empty/profiles.yml (the project directory)\n  $ROOT/empty/.gmodel/profiles.yml\n  $ROOT/empty/.dbt/profiles.yml"
	if err == nil || !strings.HasPrefix(strings.ReplaceAll(err.Error(), root, "$ROOT"), want) {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
