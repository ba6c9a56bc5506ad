package athena

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gmodel/gmodel/adapters"
)

// seedPart is the size of each uploaded object of a seed's rows.
const seedPart = 8 << 20

// LoadSeed loads s as a typed table (Parquet by default, the seed's
// table configs otherwise). The rows are uploaded to S3 under the seed's
// own prefix as JSON lines (one object of strings per row, NULL as null:
// Athena's CSV readers cannot hold a newline in a value nor tell NULL
// from an empty string), declared as an external table of strings, and
// turned into the seed's table with CREATE TABLE AS casting each column
// to its type, aside, then swapped in as a table build is. The upload and
// its table are removed at the end, whatever happened.
func (a *Adapter) LoadSeed(ctx context.Context, s adapters.Seed) (adapters.Result, error) {
	r := s.Relation
	if err := a.checkRelation(r); err != nil {
		return adapters.Result{}, err
	}
	schema, name := lower(r)
	if len(s.Columns) == 0 {
		return adapters.Result{}, adapters.Errorf(adapters.Invalid, "seed %s has no columns", a.render(schema, name))
	}
	c, err := parseTableConfig(s.Config)
	if err == nil {
		err = checkTableProperties(c)
	}
	if err != nil {
		return adapters.Result{}, err
	}
	p, err := a.planTable(ctx, schema, name, c)
	if err != nil {
		return adapters.Result{}, err
	}
	n := naming{dataDir: a.dataDir, scheme: a.cfg.S3DataNaming}
	if c.Naming != "" {
		n.scheme = c.Naming
	}
	base, _ := n.base(schema, name, c.ExternalLocation) // planTable checked it
	upload := base.join("_seed_upload", newUUID())
	if err := checkLocation(upload, "the upload of seed "+schema+"."+name, "write", p.guards); err != nil {
		return adapters.Result{}, err
	}
	uploadTable := name + uploadSuffix
	if err := a.cleanAside(ctx, p, uploadTable); err != nil {
		return adapters.Result{}, err
	}
	defer func() {
		cctx := context.WithoutCancel(ctx)
		if err := a.deleteGlueTable(cctx, schema, uploadTable); err != nil {
			a.logf("could not remove %s.%s: %v", schema, uploadTable, err)
		}
		if err := a.deleteDir(cctx, upload); err != nil {
			a.logf("could not delete the seed upload %s: %v", upload, err)
		}
	}()
	rows, err := a.uploadRows(ctx, upload, s)
	if err != nil {
		return adapters.Result{}, wrapMsg(err, "seed %s", a.render(schema, name))
	}
	if _, err := a.run(ctx, plain(seedUploadSQL(schema, uploadTable, len(s.Columns), upload))); err != nil {
		return adapters.Result{}, err
	}
	tmp := name + tmpSuffix
	if err := a.cleanAside(ctx, p, tmp); err != nil {
		return adapters.Result{}, err
	}
	if _, err := a.ctas(ctx, schema, tmp, c, p.newLoc, seedSelectSQL(a.render(schema, uploadTable), s.Columns)); err != nil {
		a.discard(ctx, p, tmp)
		return adapters.Result{}, wrapMsg(err, "loading seed %s", a.render(schema, name))
	}
	if err := a.swapIn(ctx, p, tmp, c); err != nil {
		return adapters.Result{}, err
	}
	return adapters.Result{Message: fmt.Sprintf("INSERT %d", rows), RowsAffected: rows}, nil
}

// uploadRows writes the seed's rows under dir as JSON lines, in objects
// of about seedPart bytes, and returns how many there were.
func (a *Adapter) uploadRows(ctx context.Context, dir s3Dir, s adapters.Seed) (int64, error) {
	var buf []byte
	var n int64
	part := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		part++
		err := a.put(ctx, dir, fmt.Sprintf("part-%05d.json", part), buf)
		buf = buf[:0]
		return err
	}
	width := len(s.Columns)
	for {
		if err := ctx.Err(); err != nil {
			return n, canceled(ctx, "", err)
		}
		row, err := s.Rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if len(row) != width {
			return n, fmt.Errorf("row %d has %d values; the seed has %d columns", n+1, len(row), width)
		}
		buf = appendRow(buf, row)
		n++
		if s.Progress != nil && n%100_000 == 0 {
			s.Progress(n)
		}
		if len(buf) >= seedPart {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	if s.Progress != nil {
		s.Progress(n)
	}
	return n, nil
}

// appendRow appends {"c0":"v",...,"cN":null} and a newline.
func appendRow(buf []byte, row []*string) []byte {
	buf = append(buf, '{')
	for i, v := range row {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '"')
		buf = append(buf, seedColumn(i)...)
		buf = append(buf, '"', ':')
		if v == nil {
			buf = append(buf, "null"...)
			continue
		}
		if simple(*v) {
			buf = append(buf, '"')
			buf = append(buf, *v...)
			buf = append(buf, '"')
			continue
		}
		b, _ := json.Marshal(*v) // a string always marshals
		buf = append(buf, b...)
	}
	return append(buf, '}', '\n')
}

// simple reports whether s needs no escaping in JSON.
func simple(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
