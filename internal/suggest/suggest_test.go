package suggest

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"model", "model", 0}, {"", "abc", 3}, {"abc", "", 3},
		{"modle", "model", 1}, // a transposition counts once
		{"custmers", "customers", 1}, {"kitten", "sitting", 3},
		{"naïve", "naive", 1}, // runes, not bytes
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
