package pgtest

import (
	"errors"
	"strings"
	"testing"
)

func TestNoServerSaysWhatToInstall(t *testing.T) {
	err := noServer(errors.New("no Docker engine answered: rootless Docker not found"),
		errors.New("localpg: PostgreSQL server binaries not found (...); install them: apt-get install postgresql"))
	for _, want := range []string{
		"GMODEL_TEST_POSTGRES_DSN is not set",
		"Docker: no Docker engine answered",
		"apt-get install postgresql",
		"brew install postgresql@16",
		"GMODEL_TEST_POSTGRES_DSN=postgres://",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
}
