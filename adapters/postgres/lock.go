package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gmodel/gmodel/adapters"
)

// lockKey is the advisory lock key of a target schema: the same for every
// gmodel run against it, unlikely to collide with an application's keys.
func lockKey(database, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("gmodel\x00" + database + "\x00" + schema))
	return int64(h.Sum64())
}

// Lock takes a session advisory lock on (database, schema), held by a
// connection of its own (not one of the pool's) until unlock is called or
// the connection ends, so that a crashed run never leaves it behind.
func (a *Adapter) Lock(ctx context.Context, database, schema string, wait bool) (func(), error) {
	if err := a.checkDatabase(database); err != nil {
		return nil, err
	}
	key := lockKey(a.database, schema)
	conn, err := a.connect(ctx)
	if err != nil {
		return nil, err
	}
	closeConn := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}
	if wait {
		const sql = "select pg_advisory_lock($1)"
		if _, err := conn.Exec(ctx, sql, key); err != nil {
			closeConn()
			return nil, wrapMsg(sqlError(ctx, err, sql), "waiting for the lock of schema %s", quoteIdent(schema))
		}
	} else {
		const sql = "select pg_try_advisory_lock($1)"
		var ok bool
		if err := conn.QueryRow(ctx, sql, key).Scan(&ok); err != nil {
			closeConn()
			return nil, sqlError(ctx, err, sql)
		}
		if !ok {
			holder := lockHolder(ctx, conn, key)
			closeConn()
			return nil, &adapters.Error{
				Code: adapters.Locked,
				Msg:  fmt.Sprintf("schema %s of database %s is locked by another run%s", quoteIdent(schema), quoteIdent(a.database), holder),
				Hint: "wait for it to finish (or let gmodel wait for it); if it hangs, end its session with pg_terminate_backend(pid)",
			}
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = conn.Exec(uctx, "select pg_advisory_unlock($1)", key)
			conn.Close(uctx)
		})
	}, nil
}

// lockHolder describes the session holding key, or "" when it cannot be
// seen (pg_stat_activity hides other users' details from most roles).
func lockHolder(ctx context.Context, conn *pgx.Conn, key int64) string {
	const sql = `
select a.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), a.backend_start, a.xact_start
from pg_locks l left join pg_stat_activity a on a.pid = l.pid
where l.locktype = 'advisory' and l.granted
  and l.database = (select oid from pg_database where datname = current_database())
  and l.classid = $1 and l.objid = $2 and l.objsubid = 1
limit 1`
	var (
		pid          *int32
		app, user    string
		start, xact  *time.Time
		classid, obj = uint32(uint64(key) >> 32), uint32(uint64(key))
	)
	err := conn.QueryRow(ctx, sql, classid, obj).Scan(&pid, &app, &user, &start, &xact)
	if err != nil || pid == nil {
		return "" // gone meanwhile (pgx.ErrNoRows), or hidden
	}
	var parts []string
	parts = append(parts, fmt.Sprintf("pid %d", *pid))
	if app != "" {
		parts = append(parts, fmt.Sprintf("application_name %q", app))
	}
	if user != "" {
		parts = append(parts, "user "+user)
	}
	if start != nil {
		parts = append(parts, "connected since "+start.Local().Format("2006-01-02 15:04:05 MST"))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
