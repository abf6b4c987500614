package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to create test databases

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// testClock is a settable clock.
type testClock struct{ t atomic.Int64 }

func newClock(t time.Time) *testClock {
	c := &testClock{}
	c.Set(t)
	return c
}
func (c *testClock) Now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *testClock) Set(t time.Time)     { c.t.Store(t.UnixNano()) }
func (c *testClock) Add(d time.Duration) { c.t.Add(int64(d)) }

// backends lists the databases every store test runs on: the embedded
// SQLite always, PostgreSQL when TEST_DATABASE_URL is set. CI sets it and
// .ci/run fails when PostgreSQL is unreachable, so the PostgreSQL half is
// never silently skipped there.
func backends(t testing.TB) []string {
	out := []string{"sqlite"}
	if os.Getenv("TEST_DATABASE_URL") != "" {
		out = append(out, "postgres")
	} else if os.Getenv("CI") != "" {
		t.Fatal("CI is set but TEST_DATABASE_URL is not: the PostgreSQL half of the suite would not run")
	}
	return out
}

// eachBackend runs fn as a subtest per database.
func eachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// openStore opens a fresh, migrated, empty database of the backend: a
// temporary SQLite file, or a new PostgreSQL database dropped after the test.
func openStore(t testing.TB, backend string, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	switch backend {
	case "sqlite":
		cfg.DatabaseURL = filepath.Join(t.TempDir(), "test.db")
	case "postgres":
		cfg.DatabaseURL = freshPostgres(t)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return s
}

// freshPostgres creates a database on the server of TEST_DATABASE_URL and
// returns its URL.
func freshPostgres(t testing.TB) string {
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

// fixture is a store with the sample catalog and two customer accounts.
type fixture struct {
	s           *store.Store
	clock       *testClock
	staff       models.Actor
	acme, other models.Actor
}

const staffChannel = "CSTAFF"

func newFixture(t testing.TB, backend string) *fixture {
	t.Helper()
	return newFixtureConfig(t, backend, store.Config{})
}

// newFixtureConfig is newFixture with a store configuration: its
// StaffChannel and Now are the fixture's unless set.
func newFixtureConfig(t testing.TB, backend string, cfg store.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := newClock(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
	if cfg.StaffChannel == "" {
		cfg.StaffChannel = staffChannel
	}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	s := openStore(t, backend, cfg)
	cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		t.Fatalf("sample catalog: %v", err)
	}
	if _, err := s.ImportCatalog(ctx, cat); err != nil {
		t.Fatalf("import sample: %v", err)
	}
	f := &fixture{s: s, clock: clock, staff: models.Actor{UserID: "USTAFF", Role: models.RoleStaff}}
	for i, name := range []string{"ACME", "Globex"} {
		a, err := s.CreateAccount(ctx, f.staff, name, "", "CNY")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Credit(ctx, f.staff, a.ID, 10_000_000_00, "opening balance"); err != nil {
			t.Fatal(err)
		}
		actor := models.Actor{UserID: fmt.Sprintf("UCUST%d", i), Role: models.RoleCustomer, AccountID: a.ID}
		if i == 0 {
			f.acme = actor
		} else {
			f.other = actor
		}
	}
	return f
}

// openAP returns the first open access point of the sample with an offer
// priced in CNY (the fixture accounts' currency), and that offer.
func (f *fixture) openAP(t testing.TB) (models.AccessPoint, models.PortOffer) {
	t.Helper()
	aps, err := f.s.AccessPoints(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's accounts hold CNY: the offer must be priced in CNY.
	for _, ap := range aps {
		if !ap.Status.Open() || len(ap.Providers) == 0 {
			continue
		}
		for _, offer := range ap.PortTypes {
			if offer.Currency == "CNY" {
				return ap, offer
			}
		}
	}
	t.Fatal("sample catalog has no open access point")
	return models.AccessPoint{}, models.PortOffer{}
}

// application is a valid application at the fixture's open access point.
func (f *fixture) application(t testing.TB, name string) models.Application {
	ap, offer := f.openAP(t)
	return models.Application{
		Name: name, AccessPointID: ap.ID, ProviderID: ap.Providers[0].ProviderID, PortType: offer.PortType,
		BandwidthMbps: max(offer.MinMbps, models.MinBandwidthMbps), Location: "Building 3, Binjiang IDC",
	}
}

// approved applies and approves a connection for actor.
func (f *fixture) approved(t testing.TB, actor models.Actor, app models.Application) *models.Connection {
	t.Helper()
	ctx := context.Background()
	c, err := f.s.Apply(ctx, actor, app, "CAPPLY")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	c, err = f.s.Act(ctx, f.staff, c.ID, store.ActInput{Action: models.ActionApprove})
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return c
}
