package postgres

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/tests/pgtest"
)

// retailRows is the size of the UCI Online Retail data set, the retail
// example's seed: 541,897 rows, about 45 MB of CSV.
const retailRows = 541_897

var retailColumns = []adapters.Column{
	{Name: "InvoiceNo", DataType: "text"},
	{Name: "StockCode", DataType: "text"},
	{Name: "Description", DataType: "text"},
	{Name: "Quantity", DataType: "integer"},
	{Name: "InvoiceDate", DataType: "timestamp"},
	{Name: "UnitPrice", DataType: "numeric(10,2)"},
	{Name: "CustomerID", DataType: "integer"},
	{Name: "Country", DataType: "text"},
}

// writeRetailCSV writes n rows shaped like Online Retail's (quoted
// descriptions with commas, empty customer ids) to path.
func writeRetailCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cw := csv.NewWriter(w)
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"WHITE", "HANGING", "HEART", "T-LIGHT", "HOLDER", "METAL", "LANTERN", "CREAM", "CUPID", "HEARTS", "COAT", "HANGER", "KNITTED", "UNION", "FLAG", "HOT", "WATER", "BOTTLE", "RED", "WOOLLY", "SET", "OF", "6", "VINTAGE", "JUMBO", "BAG", "PINK", "POLKADOT"}
	countries := []string{"United Kingdom", "France", "Australia", "Netherlands", "Germany", "Norway", "EIRE", "Switzerland", "Spain", "Poland"}
	_ = cw.Write([]string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"})
	start := time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC)
	rec := make([]string, 8)
	for i := range n {
		desc := ""
		for k := 3 + r.IntN(3); k > 0; k-- {
			if desc != "" {
				desc += " "
			}
			desc += words[r.IntN(len(words))]
		}
		if r.IntN(20) == 0 {
			desc += ", ASSORTED"
		}
		cust := ""
		if r.IntN(4) != 0 {
			cust = strconv.Itoa(12346 + r.IntN(6000))
		}
		rec[0] = strconv.Itoa(536365 + i/20)
		rec[1] = fmt.Sprintf("%05d%s", 10000+r.IntN(80000), []string{"", "", "A", "B"}[r.IntN(4)])
		rec[2] = desc
		rec[3] = strconv.Itoa(1 + r.IntN(24))
		rec[4] = start.Add(time.Duration(i/20) * 7 * time.Minute).Format("2006-01-02 15:04:05")
		rec[5] = fmt.Sprintf("%d.%02d", r.IntN(20), r.IntN(100))
		rec[6] = cust
		rec[7] = countries[r.IntN(len(countries))]
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// csvRows is a RowSource over a CSV file with a header; an empty field
// is NULL, as in dbt seeds.
type csvRows struct {
	r   *csv.Reader
	out []*string
}

func newCSVRows(r io.Reader) (*csvRows, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return nil, err
	}
	return &csvRows{r: cr}, nil
}

func (c *csvRows) Next() ([]*string, error) {
	rec, err := c.r.Read()
	if err != nil {
		return nil, err
	}
	if cap(c.out) < len(rec) {
		c.out = make([]*string, len(rec))
	}
	c.out = c.out[:len(rec)]
	for i := range rec {
		if rec[i] == "" {
			c.out[i] = nil
		} else {
			c.out[i] = &rec[i]
		}
	}
	return c.out, nil
}

// BenchmarkSeedRetail loads the retail CSV with LoadSeed (table built
// aside, COPY, swap) and, as the yardstick, with psql's \copy into a
// table that already exists. Compare the two ns/op.
func BenchmarkSeedRetail(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "online_retail.csv")
	if err := writeRetailCSV(path, retailRows); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	db := pgtest.New(b)
	p := profile(db)
	a, err := New(context.Background(), p, adapters.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()

	b.Run("LoadSeed", func(b *testing.B) {
		b.SetBytes(st.Size())
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := newCSVRows(f)
			if err != nil {
				b.Fatal(err)
			}
			res, err := a.LoadSeed(ctx, adapters.Seed{Relation: adapters.Relation{Schema: "public", Identifier: "online_retail"},
				Columns: retailColumns, QuoteColumns: true, Rows: rows})
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
			if res.RowsAffected != retailRows {
				b.Fatalf("loaded %d rows", res.RowsAffected)
			}
		}
	})

	b.Run("PsqlCopy", func(b *testing.B) {
		psql, err := exec.LookPath("psql")
		if err != nil {
			b.Skip("psql is not installed")
		}
		if _, err := a.Exec(ctx, `create table if not exists psql_retail ("InvoiceNo" text, "StockCode" text, "Description" text, "Quantity" integer,
			"InvoiceDate" timestamp, "UnitPrice" numeric(10,2), "CustomerID" integer, "Country" text)`); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Size())
		for b.Loop() {
			b.StopTimer()
			if _, err := a.Exec(ctx, "truncate psql_retail"); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", db.Host, "-p", strconv.Itoa(db.Port), "-U", db.User, "-d", db.Database,
				"-c", fmt.Sprintf(`\copy psql_retail from '%s' with (format csv, header true)`, path))
			cmd.Env = append(os.Environ(), "PGPASSWORD="+db.Password)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("psql: %v\n%s", err, out)
			}
		}
	})
}
