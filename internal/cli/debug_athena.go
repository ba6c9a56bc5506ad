package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gmodel/gmodel/adapters/athena"
	"github.com/gmodel/gmodel/profiles"
)

// printAthena prints an athena target's settings: keys masked, never
// shown.
func printAthena(out io.Writer, a *profiles.Athena, threads int) {
	row := func(k, v string) { fmt.Fprintf(out, "  %-17s %s\n", k+":", v) }
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	row("type", "athena")
	row("region_name", or(a.RegionName, "(from the AWS chain)"))
	row("database", a.Database)
	row("schema", a.Schema)
	row("work_group", or(a.WorkGroup, "primary"))
	row("s3_staging_dir", a.S3StagingDir)
	row("s3_data_dir", a.S3DataDir)
	row("s3_data_naming", a.S3DataNaming)
	if a.S3TmpTableDir != a.S3DataDir {
		row("s3_tmp_table_dir", a.S3TmpTableDir)
	}
	if a.AWSProfileName != "" {
		row("aws_profile_name", a.AWSProfileName)
	}
	if a.AWSAccessKeyID != "" {
		row("aws_access_key_id", maskedSecret(a.AWSAccessKeyID))
		row("aws_secret_access_key", maskedSecret(a.AWSSecretAccessKey))
	}
	if a.EndpointURL != "" {
		row("endpoint_url", a.EndpointURL)
	}
	row("threads", strconv.Itoa(threads))
}

// debugAthena checks an athena target one thing at a time, a line each:
// what is missing says so, and how to fix it.
func debugAthena(ctx context.Context, out io.Writer, t *profiles.Target, threads int) error {
	a, err := profiles.DecodeAthena(t)
	if err != nil {
		return usageErr(err)
	}
	printAthena(out, a, threads)
	failed := 0
	for _, c := range athena.Diagnose(ctx, a) {
		if c.Err != nil {
			failed++
			fmt.Fprintf(out, "%s: ERROR %v\n", c.What, oneLine(c.Err))
			continue
		}
		fmt.Fprintf(out, "%s: OK %s\n", c.What, c.OK)
	}
	if ctx.Err() != nil {
		return &exitError{code: ExitInterrupted, err: errors.New("cancelled")}
	}
	if failed > 0 {
		return failureErr(fmt.Errorf("%d %s failed", failed, plural(failed, "check", "checks")))
	}
	fmt.Fprintln(out, "All checks passed!")
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// oneLine keeps an error to its first line and its hint.
func oneLine(err error) string {
	first, rest, ok := strings.Cut(err.Error(), "\n")
	if !ok {
		return first
	}
	if _, hint, ok := strings.Cut(rest, "hint: "); ok {
		return first + " (" + hint + ")"
	}
	return first
}
