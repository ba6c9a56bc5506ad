package phase

import (
	"bytes"
	"regexp"
	"testing"
)

func TestDoneLogsWallAndCPU(t *testing.T) {
	var buf bytes.Buffer
	tm := New(&buf)
	x := 0
	for i := 0; i < 1e6; i++ {
		x += i
	}
	_ = x
	tm.Done("spin")
	tm.Done("second")
	re := regexp.MustCompile(`^debug: spin +\d+\.\d ms \(cpu +\d+\.\d ms\)\ndebug: second +\d+\.\d ms \(cpu +\d+\.\d ms\)\n$`)
	if !re.MatchString(buf.String()) {
		t.Fatalf("log:\n%s", buf.String())
	}
	New(nil).Done("silent") // must not panic
	var nilTimer *Timer
	nilTimer.Done("nil")
}
