// Command gmodel is a dbt-style SQL modeling tool: it compiles dbt projects
// and builds their models on PostgreSQL and Athena.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/gmodel/gmodel/internal/cli"
	"github.com/gmodel/gmodel/internal/gctune"
)

func main() {
	gctune.Enable()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
