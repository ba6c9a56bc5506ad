package csvseed

import (
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"
)

// Dates and times as dbt's type tester reads them
// (dbt_common/clients/agate_helper.py build_type_tester):
//
//   - agate Date with date_format "%Y-%m-%d" and agate DateTime with
//     datetime_format "%Y-%m-%d %H:%M:%S" call Python's
//     datetime.strptime, whose regular expressions (CPython
//     Lib/_strptime.py) accept one-digit months, days and times, any run of
//     whitespace for the space, and Unicode digits;
//   - dbt's ISODateTime calls isodate.parse_datetime, which needs exactly
//     one "T" and accepts the ISO 8601 date forms (calendar, week,
//     ordinal, month, year, century) and times with fractions and zones.

// civil is a parsed date or date-time.
type civil struct {
	year, month, day         int
	hour, minute, second, us int
	zoned                    bool
	offset                   int // minutes east of UTC, when zoned
}

// A strptime pattern is a sequence of tokens; alternatives are tried in
// order and the first way through wins, as in Python's re.match.
type elem struct{ lo, hi rune } // lo < 0: \d (any Unicode decimal digit)

type token struct {
	alts [][]elem // a group; nil for a literal or \s+
	lit  rune     // literal character; 0 with alts == nil is \s+
}

var (
	dig  = elem{-1, -1}
	rng  = func(lo, hi rune) elem { return elem{lo, hi} }
	ch   = func(c rune) elem { return elem{c, c} }
	tokY = token{alts: [][]elem{{dig, dig, dig, dig}}}
	tokm = token{alts: [][]elem{{ch('1'), rng('0', '2')}, {ch('0'), rng('1', '9')}, {rng('1', '9')}}}
	tokd = token{alts: [][]elem{{ch('3'), rng('0', '1')}, {rng('1', '2'), dig}, {ch('0'), rng('1', '9')}, {rng('1', '9')}, {ch(' '), rng('1', '9')}}}
	tokH = token{alts: [][]elem{{ch('2'), rng('0', '3')}, {rng('0', '1'), dig}, {dig}}}
	tokM = token{alts: [][]elem{{rng('0', '5'), dig}, {dig}}}
	tokS = token{alts: [][]elem{{ch('6'), rng('0', '1')}, {rng('0', '5'), dig}, {dig}}}

	// "%Y-%m-%d" and "%Y-%m-%d %H:%M:%S".
	dateFormat     = []token{tokY, {lit: '-'}, tokm, {lit: '-'}, tokd}
	dateTimeFormat = []token{tokY, {lit: '-'}, tokm, {lit: '-'}, tokd, {}, tokH, {lit: ':'}, tokM, {lit: ':'}, tokS}
)

func (e elem) match(r rune) bool {
	if e.lo < 0 {
		return digitValue(r) >= 0
	}
	return e.lo <= r && r <= e.hi
}

// matchFrom matches toks[k:] at s[pos:], recording each group's text in
// caps, and returns where the match ends.
func matchFrom(toks []token, k int, s string, pos int, caps []string) (int, bool) {
	if k == len(toks) {
		return pos, true
	}
	t := toks[k]
	switch {
	case t.alts != nil:
	alts:
		for _, alt := range t.alts {
			p := pos
			for _, e := range alt {
				if p >= len(s) {
					continue alts
				}
				r, n := utf8.DecodeRuneInString(s[p:])
				if !e.match(r) {
					continue alts
				}
				p += n
			}
			caps[k] = s[pos:p]
			if end, ok := matchFrom(toks, k+1, s, p, caps); ok {
				return end, true
			}
		}
		return 0, false
	case t.lit != 0:
		if pos < len(s) && rune(s[pos]) == t.lit {
			return matchFrom(toks, k+1, s, pos+1, caps)
		}
		return 0, false
	default:
		// \s+ is greedy; what follows it (%H) never matches whitespace, so
		// giving characters back cannot help.
		p := pos
		for p < len(s) {
			r, n := utf8.DecodeRuneInString(s[p:])
			if !isPySpace(r) {
				break
			}
			p += n
		}
		if p == pos {
			return 0, false
		}
		return matchFrom(toks, k+1, s, p, caps)
	}
}

// atoiDigits is int() of a run of Unicode decimal digits.
func atoiDigits(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + digitValue(r)
	}
	return n
}

// strptime is datetime.strptime(s, format) for the two formats above.
func strptime(s string, withTime bool) (c civil, ok bool) {
	toks := dateFormat
	if withTime {
		toks = dateTimeFormat
	}
	var caps [11]string
	end, ok := matchFrom(toks, 0, s, 0, caps[:])
	if !ok || end != len(s) { // "unconverted data remains"
		return c, false
	}
	c.year, c.month = atoiDigits(caps[0]), atoiDigits(caps[2])
	c.day = atoiDigits(strings.TrimPrefix(caps[4], " "))
	if withTime {
		c.hour, c.minute, c.second = atoiDigits(caps[6]), atoiDigits(caps[8]), atoiDigits(caps[10])
		if c.second > 59 { // the pattern allows 60 and 61; datetime() does not
			return c, false
		}
	}
	return c, validDate(c.year, c.month, c.day)
}

func validDate(y, m, d int) bool {
	return 1 <= y && y <= 9999 && 1 <= m && m <= 12 && 1 <= d && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDate is agate Date(date_format="%Y-%m-%d").cast.
func parseDate(raw string) (c civil, null, ok bool) {
	s := pyStrip(raw)
	if isNull(s) {
		return c, true, true
	}
	c, ok = strptime(s, false)
	return c, false, ok
}

// parseDateTime is agate DateTime(datetime_format="%Y-%m-%d %H:%M:%S").cast.
func parseDateTime(raw string) (c civil, null, ok bool) {
	s := pyStrip(raw)
	if isNull(s) {
		return c, true, true
	}
	c, ok = strptime(s, true)
	return c, false, ok
}

// parseISODateTime is dbt's ISODateTime.cast: isodate.parse_datetime.
func parseISODateTime(raw string) (c civil, null, ok bool) {
	s := pyStrip(raw)
	if isNull(s) {
		return c, true, true
	}
	t := strings.IndexByte(s, 'T')
	if t < 0 || strings.IndexByte(s[t+1:], 'T') >= 0 {
		return c, false, false
	}
	if c.year, c.month, c.day, ok = isoDate(s[:t]); !ok {
		return c, false, false
	}
	return c, false, isoTime(s[t+1:], &c)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// isoDate is isodate.parse_date with four-digit years (isodate/isodates.py).
func isoDate(s string) (y, m, d int, ok bool) {
	shape := func(pat string) bool { // '9' is a digit, others literal
		if len(s) != len(pat) {
			return false
		}
		for i := 0; i < len(s); i++ {
			if pat[i] == '9' {
				if !isDigit(s[i]) {
					return false
				}
			} else if s[i] != pat[i] {
				return false
			}
		}
		return true
	}
	switch {
	case shape("9999-99-99"), shape("99999999"):
		y, m, d = atoi(s[:4]), atoi(s[len(s)-5:len(s)-3]), atoi(s[len(s)-2:])
		if s[4] != '-' {
			m, d = atoi(s[4:6]), atoi(s[6:8])
		}
		if m == 0 { // int(month) or defaultmonth
			m = 1
		}
		return y, m, d, validDate(y, m, d)
	case shape("9999-W99-9"), shape("9999W999"), shape("9999-W99"), shape("9999W99"):
		y = atoi(s[:4])
		rest := strings.TrimPrefix(strings.TrimPrefix(s[4:], "-"), "W")
		week := atoi(rest[:2])
		day := 1
		if r := strings.TrimPrefix(rest[2:], "-"); r != "" {
			day = atoi(r)
		}
		if y < 1 {
			return 0, 0, 0, false
		}
		jan1 := ordinal(y, 1, 1)
		isoWeekday := int((jan1-1)%7) + 1 // 0001-01-01 was a Monday
		weeks := week
		if isoWeekday <= 4 { // 1 January is in ISO week 1
			weeks--
		}
		return fromOrdinal(jan1 + int64(weeks*7-isoWeekday+day))
	case shape("9999-999"), shape("9999999"):
		y = atoi(s[:4])
		if y < 1 {
			return 0, 0, 0, false
		}
		return fromOrdinal(ordinal(y, 1, 1) + int64(atoi(s[len(s)-3:])-1))
	case shape("9999-99"), shape("999999"):
		y, m = atoi(s[:4]), atoi(s[len(s)-2:])
		if m == 0 {
			m = 1
		}
		return y, m, 1, validDate(y, m, 1)
	case shape("9999"):
		y = atoi(s)
		return y, 1, 1, validDate(y, 1, 1)
	case shape("99"):
		return atoi(s)*100 + 1, 1, 1, true
	}
	return 0, 0, 0, false
}

// ordinal is Python's date.toordinal: 0001-01-01 is day 1.
func ordinal(y, m, d int) int64 {
	days := int64(y-1)*365 + int64((y-1)/4-(y-1)/100+(y-1)/400)
	for i := 1; i < m; i++ {
		days += int64(daysIn(y, i))
	}
	return days + int64(d)
}

// fromOrdinal is date.fromordinal, failing outside years 1..9999 as
// Python's date arithmetic does (OverflowError).
func fromOrdinal(n int64) (y, m, d int, ok bool) {
	if n < 1 || n > ordinal(9999, 12, 31) {
		return 0, 0, 0, false
	}
	t := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n-1))
	return t.Year(), int(t.Month()), t.Day(), true
}

// isoTime is isodate.parse_time (isodate/isotime.py): the first of
// hh:mm:ss, hhmmss, hh:mm, hhmm, hh that matches, each with an optional
// decimal fraction ("," or ".") on its last part and a zone.
func isoTime(s string, c *civil) bool {
	type layout struct {
		parts int
		colon bool
	}
	for _, l := range [...]layout{{3, true}, {3, false}, {2, true}, {2, false}, {1, false}} {
		var nums [3]string
		p, ok := 0, true
		for i := 0; i < l.parts && ok; i++ {
			if i > 0 && l.colon {
				if p >= len(s) || s[p] != ':' {
					ok = false
					break
				}
				p++
			}
			if p+2 > len(s) || !isDigit(s[p]) || !isDigit(s[p+1]) {
				ok = false
				break
			}
			nums[i] = s[p : p+2]
			p += 2
		}
		if !ok {
			continue
		}
		frac := ""
		if p+1 < len(s) && (s[p] == '.' || s[p] == ',') && isDigit(s[p+1]) {
			q := p + 1
			for q < len(s) && isDigit(s[q]) {
				q++
			}
			frac = s[p+1 : q]
			p = q
		}
		zoned, offset, ok := isoZone(s[p:])
		if !ok {
			continue
		}
		c.zoned, c.offset = zoned, offset
		return isoClock(l.parts, nums, frac, c)
	}
	return false
}

// isoZone reads "", "Z", "±hh", "±hhmm" or "±hh:mm" (isodate/isotzinfo.py).
func isoZone(s string) (zoned bool, offset int, ok bool) {
	switch {
	case s == "":
		return false, 0, true
	case s == "Z":
		return true, 0, true
	case len(s) < 3 || (s[0] != '+' && s[0] != '-') || !isDigits(s[1:3]):
		return false, 0, false
	}
	h, m := atoi(s[1:3]), 0
	switch rest := s[3:]; {
	case rest == "":
	case len(rest) == 2 && isDigits(rest):
		m = atoi(rest)
	case len(rest) == 3 && rest[0] == ':' && isDigits(rest[1:]):
		m = atoi(rest[1:])
	default:
		return false, 0, false
	}
	offset = h*60 + m
	if s[0] == '-' {
		offset = -offset
	}
	return true, offset, true
}

// isoClock sets the time of c from the matched parts, computing fractions
// with Python's Decimal arithmetic (28 significant digits per operation).
func isoClock(parts int, nums [3]string, frac string, c *civil) bool {
	h, m, sec, us := atoi(nums[0]), 0, 0, 0
	switch {
	case parts == 3:
		m, sec = atoi(nums[1]), atoi(nums[2])
		// Decimal(ss.fff).quantize(Decimal(".000001"), ROUND_FLOOR)
		f := (frac + "000000")[:6]
		us = atoi(f)
	case frac == "":
		if parts == 2 {
			m = atoi(nums[1])
		}
	case parts == 2:
		// second = ((minute - int(minute)) * 60).quantize(1e-6, ROUND_FLOOR)
		minute := decFrom(nums[1], frac)
		mi := minute.trunc()
		second := minute.subInt(mi).mulInt(60).quantizeFloor6()
		si := second.trunc()
		m, sec = int(mi.Int64()), int(si.Int64())
		us = int(second.subInt(si).mulInt(1000000).integralHalfEven().Int64())
	default:
		hour := decFrom(nums[0], frac)
		hi := hour.trunc()
		minute := hour.subInt(hi).mulInt(60)
		mi := minute.trunc()
		second := minute.subInt(mi).mulInt(60)
		si := second.trunc()
		h, m, sec = int(hi.Int64()), int(mi.Int64()), int(si.Int64())
		usd := second.subInt(si).mulInt(1000000).integralHalfEven()
		if !usd.IsInt64() {
			return false
		}
		us = int(usd.Int64())
	}
	c.hour, c.minute, c.second, c.us = h, m, sec, us
	// datetime.time's ranges.
	return h <= 23 && m <= 59 && sec <= 59 && us <= 999999
}

// dec is a non-negative Python Decimal: coef × 10^exp.
type dec struct {
	coef *big.Int
	exp  int
}

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

func decFrom(whole, frac string) dec {
	c, _ := new(big.Int).SetString(whole+frac, 10)
	return dec{c, -len(frac)}
}

// trunc is int(d).
func (d dec) trunc() *big.Int {
	if d.exp >= 0 {
		return new(big.Int).Mul(d.coef, pow10(d.exp))
	}
	return new(big.Int).Quo(d.coef, pow10(-d.exp))
}

// round28 rounds to the context's 28 significant digits, half to even.
func (d dec) round28() dec {
	n := len(d.coef.String())
	if d.coef.Sign() == 0 || n <= ctxPrec {
		return d
	}
	drop := n - ctxPrec
	q, r := new(big.Int).QuoRem(d.coef, pow10(drop), new(big.Int))
	half := new(big.Int).Mul(big.NewInt(5), pow10(drop-1))
	if cmp := r.Cmp(half); cmp > 0 || (cmp == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	d = dec{q, d.exp + drop}
	if len(q.String()) > ctxPrec {
		d = dec{q.Quo(q, bigTen), d.exp + 1}
	}
	return d
}

// subInt is d - i for 0 <= i <= d, rounded.
func (d dec) subInt(i *big.Int) dec {
	if d.exp > 0 {
		d = dec{new(big.Int).Mul(d.coef, pow10(d.exp)), 0}
	}
	c := new(big.Int).Sub(d.coef, new(big.Int).Mul(i, pow10(-d.exp)))
	return dec{c, d.exp}.round28()
}

func (d dec) mulInt(k int64) dec {
	return dec{new(big.Int).Mul(d.coef, big.NewInt(k)), d.exp}.round28()
}

func (d dec) quantizeFloor6() dec {
	switch {
	case d.exp < -6:
		return dec{new(big.Int).Quo(d.coef, pow10(-6-d.exp)), -6}
	case d.exp > -6:
		return dec{new(big.Int).Mul(d.coef, pow10(d.exp+6)), -6}
	}
	return d
}

func (d dec) integralHalfEven() *big.Int {
	if d.exp >= 0 {
		return d.trunc()
	}
	q, r := new(big.Int).QuoRem(d.coef, pow10(-d.exp), new(big.Int))
	half := new(big.Int).Mul(big.NewInt(5), pow10(-d.exp-1))
	if cmp := r.Cmp(half); cmp > 0 || (cmp == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// dateText is date.isoformat(), as dbt binds it.
func (c *civil) dateText() string {
	return fmt.Sprintf("%04d-%02d-%02d", c.year, c.month, c.day)
}

// errZone is Python's refusal of a UTC offset of a day or more, raised
// when dbt binds the value.
var errZone = fmt.Errorf("UTC offset must be less than 24 hours")

// timestampText is the value stored in a "timestamp without time zone"
// column: dbt binds naive values as they are, and zoned ones as timestamptz
// literals that PostgreSQL converts to the session's time zone; this
// assumes the session is in UTC.
func (c *civil) timestampText() (string, error) {
	t := time.Date(c.year, time.Month(c.month), c.day, c.hour, c.minute, c.second, c.us*1000, time.UTC)
	if c.zoned {
		if c.offset <= -24*60 || c.offset >= 24*60 {
			return "", errZone
		}
		t = t.Add(-time.Duration(c.offset) * time.Minute)
	}
	b := make([]byte, 0, 32)
	y, bc := t.Year(), false
	if y <= 0 {
		y, bc = 1-y, true
	}
	b = fmt.Appendf(b, "%04d-%02d-%02d %02d:%02d:%02d", y, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
	if us := t.Nanosecond() / 1000; us != 0 {
		b = fmt.Appendf(b, ".%06d", us)
	}
	if bc {
		b = append(b, " BC"...)
	}
	return string(b), nil
}
