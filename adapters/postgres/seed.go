package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
)

// progressEvery is how many rows pass between two Progress calls.
const progressEvery = 100_000

// LoadSeed loads s in one transaction. By default it creates the table
// aside, fills it with COPY and swaps it in, so that readers see the old
// rows until the commit and the views that read it survive. On full
// refresh it drops the old table first (its views set aside as in a
// swap), which frees its space before the load but makes readers wait
// for the load.
func (a *Adapter) LoadSeed(ctx context.Context, s adapters.Seed) (adapters.Result, error) {
	r := s.Relation
	if err := a.checkRelation(r); err != nil {
		return adapters.Result{}, err
	}
	if len(s.Columns) == 0 {
		return adapters.Result{}, adapters.Errorf(adapters.Invalid, "seed %s has no columns", qualified(r.Schema, r.Identifier))
	}
	conn, err := a.pool.Acquire(ctx)
	if err != nil {
		return adapters.Result{}, a.acquireError(ctx, err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return adapters.Result{}, sqlError(ctx, err, "BEGIN")
	}
	res, err := a.loadSeed(ctx, tx, s)
	if err != nil {
		rollback(ctx, tx)
		return adapters.Result{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return adapters.Result{}, sqlError(ctx, err, "COMMIT")
	}
	return res, nil
}

func (a *Adapter) loadSeed(ctx context.Context, tx pgx.Tx, s adapters.Seed) (adapters.Result, error) {
	r := s.Relation
	old, err := lookup(ctx, tx, r.Schema, r.Identifier)
	if err != nil {
		return adapters.Result{}, err
	}
	var res adapters.Result
	load := func(name string) error {
		if err := createSeedTable(ctx, tx, r.Schema, name, s); err != nil {
			return err
		}
		res, err = copySeed(ctx, tx, r.Schema, name, s)
		return err
	}
	if s.FullRefresh && old != nil {
		state, err := captureState(ctx, tx, old.oid, false)
		if err != nil {
			return res, err
		}
		return res, replaceWithDependents(ctx, tx, old, func() error {
			drop := fmt.Sprintf("DROP %s %s", old.keyword(), old)
			if _, err := tx.Exec(ctx, drop); err != nil {
				return wrapMsg(sqlError(ctx, err, drop), "cannot replace %s", old)
			}
			if err := load(r.Identifier); err != nil {
				return err
			}
			o, err := lookup(ctx, tx, r.Schema, r.Identifier)
			if err != nil {
				return err
			}
			return applyAccess(ctx, tx, o, state, false)
		})
	}
	tmp := aside(r.Identifier, "__gmodel_tmp")
	if err := dropIfExists(ctx, tx, r.Schema, tmp); err != nil {
		return res, err
	}
	if err := load(tmp); err != nil {
		return res, err
	}
	return res, swapIn(ctx, tx, old, "TABLE", r.Schema, tmp, r.Identifier)
}

func seedColumn(s adapters.Seed, name string) string {
	if s.QuoteColumns {
		return quoteIdent(name)
	}
	return name
}

func createSeedTable(ctx context.Context, tx pgx.Tx, schema, name string, s adapters.Seed) error {
	defs := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		defs[i] = seedColumn(s, c.Name) + " " + c.DataType
	}
	sql := fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", qualified(schema, name), strings.Join(defs, ",\n  "))
	_, err := tx.Exec(ctx, sql)
	return sqlError(ctx, err, sql)
}

// copySeed streams the rows to COPY ... FROM STDIN in text format: the
// server parses each value with its column type's input function, as
// psql's \copy has it do. A file that COPY reads as it is goes to it
// unchanged instead.
func copySeed(ctx context.Context, tx pgx.Tx, schema, name string, s adapters.Seed) (adapters.Result, error) {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = seedColumn(s, c.Name)
	}
	if vs, ok := s.Rows.(adapters.VerbatimSource); ok {
		if f, ok := vs.VerbatimCSV(); ok {
			return copyVerbatim(ctx, tx, schema, name, names, f, s.Progress)
		}
	}
	// FREEZE (allowed: the table was created in this transaction) writes
	// the rows frozen and all-visible, so that the first reads of the seed
	// do not rewrite every page to set hint bits, nor a vacuum later.
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN WITH (FREEZE)", qualified(schema, name), strings.Join(names, ", "))
	cr := &copyReader{rows: s.Rows, width: len(s.Columns), progress: s.Progress}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, cr, sql)
	n, rowsErr := cr.stop()
	if rowsErr != nil && !errors.Is(rowsErr, io.EOF) {
		// The server was told the copy failed; our reason is the real one.
		return adapters.Result{}, wrapMsg(rowsErr, "seed %s", qualified(schema, name))
	}
	if err != nil {
		e := sqlError(ctx, err, sql)
		var ae *adapters.Error
		if errors.As(e, &ae) && ae.Code == adapters.SQL {
			// The server's context line says which line of the COPY failed;
			// rows are 1-based like the CSV's data lines.
			return adapters.Result{}, wrapMsg(e, "loading seed %s", qualified(schema, name))
		}
		return adapters.Result{}, e
	}
	if s.Progress != nil {
		s.Progress(n)
	}
	return adapters.Result{Message: tag.String(), RowsAffected: tag.RowsAffected()}, nil
}

// copyReader encodes rows in COPY text format as pgconn reads them, from
// a goroutine of its own (which, on a broken connection, may outlive
// CopyFrom: stop fences it off).
type copyReader struct {
	mu       sync.Mutex
	stopped  bool
	rows     adapters.RowSource
	width    int
	progress func(int64)
	buf      []byte
	off      int
	n        int64
	err      error // the first error of rows (io.EOF at the end)
}

// chunk is how much copyReader encodes ahead; pgconn sends 64 KiB
// messages.
const chunk = 256 << 10

// stop ends the reading and returns the count of rows and their error.
func (r *copyReader) stop() (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	return r.n, r.err
}

var errStopped = errors.New("copy stopped")

func (r *copyReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return 0, errStopped
	}
	if r.off >= len(r.buf) {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
		if r.off >= len(r.buf) {
			return 0, r.err
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

func (r *copyReader) fill() {
	r.buf, r.off = r.buf[:0], 0
	for len(r.buf) < chunk {
		row, err := r.rows.Next()
		if err != nil {
			r.err = err
			return
		}
		if len(row) != r.width {
			r.err = fmt.Errorf("row %d has %d values; the seed has %d columns", r.n+1, len(row), r.width)
			return
		}
		for i, v := range row {
			if i > 0 {
				r.buf = append(r.buf, '\t')
			}
			if v == nil {
				r.buf = append(r.buf, `\N`...)
				continue
			}
			r.buf = appendCopyText(r.buf, *v)
		}
		r.buf = append(r.buf, '\n')
		r.n++
		if r.progress != nil && r.n%progressEvery == 0 {
			r.progress(r.n)
		}
	}
}

var copySpecial = [256]bool{'\\': true, '\t': true, '\n': true, '\r': true}

// appendCopyText escapes the characters COPY's text format gives a
// meaning: backslash, tab, newline and carriage return.
func appendCopyText(buf []byte, s string) []byte {
	i := 0
	for i < len(s) && !copySpecial[s[i]] {
		i++
	}
	buf = append(buf, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, '\\', '\\')
		case '\t':
			buf = append(buf, '\\', 't')
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

// copyVerbatim sends a CSV file to COPY as it is, the work psql's \copy
// does: the server splits and parses it.
func copyVerbatim(ctx context.Context, tx pgx.Tx, schema, name string, names []string, f adapters.VerbatimCSV, progress func(int64)) (adapters.Result, error) {
	cols := strings.Join(names, ", ")
	// FORCE_NULL makes a quoted NULL string NULL too, as dbt reads "".
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER %s, NULL %s, FORCE_NULL (%s), FREEZE)",
		qualified(schema, name), cols, quoteLiteral(string(rune(f.Delimiter))), quoteLiteral(f.Null), cols)
	vr := &verbatimReader{r: f.R, rows: f.Rows, size: f.Size, progress: progress}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, vr, sql)
	if readErr := vr.stop(); readErr != nil && !errors.Is(readErr, io.EOF) {
		return adapters.Result{}, wrapMsg(readErr, "seed %s: reading the file", qualified(schema, name))
	}
	if err != nil {
		e := sqlError(ctx, err, sql)
		var ae *adapters.Error
		if errors.As(e, &ae) && ae.Code == adapters.SQL {
			return adapters.Result{}, wrapMsg(e, "loading seed %s", qualified(schema, name))
		}
		return adapters.Result{}, e
	}
	if progress != nil {
		progress(tag.RowsAffected())
	}
	return adapters.Result{Message: tag.String(), RowsAffected: tag.RowsAffected()}, nil
}

// verbatimReader passes the file to pgconn, which reads it from a
// goroutine of its own (stop fences it off, as for copyReader), and
// estimates the rows sent from the bytes sent, for progress.
type verbatimReader struct {
	mu         sync.Mutex
	stopped    bool
	r          io.Reader
	rows, size int64
	read, last int64 // bytes read; rows last reported
	progress   func(int64)
	err        error // the first read error (io.EOF at the end)
}

func (r *verbatimReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return 0, errStopped
	}
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.r.Read(p)
	r.read += int64(n)
	if err != nil {
		r.err = err
	}
	if r.progress != nil && r.size > 0 && r.read < r.size {
		// Rows are sent in file order; the estimate never passes the
		// count, which the end reports exactly.
		if est := int64(float64(r.rows) * float64(r.read) / float64(r.size)); est-r.last >= progressEvery {
			r.last = est
			r.progress(est)
		}
	}
	return n, err
}

func (r *verbatimReader) stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	return r.err
}
