package compiler

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// appendStr must agree with encoding/json (HTML escaping off).
func TestAppendStrMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"unicode é ü 日本", "line sep \u2028 para \u2029 end", "\xe2\x80", "bad \xff utf8 \xc3",
		"emoji 😀", "<html> & 'q'",
		"select *\n  from \"db\".\"schema\".\"orders\"\n where note = 'a\\b' -- é\u2028 end of a long line",
	}
	// Each special byte (and its neighbours) at every offset of strings
	// shorter and longer than the eight-byte words appendStr looks at.
	for _, special := range []string{"\x00", "\x1f", " ", "!", "\"", "#", "[", "\\", "]", "\x7f", "é", "\u2028", "\xe2\x80", "\xff", "\n\n"} {
		for n := 0; n <= 20; n++ {
			for at := 0; at <= n; at++ {
				cases = append(cases, strings.Repeat("a", at)+special+strings.Repeat("z", n-at))
			}
		}
	}
	for _, s := range cases {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimRight(buf.Bytes(), "\n")
		if got := appendStr(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendStr(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendStr(f *testing.F) {
	f.Add("a\"b\\c\n\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := bytes.TrimRight(buf.Bytes(), "\n")
		if got := appendStr(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendStr(%q) = %s, want %s", s, got, want)
		}
	})
}
