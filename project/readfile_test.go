package project

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"
)

func TestReadInto(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4096, 64 << 10, 64<<10 + 1, 200_000} {
		data := bytes.Repeat([]byte("select 1;\n"), size/10+1)[:size]
		path := filepath.Join(dir, "f.sql")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, buf := range [][]byte{nil, make([]byte, 0, 16), make([]byte, 3, 64<<10)} {
			got, err := readInto(path, buf)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("size %d, buffer cap %d: got %d bytes, %v; want %d bytes", size, cap(buf), len(got), err, size)
			}
			if size > 64<<10 && cap(got) > size+1+8<<10 { // rounded up to whole pages at most
				t.Errorf("size %d, buffer cap %d: read into a buffer of %d bytes, want one sized to the file", size, cap(buf), cap(got))
			}
		}
	}
	if _, err := readInto(filepath.Join(dir, "missing.sql"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want a not-exist error", err)
	}
	var pe *fs.PathError
	if _, err := readInto(dir, nil); err == nil || !errors.As(err, &pe) {
		t.Errorf("reading a directory: %v, want a *fs.PathError", err)
	}
}

func TestChildPathIsPathJoin(t *testing.T) {
	for _, rel := range []string{"", ".", "models", "models/staging", "../shared", "/", "/abs/dir"} {
		for _, name := range []string{"a.sql", "_schema.yml", ".hidden", "x y"} {
			if got, want := childPath(rel, name), path.Join(rel, name); got != want {
				t.Errorf("childPath(%q, %q) = %q, want %q", rel, name, got, want)
			}
		}
	}
}
