// Command benchcompile times `gmodel compile` on a generated project: wall
// clock and peak resident memory of the real binary, over several runs. It is
// the measurement behind `make bench-compile` and the README's numbers.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/gmodel", "gmodel binary")
	proj := flag.String("project", "", "project directory")
	runs := flag.Int("runs", 5, "number of runs")
	files := flag.Bool("files", false, "also write each node's compiled SQL file (--write-compiled)")
	flag.Parse()
	if *proj == "" {
		fmt.Fprintln(os.Stderr, "usage: benchcompile -bin bin/gmodel -project DIR [-runs N]")
		os.Exit(2)
	}
	var walls []time.Duration
	var rss []int64
	for i := 0; i < *runs; i++ {
		os.RemoveAll(filepath.Join(*proj, "target"))
		args := []string{"compile", "--project-dir", *proj, "--profiles-dir", *proj}
		if !*files {
			// The benchmark's scope: load, render, graph, manifest written.
			args = append(args, "--write-compiled=false")
		}
		cmd := exec.Command(*bin, args...)
		cmd.Stdout = os.Stdout
		cmd.Stderr = os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "run %d: %v\n", i+1, err)
			os.Exit(1)
		}
		wall := time.Since(start)
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		walls = append(walls, wall)
		rss = append(rss, ru.Maxrss) // KiB on Linux
		fmt.Printf("run %d: wall %.3fs  peak RSS %.1f MB  user %.2fs sys %.2fs\n", i+1, wall.Seconds(), float64(ru.Maxrss)/1024,
			time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds())
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	fmt.Printf("median wall %.3fs (min %.3fs, max %.3fs); median peak RSS %.1f MB (max %.1f MB)\n",
		walls[len(walls)/2].Seconds(), walls[0].Seconds(), walls[len(walls)-1].Seconds(),
		float64(rss[len(rss)/2])/1024, float64(rss[len(rss)-1])/1024)
}
