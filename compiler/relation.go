package compiler

import (
	"strconv"
	"strings"

	"github.com/gmodel/gmodel/compiler/jinja"
)

// Relation is what ref(), source() and this evaluate to in a template: a
// database object, printed fully qualified and quoted for the target's
// dialect.
//
// While a project is being parsed, a model's schema and alias are not known
// yet (they depend on config() calls in files not yet rendered), so a
// relation to a node prints as a placeholder that is replaced once every
// config is known. Looking inside such a relation (its .schema, say) marks
// the rendering node for a second, final render.
type Relation struct {
	Database, Schema, Identifier string
	dialect                      *Dialect
	node                         *Node      // for ref() and this; nil for sources and api.Relation.create
	rc                           *renderCtx // the render that created it, while parsing
}

const placeholderMark = "\x00gmR"

// String renders the relation as SQL.
func (r *Relation) String() string {
	if r.placeholder() {
		return string(r.AppendTo(make([]byte, 0, len(placeholderMark)+8)))
	}
	if r.node != nil && r.node.Materialized() == "ephemeral" {
		return "__dbt__cte__" + r.node.Alias
	}
	return r.dialect.render(r.current())
}

// AppendTo appends the relation as String prints it, so {{ ref(...) }}
// writes straight into the render output.
func (r *Relation) AppendTo(b []byte) []byte {
	if r.placeholder() {
		b = append(b, placeholderMark...)
		b = strconv.AppendInt(b, int64(r.node.index), 10)
		return append(b, 0)
	}
	if r.node != nil && r.node.Materialized() == "ephemeral" {
		b = append(b, "__dbt__cte__"...)
		return append(b, r.node.Alias...)
	}
	db, schema, ident := r.current()
	return r.dialect.appendRender(b, db, schema, ident)
}

// placeholder reports whether the relation still prints as a placeholder
// (a ref while parsing).
func (r *Relation) placeholder() bool {
	return r.node != nil && r.rc != nil && !r.rc.final
}

// settle makes sure the relation's parts are final, flagging the node being
// parsed for a final render when they are not.
func (r *Relation) settle() {
	if r.node == nil || r.rc == nil || r.rc.final {
		return
	}
	r.rc.node.needsFinal = true
}

func (r *Relation) current() (db, schema, ident string) {
	if r.node != nil {
		return r.node.Database, r.node.Schema, r.node.Alias
	}
	return r.Database, r.Schema, r.Identifier
}

// Getattr gives templates dbt's Relation attributes and methods.
func (r *Relation) Getattr(name string) (jinja.Value, bool) {
	r.settle()
	db, schema, ident := r.current()
	switch name {
	case "database":
		return db, true
	case "schema":
		return schema, true
	case "identifier", "name", "table":
		return ident, true
	case "is_table":
		return r.node != nil && r.node.Materialized() == "table", true
	case "is_view":
		return r.node != nil && r.node.Materialized() == "view", true
	case "is_cte":
		return r.node != nil && r.node.Materialized() == "ephemeral", true
	case "type":
		if r.node != nil {
			switch r.node.Materialized() {
			case "view":
				return "view", true
			case "ephemeral":
				return "cte", true
			}
			return "table", true
		}
		return nil, true
	case "render":
		return jinja.Func(func(c *jinja.Call) (jinja.Value, error) { return r.String(), nil }), true
	case "quote":
		return jinja.Func(func(c *jinja.Call) (jinja.Value, error) { return r, nil }), true
	case "include":
		return jinja.Func(func(c *jinja.Call) (jinja.Value, error) {
			inc := [3]bool{true, true, true}
			for i, k := range []string{"database", "schema", "identifier"} {
				if v, ok := c.Kwargs.Get(k); ok {
					inc[i] = jinja.IsTrue(v)
				}
			}
			out := &Relation{dialect: r.dialect}
			if inc[0] {
				out.Database = db
			}
			if inc[1] {
				out.Schema = schema
			}
			if inc[2] {
				out.Identifier = ident
			}
			return out, nil
		}), true
	case "incorporate":
		return jinja.Func(func(c *jinja.Call) (jinja.Value, error) {
			out := &Relation{Database: db, Schema: schema, Identifier: ident, dialect: r.dialect}
			if p, ok := c.Kwargs.Get("path"); ok {
				if d, ok := p.(*jinja.Dict); ok {
					if v, ok := d.Get("identifier"); ok {
						out.Identifier = jinja.ToString(v)
					}
					if v, ok := d.Get("schema"); ok {
						out.Schema = jinja.ToString(v)
					}
					if v, ok := d.Get("database"); ok {
						out.Database = jinja.ToString(v)
					}
				}
			}
			return out, nil
		}), true
	}
	return nil, false
}

// Dialect is what the compiler knows of an adapter type: how it quotes and
// qualifies names. Implementations live in adapters; the compiler only needs
// these rules to render SQL without a connection.
type Dialect struct {
	Type  string
	Quote byte
}

var dialects = map[string]*Dialect{
	"postgres": {Type: "postgres", Quote: '"'},
	"athena":   {Type: "athena", Quote: '"'},
}

// dialectFor returns the rules for an adapter type; unknown types get
// Postgres-style double quotes.
func dialectFor(typ string) *Dialect {
	if d, ok := dialects[typ]; ok {
		return d
	}
	return &Dialect{Type: typ, Quote: '"'}
}

func (d *Dialect) quote(s string) string {
	return string(d.appendQuoted(make([]byte, 0, len(s)+2), s))
}

// appendQuoted appends s quoted, doubling any quote character inside.
func (d *Dialect) appendQuoted(b []byte, s string) []byte {
	b = append(b, d.Quote)
	for {
		i := strings.IndexByte(s, d.Quote)
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, d.Quote)
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, d.Quote)
}

// render qualifies and quotes a relation name, leaving out empty parts.
func (d *Dialect) render(db, schema, ident string) string {
	return string(d.appendRender(make([]byte, 0, len(db)+len(schema)+len(ident)+8), db, schema, ident))
}

// appendRender appends what render returns.
func (d *Dialect) appendRender(b []byte, db, schema, ident string) []byte {
	start := len(b)
	for _, p := range [3]string{db, schema, ident} {
		if p == "" {
			continue
		}
		if len(b) > start {
			b = append(b, '.')
		}
		b = d.appendQuoted(b, p)
	}
	return b
}
