package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
)

// The shared harness of models/store/storetest: real databases and a
// settable clock.
type testClock = storetest.Clock

func newClock(t time.Time) *testClock                       { return storetest.NewClock(t) }
func backends(t testing.TB) []string                        { return storetest.Backends(t) }
func eachBackend(t *testing.T, fn func(*testing.T, string)) { storetest.Each(t, fn) }
func freshPostgres(t testing.TB) string                     { return storetest.FreshPostgres(t) }

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
	c, err = f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionApprove})
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return c
}
