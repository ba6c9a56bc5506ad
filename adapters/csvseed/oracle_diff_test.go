//go:build oracle

package csvseed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Temporary: compares with goldens the Python oracle wrote to $ORACLE_DIR.
func TestOracleDiff(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(os.Getenv("ORACLE_DIR"), "*"))
	bad := 0
	for _, dir := range dirs {
		data, _ := os.ReadFile(filepath.Join(dir, "input.csv"))
		want, _ := os.ReadFile(filepath.Join(dir, "want.golden"))
		got := render(data, loadOptions(t, dir))
		werr := strings.HasPrefix(string(want), "error")
		gerr := strings.Contains(got, "error: ")
		if werr && gerr {
			continue
		}
		if !sameGolden(got, string(want)) {
			bad++
			if bad <= 8 {
				t.Errorf("%s:\ngot:\n%s\nwant:\n%s", dir, got, want)
			}
		}
	}
	t.Logf("%d cases, %d differ", len(dirs), bad)
}
