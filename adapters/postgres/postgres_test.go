package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/gmodel/gmodel/adapters"
	"github.com/gmodel/gmodel/adapters/adaptertest"
	"github.com/gmodel/gmodel/profiles"
	"github.com/gmodel/gmodel/tests/pgtest"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, func(t *testing.T) adapters.Adapter { return openTest(t, pgtest.New(t)) })
}

// profile is the target of db, as profiles.DecodePostgres would give it.
func profile(db *pgtest.DB) *profiles.Postgres {
	return &profiles.Postgres{
		Type: "postgres", Host: db.Host, Port: db.Port, User: db.User,
		Password: profiles.Secret(db.Password), Database: db.Database, Schema: "public",
		Threads: 4, ConnectTimeout: 10, Retries: 1, ApplicationName: "gmodel-test",
	}
}

func openTest(t *testing.T, db *pgtest.DB) *Adapter {
	t.Helper()
	return openProfile(t, profile(db))
}

func openProfile(t *testing.T, p *profiles.Postgres) *Adapter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := New(ctx, p, adapters.Options{Threads: p.Threads})
	if err != nil {
		t.Fatalf("opening %s: %v", where(p), err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestMain(m *testing.M) { pgtest.Main(m) }
