package csvseed

import (
	"unicode"
	"unicode/utf8"
)

// Python's notion of text, which agate's casts use: str.strip(), str.lower()
// and the decimal digits that int(), Decimal() and the re module's \d accept.

// isPySpace reports whether Python's str.isspace() holds for r: Unicode
// White_Space plus the separators U+001C..U+001F.
func isPySpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || ('\t' <= r && r <= '\r') || (0x1c <= r && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// pyStrip is Python's s.strip().
func pyStrip(s string) string {
	i, j := 0, len(s)
	for i < j {
		c := s[i]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isPySpace(r) {
			break
		}
		i += n
	}
	for j > i {
		c := s[j-1]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			j--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[i:j])
		if !isPySpace(r) {
			break
		}
		j -= n
	}
	return s[i:j]
}

// stripRune is Python's s.strip(c) for one character c.
func stripRune(s string, c rune) string {
	if c < utf8.RuneSelf {
		b := byte(c)
		for len(s) > 0 && s[0] == b {
			s = s[1:]
		}
		for len(s) > 0 && s[len(s)-1] == b {
			s = s[:len(s)-1]
		}
		return s
	}
	n := utf8.RuneLen(c)
	for {
		r, m := utf8.DecodeRuneInString(s)
		if r != c || m != n {
			break
		}
		s = s[n:]
	}
	for {
		r, m := utf8.DecodeLastRuneInString(s)
		if r != c || m != n {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// isNull is agate's null test with dbt's null_values ("null", ""): the
// stripped, lowercased value is one of them. No non-ASCII character
// lowercases to an ASCII letter of "null", so an ASCII fold is exact.
func isNull(stripped string) bool {
	return stripped == "" || foldEq(stripped, "null")
}

// foldEq reports whether s lowercases (Python str.lower) to the ASCII
// lowercase word w. Only 'A'-'Z' lowercase to ASCII letters other than
// 'i' and 'k' (U+0130 and U+212A), which no word here contains.
func foldEq(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// digitValue returns the value of a Unicode decimal digit (category Nd),
// which Python's \d, int() and Decimal() accept, or -1.
func digitValue(r rune) int {
	if '0' <= r && r <= '9' {
		return int(r - '0')
	}
	if r < utf8.RuneSelf || !unicode.IsDigit(r) {
		return -1
	}
	// Every range of the Nd table starts at a zero and holds whole runs of
	// ten (checked by TestDigitRanges).
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}
