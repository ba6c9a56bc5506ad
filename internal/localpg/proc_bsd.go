//go:build unix && !linux

package localpg

import "syscall"

// Only Linux has a parent-death signal: elsewhere a throwaway server
// outlives a killed owner until Reap stops it.
func setParentDeathSignal(*syscall.SysProcAttr, syscall.Signal) {}

func processStart(int) string { return "" }

func processCwd(int) (string, bool) { return "", false }
