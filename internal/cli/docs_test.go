package cli

import (
	"context"
	"strings"
	"testing"
)

func TestDocsGenerateFlags(t *testing.T) {
	f, _, _ := testFactory()
	var got *docsGenerateOptions
	cmd := newCmdDocs(f, &globalOptions{}, func(o *docsGenerateOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"generate", "--no-compile"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.NoCompile || got.Static {
		t.Errorf("parsed %+v", got)
	}
}

func TestDocsGenerateStaticNotYet(t *testing.T) {
	f, _, errb := testFactory()
	code := MainWith(context.Background(), f, []string{"docs", "generate", "--static", "--project-dir", t.TempDir()})
	if code != ExitError || !strings.Contains(errb.String(), "not yet") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}
