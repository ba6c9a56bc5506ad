// Command gendata writes the bronze seed of the retail example: rows shaped
// like the UCI Online Retail data set (541,897 by default), generated
// deterministically, so the same command always writes the same file.
//
//	go run ./examples/retail/cmd/gendata -out examples/retail/seeds/raw_transactions.csv
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gmodel/gmodel/tests/benchgen"
)

func main() {
	out := flag.String("out", "examples/retail/seeds/raw_transactions.csv", "the CSV file to write")
	rows := flag.Int("rows", benchgen.RetailRows, "number of data rows")
	flag.Parse()
	if err := write(*out, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(1)
	}
}

// write generates into a temporary file beside out and renames it, so an
// interrupted run never leaves a truncated seed behind.
func write(out string, rows int) error {
	if rows < 0 {
		return fmt.Errorf("-rows %d: must not be negative", rows)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".gendata-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := benchgen.WriteRetailCSV(tmp, rows); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
