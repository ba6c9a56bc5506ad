package awsfake

import (
	"fmt"
	"strings"
)

// Column inference: the output columns of a query, as far as they can be
// told without a SQL engine. Names come from the select list (aliases,
// column references, Athena's _colN for other expressions); "*" and "t.*"
// expand from CTEs, subqueries and Glue tables; types come from CAST, from
// the referenced column, from literals, predicates and common functions,
// else "string". Relations
// the query reads from Glue must exist, as in Athena.

// lookupFunc returns the columns of a Glue table or view (nil when they
// are not modelled, as for information_schema), or Athena's error for an
// unknown database or table.
type lookupFunc func(q qname) (cols []colDef, err error)

type inferrer struct {
	src    string
	lookup lookupFunc
}

// relation is a source of a FROM clause, seen through its alias.
type relation struct {
	alias string
	cols  []colDef
	known bool // false: its columns cannot be told (table functions, ...)
}

type scope struct {
	ctes   map[string][]colDef
	cteOK  map[string]bool
	parent *scope
}

func (sc *scope) cte(name string) ([]colDef, bool, bool) {
	for ; sc != nil; sc = sc.parent {
		if cols, ok := sc.ctes[name]; ok {
			return cols, sc.cteOK[name], true
		}
	}
	return nil, false, false
}

// query infers the output columns of a query expression. known is false
// when a "*" could not be expanded.
func (ix *inferrer) query(toks []token, sc *scope) (cols []colDef, known bool, err error) {
	toks = stripParens(toks)
	if len(toks) == 0 {
		return nil, false, nil
	}
	if toks[0].isWord("with") {
		body := toks[1:]
		if len(body) > 0 && body[0].isWord("recursive") {
			body = body[1:]
		}
		inner := &scope{ctes: map[string][]colDef{}, cteOK: map[string]bool{}, parent: sc}
		for {
			if len(body) < 4 || !body[0].isIdent() {
				return nil, false, failf("SYNTAX_ERROR", "%s: malformed WITH clause", lineCol(ix.src, toks[0].pos))
			}
			name := strings.ToLower(body[0].v)
			i := 1
			var aliases []string
			if body[i].isPunct("(") {
				end := matching(body, i)
				if end < 0 {
					return nil, false, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, body[i].pos))
				}
				for _, a := range splitTop(body[i+1:end], isComma) {
					if len(a) == 1 {
						aliases = append(aliases, strings.ToLower(a[0].v))
					}
				}
				i = end + 1
			}
			if i+1 >= len(body) || !body[i].isWord("as") || !body[i+1].isPunct("(") {
				return nil, false, failf("SYNTAX_ERROR", "%s: malformed WITH clause", lineCol(ix.src, body[0].pos))
			}
			end := matching(body, i+1)
			if end < 0 {
				return nil, false, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, body[i+1].pos))
			}
			c, ok, err := ix.query(body[i+2:end], inner)
			if err != nil {
				return nil, false, err
			}
			inner.ctes[name], inner.cteOK[name] = rename(c, aliases), ok
			body = body[end+1:]
			if len(body) > 0 && body[0].isPunct(",") {
				body = body[1:]
				continue
			}
			break
		}
		return ix.query(body, inner)
	}
	branches := splitTop(toks, func(t token) bool { return t.isWord("union", "intersect", "except") })
	for i, b := range branches {
		if len(b) > 0 && b[0].isWord("all", "distinct") {
			b = b[1:]
		}
		c, ok, err := ix.branch(b, sc)
		if err != nil {
			return nil, false, err
		}
		if i == 0 {
			cols, known = c, ok
		}
	}
	return cols, known, nil
}

// stripParens removes parentheses around the whole of toks.
func stripParens(toks []token) []token {
	for len(toks) >= 2 && toks[0].isPunct("(") && matching(toks, 0) == len(toks)-1 {
		toks = toks[1 : len(toks)-1]
	}
	return toks
}

func rename(cols []colDef, aliases []string) []colDef {
	if len(aliases) == 0 {
		return cols
	}
	out := make([]colDef, len(aliases))
	for i, a := range aliases {
		out[i].name = a
		out[i].typ = "string"
		if i < len(cols) {
			out[i].typ = cols[i].typ
		}
	}
	return out
}

// branch infers one operand of a set operation.
func (ix *inferrer) branch(toks []token, sc *scope) ([]colDef, bool, error) {
	if len(toks) == 0 {
		return nil, false, nil
	}
	switch {
	case toks[0].isPunct("("):
		return ix.query(toks, sc)
	case toks[0].isWord("select"):
		return ix.selectBlock(toks[1:], sc)
	case toks[0].isWord("values"):
		rows := splitTop(toks[1:], isComma)
		first := stripParens(rows[0])
		n := len(splitTop(first, isComma))
		if len(rows[0]) > 0 && !rows[0][0].isPunct("(") {
			n = 1
		}
		cols := make([]colDef, n)
		for i := range cols {
			cols[i] = colDef{name: fmt.Sprintf("_col%d", i), typ: "string"}
		}
		return cols, true, nil
	case toks[0].isWord("table"):
		p := &parser{src: ix.src, toks: append(append([]token(nil), toks[1:]...), token{kind: tEOF})}
		q, err := p.qname()
		if err != nil {
			return nil, false, err
		}
		r, err := ix.source(q, sc)
		return r.cols, r.known, err
	}
	return nil, false, nil
}

// clauseWords end a select list or a FROM clause.
var clauseWords = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "order": true, "limit": true,
	"offset": true, "fetch": true, "window": true,
}

// notAlias are words that end an expression without being its alias.
var notAlias = map[string]bool{
	"end": true, "null": true, "true": true, "false": true, "and": true, "or": true, "not": true,
	"is": true, "in": true, "between": true, "like": true, "escape": true, "distinct": true,
	"then": true, "else": true, "when": true, "over": true, "asc": true, "desc": true, "nulls": true,
	"first": true, "last": true, "zone": true, "day": true, "month": true, "year": true, "hour": true,
	"minute": true, "second": true, "week": true, "quarter": true, "on": true, "using": true,
	"join": true, "inner": true, "left": true, "right": true, "full": true, "outer": true,
	"cross": true, "natural": true, "where": true, "group": true, "order": true, "having": true,
	"limit": true, "union": true, "except": true, "intersect": true, "window": true,
	"tablesample": true, "offset": true, "fetch": true, "for": true, "lateral": true, "with": true,
	"as": true, "from": true, "select": true, "by": true,
}

// selectBlock infers "select ... [from ...]" (toks after SELECT).
func (ix *inferrer) selectBlock(toks []token, sc *scope) ([]colDef, bool, error) {
	if len(toks) > 0 && toks[0].isWord("distinct", "all") {
		toks = toks[1:]
	}
	end := len(toks)
	depth := 0
	for i, t := range toks {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case depth == 0 && t.kind == tWord && clauseWords[t.v]:
			end = i
		}
		if end != len(toks) {
			break
		}
	}
	var rels []relation
	if end < len(toks) && toks[end].isWord("from") {
		fromToks := splitTop(toks[end+1:], func(t token) bool { return t.kind == tWord && clauseWords[t.v] })[0]
		var err error
		if rels, err = ix.from(fromToks, sc); err != nil {
			return nil, false, err
		}
	}
	known := true
	var cols []colDef
	for _, item := range splitTop(toks[:end], isComma) {
		// Athena numbers unnamed columns by their output position.
		c, ok := ix.item(item, len(cols), rels)
		known = known && ok
		cols = append(cols, c...)
	}
	return cols, known, nil
}

// item infers one select-list item; i is its output position, for _colN.
func (ix *inferrer) item(item []token, i int, rels []relation) ([]colDef, bool) {
	n := len(item)
	switch {
	case n == 0:
		return nil, true
	case n == 1 && item[0].isPunct("*"):
		var cols []colDef
		for _, r := range rels {
			if !r.known {
				return nil, false
			}
			cols = append(cols, r.cols...)
		}
		return cols, len(rels) > 0
	case n >= 3 && item[n-1].isPunct("*") && item[n-2].isPunct(".") && item[n-3].isIdent():
		alias := strings.ToLower(item[n-3].v)
		for _, r := range rels {
			if r.alias == alias {
				return r.cols, r.known
			}
		}
		return nil, false
	}
	expr, name := item, ""
	switch {
	case n >= 3 && item[n-2].isWord("as") && item[n-1].isIdent():
		expr, name = item[:n-2], strings.ToLower(item[n-1].v)
	case n >= 2 && item[n-1].isIdent() && !(item[n-1].kind == tWord && notAlias[item[n-1].v]) && endsOperand(item[n-2]):
		expr, name = item[:n-1], strings.ToLower(item[n-1].v)
	}
	typ := "string"
	if ref, ok := columnRef(expr); ok {
		if name == "" {
			name = ref[len(ref)-1]
		}
		typ = refType(ref, rels)
	} else {
		typ = exprType(ix.src, expr, rels)
	}
	if name == "" {
		name = fmt.Sprintf("_col%d", i)
	}
	return []colDef{{name: name, typ: typ}}, true
}

// endsOperand reports whether t can end an expression, so that an
// identifier after it is an alias ("x y", "f(x) y", "'a' y").
func endsOperand(t token) bool {
	switch t.kind {
	case tQuoted, tString, tNumber:
		return true
	case tWord:
		return !notAlias[t.v] || t.v == "end" || t.v == "null" || t.v == "true" || t.v == "false"
	}
	return t.isPunct(")") || t.isPunct("]")
}

// niladic are functions called without parentheses.
var niladic = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true,
	"localtimestamp": true, "current_user": true,
}

// columnRef recognizes "col", "t.col", "db.t.col" (lowercased parts).
func columnRef(expr []token) ([]string, bool) {
	if len(expr)%2 == 0 {
		return nil, false
	}
	var parts []string
	for i, t := range expr {
		if i%2 == 1 {
			if !t.isPunct(".") {
				return nil, false
			}
			continue
		}
		if !t.isIdent() || t.kind == tWord && (notAlias[t.v] || niladic[t.v]) {
			return nil, false
		}
		parts = append(parts, strings.ToLower(t.v))
	}
	return parts, true
}

func refType(ref []string, rels []relation) string {
	name := ref[len(ref)-1]
	for _, r := range rels {
		if len(ref) > 1 && r.alias != ref[len(ref)-2] {
			continue
		}
		for _, c := range r.cols {
			if c.name == name {
				return c.typ
			}
		}
	}
	return "string"
}

// exprType types an expression by its outermost form: CAST, a few
// functions, a predicate, a literal; else string.
func exprType(src string, expr []token, rels []relation) string {
	n := len(expr)
	if n == 0 {
		return "string"
	}
	if isPredicate(expr) {
		return "boolean"
	}
	if expr[0].kind == tWord && n >= 3 && expr[1].isPunct("(") {
		end := matching(expr, 1)
		// f(...) alone, or a window function f(...) OVER (...).
		whole := end == n-1 || end > 0 && end+2 < n && expr[end+1].isWord("over") && expr[end+2].isPunct("(") && matching(expr, end+2) == n-1
		if whole {
			args := splitTop(expr[2:end], isComma)
			argType := func(i int) string {
				if i < len(args) {
					if ref, ok := columnRef(args[i]); ok {
						return refType(ref, rels)
					}
					return exprType(src, args[i], rels)
				}
				return "string"
			}
			switch expr[0].v {
			case "cast", "try_cast":
				if end == n-1 {
					inner := expr[2:end]
					for i := len(inner) - 1; i > 0; i-- {
						if inner[i].isWord("as") {
							return hiveType(text(src, inner[i+1:]))
						}
					}
				}
			case "count", "count_if", "row_number", "rank", "dense_rank", "ntile", "approx_distinct":
				return "bigint"
			case "avg", "stddev", "variance", "percent_rank", "cume_dist":
				return "double"
			case "min", "max", "coalesce", "any_value", "arbitrary", "lag", "lead", "first_value", "last_value":
				return argType(0)
			case "date_add":
				return argType(2)
			case "date_trunc":
				return argType(1)
			case "date_parse", "from_iso8601_timestamp", "from_unixtime":
				return "timestamp"
			case "date", "from_iso8601_date":
				return "date"
			case "date_diff", "length", "year", "month", "day", "hour", "minute", "second", "day_of_week", "quarter":
				return "bigint"
			case "concat", "lower", "upper", "trim", "substr", "replace", "format", "concat_ws":
				return "string"
			}
		}
	}
	if n == 1 && expr[0].isWord("current_date") {
		return "date"
	}
	if n == 1 && expr[0].isWord("current_timestamp", "localtimestamp", "now") {
		return "timestamp"
	}
	lit := expr
	if n == 2 && expr[0].isPunct("-") {
		lit = expr[1:]
	}
	if len(lit) == 1 {
		switch t := lit[0]; {
		case t.kind == tNumber && strings.ContainsAny(t.v, "eE"):
			return "double"
		case t.kind == tNumber && strings.Contains(t.v, "."):
			intPart, frac, _ := strings.Cut(t.v, ".")
			return fmt.Sprintf("decimal(%d,%d)", max(len(intPart)+len(frac), 1), len(frac))
		case t.kind == tNumber && len(t.v) > 9:
			return "bigint"
		case t.kind == tNumber:
			return "int"
		case t.isWord("true", "false"):
			return "boolean"
		}
	}
	return "string"
}

// isPredicate reports whether an expression is a comparison or a boolean
// combination at its top level (outside parentheses and CASE ... END).
func isPredicate(expr []token) bool {
	depth, cases := 0, 0
	for _, t := range expr {
		switch {
		case t.isPunct("(") || t.isPunct("["):
			depth++
		case t.isPunct(")") || t.isPunct("]"):
			depth--
		case t.isWord("case"):
			cases++
		case t.isWord("end"):
			cases--
		case depth > 0 || cases > 0:
		case t.kind == tPunct && compareOps[t.v]:
			return true
		case t.isWord("like", "is", "in", "between", "and", "or", "not", "exists"):
			return true
		}
	}
	return false
}

// from reads a FROM clause into its relations, checking that the Glue
// relations it names exist.
func (ix *inferrer) from(toks []token, sc *scope) ([]relation, error) {
	var rels []relation
	i := 0
	for i < len(toks) {
		if toks[i].isWord("lateral") {
			i++
		}
		if i >= len(toks) {
			break
		}
		var r relation
		joined := false
		switch t := toks[i]; {
		case t.isPunct("("):
			end := matching(toks, i)
			if end < 0 {
				return nil, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, t.pos))
			}
			inner := toks[i+1 : end]
			if s := stripParens(inner); len(s) > 0 && s[0].isWord("select", "with", "values") {
				cols, known, err := ix.query(inner, sc)
				if err != nil {
					return nil, err
				}
				r = relation{cols: cols, known: known}
			} else { // a parenthesized join: its relations stand for themselves
				sub, err := ix.from(inner, sc)
				if err != nil {
					return nil, err
				}
				rels = append(rels, sub...)
				joined = true
			}
			i = end + 1
		case t.isWord("unnest"):
			if i+1 >= len(toks) || !toks[i+1].isPunct("(") {
				return nil, failf("SYNTAX_ERROR", "%s: expecting '(' after UNNEST", lineCol(ix.src, t.pos))
			}
			i = matching(toks, i+1) + 1
			if i == 0 {
				return nil, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, t.pos))
			}
			if i < len(toks) && toks[i].isWord("with") && i+1 < len(toks) && toks[i+1].isWord("ordinality") {
				i += 2
			}
		case t.isIdent():
			p := &parser{src: ix.src, toks: append(append([]token(nil), toks[i:]...), token{kind: tEOF})}
			q, err := p.qname()
			if err != nil {
				return nil, err
			}
			i += p.i
			if i < len(toks) && toks[i].isPunct("(") { // table function
				end := matching(toks, i)
				if end < 0 {
					return nil, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, toks[i].pos))
				}
				i = end + 1
				break
			}
			if r, err = ix.source(q, sc); err != nil {
				return nil, err
			}
		default:
			return nil, failf("SYNTAX_ERROR", "%s: unexpected %q in FROM", lineCol(ix.src, t.pos), ix.src[t.pos:t.end])
		}
		// [FOR ... AS OF ...] [AS] alias [(col, ...)]
		for i < len(toks) && toks[i].isWord("for") {
			for i < len(toks) && !toks[i].isWord("of") {
				i++
			}
			i += 2
		}
		if i < len(toks) && toks[i].isWord("as") {
			i++
		}
		if i < len(toks) && toks[i].isIdent() && !(toks[i].kind == tWord && notAlias[toks[i].v]) {
			r.alias = strings.ToLower(toks[i].v)
			i++
			if i < len(toks) && toks[i].isPunct("(") {
				end := matching(toks, i)
				if end < 0 {
					return nil, failf("SYNTAX_ERROR", "%s: unbalanced parentheses", lineCol(ix.src, toks[i].pos))
				}
				var aliases []string
				for _, a := range splitTop(toks[i+1:end], isComma) {
					if len(a) == 1 {
						aliases = append(aliases, strings.ToLower(a[0].v))
					}
				}
				r.cols, r.known = rename(r.cols, aliases), true
				i = end + 1
			}
		}
		if !joined {
			rels = append(rels, r)
		}
		// Skip ON/USING up to the next join or comma.
		depth := 0
		for i < len(toks) {
			t := toks[i]
			if depth == 0 && (t.isPunct(",") || t.isWord("join", "inner", "left", "right", "full", "cross", "natural")) {
				break
			}
			if t.isPunct("(") {
				depth++
			} else if t.isPunct(")") {
				depth--
			}
			i++
		}
		for i < len(toks) && (toks[i].isPunct(",") || toks[i].isWord("join", "inner", "left", "right", "full", "outer", "cross", "natural")) {
			i++
		}
	}
	return rels, nil
}

// source resolves a named relation: a CTE in scope, else Glue.
func (ix *inferrer) source(q qname, sc *scope) (relation, error) {
	if q.db == "" {
		if cols, ok, found := sc.cte(q.name); found {
			return relation{alias: q.name, cols: cols, known: ok}, nil
		}
	}
	cols, err := ix.lookup(q)
	if err != nil {
		return relation{}, err
	}
	return relation{alias: q.name, cols: cols, known: cols != nil}, nil
}

// hiveType turns a type as written in Trino SQL (or Hive DDL) into the
// name Glue stores: varchar -> string, integer -> int, real -> float,
// array(T) -> array<T>, row(a T) -> struct<a:T>, ...
func hiveType(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	base, args, hasArgs := strings.Cut(t, "(")
	base = strings.TrimSpace(base)
	if hasArgs {
		args = strings.TrimSuffix(strings.TrimSpace(args), ")")
	}
	switch base {
	case "varchar", "string":
		if hasArgs {
			return "varchar(" + args + ")"
		}
		return "string"
	case "integer", "int":
		return "int"
	case "real", "float":
		return "float"
	case "varbinary", "binary":
		return "binary"
	case "json", "uuid", "ipaddress":
		return "string"
	case "timestamp":
		return "timestamp"
	case "array":
		if hasArgs {
			return "array<" + hiveType(args) + ">"
		}
	case "map":
		if hasArgs {
			parts := splitDepth0(args)
			if len(parts) == 2 {
				return "map<" + hiveType(parts[0]) + "," + hiveType(parts[1]) + ">"
			}
		}
	case "row":
		if hasArgs {
			var fields []string
			for _, f := range splitDepth0(args) {
				name, typ, _ := strings.Cut(strings.TrimSpace(f), " ")
				fields = append(fields, strings.Trim(name, `"`)+":"+hiveType(typ))
			}
			return "struct<" + strings.Join(fields, ",") + ">"
		}
	case "decimal", "char":
		if hasArgs {
			return base + "(" + strings.ReplaceAll(args, " ", "") + ")"
		}
	}
	return strings.Join(strings.Fields(t), " ")
}

// splitDepth0 splits "a, map(b, c)" or "x, bucket(4, y)" at depth-0 commas.
func splitDepth0(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}
