package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWrite checks that the new content takes the place of the
// old, whatever was there, and that no temporary file is left behind.
func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"no old file", func(*testing.T, string) {}},
		{"old file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("old content, longer than the new"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"old symlink", func(t *testing.T, path string) {
			other := filepath.Join(filepath.Dir(path), "other")
			if err := os.WriteFile(other, []byte("other"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, path); err != nil {
				t.Skip(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "manifest.json")
			tc.setup(t, path)
			before, _ := os.ReadDir(dir)
			err := Write(path, func(f *os.File) error {
				_, err := f.WriteString("new")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
				t.Fatalf("manifest.json = %q, %v; want %q", b, err, "new")
			}
			if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
				t.Fatalf("manifest.json is not a regular file: %v %v", st, err)
			}
			after, _ := os.ReadDir(dir)
			if len(after) != max(1, len(before)) {
				var names []string
				for _, e := range after {
					names = append(names, e.Name())
				}
				t.Fatalf("files left in the directory: %v", names)
			}
		})
	}
}

// TestWriteOverDirectory checks that a directory in the way is an
// error and stays where it is.
func TestWriteOverDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(path, func(f *os.File) error {
		_, err := f.WriteString("new")
		return err
	})
	if err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if st, err := os.Stat(filepath.Join(path, "sub")); err != nil || !st.IsDir() {
		t.Fatalf("the directory moved: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files left in the directory: %d entries", len(entries))
	}
}

// TestWriteFails checks that when write fails the old file stays as it was
// and the temporary file is gone.
func TestWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(f *os.File) error {
		if _, err := f.WriteString("half"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Fatalf("manifest.json = %q, %v; want the old content", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files left in the directory: %d entries", len(entries))
	}
}

// TestWriteMode checks that the file gets the mode a new file written by
// os.WriteFile(path, data, 0o644) gets, not os.CreateTemp's 0600, whether or
// not an old file was there.
func TestWriteMode(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	if err := os.WriteFile(ref, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := os.Stat(ref)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "manifest.json")
	for _, round := range []string{"new file", "over the old file"} {
		if err := Write(path, func(f *os.File) error { _, err := f.WriteString("{}"); return err }); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want.Mode().Perm() {
			t.Errorf("%s: mode %v, want %v", round, st.Mode().Perm(), want.Mode().Perm())
		}
	}
}
