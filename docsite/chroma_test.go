package docsite

import (
	"bytes"
	"testing"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// TestVendoredChromaMatchesChroma checks the copies in docsite/chroma
// against the registries of the chroma version in go.mod: the same
// highlighted HTML for SQL and Jinja-over-SQL, the same stylesheets.
func TestVendoredChromaMatchesChroma(t *testing.T) {
	samples := []string{
		"select o.id, sum(p.amount)::numeric(10,2) as total -- money\nfrom \"analytics\".\"orders\" o\nleft join payments p on p.order_id = o.id\nwhere o.status in ('placed', 'shipped') and o.ts > now() - interval '1 day'\ngroup by 1\n",
		"{{ config(materialized='table') }}\n{%- set methods = ['card', 'coupon'] -%}\nselect\n  {% for m in methods %}sum(case when method = '{{ m }}' then amount end) as {{ m }}_amount{% if not loop.last %},{% endif %}\n  {% endfor %}\nfrom {{ ref('stg_payments') }} /* block */\n",
		"with x as (select try_cast(a as bigint) as n, date_trunc('month', ts) as m from t) select * from x",
	}
	format := chromahtml.New(chromahtml.WithClasses(true), chromahtml.TabWidth(4))
	highlight := func(l chroma.Lexer, s *chroma.Style, src string) string {
		it, err := chroma.Coalesce(l).Tokenise(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := format.Format(&buf, s, it); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	ours := loadChroma()
	for _, tc := range []struct {
		name  string
		ours  chroma.Lexer
		chrom chroma.Lexer
	}{
		{"postgresql", ours.postgres, lexers.Get("postgresql")},
		{"sql", ours.sql, lexers.Get("sql")},
		{"jinja over postgresql", chroma.DelegatingLexer(ours.postgres, ours.jinja), chroma.DelegatingLexer(lexers.Get("postgresql"), lexers.Get("jinja"))},
		{"jinja over sql", chroma.DelegatingLexer(ours.sql, ours.jinja), chroma.DelegatingLexer(lexers.Get("sql"), lexers.Get("jinja"))},
	} {
		for i, src := range samples {
			got, want := highlight(tc.ours, ours.light, src), highlight(tc.chrom, styles.Get(chromaLight), src)
			if got != want {
				t.Errorf("%s, sample %d: the vendored definitions highlight differently from chroma's:\n got %s\nwant %s", tc.name, i, got, want)
			}
			if !bytes.Contains([]byte(got), []byte("<span")) {
				t.Errorf("%s, sample %d: nothing highlighted: %s", tc.name, i, got)
			}
		}
	}
	for _, s := range []struct {
		ours *chroma.Style
		name string
	}{{ours.light, chromaLight}, {ours.dark, chromaDark}} {
		var got, want bytes.Buffer
		if err := format.WriteCSS(&got, s.ours); err != nil {
			t.Fatal(err)
		}
		if err := format.WriteCSS(&want, styles.Get(s.name)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() || s.ours.Name != s.name {
			t.Errorf("style %s: the vendored style (%s) differs from chroma's", s.name, s.ours.Name)
		}
	}
}
