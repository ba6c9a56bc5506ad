package awsfake

import (
	"strings"
)

type stmtKind int

const (
	kSelect         stmtKind = iota // SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN: answered by OnSelect
	kCTAS                           // CREATE TABLE ... AS
	kCreateTable                    // CREATE [EXTERNAL] TABLE (columns) ...
	kCreateView                     // CREATE [OR REPLACE] VIEW
	kCreateDB                       // CREATE SCHEMA|DATABASE
	kDropDB                         // DROP SCHEMA|DATABASE
	kDropTable                      // DROP TABLE
	kDropView                       // DROP VIEW
	kRename                         // ALTER TABLE a RENAME TO b
	kInsert                         // INSERT INTO
	kIcebergDML                     // MERGE INTO, DELETE FROM, UPDATE, OPTIMIZE, VACUUM
	kAddPartition                   // ALTER TABLE t ADD PARTITION
	kDropPartition                  // ALTER TABLE t DROP PARTITION
	kSetLocation                    // ALTER TABLE t SET LOCATION
	kSetProperties                  // ALTER TABLE t SET TBLPROPERTIES
	kAddColumns                     // ALTER TABLE t ADD COLUMNS
	kReplaceColumns                 // ALTER TABLE t REPLACE COLUMNS
	kDropColumn                     // ALTER TABLE t DROP COLUMN
	kChangeColumn                   // ALTER TABLE t CHANGE [COLUMN]
	kMsck                           // MSCK REPAIR TABLE
)

// qname is a possibly qualified relation name as written.
type qname struct {
	catalog, db, name string
	pos               int
}

func (q qname) String() string {
	parts := []string{q.db, q.name}
	if q.db == "" {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

// colDef is a column of a column list: name and type as written (Hive
// DDL) or inferred (CTAS, views).
type colDef struct {
	name, typ, comment string
}

// partSpec is one PARTITION (k='v', ...) [LOCATION '...'] clause.
type partSpec struct {
	keys, values []string
	location     string
}

// stmt is what the fake understood of one statement.
type stmt struct {
	kind      stmtKind
	stmtType  string // Athena's StatementType: DDL, DML, UTILITY
	subType   string // Athena's SubstatementType
	verb      string // for messages and the iceberg-only checks: "MERGE", "DELETE", ...
	name      qname  // the statement's target
	to        qname  // RENAME TO
	ifExists  bool
	ifNot     bool
	orReplace bool
	cascade   bool
	external  bool
	header    bool              // SELECT-like with a header row in its results
	props     map[string]string // CTAS WITH (...) or TBLPROPERTIES (...), arrays as "a,b"
	query     []token           // the select of CTAS, views, INSERT
	columns   []colDef          // column list of CREATE TABLE, ADD/REPLACE COLUMNS
	partItems [][]token         // PARTITIONED BY (...) items of CREATE TABLE
	parts     []partSpec        // ADD/DROP PARTITION
	location  string            // LOCATION '...'
	format    string            // STORED AS
	serde     string            // ROW FORMAT SERDE
	column    string            // DROP COLUMN / CHANGE COLUMN old name
	newColumn colDef            // CHANGE COLUMN new definition
}

// parser walks the tokens of one statement.
type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// accept consumes the keywords ws in sequence if they are all next.
func (p *parser) accept(ws ...string) bool {
	for k, w := range ws {
		if !p.toks[min(p.i+k, len(p.toks)-1)].isWord(w) {
			return false
		}
	}
	p.i += len(ws)
	return true
}

func (p *parser) acceptPunct(s string) bool {
	if p.peek().isPunct(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) errorf(format string, args ...any) *sqlError {
	t := p.peek()
	what := "end of input"
	if t.kind != tEOF {
		what = "'" + p.src[t.pos:t.end] + "'"
	}
	args = append([]any{lineCol(p.src, t.pos), what}, args...)
	return failf("SYNTAX_ERROR", "%s: mismatched input %s. "+format, args...)
}

func (p *parser) expect(ws ...string) error {
	if !p.accept(ws...) {
		return p.errorf("Expecting: '%s'", strings.ToUpper(strings.Join(ws, " ")))
	}
	return nil
}

func (p *parser) expectPunct(s string) error {
	if !p.acceptPunct(s) {
		return p.errorf("Expecting: '%s'", s)
	}
	return nil
}

// ident reads one identifier, lowercased as Athena stores names.
func (p *parser) ident() (string, error) {
	t := p.peek()
	if !t.isIdent() {
		return "", p.errorf("Expecting: an identifier")
	}
	p.i++
	return strings.ToLower(t.v), nil
}

// qname reads [catalog.][db.]name.
func (p *parser) qname() (qname, error) {
	pos := p.peek().pos
	var parts []string
	for {
		id, err := p.ident()
		if err != nil {
			return qname{}, err
		}
		parts = append(parts, id)
		if !p.peek().isPunct(".") {
			break
		}
		p.i++
	}
	q := qname{pos: pos}
	switch len(parts) {
	case 1:
		q.name = parts[0]
	case 2:
		q.db, q.name = parts[0], parts[1]
	case 3:
		q.catalog, q.db, q.name = parts[0], parts[1], parts[2]
	default:
		return qname{}, failf("SYNTAX_ERROR", "%s: too many dots in %s", lineCol(p.src, pos), strings.Join(parts, "."))
	}
	return q, nil
}

// stringLit reads a 'literal'.
func (p *parser) stringLit() (string, error) {
	t := p.peek()
	if t.kind != tString {
		return "", p.errorf("Expecting: a string literal")
	}
	p.i++
	return t.v, nil
}

// rest returns the remaining tokens but the EOF (and a trailing ";").
func (p *parser) rest() []token {
	r := p.toks[p.i : len(p.toks)-1]
	for len(r) > 0 && r[len(r)-1].isPunct(";") {
		r = r[:len(r)-1]
	}
	return r
}

// atEnd reports whether only a ";" or nothing is left.
func (p *parser) atEnd() bool { return len(p.rest()) == 0 }

func (p *parser) expectEnd() error {
	if !p.atEnd() {
		return p.errorf("Expecting: end of statement")
	}
	return nil
}

// parseStmt classifies one statement.
func parseStmt(src string) (*stmt, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	t := p.peek()
	switch {
	case t.kind == tEOF:
		return nil, failf("SYNTAX_ERROR", "line 1:1: empty statement")
	case t.isWord("select", "with", "values", "table") || t.isPunct("("):
		return &stmt{kind: kSelect, stmtType: "DML", subType: "SELECT", header: true, query: p.rest()}, checkBackticks(src, p.rest())
	case t.isWord("explain"):
		return &stmt{kind: kSelect, stmtType: "DML", subType: "EXPLAIN", header: true}, nil
	case t.isWord("show", "describe", "desc"):
		return &stmt{kind: kSelect, stmtType: "UTILITY", subType: strings.ToUpper(t.v)}, nil
	case t.isWord("create"):
		p.next()
		return p.create()
	case t.isWord("drop"):
		p.next()
		return p.drop()
	case t.isWord("alter"):
		p.next()
		return p.alter()
	case t.isWord("insert"):
		p.next()
		return p.insert()
	case t.isWord("merge", "delete", "update", "optimize", "vacuum"):
		return p.icebergDML()
	case t.isWord("msck"):
		p.next()
		if err := p.expect("repair", "table"); err != nil {
			return nil, err
		}
		s := &stmt{kind: kMsck, stmtType: "DDL", subType: "MSCK_REPAIR_TABLE"}
		if s.name, err = p.qname(); err != nil {
			return nil, err
		}
		return s, p.expectEnd()
	}
	return nil, failf("NOT_SUPPORTED", "awsfake: unsupported statement: %s", prefix(src, 60))
}

// checkBackticks refuses backquoted identifiers where Athena runs Trino
// (queries, CTAS, views, INSERT, MERGE), with Trino's message.
func checkBackticks(src string, toks []token) error {
	for _, t := range toks {
		if t.kind == tBack {
			return failf("SYNTAX_ERROR", "%s: backquoted identifiers are not supported; use double quotes to quote identifiers", lineCol(src, t.pos))
		}
	}
	return nil
}

func prefix(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func (p *parser) create() (*stmt, error) {
	orReplace := p.accept("or", "replace")
	switch {
	case p.accept("view"):
		return p.createView(orReplace)
	case !orReplace && (p.accept("schema") || p.accept("database")):
		s := &stmt{kind: kCreateDB, stmtType: "DDL", subType: "CREATE_DATABASE"}
		s.ifNot = p.accept("if", "not", "exists")
		var err error
		if s.name.name, err = p.ident(); err != nil {
			return nil, err
		}
		for !p.atEnd() { // COMMENT, LOCATION, WITH DBPROPERTIES: accepted, LOCATION kept
			switch {
			case p.accept("location"):
				if s.location, err = p.stringLit(); err != nil {
					return nil, err
				}
			default:
				p.next()
			}
		}
		return s, nil
	case !orReplace && p.accept("external", "table"):
		return p.createTable(true)
	case !orReplace && p.accept("table"):
		return p.createTable(false)
	}
	return nil, failf("NOT_SUPPORTED", "awsfake: unsupported statement: %s", prefix(p.src, 60))
}

func (p *parser) createView(orReplace bool) (*stmt, error) {
	s := &stmt{kind: kCreateView, stmtType: "DDL", subType: "CREATE_VIEW", orReplace: orReplace}
	var err error
	if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	if p.accept("security") {
		if !p.accept("definer") && !p.accept("invoker") {
			return nil, p.errorf("Expecting: 'DEFINER', 'INVOKER'")
		}
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	s.query = p.rest()
	if len(s.query) == 0 {
		return nil, p.errorf("Expecting: a query")
	}
	return s, checkBackticks(p.src, p.toks)
}

func (p *parser) createTable(external bool) (*stmt, error) {
	s := &stmt{external: external}
	s.ifNot = p.accept("if", "not", "exists")
	var err error
	if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	if !external && (p.peek().isWord("with", "as")) {
		return p.ctas(s)
	}
	s.kind, s.stmtType, s.subType = kCreateTable, "DDL", "CREATE_TABLE"
	if s.columns, err = p.columnList(); err != nil {
		return nil, err
	}
	for !p.atEnd() {
		switch {
		case p.accept("comment"):
			if _, err := p.stringLit(); err != nil {
				return nil, err
			}
		case p.accept("partitioned", "by"):
			if !p.peek().isPunct("(") {
				return nil, p.errorf("Expecting: '('")
			}
			end := matching(p.toks, p.i)
			if end < 0 {
				return nil, p.errorf("unbalanced parentheses")
			}
			s.partItems = splitTop(p.toks[p.i+1:end], isComma)
			p.i = end + 1
		case p.accept("clustered", "by"), p.accept("sorted", "by"):
			if err := p.skipParens(); err != nil {
				return nil, err
			}
			if p.accept("into") { // INTO n BUCKETS
				p.next()
				if err := p.expect("buckets"); err != nil {
					return nil, err
				}
			}
		case p.accept("row", "format"):
			// SERDE '...' [WITH SERDEPROPERTIES (...)] or DELIMITED ...:
			// the serde kept, the rest skipped up to the next clause.
			if p.accept("serde") {
				if s.serde, err = p.stringLit(); err != nil {
					return nil, err
				}
			}
			for !p.atEnd() && !p.peek().isWord("stored", "location", "tblproperties") {
				if p.peek().isPunct("(") {
					if err := p.skipParens(); err != nil {
						return nil, err
					}
					continue
				}
				p.next()
			}
		case p.accept("stored", "as"):
			if p.accept("inputformat") {
				if _, err := p.stringLit(); err != nil {
					return nil, err
				}
				if err := p.expect("outputformat"); err != nil {
					return nil, err
				}
				if _, err := p.stringLit(); err != nil {
					return nil, err
				}
				s.format = "custom"
			} else if s.format, err = p.ident(); err != nil {
				return nil, err
			}
		case p.accept("location"):
			if s.location, err = p.stringLit(); err != nil {
				return nil, err
			}
		case p.accept("tblproperties"):
			if s.props, err = p.stringProps(); err != nil {
				return nil, err
			}
		default:
			return nil, p.errorf("Expecting: 'COMMENT', 'PARTITIONED BY', 'ROW FORMAT', 'STORED AS', 'LOCATION', 'TBLPROPERTIES'")
		}
	}
	return s, nil
}

func (p *parser) skipParens() error {
	if !p.peek().isPunct("(") {
		return p.errorf("Expecting: '('")
	}
	end := matching(p.toks, p.i)
	if end < 0 {
		return p.errorf("unbalanced parentheses")
	}
	p.i = end + 1
	return nil
}

// columnList reads "(name type [COMMENT 'c'], ...)".
func (p *parser) columnList() ([]colDef, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var cols []colDef
	for {
		c, err := p.columnDef()
		if err != nil {
			return nil, err
		}
		cols = append(cols, c)
		if p.acceptPunct(")") {
			return cols, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// columnDef reads "name type [COMMENT 'c']"; the type is everything up to
// a depth-0 ",", ")" or COMMENT, with its spaces dropped.
func (p *parser) columnDef() (colDef, error) {
	var c colDef
	var err error
	if c.name, err = p.ident(); err != nil {
		return c, err
	}
	var typ strings.Builder
	depth := 0
	for {
		t := p.peek()
		if t.kind == tEOF || depth == 0 && (t.isPunct(",") || t.isPunct(")") || t.isWord("comment")) {
			break
		}
		switch {
		case t.isPunct("(") || t.isPunct("<"):
			depth++
		case t.isPunct(")") || t.isPunct(">"):
			depth--
		}
		if typ.Len() > 0 && t.kind == tWord && typ.String()[typ.Len()-1] != '(' && typ.String()[typ.Len()-1] != '<' &&
			typ.String()[typ.Len()-1] != ',' && typ.String()[typ.Len()-1] != ':' {
			typ.WriteByte(' ')
		}
		typ.WriteString(strings.ToLower(p.src[t.pos:t.end]))
		p.i++
	}
	if typ.Len() == 0 {
		return c, p.errorf("Expecting: a column type")
	}
	c.typ = hiveType(typ.String())
	if p.accept("comment") {
		if c.comment, err = p.stringLit(); err != nil {
			return c, err
		}
	}
	return c, nil
}

// stringProps reads "('k'='v', ...)" as TBLPROPERTIES write them.
func (p *parser) stringProps() (map[string]string, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	props := map[string]string{}
	for {
		k, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct("="); err != nil {
			return nil, err
		}
		v, err := p.stringLit()
		if err != nil {
			return nil, err
		}
		props[strings.ToLower(k)] = v
		if p.acceptPunct(")") {
			return props, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

// ctas reads "[WITH (k = v, ...)] AS query [WITH [NO] DATA]".
func (p *parser) ctas(s *stmt) (*stmt, error) {
	s.kind, s.stmtType, s.subType = kCTAS, "DML", "CREATE_TABLE_AS_SELECT"
	s.props = map[string]string{}
	if p.accept("with") {
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		for {
			k, err := p.ident()
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct("="); err != nil {
				return nil, err
			}
			v, err := p.propValue()
			if err != nil {
				return nil, err
			}
			s.props[k] = v
			if p.acceptPunct(")") {
				break
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	q := p.rest()
	if n := len(q); n >= 2 && q[n-2].isWord("with") && q[n-1].isWord("data") {
		q = q[:n-2]
	} else if n >= 3 && q[n-3].isWord("with") && q[n-2].isWord("no") && q[n-1].isWord("data") {
		q = q[:n-3]
	}
	if len(q) == 0 {
		return nil, p.errorf("Expecting: a query")
	}
	s.query = q
	return s, checkBackticks(p.src, p.toks)
}

// propValue reads a CTAS property value: 'string', number, true/false, or
// ARRAY['a', 'b'] (returned as "a,b").
func (p *parser) propValue() (string, error) {
	t := p.peek()
	switch {
	case t.kind == tString || t.kind == tNumber:
		p.i++
		return t.v, nil
	case t.isWord("true", "false"):
		p.i++
		return t.v, nil
	case t.isWord("array"):
		p.i++
		if err := p.expectPunct("["); err != nil {
			return "", err
		}
		var vals []string
		for !p.acceptPunct("]") {
			v, err := p.stringLit()
			if err != nil {
				return "", err
			}
			vals = append(vals, v)
			if !p.peek().isPunct("]") {
				if err := p.expectPunct(","); err != nil {
					return "", err
				}
			}
		}
		return strings.Join(vals, ","), nil
	}
	return "", p.errorf("Expecting: a string, number, boolean or ARRAY[...]")
}

func (p *parser) drop() (*stmt, error) {
	s := &stmt{stmtType: "DDL"}
	switch {
	case p.accept("table"):
		s.kind, s.subType = kDropTable, "DROP_TABLE"
	case p.accept("view"):
		s.kind, s.subType = kDropView, "DROP_VIEW"
	case p.accept("schema"), p.accept("database"):
		s.kind, s.subType = kDropDB, "DROP_DATABASE"
	default:
		return nil, failf("NOT_SUPPORTED", "awsfake: unsupported statement: %s", prefix(p.src, 60))
	}
	s.ifExists = p.accept("if", "exists")
	var err error
	if s.kind == kDropDB {
		if s.name.name, err = p.ident(); err != nil {
			return nil, err
		}
		s.cascade = p.accept("cascade")
		if !s.cascade {
			p.accept("restrict")
		}
	} else if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	return s, p.expectEnd()
}

func (p *parser) alter() (*stmt, error) {
	if err := p.expect("table"); err != nil {
		return nil, err
	}
	s := &stmt{stmtType: "DDL"}
	var err error
	if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	switch {
	case p.accept("rename", "to"):
		s.kind, s.subType = kRename, "ALTER_TABLE_RENAME"
		if s.to, err = p.qname(); err != nil {
			return nil, err
		}
	case p.accept("add", "columns"):
		s.kind, s.subType = kAddColumns, "ALTER_TABLE_ADD_COLUMNS"
		s.columns, err = p.columnList()
	case p.accept("replace", "columns"):
		s.kind, s.subType = kReplaceColumns, "ALTER_TABLE_REPLACE_COLUMNS"
		s.columns, err = p.columnList()
	case p.accept("drop", "column"):
		s.kind, s.subType = kDropColumn, "ALTER_TABLE_DROP_COLUMN"
		s.column, err = p.ident()
	case p.accept("change"):
		p.accept("column")
		s.kind, s.subType = kChangeColumn, "ALTER_TABLE_CHANGE_COLUMN"
		if s.column, err = p.ident(); err == nil {
			s.newColumn, err = p.columnDef()
		}
	case p.accept("add"):
		s.kind, s.subType = kAddPartition, "ALTER_TABLE_ADD_PARTITION"
		s.ifNot = p.accept("if", "not", "exists")
		for err == nil && p.accept("partition") {
			var ps partSpec
			if ps, err = p.partSpec(); err == nil && p.accept("location") {
				ps.location, err = p.stringLit()
			}
			s.parts = append(s.parts, ps)
		}
		if err == nil && len(s.parts) == 0 {
			err = p.errorf("Expecting: 'PARTITION', 'COLUMNS'")
		}
	case p.accept("drop"):
		s.kind, s.subType = kDropPartition, "ALTER_TABLE_DROP_PARTITION"
		s.ifExists = p.accept("if", "exists")
		for err == nil && p.accept("partition") {
			var ps partSpec
			ps, err = p.partSpec()
			s.parts = append(s.parts, ps)
			if !p.acceptPunct(",") {
				break
			}
		}
		if err == nil && len(s.parts) == 0 {
			err = p.errorf("Expecting: 'PARTITION', 'COLUMN'")
		}
	case p.accept("set", "location"):
		s.kind, s.subType = kSetLocation, "ALTER_TABLE_SET_LOCATION"
		s.location, err = p.stringLit()
	case p.accept("set", "tblproperties"):
		s.kind, s.subType = kSetProperties, "ALTER_TABLE_SET_TBLPROPERTIES"
		s.props, err = p.stringProps()
	default:
		return nil, failf("NOT_SUPPORTED", "awsfake: unsupported statement: %s", prefix(p.src, 60))
	}
	if err != nil {
		return nil, err
	}
	return s, p.expectEnd()
}

// partSpec reads "(k = 'v', k2 = 2)".
func (p *parser) partSpec() (partSpec, error) {
	var ps partSpec
	if err := p.expectPunct("("); err != nil {
		return ps, err
	}
	for {
		k, err := p.ident()
		if err != nil {
			return ps, err
		}
		if err := p.expectPunct("="); err != nil {
			return ps, err
		}
		t := p.next()
		if t.kind != tString && t.kind != tNumber && !t.isWord("true", "false") {
			p.i--
			return ps, p.errorf("Expecting: a literal")
		}
		ps.keys = append(ps.keys, k)
		ps.values = append(ps.values, t.v)
		if p.acceptPunct(")") {
			return ps, nil
		}
		if err := p.expectPunct(","); err != nil {
			return ps, err
		}
	}
}

func (p *parser) insert() (*stmt, error) {
	if p.accept("overwrite") {
		return nil, failf("NOT_SUPPORTED", "%s: INSERT OVERWRITE is not supported by Athena; delete the partition's data and use INSERT INTO", lineCol(p.src, p.toks[0].pos))
	}
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	s := &stmt{kind: kInsert, stmtType: "DML", subType: "INSERT", verb: "INSERT"}
	var err error
	if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	if p.peek().isPunct("(") && !p.toks[p.i+1].isWord("select", "with", "values") {
		if err := p.skipParens(); err != nil {
			return nil, err
		}
	}
	s.query = p.rest()
	if len(s.query) == 0 {
		return nil, p.errorf("Expecting: a query")
	}
	return s, checkBackticks(p.src, p.toks)
}

// icebergDML reads the head of MERGE INTO t, DELETE FROM t, UPDATE t,
// OPTIMIZE t and VACUUM t: statements Athena runs on Iceberg tables only.
func (p *parser) icebergDML() (*stmt, error) {
	verb := strings.ToUpper(p.next().v)
	s := &stmt{kind: kIcebergDML, stmtType: "DML", subType: verb, verb: verb}
	var err error
	switch verb {
	case "MERGE":
		err = p.expect("into")
	case "DELETE":
		err = p.expect("from")
	case "OPTIMIZE", "VACUUM":
		s.stmtType = "DDL"
	}
	if err != nil {
		return nil, err
	}
	if s.name, err = p.qname(); err != nil {
		return nil, err
	}
	return s, checkBackticks(p.src, p.toks)
}
