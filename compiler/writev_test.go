package compiler

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteManifestToFile checks that the manifest written to a file (one
// writev per batch of parts) is the one written to a buffer.
func TestWriteManifestToFile(t *testing.T) {
	m := manifestProject(t)
	var want bytes.Buffer
	if err := m.WriteManifest(&want, 1); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 8} {
		path := filepath.Join(t.TempDir(), "manifest.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.WriteManifest(f, workers); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%d workers: the file holds %d bytes that differ from the %d written to a buffer", workers, len(got), want.Len())
		}
	}
}

// TestBatchWriterShortWrites writes through a pipe, which takes at most its
// capacity (64 KiB) per call, so the buffers go out in several short
// writes: each byte must still arrive once and in order, and the caller's
// list and buffers must be left as they were.
func TestBatchWriterShortWrites(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var bufs [][]byte
	var want []byte
	for i, n := range []int{100_000, 1, 0, 70_000, 200_000} {
		b := bytes.Repeat([]byte{byte('a' + i)}, n)
		for j := 0; j < n; j += 1000 {
			b[j] = byte(j / 1000 % 251) // not one byte repeated: order shows
		}
		bufs = append(bufs, b)
		want = append(want, b...)
	}
	before := make([][]byte, len(bufs))
	copy(before, bufs)
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	bw := newBatchWriter(w)
	if writevSupported && bw.rc == nil {
		t.Fatal("a pipe's *os.File is not written with writev")
	}
	if err := bw.write(bufs); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Errorf("read %d bytes that differ from the %d written", len(b), len(want))
	}
	for i := range bufs {
		if len(bufs[i]) != len(before[i]) || (len(bufs[i]) > 0 && &bufs[i][0] != &before[i][0]) {
			t.Errorf("buffer %d of the caller's list changed", i)
		}
	}
}

// TestBatchWriterError checks that a failed writev is returned.
func TestBatchWriterError(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // writes now fail with EPIPE
	defer w.Close()
	if err := newBatchWriter(w).write([][]byte{[]byte("x"), []byte("y")}); err == nil {
		t.Fatal("writing to a pipe without a reader succeeded")
	}
}
