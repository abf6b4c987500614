// Package storetest gives the tests of every package real databases: the
// embedded SQLite always, and PostgreSQL when TEST_DATABASE_URL is set (each
// test in a database of its own, dropped afterwards). When CI is set,
// TEST_DATABASE_URL must be too, and an unreachable server fails the test:
// the PostgreSQL half of the suite is never skipped silently.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to create test databases

	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// Clock is a settable clock for tests; safe for concurrent use.
type Clock struct{ t atomic.Int64 }

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.Set(t)
	return c
}

// Now returns the clock's time, in UTC.
func (c *Clock) Now() time.Time { return time.Unix(0, c.t.Load()).UTC() }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.t.Store(t.UnixNano()) }

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) { c.t.Add(int64(d)) }

// Backends lists the databases tests run on: "sqlite", and "postgres" when
// TEST_DATABASE_URL is set.
func Backends(t testing.TB) []string {
	out := []string{"sqlite"}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		out = append(out, "postgres")
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but TEST_DATABASE_URL is not: the PostgreSQL half of the suite would not run")
	}
	return out
}

// Each runs fn as a subtest per backend.
func Each(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// DatabaseURL returns a fresh, empty database of the backend: a SQLite file
// in the test's temporary directory, or a new PostgreSQL database.
func DatabaseURL(t testing.TB, backend string) string {
	t.Helper()
	if backend == "postgres" {
		return FreshPostgres(t)
	}
	return filepath.Join(t.TempDir(), "test.db")
}

// FreshPostgres creates a database on the server of TEST_DATABASE_URL,
// dropped when the test ends, and returns its URL.
func FreshPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	defer admin.Close()
	name := "leaseline_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database on TEST_DATABASE_URL (is PostgreSQL running?): %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open opens a fresh, migrated database of the backend with cfg (its
// DatabaseURL is replaced), closed when the test ends.
func Open(t testing.TB, backend string, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	cfg.DatabaseURL = DatabaseURL(t, backend)
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return st
}

// OpenWithSample is Open with the built-in sample catalog imported.
func OpenWithSample(t testing.TB, backend string, cfg store.Config) *store.Store {
	t.Helper()
	st := Open(t, backend, cfg)
	cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		t.Fatalf("sample catalog: %v", err)
	}
	if _, err := st.ImportCatalog(context.Background(), cat); err != nil {
		t.Fatalf("import the sample catalog: %v", err)
	}
	return st
}
