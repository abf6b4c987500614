package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", for the checks on SQLite
)

// backend is the database both replicas share: PostgreSQL (a throwaway
// cluster, else a fresh database on the machine's server), or one SQLite
// file in WAL mode, which the store supports from several processes (WAL,
// busy_timeout, immediate transactions; claims of notices and jobs hold the
// write lock).
type backend struct {
	name   string    // "postgres" or "sqlite"
	kind   string    // what the summary says
	url    string    // DATABASE_URL of the bot
	driver string    // database/sql driver of the checks
	dsn    string    // data source of the checks
	pg     *postgres // nil on SQLite: nothing to restart
}

func (b *backend) open() (*sql.DB, error) {
	db, err := sql.Open(b.driver, b.dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", b.name, err)
	}
	return db, nil
}

func (b *backend) stop() {
	if b.pg != nil {
		b.pg.stop()
	}
}

// startBackend makes the run's database under dir.
func (s *soak) startBackend(ctx context.Context, name, dir string) (*backend, error) {
	switch name {
	case "postgres":
		pg, err := startThrowaway(ctx, filepath.Join(dir, "pg"))
		if err != nil {
			s.logf("throwaway PostgreSQL cluster could not start (%v); using the machine's PostgreSQL", err)
			if pg, err = machinePostgres(ctx); err != nil {
				return nil, err
			}
		}
		return &backend{name: name, kind: "PostgreSQL, " + pg.kind, url: pg.url, driver: "pgx", dsn: pg.url, pg: pg}, nil
	case "sqlite":
		path := filepath.Join(dir, "leaseline.db")
		return &backend{name: name, kind: "SQLite, one file (WAL) shared by both replicas", url: path,
			driver: "sqlite", dsn: "file:" + path + "?_pragma=busy_timeout(10000)"}, nil
	}
	return nil, fmt.Errorf("-db %q: want postgres or sqlite", name)
}

// scanTime reads a timestamp column: time.Time from PostgreSQL, and from
// SQLite either time.Time or the text the driver stored.
type scanTime struct{ t time.Time }

func (st *scanTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		st.t = time.Time{}
		return nil
	case time.Time:
		st.t = x
		return nil
	case []byte:
		return st.parse(string(x))
	case string:
		return st.parse(x)
	}
	return fmt.Errorf("timestamp of type %T", v)
}

func (st *scanTime) parse(s string) error {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			st.t = t
			return nil
		}
	}
	return fmt.Errorf("timestamp %q: unknown layout", s)
}
