package postgres

import (
	"strings"

	"github.com/gmodel/gmodel/adapters"
)

// Dialect is PostgreSQL's quoting: identifiers are always quoted, so that
// names keep their case and may be keywords or hold spaces and quotes.
type Dialect struct{}

var _ adapters.Dialect = Dialect{}

// Type returns "postgres".
func (Dialect) Type() string { return "postgres" }

// Quote quotes ident with double quotes, doubling the ones inside.
func (Dialect) Quote(ident string) string { return quoteIdent(ident) }

// Render renders "database"."schema"."identifier", leaving out the parts
// that are empty.
func (Dialect) Render(r adapters.Relation) string {
	var b strings.Builder
	for _, part := range []string{r.Database, r.Schema} {
		if part != "" {
			b.WriteString(quoteIdent(part))
			b.WriteByte('.')
		}
	}
	b.WriteString(quoteIdent(r.Identifier))
	return b.String()
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// quoteLiteral quotes a string constant as the server's quote_literal
// does, whatever standard_conforming_strings says.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// qualified renders schema.name without the database: the statements the
// adapter writes itself never cross databases.
func qualified(schema, name string) string {
	if schema == "" {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}
