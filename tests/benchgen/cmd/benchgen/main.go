// Command benchgen writes a synthetic dbt project for benchmarks.
//
//	go run ./tests/benchgen/cmd/benchgen -out DIR -models 10000
//
// DIR is created if missing and must be empty. The output is deterministic:
// the same -models value always produces byte-identical files.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gmodel/gmodel/tests/benchgen"
)

func main() {
	out := flag.String("out", "", "output directory (created if missing, must be empty)")
	models := flag.Int("models", 1000, "number of models to generate (at least 3)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "benchgen: -out is required")
		flag.Usage()
		os.Exit(2)
	}
	if err := benchgen.Generate(*out, *models); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	b, s, g := benchgen.LayerSizes(*models)
	fmt.Printf("wrote %d models (bronze %d, silver %d, gold %d), %d macro files to %s\n",
		*models, b, s, g, benchgen.MacroFiles, *out)
}
