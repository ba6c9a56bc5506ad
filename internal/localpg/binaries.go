package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries is wrapped by FindBinaries' error when no PostgreSQL server
// binaries are installed.
var ErrNoBinaries = errors.New("PostgreSQL server binaries not found")

// binaryGlobs are where packages put the server binaries, beside PATH
// (which often holds only the client, psql).
var binaryGlobs = []string{
	"/usr/lib/postgresql/*/bin",                          // Debian, Ubuntu
	"/usr/pgsql-*/bin",                                   // PGDG RPMs
	"/opt/homebrew/opt/postgresql@*/bin",                 // Homebrew, Apple silicon
	"/usr/local/opt/postgresql@*/bin",                    // Homebrew, Intel
	"/Applications/Postgres.app/Contents/Versions/*/bin", // Postgres.app
}

// FindBinaries returns the directory holding initdb and postgres: the one
// on PATH if any, else the highest version in the usual install places
// (/usr/lib/postgresql/*/bin, ...). Its error wraps ErrNoBinaries and says
// what to install on this system.
func FindBinaries() (string, error) {
	dir, err := findBinaries(os.Getenv("PATH"), binaryGlobs, runtime.GOOS, readOSRelease())
	if err != nil {
		return "", fmt.Errorf("localpg: %w", err)
	}
	return dir, nil
}

func findBinaries(pathEnv string, globs []string, goos, osRelease string) (string, error) {
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			continue
		}
		p, err := exec.LookPath(filepath.Join(dir, "initdb"))
		if err != nil {
			continue
		}
		// /usr/local/bin/initdb may be a link into the real bin directory.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if d := filepath.Dir(real); hasServer(d) {
				return d, nil
			}
		}
		if hasServer(dir) {
			return dir, nil
		}
	}
	var found []string
	for _, g := range globs {
		matches, _ := filepath.Glob(g)
		for _, m := range matches {
			if hasServer(m) {
				found = append(found, m)
			}
		}
	}
	if len(found) > 0 {
		sort.SliceStable(found, func(i, j int) bool { return versionLess(found[j], found[i]) })
		return found[0], nil
	}
	where := append([]string{"PATH"}, globs...)
	return "", fmt.Errorf("%w (initdb and postgres; looked on %s); %s",
		ErrNoBinaries, strings.Join(where, ", "), installHint(goos, osRelease))
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// versionLess compares the version numbers found in two install paths
// (".../postgresql/9.6/bin" < ".../postgresql/15/bin").
func versionLess(a, b string) bool {
	va, vb := pathVersion(a), pathVersion(b)
	for i := 0; i < len(va) && i < len(vb); i++ {
		if va[i] != vb[i] {
			return va[i] < vb[i]
		}
	}
	return len(va) < len(vb)
}

func pathVersion(p string) []int {
	var v []int
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "postgresql@"), "pgsql-")
		var nums []int
		for _, n := range strings.Split(part, ".") {
			x, err := strconv.Atoi(n)
			if err != nil {
				nums = nil
				break
			}
			nums = append(nums, x)
		}
		if nums != nil {
			v = nums
		}
	}
	return v
}

// installHint says how to install the server binaries on this system.
func installHint(goos, osRelease string) string {
	if goos == "darwin" {
		return "install them: brew install postgresql@16 (or Postgres.app)"
	}
	if goos != "linux" {
		return "install the PostgreSQL server, or run Docker so that a container is used"
	}
	ids := osReleaseIDs(osRelease)
	switch {
	case ids["debian"] || ids["ubuntu"]:
		return "install them: apt-get install postgresql (as root; it also creates the postgres user)"
	case ids["fedora"] || ids["rhel"] || ids["centos"]:
		return "install them: dnf install postgresql-server"
	case ids["alpine"]:
		return "install them: apk add postgresql"
	case ids["arch"]:
		return "install them: pacman -S postgresql"
	case ids["opensuse"] || ids["suse"]:
		return "install them: zypper install postgresql-server"
	}
	return "install the PostgreSQL server package (Debian/Ubuntu: apt-get install postgresql; Fedora/RHEL: dnf install postgresql-server; Alpine: apk add postgresql)"
}

// osReleaseIDs are the ID and ID_LIKE words of /etc/os-release.
func osReleaseIDs(osRelease string) map[string]bool {
	ids := map[string]bool{}
	for _, line := range strings.Split(osRelease, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || (k != "ID" && k != "ID_LIKE") {
			continue
		}
		for _, w := range strings.Fields(strings.Trim(v, `"'`)) {
			ids[w] = true
		}
	}
	return ids
}

func readOSRelease() string {
	b, _ := os.ReadFile("/etc/os-release")
	return string(b)
}
