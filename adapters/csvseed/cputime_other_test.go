//go:build !unix

package csvseed

import "time"

func processCPU() time.Duration { return 0 }
