//go:build !unix

package phase

import "time"

func processCPU() time.Duration { return 0 }
