package localpg

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

func setParentDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) { attr.Pdeathsig = sig }

// processStart is the process's start time in clock ticks since boot, so a
// recycled pid is not taken for the process that had it.
func processStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 > len(s) {
		return ""
	}
	f := strings.Fields(s[i+2:])
	if len(f) < 20 {
		return ""
	}
	return f[19] // field 22 of stat(5); f starts at field 3
}

// processCwd is the process's working directory; a postmaster's is its
// data directory.
func processCwd(pid int) (string, bool) {
	cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
	return cwd, err == nil
}
