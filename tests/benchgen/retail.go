package benchgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// RetailRows is the size of the UCI Online Retail data set.
const RetailRows = 541_897

// retailProducts is about the number of stock codes in the original data.
const retailProducts = 4070

// RetailHeader is the Online Retail CSV header.
var RetailHeader = []string{"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"}

var retailCountries = []string{
	"United Kingdom", "France", "Australia", "Netherlands", "Germany", "Norway", "EIRE", "Switzerland", "Spain",
	"Poland", "Portugal", "Italy", "Belgium", "Lithuania", "Japan", "Iceland", "Channel Islands", "Denmark", "Cyprus",
	"Sweden", "Austria", "Israel", "Finland", "Bahrain", "Greece", "Hong Kong", "Singapore", "Lebanon",
	"United Arab Emirates", "Saudi Arabia", "Czech Republic", "Canada", "Unspecified", "Brazil", "USA",
	"European Community", "Malta", "RSA",
}

var retailWords = strings.Fields("WHITE HANGING HEART T-LIGHT HOLDER METAL LANTERN CREAM CUPID HEARTS COAT HANGER " +
	"KNITTED UNION FLAG HOT WATER BOTTLE RED WOOLLY SET OF 6 VINTAGE JUMBO BAG PINK POLKADOT CAKE CASES " +
	"REGENCY TEACUP SAUCER ALARM CLOCK BAKELIKE LUNCH BOX GLASS STAR FROSTED CANDLE")

// WriteRetailCSV writes rows deterministically generated rows shaped like
// the UCI Online Retail data (Dec 2010 to Dec 2011): about 2% cancellations
// (InvoiceNo starting with C, negative quantity), a quarter of the rows
// without CustomerID, descriptions with quoted commas, 38 countries and
// InvoiceDate written like the original ("12/1/2010 8:26").
func WriteRetailCSV(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(541897, 2011))
	start := time.Date(2010, 12, 1, 8, 26, 0, 0, time.UTC)
	span := time.Date(2011, 12, 9, 12, 50, 0, 0, time.UTC).Sub(start)
	fmt.Fprintln(bw, strings.Join(RetailHeader, ","))
	// A catalog like the original's ~4,000 products: each stock code keeps
	// its description and a usual price.
	type product struct {
		code, desc string
		price      float64
	}
	catalog := make([]product, retailProducts)
	for i := range catalog {
		code := fmt.Sprintf("%05d", 10002+i*22)
		if r.IntN(8) == 0 {
			code += string(rune('A' + r.IntN(6)))
		}
		var desc strings.Builder
		for k := 2 + r.IntN(4); k > 0; k-- {
			if desc.Len() > 0 {
				desc.WriteByte(' ')
			}
			desc.WriteString(retailWords[r.IntN(len(retailWords))])
		}
		d := desc.String()
		if r.IntN(15) == 0 {
			d = `"` + d + `, ASSORTED COLOURS"`
		}
		catalog[i] = product{code, d, float64(r.IntN(1500)+10) / 100}
	}
	invoice, lines := 536365, 0
	var ts time.Time
	var customer, country string
	cancel := false
	for i := 0; i < rows; i++ {
		if lines == 0 {
			invoice++
			lines = 1 + r.IntN(40)
			ts = start.Add(time.Duration(float64(span) * float64(i) / float64(rows))).Truncate(time.Minute)
			cancel = r.IntN(50) == 0
			customer = ""
			if r.IntN(4) != 0 {
				customer = fmt.Sprintf("%d", 12346+r.IntN(5942))
			}
			country = retailCountries[0]
			if r.IntN(10) == 0 {
				country = retailCountries[1+r.IntN(len(retailCountries)-1)]
			}
		}
		lines--
		inv := fmt.Sprintf("%d", invoice)
		qty := 1 + r.IntN(24)
		if cancel {
			inv = "C" + inv
			qty = -qty
		}
		// Popular products sell more: a skewed pick.
		p := catalog[int(float64(len(catalog))*r.Float64()*r.Float64())]
		stock, d, price := p.code, p.desc, p.price
		if r.IntN(10) == 0 {
			price = price * float64(80+r.IntN(41)) / 100
		}
		if r.IntN(500) == 0 {
			price = 0
		}
		fmt.Fprintf(bw, "%s,%s,%s,%d,%d/%d/%d %d:%02d,%.2f,%s,%s\n", inv, stock, d, qty,
			int(ts.Month()), ts.Day(), ts.Year(), ts.Hour(), ts.Minute(), price, customer, country)
	}
	return bw.Flush()
}
