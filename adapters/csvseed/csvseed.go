// Package csvseed reads dbt seed files: it infers each column's type
// exactly as dbt does (agate's type tester as dbt-common configures it),
// names the types as dbt-postgres and dbt-athena do, and streams the rows
// with their values normalized for loading. The runner uses it to build an
// adapters.Seed; adapters use PostgresType or AthenaType for the columns.
//
// Reading is two streaming passes over the file: Infer (or InferAt, in
// parallel parts) decides the types and counts the rows, Open yields the
// values. When Table.Verbatim holds, the second pass can be PostgreSQL's:
// Open's source hands the file over as it is (adapters.VerbatimSource).
package csvseed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"sort"
	"strings"
	"sync"
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
	verbatim    verbatim
}

// verbatim is what loading the file as it is needs.
type verbatim struct {
	why   string // why it cannot be, "" when it can
	delim byte
	null  string // how every NULL is written
	bom   int64  // bytes of byte order mark to skip
	size  int64  // bytes after it
}

// Verbatim reports whether a CSV reader that follows RFC 4180 as
// PostgreSQL's COPY ... (FORMAT csv) does reads the file as dbt does: the
// same records and fields, one spelling for every NULL, and each value
// written so that its column type reads the value Open yields
// (integers as digits, numbers exactly, ISO dates and timestamps, true
// and false, any text). If not, why says what differs first.
func (t *Table) Verbatim() (why string, ok bool) {
	return t.verbatim.why, t.verbatim.why == ""
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
	// vok holds the casts under which every value so far is written as
	// PostgreSQL reads it to the value Open yields; vline is the line
	// where each of them was first lost.
	vok   uint8
	vline [vCasts]int
}

// The casts of vok; text and castNone always hold.
const (
	vInt uint8 = 1 << iota
	vFloat
	vDate
	vDateTime
	vISO
	vBool
	vCasts = iota
	vAll   = 1<<vCasts - 1
)

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
	t, s, pending, err := readHeader(rd, &opts)
	if err != nil {
		return nil, err
	}
	if err := s.run(ctx, rd, pending); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errors.Join(append(s.errs, err)...)
	}
	if err := s.failed(&opts); err != nil {
		return nil, err
	}
	t.finish(s, delim, rd.oddLine, rd.odd, rd.nul, rd.bomSize, rd.off+int64(rd.e)-rd.bomSize)
	return t, nil
}

// inferParts is how many parts InferAt reads a file of size bytes in:
// one per CPU, each of at least 4 MiB.
var inferParts = func(size int64) int {
	return int(min(int64(runtime.GOMAXPROCS(0)), size/(4<<20)))
}

// InferAt is Infer of the size bytes of r, read by several goroutines at
// once when the file is large and there are CPUs for them. It returns
// what Infer returns.
//
// Each part but the first starts after a newline and is read as if a
// record started there. That holds when the part before ends there
// between records, as it does unless the newline is inside a quoted
// field; otherwise, and to report problems at their lines, the file is
// read again from the start by one goroutine.
func InferAt(ctx context.Context, r io.ReaderAt, size int64, opts Options) (*Table, error) {
	serial := func() (*Table, error) { return Infer(ctx, io.NewSectionReader(r, 0, size), opts) }
	delim, err := opts.delimiter()
	parts := inferParts(size)
	if err != nil || parts < 2 {
		return serial()
	}
	bounds := []int64{0}
	for i := 1; i < parts; i++ {
		b, err := lineAfter(r, int64(i)*size/int64(parts), size)
		if err != nil {
			return serial()
		}
		if b > bounds[len(bounds)-1] && b < size {
			bounds = append(bounds, b)
		}
	}
	bounds = append(bounds, size)
	if len(bounds) < 3 {
		return serial()
	}

	readers := make([]*reader, len(bounds)-1)
	for i := range readers {
		readers[i] = newReader(io.NewSectionReader(r, bounds[i], bounds[i+1]-bounds[i]), opts.Name, delim)
	}
	t, s0, pending, err := readHeader(readers[0], &opts)
	if err != nil {
		return serial()
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	scans := make([]*scan, len(readers))
	scans[0] = s0
	fatal := make([]error, len(readers))
	var wg sync.WaitGroup
	for i := 1; i < len(readers); i++ {
		scans[i] = s0.fresh()
		readers[i].started = true // no byte order mark here
		wg.Go(func() {
			if fatal[i] = scans[i].run(pctx, readers[i], false); fatal[i] != nil || len(scans[i].errs) > 0 {
				cancel()
			}
		})
	}
	if fatal[0] = s0.run(pctx, readers[0], pending); fatal[0] != nil || len(s0.errs) > 0 {
		cancel()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Line numbers of each part continue those of the parts before.
	offsets := make([]int, len(readers))
	var eol byte
	for i, rd := range readers {
		if fatal[i] != nil || len(scans[i].errs) > 0 {
			return serial()
		}
		if i+1 < len(readers) {
			if rd.eofRecord {
				return serial() // the part ended inside a record
			}
			offsets[i+1] = offsets[i] + rd.line - 1
		}
		if rd.eol != 0 {
			if eol != 0 && rd.eol != eol {
				return serial() // for the line where they first differ
			}
			eol = rd.eol
		}
	}
	s, oddLine, odd, nul := s0, 0, "", false
	for i, rd := range readers {
		if i > 0 {
			s.merge(scans[i], offsets[i])
		}
		nul = nul || rd.nul
		if odd == "" && rd.odd != "" {
			odd, oddLine = rd.odd, rd.oddLine
			if oddLine > 0 {
				oddLine += offsets[i]
			}
		}
	}
	bom := readers[0].bomSize
	t.finish(s, delim, oddLine, odd, nul, bom, size-bom)
	return t, nil
}

// lineAfter returns the offset just after the first newline at or after
// off, or size when there is none.
func lineAfter(r io.ReaderAt, off, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for off < size {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		off += int64(n)
		if err != nil && err != io.EOF {
			return 0, err
		}
		if n == 0 {
			break
		}
	}
	return size, nil
}

// readHeader reads the header and sets up the table and the scan of its
// rows. pending is set when rd.rec holds the first data row (after an
// empty header line, whose columns agate names after that row).
func readHeader(rd *reader, opts *Options) (t *Table, s *scan, pending bool, err error) {
	ok, err := rd.next()
	if err != nil {
		return nil, nil, false, err
	}
	if !ok {
		return nil, nil, false, &Error{Name: opts.Name, Line: 1, Col: 1, Err: errors.New("the file is empty; a seed needs a header row")}
	}
	t = &Table{}
	raw := make([]string, rd.rec.n())
	for i := range raw {
		raw[i] = string(rd.rec.field(i))
	}
	headerPos := make([]pos, len(raw))
	for i := range headerPos {
		headerPos[i] = rd.rec.pos(i)
	}
	headerLine := rd.rec.line
	if len(raw) == 0 {
		// agate names the columns after the first data row: a, b, c...
		if ok, err = rd.next(); err != nil {
			return nil, nil, false, err
		}
		if !ok || rd.rec.n() == 0 {
			return nil, nil, false, &Error{Name: opts.Name, Line: headerLine, Col: 1, Err: errors.New("the header row is empty")}
		}
		raw = make([]string, rd.rec.n())
		headerPos = make([]pos, len(raw))
		for i := range headerPos {
			headerPos[i] = pos{headerLine, 1}
		}
		t.blankHeader, pending = true, true
	}
	t.Header, t.Warnings = dedupe(raw, headerPos, opts)
	n := len(t.Header)
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
	s = &scan{cols: make([]column, n)}
	for i, name := range t.Header {
		c := &s.cols[i]
		c.hyp, c.whole, c.vok = hAll, 1, vAll
		if typ, ok := opts.ColumnTypes[name]; ok {
			t.Types[i] = typ
			// dbt-core passes only the column_types keys found in the
			// header to the type tester, which matches them by name.
			if header[name] {
				c.forced, c.hyp = true, hText
			}
		}
	}
	return t, s, pending, nil
}

// scan is what reading rows learns.
type scan struct {
	cols  []column
	rows  int64
	nulls nullSpelling
	short int // the first line of a row shorter than the header
	errs  []error
	np    numParser
}

// fresh returns a scan of other rows of the same file, before any row.
func (s *scan) fresh() *scan {
	f := &scan{cols: make([]column, len(s.cols))}
	for i, c := range s.cols {
		f.cols[i] = column{hyp: hAll, whole: 1, vok: vAll, forced: c.forced}
		if c.forced {
			f.cols[i].hyp = hText
		}
	}
	return f
}

// run reads rd's rows (after the header) to the end. Problems in rows are
// added to s.errs, up to maxErrors; a read error or ctx's stops it.
func (s *scan) run(ctx context.Context, rd *reader, pending bool) error {
	n := len(s.cols)
	for {
		if !pending {
			if s.rows%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			ok, err := rd.next()
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
		}
		pending = false
		s.rows++
		rec := &rd.rec
		if rec.n() > n {
			s.errs = append(s.errs, rd.errorf(rec.pos(n), "row has %d fields, the header has %d", rec.n(), n))
			if len(s.errs) >= maxErrors {
				return nil
			}
			continue
		}
		if rec.n() < n && s.short == 0 {
			s.short = rec.line
		}
		for i := 0; i < rec.n(); i++ {
			f := unsafeString(rec.field(i))
			c := &s.cols[i]
			// Every cast reads these as NULL, and only Integer fails on
			// them.
			if k := len(f); (k == 0 || k == 4 || maySpace[f[0]] || maySpace[f[k-1]]) && isNullText(f) {
				s.nulls.add(f)
				c.hyp &^= hInteger
				continue
			}
			if c.hyp == hText {
				continue
			}
			vok := c.vok
			if err := c.test(&s.np, f); err != nil {
				s.errs = append(s.errs, rd.errorf(rec.pos(i), "%w", err))
			}
			if c.vok != vok {
				c.lost(vok, rec.line)
			}
		}
		if len(s.errs) >= maxErrors {
			return nil
		}
	}
}

// failed joins the problems found, if any.
func (s *scan) failed(opts *Options) error {
	if len(s.errs) == 0 {
		return nil
	}
	errs := s.errs
	if len(errs) >= maxErrors {
		errs = append(errs, fmt.Errorf("%s: too many errors", opts.name()))
	}
	return errors.Join(errs...)
}

// merge adds what o learned from the rows after s's, whose line numbers
// are off lines short.
func (s *scan) merge(o *scan, off int) {
	s.rows += o.rows
	if s.short == 0 && o.short > 0 {
		s.short = o.short + off
	}
	if o.nulls.seen {
		s.nulls.add(o.nulls.spelling)
	}
	if o.nulls.mixed {
		s.nulls.add(o.nulls.other)
	}
	for i := range s.cols {
		c, oc := &s.cols[i], &o.cols[i]
		c.hyp &= oc.hyp
		c.whole, c.decimal = max(c.whole, oc.whole), max(c.decimal, oc.decimal)
		for b := 0; b < vCasts; b++ {
			if c.vok&^oc.vok&(1<<b) != 0 {
				c.vline[b] = oc.vline[b] + off
			}
		}
		c.vok &= oc.vok
	}
}

// finish decides the kinds and whether the file can be loaded as it is.
func (t *Table) finish(s *scan, delim rune, oddLine int, odd string, nul bool, bom, size int64) {
	n := len(s.cols)
	t.Rows = s.rows
	t.Kinds = make([]Kind, n)
	t.casts = make([]cast, n)
	for i := range s.cols {
		t.Kinds[i], t.casts[i] = s.cols[i].decide()
	}
	t.verbatim = verbatim{delim: byte(delim), null: s.nulls.spelling, bom: bom, size: size}
	switch {
	case odd != "":
		odd = fmt.Sprintf("line %d: %s", oddLine, odd)
	case nul:
		odd = "the file holds a NUL character"
	}
	t.verbatim.why = t.whyNotVerbatim(s, delim, odd)
}

// whyNotVerbatim is the first reason the file cannot be loaded as it is,
// or "".
func (t *Table) whyNotVerbatim(s *scan, delim rune, odd string) string {
	switch nulls := &s.nulls; {
	case delim >= utf8.RuneSelf || delim == '\\':
		return fmt.Sprintf("the delimiter %q is not a one-byte character COPY accepts", delim)
	case t.blankHeader:
		return "the header line is empty"
	case odd != "":
		return odd
	case s.short > 0:
		return fmt.Sprintf("line %d: a row has fewer fields than the header, or none", s.short)
	case nulls.mixed:
		return fmt.Sprintf("NULL is written both %q and %q", nulls.spelling, nulls.other)
	case strings.ContainsAny(nulls.spelling, "\"\r\n\\") || strings.ContainsRune(nulls.spelling, delim):
		return fmt.Sprintf("NULL is written %q, which COPY cannot take as its NULL string", nulls.spelling)
	}
	for i := range s.cols {
		if line, ok := s.cols[i].verbatim(t.casts[i]); !ok {
			return fmt.Sprintf("line %d: column %q has a value that %s does not read as dbt does", line, t.Header[i], PostgresType(t.Kinds[i]))
		}
	}
	return ""
}

// nullSpelling tracks how the file writes NULL: one spelling can be
// COPY's NULL string.
type nullSpelling struct {
	seen            bool
	mixed           bool
	spelling, other string
}

func (n *nullSpelling) add(f string) {
	switch {
	case n.mixed:
	case !n.seen:
		n.seen, n.spelling = true, strings.Clone(f)
	case f != n.spelling:
		n.mixed, n.other = true, strings.Clone(f)
	}
}

// isNullText is isNull(pyStrip(s)), quick for the values that are not.
func isNullText(s string) bool {
	n := len(s)
	if n == 0 {
		return true
	}
	if !maySpace[s[0]] && !maySpace[s[n-1]] { // pyStrip(s) is s
		return n == 4 && foldEq(s, "null")
	}
	return isNull(pyStrip(s))
}

// maySpace holds the bytes that may start or end a character Python
// strips: ASCII whitespace and every non-ASCII byte.
var maySpace = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= utf8.RuneSelf || isPySpace(rune(c))
	}
	return t
}()

// lost records where the casts of vok that c.vok no longer has were lost.
func (c *column) lost(vok uint8, line int) {
	for b := 0; b < vCasts; b++ {
		if vok&^c.vok&(1<<b) != 0 {
			c.vline[b] = line
		}
	}
}

// verbatim reports whether the column's values can be loaded as written
// under cast k, and if not, the line of the first that cannot.
func (c *column) verbatim(k cast) (line int, ok bool) {
	var b uint8
	switch k {
	case castInt:
		b = vInt
	case castFloat:
		b = vFloat
	case castDate:
		b = vDate
	case castDateTime:
		b = vDateTime
	case castISO:
		b = vISO
	case castBool:
		b = vBool
	default:
		return 0, true
	}
	if c.vok&b != 0 {
		return 0, true
	}
	return c.vline[bits.TrailingZeros8(b)], false
}

// test is one step of agate's TypeTester.run: drop every type that cannot
// cast the value. An error is a value dbt crashes on.
//
// It also drops from c.vok the casts under which PostgreSQL would read
// the text s, as COPY passes it, to another value than Open yields.
func (c *column) test(np *numParser, s string) error {
	// dbt_common's Integer accepts only Python ints, never text.
	c.hyp &^= hInteger
	if c.hyp&hNumber != 0 {
		if p, ok := plainPlaces(s); ok {
			// Decimal(s) is exact, and so is float8in's rounding of s; as
			// an integer, s needs no fraction. Numeric has no -0.
			c.whole, c.decimal = max(c.whole, p.whole), max(c.decimal, p.decimals)
			if p.dot {
				c.vok &^= vInt
			}
			if p.negZero {
				c.vok &^= vFloat
			}
		} else {
			c.vok &^= vInt | vFloat
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
	}
	if c.hyp&hDate != 0 {
		if _, _, ok := parseDate(s); !ok {
			c.hyp &^= hDate
		} else if !isoDateText(s) {
			c.vok &^= vDate
		}
	}
	if c.hyp&hDateTime != 0 {
		if _, _, ok := parseDateTime(s); !ok {
			c.hyp &^= hDateTime
		} else if len(s) != 19 || s[10] != ' ' || !isoDateText(s[:10]) || !isoClockText(s[11:]) {
			c.vok &^= vDateTime
		}
	}
	if c.hyp&hISO != 0 {
		if _, _, ok := parseISODateTime(s); !ok {
			c.hyp &^= hISO
		} else if !isoDateTimeText(s) {
			c.vok &^= vISO
		}
	}
	if c.hyp&hBoolean != 0 {
		if _, _, ok := parseBool(s); !ok {
			c.hyp &^= hBoolean
		} else if !foldEq(s, "true") && !foldEq(s, "false") {
			c.vok &^= vBool
		}
	}
	return nil
}

// plainNum describes a number written plainly, as numParser.plain reads it.
type plainNum struct {
	whole, decimals int64 // number.places
	dot, negZero    bool
}

// plainPlaces is numParser.plain then number.places, in one pass and
// without building the coefficient: for an optional "-" and ASCII digits
// with at most one ".", at most 28 of them significant.
func plainPlaces(s string) (p plainNum, ok bool) {
	i := 0
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		i = 1
	}
	// digits counts the digits; lead those before the first non-zero one,
	// last those up to the last non-zero one; frac those after the dot.
	digits, lead, last, dotAt := 0, -1, 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '0':
			digits++
		case '1' <= c && c <= '9':
			if lead < 0 {
				lead = digits
			}
			digits++
			last = digits
		case c == '.' && dotAt < 0:
			dotAt = digits
		default:
			return p, false
		}
	}
	if digits == 0 {
		return p, false
	}
	p.dot = dotAt >= 0
	if lead < 0 { // zero
		p.whole, p.negZero = 1, neg
		return p, true
	}
	n := digits - lead // the coefficient's digits
	if n > ctxPrec {
		return p, false
	}
	frac := 0
	if dotAt >= 0 {
		frac = digits - dotAt
	}
	p.whole = int64(n - frac)
	p.decimals = int64(frac - (digits - last))
	return p, true
}

// isoDateText reports whether s is written YYYY-MM-DD with ASCII digits
// and a month, as date.isoformat() writes it; the callers know the date
// is valid.
func isoDateText(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && isDigits(s[:4]) && isDigits(s[5:7]) && isDigits(s[8:]) && s[5:7] != "00"
}

// isoClockText reports whether s is hh:mm:ss with ASCII digits.
func isoClockText(s string) bool {
	return len(s) == 8 && s[2] == ':' && s[5] == ':' && isDigits(s[:2]) && isDigits(s[3:5]) && isDigits(s[6:])
}

// isoDateTimeText reports whether s is YYYY-MM-DDThh:mm:ss with an
// optional fraction of up to six digits, which isodate and PostgreSQL
// read alike (isodate truncates longer fractions to microseconds;
// PostgreSQL rounds them). A zone is not: PostgreSQL ignores it for a
// timestamp without time zone, Open converts to UTC.
func isoDateTimeText(s string) bool {
	if len(s) < 19 || s[10] != 'T' || !isoDateText(s[:10]) || !isoClockText(s[11:19]) {
		return false
	}
	frac := s[19:]
	if frac == "" {
		return true
	}
	return frac[0] == '.' && len(frac) >= 2 && len(frac) <= 7 && isDigits(frac[1:])
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
//
// The source is also an adapters.VerbatimSource: when t.Verbatim holds,
// it can hand r over as it is instead.
func Open(r io.Reader, t *Table, opts Options) adapters.RowSource {
	delim, err := opts.delimiter()
	rd := newReader(r, opts.Name, delim)
	rd.keep = true
	return &rowSource{rd: rd, src: r, t: t, err: err}
}

var _ adapters.VerbatimSource = (*rowSource)(nil)

type rowSource struct {
	rd      *reader
	src     io.Reader
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
	for i := 0; i < rec.n(); i++ {
		f := line[rec.begs[i]:rec.ends[i]]
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

// errVerbatim is Next's error once the file was handed over.
var errVerbatim = errors.New("csvseed: the file was handed over by VerbatimCSV")

// VerbatimCSV implements adapters.VerbatimSource: the file, without its
// byte order mark, when Table.Verbatim holds and Next was not called.
func (s *rowSource) VerbatimCSV() (adapters.VerbatimCSV, bool) {
	v := &s.t.verbatim
	if s.started || s.err != nil || v.why != "" {
		return adapters.VerbatimCSV{}, false
	}
	s.started, s.err = true, errVerbatim
	r := s.src
	if v.bom > 0 {
		r = &skipReader{r: r, n: v.bom}
	}
	return adapters.VerbatimCSV{R: r, Delimiter: v.delim, Null: v.null, Rows: s.t.Rows, Size: v.size}, true
}

// skipReader drops the first n bytes of r.
type skipReader struct {
	r io.Reader
	n int64
}

func (s *skipReader) Read(p []byte) (int, error) {
	if s.n > 0 {
		n, err := io.CopyN(io.Discard, s.r, s.n)
		s.n -= n
		if err != nil {
			return 0, err
		}
	}
	return s.r.Read(p)
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
