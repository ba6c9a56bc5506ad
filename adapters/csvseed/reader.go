package csvseed

import (
	"bytes"
	"fmt"
	"io"
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
	buf    []byte
	ends   []int
	starts []pos // where each field starts in the file
	line   int   // the line the record starts on
}

func (r *record) n() int { return len(r.ends) }

func (r *record) field(i int) []byte {
	s := 0
	if i > 0 {
		s = r.ends[i-1]
	}
	return r.buf[s:r.ends[i]]
}

type reader struct {
	src      io.Reader
	name     string
	buf      []byte
	p, e     int   // unread bytes are buf[p:e]
	off      int64 // file offset of buf[0]
	eof      bool
	err      error // read error from src
	started  bool
	skipLF   bool // the last byte was "\r": a following "\n" is the same newline
	line     int
	lineOff  int64 // file offset where the current line starts
	delim    []byte
	special  [256]bool // bytes that stop an unquoted run
	qspecial [256]bool // bytes that stop a quoted run
	rec      record
}

func newReader(src io.Reader, name string, delim rune) *reader {
	r := &reader{src: src, name: name, buf: make([]byte, 256<<10), line: 1}
	r.delim = utf8.AppendRune(nil, delim)
	r.special['\n'], r.special['\r'], r.special[r.delim[0]] = true, true, true
	r.qspecial['\n'], r.qspecial['\r'], r.qspecial['"'] = true, true, true
	return r
}

// fill reads more input, keeping buf[p:e]; it reports false at the end.
func (r *reader) fill() bool {
	if r.eof {
		return false
	}
	if r.p > 0 {
		n := copy(r.buf, r.buf[r.p:r.e])
		r.off += int64(r.p)
		r.p, r.e = 0, n
	}
	if r.e == len(r.buf) {
		r.buf = append(r.buf, make([]byte, len(r.buf))...)
	}
	for {
		n, err := r.src.Read(r.buf[r.e:])
		r.e += n
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

func (r *reader) here() pos {
	return pos{r.line, int(r.off + int64(r.p) - r.lineOff + 1)}
}

func (r *reader) newline() {
	r.line++
	r.lineOff = r.off + int64(r.p)
}

func (r *reader) errorf(at pos, format string, args ...any) *Error {
	return &Error{Name: r.name, Line: at.line, Col: at.col, Msg: fmt.Sprintf(format, args...)}
}

// atDelim reports whether the unread input starts with the delimiter.
func (r *reader) atDelim() bool {
	if len(r.delim) == 1 {
		return r.buf[r.p] == r.delim[0]
	}
	for r.e-r.p < len(r.delim) && r.fill() {
	}
	return bytes.HasPrefix(r.buf[r.p:r.e], r.delim)
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
		for r.e-r.p < 3 && r.fill() {
		}
		if bytes.HasPrefix(r.buf[r.p:r.e], []byte("\xef\xbb\xbf")) {
			r.p += 3
			r.lineOff = 3
		}
	}
	rec := &r.rec
	rec.buf, rec.ends, rec.starts = rec.buf[:0], rec.ends[:0], rec.starts[:0]
	fieldStart := 0
	state := stRecord
	save := func() error {
		f := rec.buf[fieldStart:]
		if len(f) > fieldLimit && utf8.RuneCount(f) > fieldLimit {
			return r.errorf(rec.starts[len(rec.starts)-1], "field larger than field limit (%d)", fieldLimit)
		}
		if !utf8.Valid(f) {
			at := rec.starts[len(rec.starts)-1]
			return r.errorf(at, "invalid UTF-8 in field %d (dbt reads seeds as UTF-8)", len(rec.starts))
		}
		rec.ends = append(rec.ends, len(rec.buf))
		fieldStart = len(rec.buf)
		return nil
	}
	begin := func() { rec.starts = append(rec.starts, r.here()) }
	for {
		if r.p >= r.e && !r.fill() {
			if r.err != nil {
				return false, r.err
			}
			if state == stRecord {
				return false, nil
			}
			// The last line had no newline, or a quoted field is open:
			// either way the pending field ends the record.
			if state == stField {
				begin()
			}
			return true, save()
		}
		c := r.buf[r.p]
		if r.skipLF {
			r.skipLF = false
			if c == '\n' {
				r.p++
				r.lineOff++
				continue
			}
		}
		if len(rec.buf)-fieldStart > 4*fieldLimit {
			return false, r.errorf(rec.starts[len(rec.starts)-1], "field larger than field limit (%d)", fieldLimit)
		}
		if c == '\n' || c == '\r' {
			r.p++
			r.skipLF = c == '\r'
			switch state {
			case stRecord:
				rec.line = r.line
				r.newline()
				return true, nil
			case stField:
				begin()
				fallthrough
			case stIn, stQuote:
				r.newline()
				return true, save()
			case stQuoted:
				rec.buf = append(rec.buf, '\n')
				r.newline()
			}
			continue
		}
		switch state {
		case stRecord, stField:
			if state == stRecord {
				rec.line = r.line
			}
			begin()
			switch {
			case c == '"':
				r.p++
				state = stQuoted
			case r.atDelim():
				r.p += len(r.delim)
				if err := save(); err != nil {
					return false, err
				}
				state = stField
			default:
				state = stIn
			}
		case stIn:
			if r.special[c] {
				if r.atDelim() {
					r.p += len(r.delim)
					if err := save(); err != nil {
						return false, err
					}
					state = stField
					continue
				}
				if c == r.delim[0] { // the first byte of a longer delimiter
					rec.buf = append(rec.buf, c)
					r.p++
					continue
				}
			}
			// Copy the run up to the next special byte.
			q := r.p
			for q < r.e && !r.special[r.buf[q]] {
				q++
			}
			rec.buf = append(rec.buf, r.buf[r.p:q]...)
			r.p = q
		case stQuoted:
			if c == '"' {
				r.p++
				state = stQuote
				continue
			}
			q := r.p
			for q < r.e && !r.qspecial[r.buf[q]] {
				q++
			}
			rec.buf = append(rec.buf, r.buf[r.p:q]...)
			r.p = q
		case stQuote:
			switch {
			case c == '"':
				rec.buf = append(rec.buf, '"')
				r.p++
				state = stQuoted
			case r.atDelim():
				r.p += len(r.delim)
				if err := save(); err != nil {
					return false, err
				}
				state = stField
			default:
				state = stIn
			}
		}
	}
}
