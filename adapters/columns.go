package adapters

import (
	"fmt"
	"strings"
)

// ColumnDiff is how the columns of an incremental model's new rows differ
// from its table's, for on_schema_change.
type ColumnDiff struct {
	Added, Removed []Column
	Retyped        [][2]Column // table column, new column
}

// DiffColumns compares the new rows' columns src with the table's dst, by
// name; sameType says whether two type names mean the same type.
func DiffColumns(src, dst []Column, sameType func(a, b string) bool) ColumnDiff {
	var d ColumnDiff
	inDst := map[string]Column{}
	for _, c := range dst {
		inDst[c.Name] = c
	}
	inSrc := map[string]bool{}
	for _, c := range src {
		inSrc[c.Name] = true
		t, ok := inDst[c.Name]
		switch {
		case !ok:
			d.Added = append(d.Added, c)
		case !sameType(t.DataType, c.DataType):
			d.Retyped = append(d.Retyped, [2]Column{t, c})
		}
	}
	for _, c := range dst {
		if !inSrc[c.Name] {
			d.Removed = append(d.Removed, c)
		}
	}
	return d
}

// Empty reports whether the columns are the same.
func (d ColumnDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Retyped) == 0
}

// Describe lists the differences for a message, names quoted by quote.
func (d ColumnDiff) Describe(quote func(string) string) string {
	var parts []string
	list := func(cols []Column) string {
		s := make([]string, len(cols))
		for i, c := range cols {
			s[i] = quote(c.Name) + " " + c.DataType
		}
		return strings.Join(s, ", ")
	}
	if len(d.Added) > 0 {
		parts = append(parts, "new columns: "+list(d.Added))
	}
	if len(d.Removed) > 0 {
		parts = append(parts, "columns no longer in the model: "+list(d.Removed))
	}
	if len(d.Retyped) > 0 {
		s := make([]string, len(d.Retyped))
		for i, p := range d.Retyped {
			s[i] = fmt.Sprintf("%s %s -> %s", quote(p[0].Name), p[0].DataType, p[1].DataType)
		}
		parts = append(parts, "changed types: "+strings.Join(s, ", "))
	}
	return strings.Join(parts, "; ")
}

// MergeConditions are the ON conditions of dbt's merge of an incremental
// model: its incremental_predicates, then one equality per unique key
// column between DBT_INTERNAL_SOURCE and DBT_INTERNAL_DEST; FALSE without a
// unique key (nothing matches, every row is inserted). Adapters join them
// with AND in their own casing.
func (inc *Incremental) MergeConditions() []string {
	var on []string
	for _, p := range inc.Predicates {
		on = append(on, "("+p+")")
	}
	for _, k := range inc.UniqueKey {
		on = append(on, fmt.Sprintf("DBT_INTERNAL_SOURCE.%s = DBT_INTERNAL_DEST.%s", k, k))
	}
	if len(inc.UniqueKey) == 0 {
		on = append(on, "FALSE")
	}
	return on
}
