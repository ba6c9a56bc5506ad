// Package csvseed reads dbt seed files: it infers each column's type
// exactly as dbt does (agate's type tester as dbt-common configures it),
// names the types as dbt-postgres and dbt-athena do, and streams the rows
// with their values normalized for loading. The runner uses it to build an
// adapters.Seed; adapters use PostgresType or AthenaType for the columns.
//
// Reading is two streaming passes over the file: Infer decides the types
// and counts the rows, Open yields the values.
package csvseed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/gmodel/gmodel/adapters"
)

// Kind is the type dbt infers for a seed column.
type Kind int

const (
	// Integer is a column of whole numbers (agate Number without decimal
	// places), or one without any value.
	Integer Kind = iota
	// Number is a column of numbers, some with decimal places.
	Number
	// Boolean is a column of true and false, in any case.
	Boolean
	// Date is a column of dates like 2024-01-31 (strptime "%Y-%m-%d").
	Date
	// DateTime is a column of timestamps: strptime "%Y-%m-%d %H:%M:%S",
	// or ISO 8601 with a "T".
	DateTime
	// Text is any other column, and every column_types column.
	Text
)

var kindNames = [...]string{"Integer", "Number", "Boolean", "Date", "DateTime", "Text"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// PostgresType is the column type dbt-postgres creates for a kind
// (dbt-adapters dbt/adapters/sql/impl.py, convert_*_type).
func PostgresType(k Kind) string {
	switch k {
	case Integer:
		return "integer"
	case Number:
		return "float8"
	case Boolean:
		return "boolean"
	case Date:
		return "date"
	case DateTime:
		return "timestamp without time zone"
	}
	return "text"
}

// AthenaType is the column type dbt-athena creates for a kind
// (dbt/adapters/athena/impl.py overrides text, number and datetime).
// Its seed macros write "string" as varchar where Trino needs it.
func AthenaType(k Kind) string {
	switch k {
	case Integer:
		return "integer"
	case Number:
		return "double"
	case Boolean:
		return "boolean"
	case Date:
		return "date"
	case DateTime:
		return "timestamp"
	}
	return "string"
}

// Options configure reading a seed.
type Options struct {
	// Name is the file's path as shown in messages, e.g. "seeds/x.csv".
	Name string
	// Delimiter is the seed's delimiter config; zero means ','.
	Delimiter rune
	// ColumnTypes is the seed's column_types config: column name to SQL
	// type. Those columns are read as text and created with that type.
	ColumnTypes map[string]string
}

func (o *Options) delimiter() (rune, error) {
	d := o.Delimiter
	if d == 0 {
		d = ','
	}
	// dbt would accept these, but a quote never separates (it opens a
	// quoted field) and newlines end records.
	if d == '"' || d == '\n' || d == '\r' || !utf8.ValidRune(d) {
		return 0, fmt.Errorf("%s: delimiter %q cannot separate fields", o.name(), d)
	}
	return d, nil
}

func (o *Options) name() string {
	if o.Name == "" {
		return "<seed>"
	}
	return o.Name
}

// Error is a problem at a position in a seed file.
type Error struct {
	Name      string
	Line, Col int // 1-based; Col counts bytes
	Err       error
}

func (e *Error) Error() string {
	name := e.Name
	if name == "" {
		name = "<seed>"
	}
	return fmt.Sprintf("%s:%d:%d: %v", name, e.Line, e.Col, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Table is what Infer learned about a seed.
type Table struct {
	// Header holds the column names as dbt names them: duplicates get
	// "_2", "_3"... and unnamed columns a letter, as agate does.
	Header []string
	Kinds  []Kind
	// Types holds each column's column_types override, "" when inferred.
	Types []string
	// Rows counts the data rows; as in dbt, an empty line is a row of
	// NULLs.
	Rows int64
	// Warnings are what dbt warns about: renamed columns, column_types for
	// columns the file does not have.
	Warnings []string

	casts       []cast
	blankHeader bool
}

// Columns returns the table's columns typed for an adapter, e.g.
// t.Columns(csvseed.PostgresType); column_types overrides win.
func (t *Table) Columns(typeName func(Kind) string) []adapters.Column {
	cols := make([]adapters.Column, len(t.Header))
	for i, name := range t.Header {
		typ := t.Types[i]
		if typ == "" {
			typ = typeName(t.Kinds[i])
		}
		cols[i] = adapters.Column{Name: name, DataType: typ}
	}
	return cols
}

// cast is how a column's values are read, the agate type dbt chose.
type cast uint8

const (
	castNone     cast = iota // dbt_common Integer: no row reached the column
	castInt                  // agate Number, no decimal places
	castFloat                // agate Number with decimal places
	castDate                 // agate Date "%Y-%m-%d"
	castDateTime             // agate DateTime "%Y-%m-%d %H:%M:%S"
	castISO                  // dbt_common ISODateTime
	castBool                 // agate Boolean true/false
	castText                 // agate Text
)

// Hypotheses of agate's TypeTester, in dbt's order of preference
// (build_type_tester): the first one every value passes wins.
const (
	hInteger uint8 = 1 << iota
	hNumber
	hDate
	hDateTime
	hISO
	hBoolean
	hText
	hAll = 1<<iota - 1
)

type column struct {
	hyp            uint8
	forced         bool
	whole, decimal int64 // agate max_precision state
}

// maxErrors bounds how many problems Infer reports.
const maxErrors = 10

// Infer reads a seed once: its header, the kind of each column and the
// number of rows. Problems in the file are *Error values (joined when
// there are several).
func Infer(ctx context.Context, r io.Reader, opts Options) (*Table, error) {
	delim, err := opts.delimiter()
	if err != nil {
		return nil, err
	}
	rd := newReader(r, opts.Name, delim)
	ok, err := rd.next()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Error{Name: opts.Name, Line: 1, Col: 1, Err: errors.New("the file is empty; a seed needs a header row")}
	}
	t := &Table{}
	raw := make([]string, rd.rec.n())
	for i := range raw {
		raw[i] = string(rd.rec.field(i))
	}
	headerPos := make([]pos, len(raw))
	for i := range headerPos {
		headerPos[i] = rd.rec.pos(i)
	}
	headerLine := rd.rec.line

	var errs []error
	var cols []column
	var np numParser
	pending := false // rd.rec holds a data row not yet tested
	if len(raw) == 0 {
		// agate names the columns after the first data row: a, b, c...
		if ok, err = rd.next(); err != nil {
			return nil, err
		}
		if !ok || rd.rec.n() == 0 {
			return nil, &Error{Name: opts.Name, Line: headerLine, Col: 1, Err: errors.New("the header row is empty")}
		}
		raw = make([]string, rd.rec.n())
		headerPos = make([]pos, len(raw))
		for i := range headerPos {
			headerPos[i] = pos{headerLine, 1}
		}
		t.blankHeader, pending = true, true
	}
	t.Header, t.Warnings = dedupe(raw, headerPos, &opts)
	n := len(t.Header)
	cols = make([]column, n)
	header := make(map[string]bool, len(raw))
	for _, h := range raw {
		header[h] = true
	}
	var unknown []string
	for name := range opts.ColumnTypes {
		if !header[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		t.Warnings = append(t.Warnings, fmt.Sprintf("%s:%d:1: column_types names columns the header does not have, so dbt ignores them: %s",
			opts.name(), headerLine, strings.Join(unknown, ", ")))
	}
	t.Types = make([]string, n)
	for i, name := range t.Header {
		cols[i].hyp = hAll
		cols[i].whole = 1
		if typ, ok := opts.ColumnTypes[name]; ok {
			t.Types[i] = typ
			// dbt-core passes only the column_types keys found in the
			// header to the type tester, which matches them by name.
			if header[name] {
				cols[i].forced, cols[i].hyp = true, hText
			}
		}
	}

	for {
		if !pending {
			if t.Rows%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			ok, err := rd.next()
			if err != nil {
				return nil, errors.Join(append(errs, err)...)
			}
			if !ok {
				break
			}
		}
		pending = false
		t.Rows++
		rec := &rd.rec
		if rec.n() > n {
			errs = append(errs, rd.errorf(rec.pos(n), "row has %d fields, the header has %d", rec.n(), n))
			if len(errs) >= maxErrors {
				break
			}
			continue
		}
		for i := 0; i < rec.n(); i++ {
			c := &cols[i]
			if c.hyp == hText {
				continue
			}
			if err := c.test(&np, unsafeString(rec.field(i))); err != nil {
				errs = append(errs, rd.errorf(rec.pos(i), "%w", err))
			}
		}
		if len(errs) >= maxErrors {
			break
		}
	}
	if len(errs) > 0 {
		if len(errs) >= maxErrors {
			errs = append(errs, fmt.Errorf("%s: too many errors", opts.name()))
		}
		return nil, errors.Join(errs...)
	}

	t.Kinds = make([]Kind, n)
	t.casts = make([]cast, n)
	for i := range cols {
		t.Kinds[i], t.casts[i] = cols[i].decide()
	}
	return t, nil
}

// test is one step of agate's TypeTester.run: drop every type that cannot
// cast the value. An error is a value dbt crashes on.
func (c *column) test(np *numParser, s string) error {
	// dbt_common's Integer accepts only Python ints, never text.
	c.hyp &^= hInteger
	if c.hyp&hNumber != 0 {
		v, null, ok, err := np.parse(s)
		if err != nil {
			c.hyp &^= hNumber
			return fmt.Errorf("%q: %w", s, err)
		}
		if !ok {
			c.hyp &^= hNumber
		} else if !null {
			if w, d, skip := v.places(); !skip {
				c.whole, c.decimal = max(c.whole, w), max(c.decimal, d)
			}
		}
	}
	if c.hyp&hDate != 0 {
		if _, _, ok := parseDate(s); !ok {
			c.hyp &^= hDate
		}
	}
	if c.hyp&hDateTime != 0 {
		if _, _, ok := parseDateTime(s); !ok {
			c.hyp &^= hDateTime
		}
	}
	if c.hyp&hISO != 0 {
		if _, _, ok := parseISODateTime(s); !ok {
			c.hyp &^= hISO
		}
	}
	if c.hyp&hBoolean != 0 {
		if _, _, ok := parseBool(s); !ok {
			c.hyp &^= hBoolean
		}
	}
	return nil
}

// decide picks the first surviving type, and for numbers applies dbt's
// rule: "float8" if agate's MaxPrecision is non-zero, else "integer".
func (c *column) decide() (Kind, cast) {
	switch {
	case c.forced:
		return Text, castText
	case c.hyp&hInteger != 0:
		return Integer, castNone
	case c.hyp&hNumber != 0:
		decimals := c.decimal
		// max_precision caps the places at the context precision (28).
		if c.whole+decimals > ctxPrec {
			decimals = ctxPrec - c.whole
		}
		if decimals != 0 {
			return Number, castFloat
		}
		return Integer, castInt
	case c.hyp&hDate != 0:
		return Date, castDate
	case c.hyp&hDateTime != 0:
		return DateTime, castDateTime
	case c.hyp&hISO != 0:
		return DateTime, castISO
	case c.hyp&hBoolean != 0:
		return Boolean, castBool
	}
	return Text, castText
}

// parseBool is agate Boolean(true_values=("true",), false_values=("false",)).cast:
// commas are removed before comparing, so "," is NULL.
func parseBool(raw string) (v, null, ok bool) {
	s := raw
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	s = pyStrip(s)
	switch {
	case isNull(s):
		return false, true, true
	case foldEq(s, "true"):
		return true, false, true
	case foldEq(s, "false"):
		return false, false, true
	}
	return false, false, false
}

// dedupe is agate's utils.deduplicate for column names.
func dedupe(raw []string, at []pos, opts *Options) (names, warnings []string) {
	seen := make(map[string]bool, len(raw))
	for i, v := range raw {
		name := v
		if name == "" {
			name = letterName(i)
			warnings = append(warnings, fmt.Sprintf("%s:%d:%d: column %d has no name; dbt names it %q", opts.name(), at[i].line, at[i].col, i+1, name))
		}
		final := name
		for k := 2; seen[final]; k++ {
			final = fmt.Sprintf("%s_%d", name, k)
		}
		if final != name {
			warnings = append(warnings, fmt.Sprintf("%s:%d:%d: column name %q is already used; dbt renames it %q", opts.name(), at[i].line, at[i].col, name, final))
		}
		seen[final] = true
		names = append(names, final)
	}
	return names, warnings
}

// letterName is agate's letter_name: a..z, then aa..zz, and so on.
func letterName(i int) string {
	return strings.Repeat(string(rune('a'+i%26)), i/26+1)
}

// unsafeString views b as a string that must not outlive it; the casts only
// look at it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Open reads a seed again, yielding each row's values for the columns of
// t: nil for NULL, otherwise text that a PostgreSQL column of the inferred
// type accepts (COPY text semantics) and stores as dbt's INSERT would:
// whole numbers as integers ("1.0" is "1"), other numbers as Python prints
// the Decimal, booleans as "true"/"false", dates ISO, timestamps
// "YYYY-MM-DD hh:mm:ss[.ffffff]" (UTC for values with a zone), text as is.
// Each row is a new slice the caller may keep.
func Open(r io.Reader, t *Table, opts Options) adapters.RowSource {
	delim, err := opts.delimiter()
	rd := newReader(r, opts.Name, delim)
	rd.keep = true
	return &rowSource{rd: rd, t: t, err: err}
}

type rowSource struct {
	rd      *reader
	t       *Table
	np      numParser
	err     error
	started bool
	// Rows are carved from these chunks to save allocations; ptrs[i]
	// points to vals[i].
	vals []string
	ptrs []*string
}

const chunkRows = 512

func (s *rowSource) Next() ([]*string, error) {
	if s.err != nil {
		return nil, s.err
	}
	rd := s.rd
	if !s.started {
		s.started = true
		if _, err := rd.next(); err != nil { // the header
			s.err = err
			return nil, err
		}
	}
	ok, err := rd.next()
	if err != nil {
		s.err = err
		return nil, err
	}
	if !ok {
		s.err = io.EOF
		return nil, io.EOF
	}
	row, err := s.convert(&rd.rec)
	if err != nil {
		s.err = err
	}
	return row, err
}

func (s *rowSource) convert(rec *record) ([]*string, error) {
	n := len(s.t.Header)
	if rec.n() > n {
		return nil, s.rd.errorf(rec.pos(n), "row has %d fields, the header has %d", rec.n(), n)
	}
	if len(s.ptrs) < n {
		s.ptrs = make([]*string, n*chunkRows)
		s.vals = make([]string, n*chunkRows)
		for i := range s.ptrs {
			s.ptrs[i] = &s.vals[i]
		}
	}
	out, vals := s.ptrs[:n:n], s.vals[:n:n]
	s.ptrs, s.vals = s.ptrs[n:], s.vals[n:]
	for i := rec.n(); i < n; i++ {
		out[i] = nil
	}
	// The reader never overwrites a record's bytes (keep), so text values
	// can be slices of them.
	line := unsafeString(rec.buf)
	start := 0
	for i := 0; i < rec.n(); i++ {
		f := line[start:rec.ends[i]]
		start = rec.ends[i]
		v, null, err := s.value(s.t.casts[i], f)
		if err != nil {
			return nil, s.rd.errorf(rec.pos(i), "%w", err)
		}
		if null {
			out[i] = nil
		} else {
			vals[i] = v
		}
	}
	return out, nil
}

var errChanged = errors.New("the value does not match the column's inferred type; did the file change between reads?")

func (s *rowSource) value(c cast, f string) (v string, null bool, err error) {
	switch c {
	case castText:
		return f, isNull(pyStrip(f)), nil
	case castInt, castFloat:
		if c == castInt {
			if p, ok := plainInt(f); ok {
				return p, false, nil
			}
		} else if isPlainDecimal(f) {
			return f, false, nil
		}
		n, null, ok, err := s.np.parse(f)
		switch {
		case err != nil:
			return "", false, err
		case !ok:
			return "", false, errChanged
		case null:
			return "", true, nil
		case c == castInt:
			return n.integerText(), false, nil
		}
		return n.floatText(), false, nil
	case castBool:
		b, null, ok := parseBool(f)
		switch {
		case !ok:
			return "", false, errChanged
		case null:
			return "", true, nil
		case b:
			return "true", false, nil
		}
		return "false", false, nil
	case castDate, castDateTime, castISO:
		var cv civil
		var ok bool
		switch c {
		case castDate:
			cv, null, ok = parseDate(f)
		case castDateTime:
			cv, null, ok = parseDateTime(f)
		default:
			cv, null, ok = parseISODateTime(f)
		}
		switch {
		case !ok:
			return "", false, errChanged
		case null:
			return "", true, nil
		case c == castDate:
			return cv.dateText(), false, nil
		}
		v, err := cv.timestampText()
		if err != nil {
			return "", false, fmt.Errorf("%q: %w (dbt fails binding it)", f, err)
		}
		return v, false, nil
	}
	// castNone: agate would fail to cast any value here.
	return "", false, errChanged
}

// plainInt returns s as integerText would print it when that is a prefix
// of s: an optional "-", digits without a leading zero and an optional
// fraction of zeros ("17850.0").
func plainInt(s string) (string, bool) {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	k := 0
	for k < len(d) && isDigit(d[k]) {
		k++
	}
	if k == 0 || k > ctxPrec || (d[0] == '0' && (k > 1 || len(s) != len(d))) {
		return "", false
	}
	if k < len(d) {
		if d[k] != '.' || k+1 == len(d) {
			return "", false
		}
		for _, c := range []byte(d[k+1:]) {
			if c != '0' {
				return "", false
			}
		}
	}
	return s[:len(s)-len(d)+k], true
}

// isPlainDecimal reports whether str(Decimal(s)) is s: an optional "-",
// an integer part without a leading zero, an optional fraction, at most
// 28 digits, not too small for plain notation, and not a negative zero.
func isPlainDecimal(s string) bool {
	d := s
	neg := len(d) > 0 && d[0] == '-'
	if neg {
		d = d[1:]
	}
	k := 0
	for k < len(d) && isDigit(d[k]) {
		k++
	}
	if k == 0 || (d[0] == '0' && k > 1) {
		return false
	}
	digits, zero := k, d[:k] == "0"
	if k < len(d) {
		if d[k] != '.' || k+1 == len(d) {
			return false
		}
		frac := d[k+1:]
		lead := 0 // zeros before the first significant digit
		for i := 0; i < len(frac); i++ {
			if !isDigit(frac[i]) {
				return false
			}
			if zero && frac[i] == '0' && lead == i {
				lead++
			}
		}
		if zero {
			if lead == len(frac) { // 0.000: a zero keeps its places
				return !neg
			}
			if lead > 5 { // below 1E-6 Python switches to scientific notation
				return false
			}
			digits = len(frac) - lead
		} else {
			digits += len(frac)
		}
	} else if zero {
		return !neg
	}
	return digits <= ctxPrec
}
