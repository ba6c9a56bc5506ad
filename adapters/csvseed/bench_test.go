package csvseed

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gmodel/gmodel/tests/benchgen"
)

// uciRows is the row count of UCI Online Retail, which the benchmark seed
// imitates.
const uciRows = 541897

var (
	uciWords = strings.Fields(`WHITE HANGING HEART T-LIGHT HOLDER METAL LANTERN CREAM CUPID HEARTS COAT
		HANGER KNITTED UNION FLAG HOT WATER BOTTLE RED WOOLLY HOTTIE SET OF 7 BABUSHKA NESTING BOXES
		GLASS STAR FROSTED HAND WARMER JACK BIRD ORNAMENT POPPY'S PLAYHOUSE BEDROOM KITCHEN FELTCRAFT
		PRINCESS CHARLOTTE DOLL IVORY MUG COSY ALARM CLOCK BAKELIKE PINK GREEN PANDA AND BUNNIES STICKER
		SHEET JUMBO BAG VINTAGE PAISLEY LUNCH BOX RETROSPOT CAKE CASES PACK 72 REGENCY TEACUP SAUCER`)
	uciCountries = []string{"United Kingdom", "United Kingdom", "United Kingdom", "United Kingdom", "France",
		"Germany", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland", "Portugal", "Australia", "Norway"}
	uciPrices = []string{"2.55", "3.39", "2.75", "7.65", "4.25", "1.85", "1.69", "2.1", "0.85", "1.25",
		"0.42", "12.75", "4.95", "9.95", "1", "0.19", "165", "18", "0.65", "2.08"}
)

// writeUCI writes a deterministic seed shaped like UCI Online Retail:
// invoice numbers with a "C" for cancellations, stock codes like
// "85123A", descriptions with quoted commas and quotes, negative
// quantities for cancellations, dates like "12/1/2010 8:26", decimal
// prices, customer ids like "17850.0" or empty.
func writeUCI(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	bw.WriteString("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
	invoice, minute := 536365, 0
	customer := 17850
	var line []byte
	for i := 0; i < rows; i++ {
		if rng.IntN(20) == 0 {
			invoice++
			minute += rng.IntN(90)
			customer = 12346 + rng.IntN(6000)
		}
		line = line[:0]
		cancelled := rng.IntN(50) == 0
		if cancelled {
			line = append(line, 'C')
		}
		line = fmt.Appendf(line, "%d,", invoice)
		switch rng.IntN(40) {
		case 0:
			line = append(line, "POST,"...)
		case 1:
			line = append(line, "D,"...)
		default:
			line = fmt.Appendf(line, "%d", 10000+rng.IntN(80000))
			if rng.IntN(3) == 0 {
				line = append(line, byte('A'+rng.IntN(6)))
			}
			line = append(line, ',')
		}
		n := 3 + rng.IntN(4)
		var desc strings.Builder
		for j := 0; j < n; j++ {
			if j > 0 {
				desc.WriteByte(' ')
			}
			desc.WriteString(uciWords[rng.IntN(len(uciWords))])
		}
		switch rng.IntN(12) {
		case 0:
			desc.WriteString(", RED")
		case 1:
			desc.WriteString(` "VINTAGE"`)
		}
		d := desc.String()
		if strings.ContainsAny(d, `,"`) {
			d = `"` + strings.ReplaceAll(d, `"`, `""`) + `"`
		}
		line = append(line, d...)
		q := 1 + rng.IntN(24)
		if cancelled {
			q = -q
		}
		day, hm := minute/600, minute%600
		line = fmt.Appendf(line, ",%d,%d/%d/2010 %d:%02d,%s,", q, 12, 1+day%28, 8+hm/60, hm%60, uciPrices[rng.IntN(len(uciPrices))])
		if rng.IntN(4) != 0 {
			line = fmt.Appendf(line, "%d.0", customer)
		}
		line = append(line, ',')
		line = append(line, uciCountries[rng.IntN(len(uciCountries))]...)
		line = append(line, '\n')
		bw.Write(line)
	}
	return bw.Flush()
}

func uciFile(b *testing.B) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "online_retail.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeUCI(f, uciRows); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, st.Size()
}

var uciKinds = []Kind{Text, Text, Text, Integer, Text, Number, Integer, Text}

func TestUCIKinds(t *testing.T) {
	var sb strings.Builder
	if err := writeUCI(&sb, 5000); err != nil {
		t.Fatal(err)
	}
	tab, err := Infer(context.Background(), strings.NewReader(sb.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// What dbt infers for UCI Online Retail: the dates are not ISO, so text;
	// "17850.0" normalizes to a whole number, so integer.
	if !reflect.DeepEqual(tab.Kinds, uciKinds) || tab.Rows != 5000 {
		t.Errorf("kinds %v rows %d", tab.Kinds, tab.Rows)
	}
}

func inferFile(b *testing.B, path string) *Table {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tab, err := Infer(context.Background(), f, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if tab.Rows != uciRows || !reflect.DeepEqual(tab.Kinds, uciKinds) {
		b.Fatalf("rows %d kinds %v", tab.Rows, tab.Kinds)
	}
	return tab
}

func readFile(b *testing.B, path string, tab *Table) {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	src := Open(f, tab, Options{})
	n := 0
	for {
		_, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n != uciRows {
		b.Fatalf("%d rows", n)
	}
}

// reportCPU adds CPU time per operation, steadier than ns/op on a shared
// machine.
func reportCPU(b *testing.B, start time.Duration) {
	if cpu := processCPU() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func BenchmarkInfer(b *testing.B) {
	path, size := uciFile(b)
	b.SetBytes(size)
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		inferFile(b, path)
	}
	reportCPU(b, start)
}

func BenchmarkRead(b *testing.B) {
	path, size := uciFile(b)
	tab := inferFile(b, path)
	b.SetBytes(size)
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		readFile(b, path, tab)
	}
	reportCPU(b, start)
}

// BenchmarkInferRead is a whole seed load's reading: both passes.
func BenchmarkInferRead(b *testing.B) {
	path, size := uciFile(b)
	b.SetBytes(size)
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		readFile(b, path, inferFile(b, path))
	}
	reportCPU(b, start)
}

// BenchmarkBaselineEncodingCSV reads the same file with encoding/csv, for
// comparison with BenchmarkReader. It cannot read seeds as dbt does: it
// skips empty lines (rows of NULLs in dbt), does not end a line at a lone
// "\r", and reads "ab"c as an open quoted field (Python: abc).
func BenchmarkBaselineEncodingCSV(b *testing.B) {
	path, size := uciFile(b)
	b.SetBytes(size)
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
	reportCPU(b, start)
}

// BenchmarkReader is the record reader alone, without types or values.
func BenchmarkReader(b *testing.B) {
	path, size := uciFile(b)
	b.SetBytes(size)
	start := processCPU()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rd := newReader(f, "", ',')
		for {
			ok, err := rd.next()
			if err != nil {
				b.Fatal(err)
			}
			if !ok {
				break
			}
		}
		f.Close()
	}
	reportCPU(b, start)
}

// BenchmarkInferRetail is Infer of the seed of the acceptance benchmark
// (tests/bench_run_test.go): tests/benchgen's Online Retail file, which
// COPY can read as it is, so that Infer is gmodel's only pass over it.
// InferAt reads it in parts, one per CPU.
func BenchmarkInferRetail(b *testing.B) {
	path := filepath.Join(b.TempDir(), "retail.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := benchgen.WriteRetailCSV(f, benchgen.RetailRows); err != nil {
		b.Fatal(err)
	}
	size, _ := f.Seek(0, io.SeekCurrent)
	f.Close()
	for _, at := range []bool{false, true} {
		name := "Infer"
		if at {
			name = "InferAt"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			start := processCPU()
			b.ResetTimer()
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var tab *Table
				if at {
					tab, err = InferAt(context.Background(), f, size, Options{})
				} else {
					tab, err = Infer(context.Background(), f, Options{})
				}
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				if _, ok := tab.Verbatim(); !ok || tab.Rows != benchgen.RetailRows {
					b.Fatalf("rows %d, verbatim %v", tab.Rows, ok)
				}
			}
			reportCPU(b, start)
		})
	}
}
