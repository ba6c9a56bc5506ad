package postgres

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/gmodel/gmodel/adapters"
)

// querier is what the catalog helpers need: a pool, a connection or a
// transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Exec runs one or more statements through the simple protocol and reports
// the last one's status.
func (a *Adapter) Exec(ctx context.Context, sql string) (adapters.Result, error) {
	conn, err := a.pool.Acquire(ctx)
	if err != nil {
		return adapters.Result{}, a.acquireError(ctx, err)
	}
	defer conn.Release()
	return execMulti(ctx, conn.Conn().PgConn(), sql)
}

func execMulti(ctx context.Context, c *pgconn.PgConn, sql string) (adapters.Result, error) {
	results, err := c.Exec(ctx, sql).ReadAll()
	if err != nil {
		return adapters.Result{}, sqlError(ctx, err, sql)
	}
	if len(results) == 0 {
		return adapters.Result{}, nil
	}
	tag := results[len(results)-1].CommandTag
	return adapters.Result{Message: tag.String(), RowsAffected: tag.RowsAffected()}, nil
}

func (a *Adapter) acquireError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return sqlError(ctx, err, "")
	}
	return a.connectError(err)
}

// Query runs one statement and reads all of its rows.
func (a *Adapter) Query(ctx context.Context, sql string) (*adapters.Rows, error) {
	rows, err := a.pool.Query(ctx, sql)
	if err != nil {
		return nil, sqlError(ctx, err, sql)
	}
	defer rows.Close()
	out := &adapters.Rows{}
	for _, f := range rows.FieldDescriptions() {
		out.Columns = append(out.Columns, f.Name)
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, sqlError(ctx, err, sql)
		}
		for i, v := range vals {
			vals[i] = normalize(v)
		}
		out.Values = append(out.Values, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(ctx, err, sql)
	}
	return out, nil
}

// normalize maps pgx's decoded values onto the small set adapters.Rows
// promises.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte, time.Time:
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case pgtype.Numeric:
		return numeric(x)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil || dv == nil {
			return nil
		}
		if _, again := dv.(driver.Valuer); again {
			return fmt.Sprint(dv)
		}
		return normalize(dv)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func numeric(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	if n.NaN || n.InfinityModifier != pgtype.Finite {
		f, _ := n.Float64Value()
		return f.Float64
	}
	i := new(big.Int).Set(n.Int)
	if n.Exp >= 0 {
		i.Mul(i, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n.Exp)), nil))
		if i.IsInt64() {
			return i.Int64()
		}
	} else {
		q, r := new(big.Int).QuoRem(i, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n.Exp)), nil), new(big.Int))
		if r.Sign() == 0 && q.IsInt64() {
			return q.Int64()
		}
	}
	f, _ := n.Float64Value()
	return f.Float64
}

// checkDatabase refuses a database other than the connected one: Postgres
// cannot reach across databases.
func (a *Adapter) checkDatabase(database string) error {
	if database != "" && database != a.database {
		return adapters.Errorf(adapters.Invalid, "postgres: database %q is not the connected database %q; a postgres target reaches one database only", database, a.database)
	}
	return nil
}

// EnsureSchema creates the schema when it is missing. It does not need the
// CREATE privilege when the schema exists, and a concurrent creation by
// another run is not an error.
func (a *Adapter) EnsureSchema(ctx context.Context, database, schema string) error {
	if err := a.checkDatabase(database); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		var exists bool
		if err := a.pool.QueryRow(ctx, "select exists (select 1 from pg_namespace where nspname = $1)", schema).Scan(&exists); err != nil {
			return sqlError(ctx, err, "")
		}
		if exists {
			return nil
		}
		sql := "CREATE SCHEMA IF NOT EXISTS " + quoteIdent(schema)
		_, err := a.pool.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		// IF NOT EXISTS still races: two sessions may both insert into
		// pg_namespace, and the loser gets a unique violation.
		if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P06") && attempt < 3 {
			continue
		}
		if err != nil {
			return wrapMsg(sqlError(ctx, err, sql), "creating schema %s", quoteIdent(schema))
		}
		return nil
	}
}

// relkinds gmodel lists: tables, partitioned tables, views, materialized
// views, foreign tables.
const listRelationsSQL = `
select c.relname, c.relkind
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')
order by c.relname`

// ListRelations lists the tables, views, materialized views and foreign
// tables of a schema, by name.
func (a *Adapter) ListRelations(ctx context.Context, database, schema string) ([]adapters.Relation, error) {
	if err := a.checkDatabase(database); err != nil {
		return nil, err
	}
	rows, err := a.pool.Query(ctx, listRelationsSQL, schema)
	if err != nil {
		return nil, sqlError(ctx, err, listRelationsSQL)
	}
	var out []adapters.Relation
	for rows.Next() {
		var name string
		var kind byte
		if err := rows.Scan(&name, &kind); err != nil {
			rows.Close()
			return nil, sqlError(ctx, err, listRelationsSQL)
		}
		out = append(out, adapters.Relation{Database: database, Schema: schema, Identifier: name, Type: relationType(kind)})
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(ctx, err, listRelationsSQL)
	}
	return out, nil
}

func relationType(relkind byte) adapters.RelationType {
	switch relkind {
	case 'v':
		return adapters.View
	case 'm':
		return adapters.MaterializedView
	case 'f':
		return adapters.External
	}
	return adapters.Table
}

const columnsSQL = `
select a.attname, format_type(a.atttypid, a.atttypmod)
from pg_attribute a
where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
order by a.attnum`

// Columns lists r's columns in order, with their types as format_type
// writes them ("integer", "character varying(20)", "numeric(10,2)").
func (a *Adapter) Columns(ctx context.Context, r adapters.Relation) ([]adapters.Column, error) {
	if err := a.checkDatabase(r.Database); err != nil {
		return nil, err
	}
	return columns(ctx, a.pool, r.Schema, r.Identifier)
}

func columns(ctx context.Context, q querier, schema, name string) ([]adapters.Column, error) {
	var oid *uint32
	if err := q.QueryRow(ctx, "select to_regclass($1)::oid", qualified(schema, name)).Scan(&oid); err != nil {
		return nil, sqlError(ctx, err, "")
	}
	if oid == nil {
		return nil, adapters.Errorf(adapters.NotFound, "relation %s does not exist", qualified(schema, name))
	}
	return columnsOf(ctx, q, *oid)
}

func columnsOf(ctx context.Context, q querier, oid uint32) ([]adapters.Column, error) {
	rows, err := q.Query(ctx, columnsSQL, oid)
	if err != nil {
		return nil, sqlError(ctx, err, columnsSQL)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (adapters.Column, error) {
		var c adapters.Column
		err := r.Scan(&c.Name, &c.DataType)
		return c, err
	})
	if err != nil {
		return nil, sqlError(ctx, err, columnsSQL)
	}
	return cols, nil
}
