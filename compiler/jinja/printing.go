package jinja

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ToString is Jinja's str(): Python printing. None is "None", Undefined is "".
func ToString(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	case Undefined:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	}
	var b strings.Builder
	writeValue(&b, v)
	return b.String()
}

// Repr is Python's repr().
func Repr(v Value) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeValue(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case string:
		b.WriteString(x)
	case Undefined:
	case fmt.Stringer:
		if _, isList := v.(*List); !isList {
			b.WriteString(x.String())
			return
		}
		writeRepr(b, v)
	default:
		writeRepr(b, v)
	}
}

func writeRepr(b *strings.Builder, v Value) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(formatFloat(x))
	case string:
		writeStringRepr(b, x)
	case *List:
		if x.Tuple {
			b.WriteByte('(')
		} else {
			b.WriteByte('[')
		}
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, it)
		}
		if x.Tuple {
			if len(x.Items) == 1 {
				b.WriteByte(',')
			}
			b.WriteByte(')')
		} else {
			b.WriteByte(']')
		}
	case *Dict:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, k)
			b.WriteString(": ")
			writeRepr(b, x.vals[i])
		}
		b.WriteByte('}')
	case Undefined:
		b.WriteString("Undefined")
	case *Macro:
		b.WriteString("<Macro '" + x.Name + "'>")
	case *Namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, x.d)
		b.WriteString(">")
	case *boundMethod:
		fmt.Fprintf(b, "<built-in method %s of %s object>", x.name, typeName(x.recv))
	case Func:
		b.WriteString("<function>")
	case *loopObj:
		fmt.Fprintf(b, "<LoopContext %d/%d>", x.index0+1, len(x.items))
	case fmt.Stringer:
		b.WriteString(x.String())
	default:
		n := normalize(v)
		switch n.(type) {
		case *List, *Dict, int64, float64:
			writeRepr(b, n)
			return
		}
		fmt.Fprintf(b, "%v", v)
	}
}

// writeStringRepr quotes like Python: single quotes unless the string
// contains a single quote and no double quote.
func writeStringRepr(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x7f:
			b.WriteRune(r)
		case !unicode.IsPrint(r):
			switch {
			case r < 0x100:
				fmt.Fprintf(b, `\x%02x`, r)
			case r < 0x10000:
				fmt.Fprintf(b, `\u%04x`, r)
			default:
				fmt.Fprintf(b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

// formatFloat is Python's float repr: the shortest round-tripping digits,
// positional for exponents in [-4, 16), scientific otherwise.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	var out string
	if exp >= -4 && exp < 16 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
			} else {
				out = digits[:exp+1] + "." + digits[exp+1:]
			}
		} else {
			out = "0." + strings.Repeat("0", -exp-1) + digits
		}
	} else {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		out = fmt.Sprintf("%se%s%02d", m, sign, exp)
	}
	if neg {
		return "-" + out
	}
	return out
}

// percentFormat is Python's printf-style `str % args`.
func percentFormat(format string, arg Value) (Value, error) {
	var args []Value
	var mapping *Dict
	switch x := arg.(type) {
	case *List:
		if x.Tuple {
			args = x.Items
		} else {
			args = []Value{x}
		}
	case *Dict:
		mapping = x
		args = []Value{x}
	default:
		args = []Value{arg}
	}
	var b strings.Builder
	ai := 0
	usedMapping := false
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, errors.New("incomplete format")
		}
		var key string
		hasKey := false
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 {
				return nil, errors.New("incomplete format key")
			}
			key = format[i+1 : i+end]
			hasKey = true
			i += end + 1
		}
		start := i
		for i < len(format) && strings.IndexByte("#0- +", format[i]) >= 0 {
			i++
		}
		flags := format[start:i]
		width := -1
		if i < len(format) && format[i] == '*' {
			if ai >= len(args) {
				return nil, errors.New("not enough arguments for format string")
			}
			n, _ := args[ai].(int64)
			width = int(n)
			ai++
			i++
		} else {
			ws := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			if i > ws {
				width, _ = strconv.Atoi(format[ws:i])
			}
		}
		prec := -1
		if i < len(format) && format[i] == '.' {
			i++
			ps := i
			for i < len(format) && format[i] >= '0' && format[i] <= '9' {
				i++
			}
			prec, _ = strconv.Atoi(format[ps:i])
		}
		for i < len(format) && strings.IndexByte("hlL", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return nil, errors.New("incomplete format")
		}
		conv := format[i]
		if conv == '%' {
			b.WriteByte('%')
			continue
		}
		var v Value
		if hasKey {
			if mapping == nil {
				return nil, errors.New("format requires a mapping")
			}
			x, ok := mapping.Get(key)
			if !ok {
				return nil, fmt.Errorf("KeyError: %s", Repr(key))
			}
			v = x
			usedMapping = true
		} else {
			if ai >= len(args) {
				return nil, errors.New("not enough arguments for format string")
			}
			v = args[ai]
			ai++
		}
		s, err := formatOne(conv, flags, width, prec, v)
		if err != nil {
			return nil, err
		}
		b.WriteString(s)
	}
	if !usedMapping && ai < len(args) && mapping == nil {
		return nil, errors.New("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func formatOne(conv byte, flags string, width, prec int, v Value) (string, error) {
	left := strings.Contains(flags, "-")
	zero := strings.Contains(flags, "0") && !left
	plus := strings.Contains(flags, "+")
	space := strings.Contains(flags, " ")
	var body string
	numeric := false
	switch conv {
	case 's':
		body = ToString(v)
		if prec >= 0 && prec < utf8.RuneCountInString(body) {
			body = string([]rune(body)[:prec])
		}
	case 'r', 'a':
		body = Repr(v)
		if prec >= 0 && prec < utf8.RuneCountInString(body) {
			body = string([]rune(body)[:prec])
		}
	case 'd', 'i', 'u':
		n, ok := numeric2(v)
		if !ok {
			return "", fmt.Errorf("%%%c format: a real number is required, not %s", conv, typeName(v))
		}
		var iv int64
		switch x := n.(type) {
		case int64:
			iv = x
		case float64:
			iv = int64(x)
		}
		body = strconv.FormatInt(iv, 10)
		numeric = true
	case 'x', 'X', 'o':
		n, ok := numeric2(v)
		iv, isInt := n.(int64)
		if !ok || !isInt {
			return "", fmt.Errorf("%%%c format: an integer is required, not %s", conv, typeName(v))
		}
		base := 16
		if conv == 'o' {
			base = 8
		}
		neg := iv < 0
		if neg {
			iv = -iv
		}
		body = strconv.FormatInt(iv, base)
		if conv == 'X' {
			body = strings.ToUpper(body)
		}
		if strings.Contains(flags, "#") {
			body = "0" + string(conv) + body
		}
		if neg {
			body = "-" + body
		}
		numeric = true
	case 'f', 'F', 'e', 'E', 'g', 'G':
		n, ok := numeric2(v)
		if !ok {
			return "", fmt.Errorf("must be real number, not %s", typeName(v))
		}
		f := toFloat(n)
		if prec < 0 {
			prec = 6
		}
		switch conv {
		case 'f', 'F':
			body = strconv.FormatFloat(f, 'f', prec, 64)
		case 'e', 'E':
			body = pyExp(strconv.FormatFloat(f, 'e', prec, 64))
		case 'g', 'G':
			if prec == 0 {
				prec = 1
			}
			body = pyExp(strconv.FormatFloat(f, 'g', prec, 64))
			if strings.Contains(flags, "#") && !strings.Contains(body, ".") {
				body += "."
			}
		}
		if conv == 'E' || conv == 'G' || conv == 'F' {
			body = strings.ToUpper(body)
		}
		numeric = true
	case 'c':
		switch x := v.(type) {
		case int64:
			body = string(rune(x))
		case string:
			body = x
		default:
			return "", errors.New("%c requires int or char")
		}
	default:
		return "", fmt.Errorf("unsupported format character '%c' (0x%x)", conv, conv)
	}
	if numeric && !strings.HasPrefix(body, "-") {
		if plus {
			body = "+" + body
		} else if space {
			body = " " + body
		}
	}
	n := utf8.RuneCountInString(body)
	if width > n {
		pad := width - n
		switch {
		case left:
			body += strings.Repeat(" ", pad)
		case zero && numeric:
			sign := ""
			if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") || strings.HasPrefix(body, " ") {
				sign, body = body[:1], body[1:]
			}
			body = sign + strings.Repeat("0", pad) + body
		default:
			body = strings.Repeat(" ", pad) + body
		}
	}
	return body, nil
}

func numeric2(v Value) (Value, bool) {
	return numeric(v)
}

// pyExp rewrites Go's exponent ("e+00", "e-07") into Python's at-least-two
// digits form, which Go already uses; kept for clarity on 3-digit exponents.
func pyExp(s string) string { return s }

// formatMethod is Python's str.format with positional ({} / {0}) and named
// ({name}) fields, conversions (!r, !s) and common format specs.
func formatMethod(format string, args []Value, kwargs *Dict) (string, error) {
	var b strings.Builder
	auto := 0
	mode := 0 // 0 unknown, 1 automatic, 2 manual
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == '}' {
			if i+1 < len(format) && format[i+1] == '}' {
				b.WriteByte('}')
				i++
				continue
			}
			return "", errors.New("Single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			b.WriteByte('{')
			i++
			continue
		}
		end := strings.IndexByte(format[i:], '}')
		if end < 0 {
			return "", errors.New("expected '}' before end of string")
		}
		field := format[i+1 : i+end]
		i += end
		spec := ""
		if k := strings.IndexByte(field, ':'); k >= 0 {
			field, spec = field[:k], field[k+1:]
		}
		conv := byte(0)
		if k := strings.IndexByte(field, '!'); k >= 0 && k+1 < len(field) {
			conv = field[k+1]
			field = field[:k]
		}
		name, rest := field, ""
		if k := strings.IndexAny(field, ".["); k >= 0 {
			name, rest = field[:k], field[k:]
		}
		var v Value
		switch {
		case name == "":
			if mode == 2 {
				return "", errors.New("cannot switch from manual field specification to automatic field numbering")
			}
			mode = 1
			if auto >= len(args) {
				return "", fmt.Errorf("Replacement index %d out of range for positional args tuple", auto)
			}
			v = args[auto]
			auto++
		case name[0] >= '0' && name[0] <= '9':
			if mode == 1 {
				return "", errors.New("cannot switch from automatic field numbering to manual field specification")
			}
			mode = 2
			n, _ := strconv.Atoi(name)
			if n >= len(args) {
				return "", fmt.Errorf("Replacement index %d out of range for positional args tuple", n)
			}
			v = args[n]
		default:
			x, ok := kwargs.Get(name)
			if !ok {
				return "", fmt.Errorf("KeyError: %s", Repr(name))
			}
			v = x
		}
		for rest != "" {
			if rest[0] == '.' {
				k := strings.IndexAny(rest[1:], ".[")
				attr := rest[1:]
				if k >= 0 {
					attr, rest = rest[1:k+1], rest[k+1:]
				} else {
					rest = ""
				}
				v = getattr(v, attr)
			} else {
				k := strings.IndexByte(rest, ']')
				if k < 0 {
					return "", errors.New("Missing ']' in format string")
				}
				key := rest[1:k]
				rest = rest[k+1:]
				var kv Value = key
				if n, err := strconv.ParseInt(key, 10, 64); err == nil {
					kv = n
				}
				x, err := getitem(v, kv)
				if err != nil {
					return "", err
				}
				v = x
			}
		}
		switch conv {
		case 'r', 'a':
			v = Repr(v)
		case 's':
			v = ToString(v)
		}
		s, err := formatSpec(v, spec)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// formatSpec applies a format-spec mini-language subset:
// [[fill]align][sign][0][width][,][.precision][type].
func formatSpec(v Value, spec string) (string, error) {
	if spec == "" {
		return ToString(v), nil
	}
	fill, align := " ", byte(0)
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = string(rs[0]), byte(rs[1])
		spec = string(rs[2:])
	} else if len(spec) >= 1 && strings.IndexByte("<>^=", spec[0]) >= 0 {
		align = spec[0]
		spec = spec[1:]
	}
	sign := byte(0)
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		sign = spec[0]
		spec = spec[1:]
	}
	if strings.HasPrefix(spec, "0") {
		if align == 0 {
			fill, align = "0", '='
		}
		spec = spec[1:]
	}
	i := 0
	for i < len(spec) && spec[i] >= '0' && spec[i] <= '9' {
		i++
	}
	width := -1
	if i > 0 {
		width, _ = strconv.Atoi(spec[:i])
	}
	spec = spec[i:]
	comma := false
	if strings.HasPrefix(spec, ",") || strings.HasPrefix(spec, "_") {
		comma = true
		spec = spec[1:]
	}
	prec := -1
	if strings.HasPrefix(spec, ".") {
		j := 1
		for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
			j++
		}
		prec, _ = strconv.Atoi(spec[1:j])
		spec = spec[j:]
	}
	typ := byte(0)
	if spec != "" {
		typ = spec[0]
	}
	var body string
	isNum := false
	n, isNumber := numeric(v)
	if _, isBool := v.(bool); isBool && typ == 0 {
		isNumber = false
	}
	switch {
	case isNumber && (typ == 0 || strings.IndexByte("dfFeEgGn%xXobs", typ) >= 0) && typ != 's':
		isNum = true
		switch typ {
		case 'd', 'n':
			iv, ok := n.(int64)
			if !ok {
				return "", fmt.Errorf("Unknown format code 'd' for object of type 'float'")
			}
			body = strconv.FormatInt(iv, 10)
		case 'x', 'X', 'o', 'b':
			iv, _ := n.(int64)
			base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'b': 2}[typ]
			body = strconv.FormatInt(iv, base)
			if typ == 'X' {
				body = strings.ToUpper(body)
			}
		case 'f', 'F':
			if prec < 0 {
				prec = 6
			}
			body = strconv.FormatFloat(toFloat(n), 'f', prec, 64)
		case 'e', 'E':
			if prec < 0 {
				prec = 6
			}
			body = strconv.FormatFloat(toFloat(n), 'e', prec, 64)
		case 'g', 'G':
			if prec < 0 {
				prec = 6
			}
			body = strconv.FormatFloat(toFloat(n), 'g', prec, 64)
		case '%':
			if prec < 0 {
				prec = 6
			}
			body = strconv.FormatFloat(toFloat(n)*100, 'f', prec, 64) + "%"
		default:
			if prec >= 0 {
				body = strconv.FormatFloat(toFloat(n), 'g', prec, 64)
			} else {
				body = ToString(n)
			}
		}
		if typ == 'E' || typ == 'G' || typ == 'F' {
			body = strings.ToUpper(body)
		}
		if comma {
			body = groupThousands(body)
		}
		if !strings.HasPrefix(body, "-") {
			switch sign {
			case '+':
				body = "+" + body
			case ' ':
				body = " " + body
			}
		}
	default:
		body = ToString(v)
		if prec >= 0 && prec < utf8.RuneCountInString(body) {
			body = string([]rune(body)[:prec])
		}
	}
	if align == 0 {
		if isNum {
			align = '>'
		} else {
			align = '<'
		}
	}
	l := utf8.RuneCountInString(body)
	if width > l {
		pad := width - l
		switch align {
		case '<':
			body += strings.Repeat(fill, pad)
		case '>':
			body = strings.Repeat(fill, pad) + body
		case '^':
			body = strings.Repeat(fill, pad/2) + body + strings.Repeat(fill, pad-pad/2)
		case '=':
			s := ""
			if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") || strings.HasPrefix(body, " ") {
				s, body = body[:1], body[1:]
			}
			body = s + strings.Repeat(fill, pad) + body
		}
	}
	return body, nil
}

func groupThousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// sortedKeys returns a dict's string forms sorted, used by tojson.
func sortedKeys(d *Dict) []int {
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		lt, _ := less(d.keys[idx[a]], d.keys[idx[b]])
		return lt
	})
	return idx
}
