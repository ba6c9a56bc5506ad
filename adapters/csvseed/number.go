package csvseed

import (
	"errors"
	"strconv"
	"unicode/utf8"
)

// Numbers as agate's Number.cast reads them (agate/data_types/number.py),
// with Python's decimal module underneath: Decimal(text) is exact, then
// `* sign` rounds in the default context (28 digits, ROUND_HALF_EVEN,
// Emax 999999, Emin -999999), which may also raise decimal.Overflow. dbt
// does not catch that Overflow: the seed fails.

const (
	ctxPrec  = 28
	ctxEmax  = 999999
	ctxEmin  = -999999
	ctxEtiny = ctxEmin - ctxPrec + 1
	// Decimal(text) must be exact in libmpdec's maximum context, else it
	// raises InvalidOperation, which agate reads as "not a number".
	maxEmax  = 999999999999999999
	minEtiny = -999999999999999999 - (999999999999999999 - 1)
	// Exponents are saturated here while parsing; anything beyond is out
	// of every range above.
	expSaturate = 4e18
)

// currencySymbols is agate's DEFAULT_CURRENCY_SYMBOLS, in its order: each is
// stripped from both ends in turn.
var currencySymbols = [...]rune{'؋', '$', 'ƒ', '៛', '¥', '₡', '₱', '£', '€', '¢', '﷼', '₪', '₩', '₭', '₮', '₦', '฿', '₤', '₫'}

type special uint8

const (
	finite special = iota
	nan
	inf
)

// number is a cast value: (-1)^neg × coef × 10^exp, or NaN/±Infinity.
type number struct {
	kind special
	neg  bool
	coef []byte // ASCII digits without leading zeros; "0" for zero
	exp  int64
}

// errOverflow is Python's decimal.Overflow: agate does not catch it.
var errOverflow = errors.New("number is too large for Python's decimal context (dbt fails with decimal.Overflow)")

// numParser holds scratch space so that parsing does not allocate.
type numParser struct {
	buf, coef []byte
}

// parse is agate's Number.cast with dbt's null values. ok is false when the
// value is not a number; err is set when dbt would crash on it.
func (p *numParser) parse(raw string) (v number, null, ok bool, err error) {
	if v, ok := p.plain(raw); ok {
		return v, false, true, nil
	}
	s := pyStrip(raw)
	if isNull(s) {
		return v, true, true, nil
	}
	s = stripRune(s, '%')
	neg := false
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
		neg = true
	}
	for _, c := range currencySymbols {
		if len(s) == 0 {
			break
		}
		if c >= utf8.RuneSelf && s[0] < utf8.RuneSelf && s[len(s)-1] < utf8.RuneSelf {
			continue // cannot be at either end
		}
		s = stripRune(s, c)
	}
	// d.replace(',', '') then Decimal(d): Decimal strips whitespace, drops
	// every '_', and maps Unicode digits to ASCII; any other non-ASCII
	// character (inner whitespace included) is a syntax error.
	i, j := 0, len(s)
	for i < j {
		if c := s[i]; c < utf8.RuneSelf {
			if c != ',' && !isPySpace(rune(c)) {
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
		if c := s[j-1]; c < utf8.RuneSelf {
			if c != ',' && !isPySpace(rune(c)) {
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
	b := p.buf[:0]
	for k := i; k < j; {
		c := s[k]
		if c < utf8.RuneSelf {
			k++
			if c == ',' || c == '_' {
				continue
			}
			if c == 0 {
				return v, false, false, nil
			}
			b = append(b, c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[k:])
		k += n
		d := digitValue(r)
		if d < 0 {
			return v, false, false, nil
		}
		b = append(b, byte('0'+d))
	}
	p.buf = b
	v, p.coef, ok = parseDecimal(b, p.coef[:0])
	if !ok {
		return v, false, false, nil
	}
	if neg {
		v.neg = !v.neg
	}
	if v.kind != finite {
		return v, false, true, nil
	}
	if err := v.finalize(); err != nil {
		return v, false, false, err
	}
	return v, false, true, nil
}

// plain reads the common shape exactly and quickly: an optional "-", then
// at most 28 ASCII digits with an optional ".". Such text needs none of
// agate's stripping, and its Decimal needs no rounding.
func (p *numParser) plain(s string) (v number, ok bool) {
	i := 0
	if len(s) > 0 && s[0] == '-' {
		v.neg = true
		i = 1
	}
	coef := p.coef[:0]
	dot, digits := -1, 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			digits++
			if c != '0' || len(coef) > 0 {
				coef = append(coef, c)
			}
		case c == '.' && dot < 0:
			dot = i
		default:
			return v, false
		}
	}
	p.coef = coef
	if digits == 0 || len(coef) > ctxPrec {
		return v, false
	}
	if len(coef) == 0 {
		coef = append(coef, '0')
	}
	v.coef = coef
	if dot >= 0 {
		v.exp = -int64(len(s) - dot - 1)
	}
	return v, true
}

// parseDecimal reads libmpdec's string syntax exactly (no context). sNaN
// is rejected: multiplying it raises InvalidOperation, which agate catches.
// The coefficient is appended to coef, which is returned for reuse.
func parseDecimal(b, coef []byte) (v number, buf []byte, ok bool) {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		v.neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	if len(rest) == 0 {
		return v, coef, false
	}
	if c := rest[0] | 0x20; c == 'i' || c == 'n' || c == 's' {
		switch {
		case foldEqBytes(rest, "inf"), foldEqBytes(rest, "infinity"):
			v.kind = inf
			return v, coef, true
		case len(rest) >= 3 && foldEqBytes(rest[:3], "nan") && allDigits(rest[3:]):
			v.kind = nan
			return v, coef, true
		}
		return v, coef, false
	}
	start := i
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(b) && b[i] == '.' {
		i++
		fracStart = i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		fracEnd = i
	}
	if intEnd == start && fracEnd == fracStart {
		return v, coef, false
	}
	var e int64
	if i < len(b) && (b[i]|0x20) == 'e' {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return v, coef, false
		}
		for ; i < len(b); i++ {
			if !isDigit(b[i]) {
				return v, coef, false
			}
			if e < expSaturate {
				e = e*10 + int64(b[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
	}
	if i != len(b) {
		return v, coef, false
	}
	// The coefficient is the integer and fraction digits run together.
	coef = append(coef, b[start:intEnd]...)
	coef = append(coef, b[fracStart:fracEnd]...)
	k := 0
	for k < len(coef)-1 && coef[k] == '0' {
		k++
	}
	v.coef = coef[k:]
	v.exp = e - int64(fracEnd-fracStart)
	if v.isZero() {
		v.coef = v.coef[len(v.coef)-1:]
		return v, coef, minEtiny <= v.exp && v.exp <= maxEmax
	}
	adj := v.exp + int64(len(v.coef)) - 1
	return v, coef, adj <= maxEmax && v.exp >= minEtiny
}

func (v *number) isZero() bool { return len(v.coef) == 1 && v.coef[0] == '0' }

// finalize rounds a finite value into the default context, as the
// multiplication by the sign does.
func (v *number) finalize() error {
	if v.isZero() {
		v.exp = min(max(v.exp, ctxEtiny), ctxEmax)
		return nil
	}
	n := int64(len(v.coef))
	if adj := v.exp + n - 1; adj < ctxEmin && v.exp < ctxEtiny {
		v.roundOff(ctxEtiny - v.exp)
		v.exp = ctxEtiny
	} else if n > ctxPrec {
		v.exp += n - ctxPrec
		v.roundOff(n - ctxPrec)
		if len(v.coef) > ctxPrec { // carried into a new digit: 10^28
			v.coef = v.coef[:ctxPrec]
			v.exp++
		}
	}
	if v.exp+int64(len(v.coef))-1 > ctxEmax {
		return errOverflow
	}
	return nil
}

// roundOff drops the last k digits of the coefficient, rounding half to
// even; a carry may leave one digit more than was kept.
func (v *number) roundOff(k int64) {
	n := int64(len(v.coef))
	if k > n {
		v.coef = []byte{'0'}
		return
	}
	keep := v.coef[:n-k]
	first := v.coef[n-k]
	restNonZero := false
	for _, c := range v.coef[n-k+1:] {
		if c != '0' {
			restNonZero = true
			break
		}
	}
	lastOdd := len(keep) > 0 && (keep[len(keep)-1]-'0')%2 == 1
	up := first > '5' || (first == '5' && (restNonZero || lastOdd))
	if !up {
		v.coef = trimLeadingZeros(keep)
		return
	}
	for i := len(keep) - 1; i >= 0; i-- {
		if keep[i] != '9' {
			keep[i]++
			v.coef = keep
			return
		}
		keep[i] = '0'
	}
	// All nines (or nothing kept): the result is 10^len(keep).
	out := make([]byte, len(keep)+1)
	out[0] = '1'
	for i := 1; i < len(out); i++ {
		out[i] = '0'
	}
	v.coef = out
}

func trimLeadingZeros(b []byte) []byte {
	if len(b) == 0 {
		return []byte{'0'}
	}
	k := 0
	for k < len(b)-1 && b[k] == '0' {
		k++
	}
	return b[k:]
}

// places is agate's max_precision for one value (agate/utils.py): the
// whole and decimal places of value.normalize(). skip is true for values
// it ignores: NaN and those that float() turns into infinities.
func (v *number) places() (whole, decimals int64, skip bool) {
	if v.kind != finite {
		return 0, 0, true
	}
	n := int64(len(v.coef))
	if adj := v.exp + n - 1; adj >= 308 {
		f, _ := strconv.ParseFloat(string(v.coef)+"e"+strconv.FormatInt(v.exp, 10), 64)
		if f > 1.7976931348623157e308 {
			return 0, 0, true
		}
	}
	if v.isZero() {
		return 1, 0, false
	}
	tz := int64(0)
	for tz < n-1 && v.coef[n-1-tz] == '0' {
		tz++
	}
	exp := v.exp + tz
	return n - tz + exp, -exp, false
}

// integerText is what PostgreSQL stores when dbt binds the Decimal into an
// integer column: the value rounded half away from zero.
func (v *number) integerText() string {
	switch v.kind {
	case nan:
		return "NaN"
	case inf:
		if v.neg {
			return "-Infinity"
		}
		return "Infinity"
	}
	n := int64(len(v.coef))
	var digits []byte
	switch {
	case v.exp > 1000:
		// Far outside integer; keep it short. PostgreSQL rejects it, as it
		// rejects dbt's literal.
		return v.pythonString()
	case v.isZero():
		return "0"
	case v.exp >= 0:
		digits = make([]byte, 0, n+v.exp)
		digits = append(digits, v.coef...)
		for i := int64(0); i < v.exp; i++ {
			digits = append(digits, '0')
		}
	default:
		cut := n + v.exp // digits before the decimal point
		var first byte = '0'
		if cut >= 0 && cut < n {
			first = v.coef[cut]
		}
		if cut > 0 {
			digits = append([]byte(nil), v.coef[:cut]...)
		} else {
			digits = []byte{'0'}
		}
		if first >= '5' {
			i := len(digits) - 1
			for ; i >= 0 && digits[i] == '9'; i-- {
				digits[i] = '0'
			}
			if i < 0 {
				digits = append([]byte{'1'}, digits...)
			} else {
				digits[i]++
			}
		}
		digits = trimLeadingZeros(digits)
	}
	if v.neg && !(len(digits) == 1 && digits[0] == '0') {
		return "-" + string(digits)
	}
	return string(digits)
}

// floatText is str(Decimal), which dbt binds as a numeric literal into a
// float8 column; numeric has no negative zero, so neither does this.
func (v *number) floatText() string {
	switch v.kind {
	case nan:
		return "NaN"
	case inf:
		if v.neg {
			return "-Infinity"
		}
		return "Infinity"
	}
	return v.pythonString()
}

// pythonString is Decimal.__str__ (scientific notation when the exponent
// is positive or the value is small), without the sign of a zero.
func (v *number) pythonString() string {
	n := int64(len(v.coef))
	left := v.exp + n
	dot := int64(1)
	if v.exp <= 0 && left > -6 {
		dot = left
	}
	var b []byte
	if v.neg && !v.isZero() {
		b = append(b, '-')
	}
	switch {
	case dot <= 0:
		b = append(b, '0', '.')
		for i := int64(0); i < -dot; i++ {
			b = append(b, '0')
		}
		b = append(b, v.coef...)
	case dot >= n:
		b = append(b, v.coef...)
		for i := n; i < dot; i++ {
			b = append(b, '0')
		}
	default:
		b = append(b, v.coef[:dot]...)
		b = append(b, '.')
		b = append(b, v.coef[dot:]...)
	}
	if left != dot {
		b = append(b, 'E')
		if left-dot >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, left-dot, 10)
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func foldEqBytes(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != w[i] {
			return false
		}
	}
	return true
}
