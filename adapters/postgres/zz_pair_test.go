package postgres

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/tests/pgtest"
)

func TestZZPairs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	writeRetailCSV(path, retailRows)
	db := pgtest.New(t)
	a := openTest(t, db)
	ctx := context.Background()
	a.Exec(ctx, `create table psql_retail ("InvoiceNo" text, "StockCode" text, "Description" text, "Quantity" integer,
			"InvoiceDate" timestamp, "UnitPrice" numeric(10,2), "CustomerID" integer, "Country" text)`)
	var ours, theirs []float64
	for i := 0; i < 8; i++ {
		a.Exec(ctx, "truncate psql_retail")
		start := time.Now()
		cmd := exec.Command("psql", "-X", "-q", "-h", db.Host, "-p", strconv.Itoa(db.Port), "-U", db.User, "-d", db.Database,
			"-c", fmt.Sprintf(`\copy psql_retail from '%s' with (format csv, header true)`, path))
		cmd.Env = append(os.Environ(), "PGPASSWORD="+db.Password)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatal(err, string(out))
		}
		theirs = append(theirs, time.Since(start).Seconds())
		start = time.Now()
		f, _ := os.Open(path)
		rows, _ := newCSVRows(f)
		if _, err := a.LoadSeed(ctx, adapters.Seed{Relation: adapters.Relation{Schema: "public", Identifier: "r"}, Columns: retailColumns, QuoteColumns: true, Rows: rows}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		ours = append(ours, time.Since(start).Seconds())
		t.Logf("psql %.3fs  LoadSeed %.3fs  ratio %.2f", theirs[i], ours[i], ours[i]/theirs[i])
	}
	slices.Sort(ours)
	slices.Sort(theirs)
	t.Logf("min psql %.3f ours %.3f; median psql %.3f ours %.3f", theirs[0], ours[0], theirs[4], ours[4])
}
