package athena

import (
	"regexp"
	"strings"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/profiles"
)

// Dialect is Athena's: Trino SQL for queries, views and CTAS, Hive DDL
// for the rest. Glue keeps every name in lower case, so names are
// lowercased before quoting; awsdatacatalog, the default catalog, is left
// out of rendered names.
type Dialect struct{}

var _ adapters.Dialect = Dialect{}

// Type returns "athena".
func (Dialect) Type() string { return "athena" }

// Quote quotes ident for Trino SQL: lower case, in double quotes.
func (Dialect) Quote(ident string) string { return quoteIdent(ident) }

// Render renders "schema"."identifier", with the catalog in front when
// it is not awsdatacatalog.
func (Dialect) Render(r adapters.Relation) string {
	var b strings.Builder
	if r.Database != "" && !strings.EqualFold(r.Database, profiles.DefaultCatalog) {
		b.WriteString(quoteIdent(r.Database))
		b.WriteByte('.')
	}
	if r.Schema != "" {
		b.WriteString(quoteIdent(r.Schema))
		b.WriteByte('.')
	}
	b.WriteString(quoteIdent(r.Identifier))
	return b.String()
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(strings.ToLower(s), `"`, `""`) + `"`
}

// hiveIdent quotes a name for Hive DDL (CREATE EXTERNAL TABLE, ALTER
// TABLE ... ADD COLUMNS): backticks.
func hiveIdent(s string) string {
	return "`" + strings.ReplaceAll(strings.ToLower(s), "`", "``") + "`"
}

// hiveName renders `schema`.`name` for Hive DDL, which takes no catalog.
func hiveName(schema, name string) string {
	return hiveIdent(schema) + "." + hiveIdent(name)
}

// quoteLiteral quotes a string constant (Trino: quotes doubled, no
// backslash escapes).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// validName is what Athena accepts as a database, table or column name:
// "only underscore special characters" (Athena's naming rules), any case
// (Glue lowercases it).
var validName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// maxName is Glue's limit on database and table names.
const maxName = 255

// checkName refuses a name Athena cannot hold, naming what it is.
func checkName(what, name string) error {
	switch {
	case name == "":
		return adapters.Errorf(adapters.Invalid, "athena: the %s name is empty", what)
	case len(name) > maxName:
		return adapters.Errorf(adapters.Invalid, "athena: the %s name %q is %d bytes long; Glue allows %d", what, name, len(name), maxName)
	case !validName.MatchString(name):
		return &adapters.Error{Code: adapters.Invalid,
			Msg:  "athena: the " + what + " name " + quoteLiteral(name) + " has characters Athena does not allow in names",
			Hint: "Athena names allow letters, digits and underscores only; set an alias (or a column alias) that has none other"}
	}
	return nil
}

// athenaType translates a column type as users write them for PostgreSQL
// (in column_types, or dbt's defaults) to Athena's Trino type, so that a
// project's seeds load on both: text -> varchar, numeric(p,s) ->
// decimal(p,s), float8 -> double, int4 -> integer, ... Athena's own names
// pass unchanged ("string" becomes varchar: Trino's name for it).
func athenaType(t string) string {
	s := strings.ToLower(strings.TrimSpace(t))
	base, args, _ := strings.Cut(s, "(")
	base = strings.TrimSpace(base)
	if args != "" {
		args = "(" + args
	}
	switch base {
	case "text", "string", "character varying", "varchar", "char", "character", "bpchar", "citext", "uuid", "name":
		if base == "char" || base == "character" || base == "bpchar" {
			if args != "" {
				return "char" + args
			}
		}
		if (base == "varchar" || base == "character varying") && args != "" {
			return "varchar" + args
		}
		return "varchar"
	case "int", "int4", "integer", "serial", "serial4":
		return "integer"
	case "int8", "bigint", "bigserial", "serial8", "long":
		return "bigint"
	case "int2", "smallint", "smallserial":
		return "smallint"
	case "tinyint":
		return "tinyint"
	case "float8", "double precision", "double", "float":
		return "double"
	case "float4", "real":
		return "real"
	case "numeric", "decimal":
		if args == "" {
			// Postgres's unconstrained numeric; Trino's decimal needs a
			// precision: the widest, with some scale.
			return "decimal(38,6)"
		}
		return "decimal" + args
	case "bool", "boolean":
		return "boolean"
	case "date":
		return "date"
	case "timestamp", "timestamp without time zone", "datetime":
		return "timestamp"
	case "timestamptz", "timestamp with time zone":
		return "timestamp"
	}
	return s
}

// hiveType is the Hive DDL name of a Trino type (Glue stores these):
// varchar -> string, integer -> int.
func hiveType(t string) string {
	s := strings.ToLower(strings.TrimSpace(t))
	switch {
	case s == "varchar" || s == "string":
		return "string"
	case s == "integer" || s == "int":
		return "int"
	case s == "real":
		return "float"
	case strings.HasPrefix(s, "timestamp("):
		// Athena's engine writes timestamp(3) where Glue's Hive tables say
		// timestamp; both are millisecond timestamps.
		return "timestamp"
	}
	return s
}

// sameType compares two column types as Glue and Athena may write them
// ("string" and "varchar", "int" and "integer").
func sameType(a, b string) bool { return hiveType(a) == hiveType(b) }
