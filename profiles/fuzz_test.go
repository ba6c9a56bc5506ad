package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmodel/gmodel/project"
)

// FuzzProfiles loads arbitrary profiles files and decodes the target as
// postgres: no input may panic or hang. (That errors never quote values is
// checked by the cases in testdata/cases.)
func FuzzProfiles(f *testing.F) {
	for _, seed := range []string{
		"p:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: h\n      user: u\n      password: secret-1\n      dbname: d\n      schema: s\n",
		"p:\n  outputs:\n    default: &d {type: postgres, port: \"{{ x }}\"}\n    dev: {<<: *d, pass: [secret-2]}\n",
		"config: {}\np: {target: \"{{ fail }}\", outputs: {}}\n",
	} {
		f.Add([]byte(seed), "p", "")
	}
	render := func(file string, pos project.Pos, s string) (string, error) {
		if strings.Contains(s, "fail") {
			return "", errors.New("render failed")
		}
		return "5432", nil
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, profile, target string) {
		path := filepath.Join(dir, "profiles.yml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Skip()
		}
		tgt, err := Load(path, profile, target, render)
		if err == nil {
			_, err = DecodePostgres(tgt)
		}
		if err != nil {
			_ = err.Error()
		}
	})
}
