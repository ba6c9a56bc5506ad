package phase

import "time"

// ProcessCPU is the user and system CPU time the process has used, 0 where
// it is not measured; benchmarks report it per operation beside wall time.
func ProcessCPU() time.Duration { return processCPU() }
