package csvseed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"
)

// The reader splits a seed into records exactly as dbt does: the file is
// decoded as UTF-8 with universal newlines ("\r\n" and a lone "\r" read as
// "\n", also inside quoted fields), one leading byte order mark is dropped
// (agate_helper.from_csv), and Python's csv module parses the text with
// the excel dialect (CPython Modules/_csv.c):
//
//   - a quote opens a quoted field only at the start of a field; elsewhere
//     it is an ordinary character;
//   - inside a quoted field a doubled quote is one quote; after the closing
//     quote, other characters continue the field unquoted ("ab"c is abc);
//   - an empty line is a record with no fields;
//   - a quoted field still open at the end of the file ends there;
//   - a field may hold at most 131072 characters (csv.field_size_limit).

const fieldLimit = 131072

type pos struct{ line, col int }

// record is one parsed row: field i is buf[begs[i]:ends[i]].
type record struct {
	buf        []byte
	begs, ends []int
	// Positions are kept as file offsets and turned into lines and
	// columns only for messages. A record read by fastLine is its line's
	// bytes as they are: base is the file offset of buf[0], and starts is
	// empty.
	fast    bool
	base    int64
	starts  []int64 // where each field starts
	line    int     // the line the record starts on
	lineOff int64   // where that line starts
	lines   []int64 // where later lines of the record start
}

func (r *record) n() int { return len(r.ends) }

func (r *record) field(i int) []byte { return r.buf[r.begs[i]:r.ends[i]] }

// pos is where field i starts.
func (r *record) pos(i int) pos {
	var off int64
	if r.fast {
		off = r.base + int64(r.begs[i])
	} else {
		off = r.starts[i]
	}
	line, start := r.line, r.lineOff
	for _, l := range r.lines {
		if l <= off {
			line, start = line+1, l
		}
	}
	return pos{line, int(off - start + 1)}
}

type reader struct {
	src io.Reader
	// buf[p:v] is checked UTF-8 ready to parse; buf[v:e] was read but not
	// checked yet (a character cut at the end of a read).
	buf     []byte
	p, v, e int
	off     int64 // file offset of buf[0]
	eof     bool
	err     error // a read error, or invalid UTF-8 at buf[v]
	name    string
	started bool
	line    int
	lineOff int64 // file offset where the current line starts
	delim   []byte
	rec     record
	field   int // where the current field starts in rec.buf
	// kbuf holds the bytes of records that are not views of buf: those
	// parsed byte by byte, and with keep every record.
	kbuf []byte
	// keep makes record bytes append-only: they are never overwritten, so
	// strings may point into them.
	keep bool

	// What a CSV reader that follows RFC 4180 (PostgreSQL's COPY) would
	// read differently, for Table.Verbatim: the first such thing found
	// ("" if none) and its line (0 if unknown).
	odd     string
	oddLine int
	nul     bool  // the input holds a NUL character
	eol     byte  // the newline that ends records: '\n' or '\r' for "\r\n"
	bomSize int64 // 3 when the file starts with a byte order mark
	// eofRecord is set when the input ended inside a record, not after
	// its newline.
	eofRecord bool
}

func newReader(src io.Reader, name string, delim rune) *reader {
	r := &reader{src: src, name: name, buf: make([]byte, 256<<10), line: 1}
	r.delim = utf8.AppendRune(nil, delim)
	return r
}

// fill makes more checked input available in buf[p:v]; it reports false
// when there is none, at the end of the input or at an error (r.err).
func (r *reader) fill() bool {
	for {
		if r.err != nil {
			return false
		}
		if r.eof && r.v == r.e {
			return false
		}
		if !r.eof {
			if r.p > 0 {
				n := copy(r.buf, r.buf[r.p:r.e])
				r.off += int64(r.p)
				r.v -= r.p
				r.p, r.e = 0, n
			}
			if r.e == len(r.buf) {
				r.buf = append(r.buf, make([]byte, len(r.buf))...)
			}
			n, err := r.src.Read(r.buf[r.e:])
			r.e += n
			if err != nil {
				r.eof = true
				if err != io.EOF {
					r.err = err
					return false
				}
			}
		}
		// Python decodes the whole file first: any invalid UTF-8 fails it.
		cut := r.e
		if !r.eof {
			for k := r.e - 1; k >= r.v && k >= r.e-3; k-- {
				if utf8.RuneStart(r.buf[k]) {
					if !utf8.FullRune(r.buf[k:r.e]) {
						cut = k
					}
					break
				}
			}
		}
		chunk := r.buf[r.v:cut]
		if !utf8.Valid(chunk) {
			k := 0
			for {
				c, n := utf8.DecodeRune(chunk[k:])
				if c == utf8.RuneError && n <= 1 {
					break
				}
				k += n
			}
			r.v += k
			r.bad()
			return r.v > r.p
		}
		if !r.nul && bytes.IndexByte(chunk, 0) >= 0 {
			r.nul = true // PostgreSQL refuses it in text
		}
		r.v = cut
		if r.v > r.p {
			return true
		}
	}
}

// bad records the invalid UTF-8 at buf[v]; the parser reports it on
// reaching it, where it knows the line.
func (r *reader) bad() {
	r.err = errBadUTF8
}

var errBadUTF8 = errors.New("invalid UTF-8 (dbt reads seeds as UTF-8)")

func (r *reader) here() pos {
	return pos{r.line, int(r.off + int64(r.p) - r.lineOff + 1)}
}

func (r *reader) newline() {
	r.line++
	r.lineOff = r.off + int64(r.p)
	r.rec.lines = append(r.rec.lines, r.lineOff)
}

func (r *reader) errorf(at pos, format string, args ...any) *Error {
	return &Error{Name: r.name, Line: at.line, Col: at.col, Err: fmt.Errorf(format, args...)}
}

// oddf notes the first thing in the file that a plain CSV reader would
// read differently from Python.
func (r *reader) oddf(msg string) {
	if r.odd == "" {
		r.odd, r.oddLine = msg, r.line
	}
}

// endLine consumes the newline at buf[p-1] (already passed): "\n", "\r"
// or "\r\n", which Python's universal newlines all read as "\n". It
// returns whether the newline was "\r\n".
func (r *reader) endLine(c byte) (crlf bool) {
	if c == '\r' && (r.p < r.v || r.fill()) && r.buf[r.p] == '\n' {
		r.p++
		return true
	}
	return false
}

// ended notes how a record ended, for Verbatim: all records must end
// alike, and a lone "\r" is a newline only to Python.
func (r *reader) ended(c byte, crlf bool) {
	switch {
	case c == '\r' && !crlf:
		r.oddf(`a line ends with a lone "\r"`)
	case r.eol == 0:
		r.eol = c
	case r.eol != c:
		r.oddf(`lines end with both "\n" and "\r\n"`)
	}
}

// lineStart checks the start of a line for PostgreSQL's end-of-data
// marker `\.`.
func (r *reader) lineStart() {
	for r.v-r.p < 2 && r.fill() {
	}
	if r.p < r.v && r.buf[r.p] == '\\' && (r.p+1 == r.v || r.buf[r.p+1] == '.') {
		r.oddf(`a line starts with "\." (the end of COPY data)`)
	}
}

// atDelim reports whether the unread input starts with the delimiter.
func (r *reader) atDelim() bool {
	if len(r.delim) == 1 {
		return r.buf[r.p] == r.delim[0]
	}
	for r.v-r.p < len(r.delim) && r.fill() {
	}
	return bytes.HasPrefix(r.buf[r.p:r.v], r.delim)
}

const (
	stRecord = iota // START_RECORD
	stField         // START_FIELD
	stIn            // IN_FIELD
	stQuoted        // IN_QUOTED_FIELD
	stQuote         // QUOTE_IN_QUOTED_FIELD
)

// next reads one record into r.rec. It returns false at the end of the
// input; an error (a *Error for problems in the file) stops the reading.
// The record's bytes may be a view of the input buffer, valid until the
// next call (unless keep).
func (r *reader) next() (bool, error) {
	if !r.started {
		r.started = true
		for r.v-r.p < 3 && r.fill() {
		}
		if bytes.HasPrefix(r.buf[r.p:r.v], []byte("\xef\xbb\xbf")) {
			r.p += 3
			r.lineOff = 3
			r.bomSize = 3
		}
	}
	rec := &r.rec
	rec.begs, rec.ends, rec.starts, rec.lines = rec.begs[:0], rec.ends[:0], rec.starts[:0], rec.lines[:0]
	rec.line, rec.lineOff = r.line, r.lineOff
	if len(r.delim) == 1 && r.fastLine() {
		return true, nil
	}
	rec.fast = false
	if r.keep {
		// Start after the bytes of earlier records, which callers keep.
		rec.buf = r.kbuf[len(r.kbuf):]
		if cap(rec.buf) < 4<<10 {
			rec.buf = make([]byte, 0, 256<<10)
		}
	} else {
		rec.buf = r.kbuf[:0]
	}
	ok, err := r.slow()
	r.kbuf = rec.buf
	return ok, err
}

// fastLine reads the common record quickly: one whole line in the buffer
// with a one-byte delimiter, no quote and no "\r" but a final "\r\n". It
// reports false, having consumed nothing, for any other record.
func (r *reader) fastLine() bool {
	nl := bytes.IndexByte(r.buf[r.p:r.v], '\n')
	if nl < 0 {
		if r.eof || r.err != nil {
			return false
		}
		// Read on when the buffer holds only part of a line; reads are
		// the size of the buffer, so this is once per buffer.
		if !r.fill() {
			return false
		}
		if nl = bytes.IndexByte(r.buf[r.p:r.v], '\n'); nl < 0 {
			return false
		}
	}
	line := r.buf[r.p : r.p+nl]
	crlf := nl > 0 && line[nl-1] == '\r'
	if crlf {
		line = line[:nl-1]
	}
	// An empty line has no fields; a line longer than the field limit
	// may hold a field longer than it.
	if len(line) == 0 || len(line) > fieldLimit {
		return false
	}
	rec := &r.rec
	d := r.delim[0]
	md := ones * uint64(d)
	begs, ends := rec.begs, rec.ends
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		w := binary.LittleEndian.Uint64(line[i:])
		// Any quote or "\r": the slow path.
		y, z := w^(ones*'"'), w^(ones*'\r')
		if ((y-ones)&^y|(z-ones)&^z)&highs != 0 {
			return false
		}
		m := zeroBytes(w ^ md)
		for m != 0 {
			k := i + bits.TrailingZeros64(m)/8
			begs, ends = append(begs, start), append(ends, k)
			start = k + 1
			m &= m - 1
		}
	}
	for ; i < len(line); i++ {
		switch line[i] {
		case '"', '\r':
			return false
		case d:
			begs, ends = append(begs, start), append(ends, i)
			start = i + 1
		}
	}
	rec.begs, rec.ends = append(begs, start), append(ends, len(line))
	if len(line) >= 2 && line[0] == '\\' && line[1] == '.' {
		r.oddf(`a line starts with "\." (the end of COPY data)`)
	}
	if r.keep {
		kb := r.kbuf[len(r.kbuf):]
		if cap(kb) < len(line) {
			kb = make([]byte, 0, max(256<<10, len(line)))
		}
		rec.buf = append(kb, line...)
		r.kbuf = rec.buf
	} else {
		rec.buf = line
	}
	if crlf {
		r.ended('\r', true)
	} else {
		r.ended('\n', false)
	}
	rec.fast = true
	rec.base = r.off + int64(r.p)
	r.p += nl + 1
	r.line++
	r.lineOff = r.off + int64(r.p)
	return true
}

// zeroBytes has the high bit of each zero byte of x set, and no other
// bit.
func zeroBytes(x uint64) uint64 {
	const lows = 0x7f7f7f7f7f7f7f7f
	return ^((x&lows + lows) | x | lows)
}

// slow reads a record byte by byte, as Python's csv does.
func (r *reader) slow() (bool, error) {
	rec := &r.rec
	r.field = 0
	r.lineStart()
	state := stRecord
	for {
		if r.p >= r.v && !r.fill() {
			if r.err == errBadUTF8 {
				return false, r.errorf(r.here(), "%w", errBadUTF8)
			}
			if r.err != nil {
				return false, r.err
			}
			if state == stRecord {
				return false, nil
			}
			if state == stQuoted {
				r.oddf("a quoted field is open at the end of the file")
			}
			r.eofRecord = true
			// The last line had no newline, or a quoted field is open:
			// either way the pending field ends the record.
			if state == stField {
				r.begin()
			}
			return true, r.save()
		}
		c := r.buf[r.p]
		// Newlines only end records or sit inside quoted fields.
		if c == '\n' || c == '\r' {
			if state == stField {
				r.begin() // an empty last field, before the newline
			}
			r.p++
			crlf := r.endLine(c)
			switch state {
			case stRecord:
				r.ended(c, crlf)
				r.newline()
				return true, nil
			case stField, stIn, stQuote:
				r.ended(c, crlf)
				r.newline()
				return true, r.save()
			case stQuoted:
				if c == '\r' {
					r.oddf(`a quoted field holds a "\r" (Python reads it as "\n")`)
				}
				rec.buf = append(rec.buf, '\n')
				r.newline()
				r.lineStart()
			}
			continue
		}
		switch state {
		case stRecord, stField:
			r.begin()
			switch {
			case c == '"':
				r.p++
				state = stQuoted
			case r.atDelim():
				r.p += len(r.delim)
				if err := r.save(); err != nil {
					return false, err
				}
				state = stField
			default:
				state = stIn
			}
		case stIn:
			if c == r.delim[0] {
				if r.atDelim() {
					r.p += len(r.delim)
					if err := r.save(); err != nil {
						return false, err
					}
					state = stField
					continue
				}
				// The first byte of a longer delimiter.
				rec.buf = append(rec.buf, c)
				r.p++
				continue
			}
			q := r.scan(r.delim[0])
			r.unquoted(q)
			if len(rec.buf)-r.field > 4*fieldLimit {
				return false, r.errorf(rec.pos(len(rec.starts)-1), "field larger than field limit (%d)", fieldLimit)
			}
			// Fast path: a one-byte delimiter and an unquoted field next.
			for len(r.delim) == 1 && q+1 < r.v && r.buf[q] == r.delim[0] {
				if err := r.save(); err != nil {
					return false, err
				}
				c := r.buf[q+1]
				if c == '"' || c == '\n' || c == '\r' || c == r.delim[0] {
					r.p = q + 1
					state = stField
					break
				}
				r.p = q + 1
				r.begin()
				q = r.scan(r.delim[0])
				r.unquoted(q)
			}
		case stQuoted:
			if c == '"' {
				r.p++
				state = stQuote
				continue
			}
			q := r.scan('"')
			rec.buf = append(rec.buf, r.buf[r.p:q]...)
			r.p = q
			if len(rec.buf)-r.field > 4*fieldLimit {
				return false, r.errorf(rec.pos(len(rec.starts)-1), "field larger than field limit (%d)", fieldLimit)
			}
		case stQuote:
			switch {
			case c == '"':
				rec.buf = append(rec.buf, '"')
				r.p++
				state = stQuoted
			case r.atDelim():
				r.p += len(r.delim)
				if err := r.save(); err != nil {
					return false, err
				}
				state = stField
			default:
				r.oddf("text follows a closing quote")
				state = stIn
			}
		}
	}
}

// unquoted adds buf[p:q], text of an unquoted field, to the record.
func (r *reader) unquoted(q int) {
	s := r.buf[r.p:q]
	if r.odd == "" && bytes.IndexByte(s, '"') >= 0 {
		r.oddf("a quote inside an unquoted field")
	}
	r.rec.buf = append(r.rec.buf, s...)
	r.p = q
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// scan returns the index of the first "\n", "\r" or stop byte in
// buf[p:v], or v; eight bytes at a time.
func (r *reader) scan(stop byte) int {
	b, q, v := r.buf, r.p, r.v
	ms := ones * uint64(stop)
	for ; q+8 <= v; q += 8 {
		w := binary.LittleEndian.Uint64(b[q:])
		x, y, z := w^(ones*'\n'), w^(ones*'\r'), w^ms
		// A byte of x, y or z is zero where w holds a wanted byte; the
		// lowest flagged byte is exact.
		if m := ((x - ones) &^ x) | ((y - ones) &^ y) | ((z - ones) &^ z); m&highs != 0 {
			return q + bits.TrailingZeros64(m&highs)/8
		}
	}
	for ; q < v; q++ {
		if c := b[q]; c == '\n' || c == '\r' || c == stop {
			return q
		}
	}
	return v
}

func (r *reader) begin() { r.rec.starts = append(r.rec.starts, r.off+int64(r.p)) }

// save ends the current field.
func (r *reader) save() error {
	rec := &r.rec
	if f := rec.buf[r.field:]; len(f) > fieldLimit && utf8.RuneCount(f) > fieldLimit {
		return r.errorf(rec.pos(len(rec.starts)-1), "field larger than field limit (%d)", fieldLimit)
	}
	rec.begs = append(rec.begs, r.field)
	rec.ends = append(rec.ends, len(rec.buf))
	r.field = len(rec.buf)
	return nil
}
