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

// record is one parsed row: field i is buf[ends[i-1]:ends[i]].
type record struct {
	buf  []byte
	ends []int
	// Positions are kept as file offsets and turned into lines and
	// columns only for messages.
	starts  []int64 // where each field starts
	line    int     // the line the record starts on
	lineOff int64   // where that line starts
	lines   []int64 // where later lines of the record start
}

func (r *record) n() int { return len(r.ends) }

func (r *record) field(i int) []byte {
	s := 0
	if i > 0 {
		s = r.ends[i-1]
	}
	return r.buf[s:r.ends[i]]
}

// pos is where field i starts.
func (r *record) pos(i int) pos {
	off := r.starts[i]
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
	skipLF  bool // the last byte was "\r": a following "\n" is the same newline
	line    int
	lineOff int64 // file offset where the current line starts
	delim   []byte
	rec     record
	field   int // where the current field starts in rec.buf
	// keep makes rec.buf append-only: the bytes of a record are never
	// overwritten, so strings may point into them.
	keep bool
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
func (r *reader) next() (bool, error) {
	if !r.started {
		r.started = true
		for r.v-r.p < 3 && r.fill() {
		}
		if bytes.HasPrefix(r.buf[r.p:r.v], []byte("\xef\xbb\xbf")) {
			r.p += 3
			r.lineOff = 3
		}
	}
	rec := &r.rec
	if r.keep {
		// Start after the bytes of earlier records, which callers keep.
		rec.buf = rec.buf[len(rec.buf):]
		if cap(rec.buf) < 4<<10 {
			rec.buf = make([]byte, 0, 256<<10)
		}
	} else {
		rec.buf = rec.buf[:0]
	}
	rec.ends, rec.starts, rec.lines = rec.ends[:0], rec.starts[:0], rec.lines[:0]
	rec.line, rec.lineOff = r.line, r.lineOff
	r.field = 0
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
			// The last line had no newline, or a quoted field is open:
			// either way the pending field ends the record.
			if state == stField {
				r.begin()
			}
			return true, r.save()
		}
		c := r.buf[r.p]
		// A "\n" right after a "\r" belongs to the same newline; newlines
		// only end records or sit inside quoted fields.
		if r.skipLF {
			r.skipLF = false
			if c == '\n' {
				r.p++
				r.lineOff++
				if n := len(rec.lines); n > 0 {
					rec.lines[n-1] = r.lineOff
				}
				if state == stRecord {
					rec.lineOff = r.lineOff
				}
				continue
			}
		}
		if c == '\n' || c == '\r' {
			r.p++
			r.skipLF = c == '\r'
			switch state {
			case stRecord:
				r.newline()
				return true, nil
			case stField:
				r.begin()
				fallthrough
			case stIn, stQuote:
				r.newline()
				return true, r.save()
			case stQuoted:
				rec.buf = append(rec.buf, '\n')
				r.newline()
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
			rec.buf = append(rec.buf, r.buf[r.p:q]...)
			r.p = q
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
				rec.buf = append(rec.buf, r.buf[r.p:q]...)
				r.p = q
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
				state = stIn
			}
		}
	}
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
	rec.ends = append(rec.ends, len(rec.buf))
	r.field = len(rec.buf)
	return nil
}
