package jinja

import (
	"strings"
	"testing"
)

// TestIsASCII puts one non-ASCII byte at every offset of strings around
// the 32- and 8-byte strides.
func TestIsASCII(t *testing.T) {
	for n := 0; n <= 70; n++ {
		s := strings.Repeat("a", n)
		if !isASCII(s) {
			t.Fatalf("isASCII(%d ASCII bytes) = false", n)
		}
		for i := 0; i < n; i++ {
			b := []byte(s)
			b[i] = 0xC3
			if isASCII(string(b)) {
				t.Fatalf("isASCII with 0xC3 at %d of %d = true", i, n)
			}
		}
	}
}
