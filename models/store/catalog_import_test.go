package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// sampleCatalog parses the built-in sample.
func sampleCatalog(t testing.TB) *models.Catalog {
	t.Helper()
	cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// dbSnapshot is every row of every table, in a stable order.
func dbSnapshot(t testing.TB, s *store.Store) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for table, order := range map[string]string{
		"regions": "id", "calendar_days": "region_id, date, access_point_id", "providers": "id", "access_points": "id",
		"access_point_providers": "access_point_id, provider_id", "port_offers": "access_point_id, port_type", "devices": "id",
		"ports": "device_id, name", "reception_people": "access_point_id, name", "accounts": "id", "connections": "id",
		"ledger_entries": "id", "surveys": "id", "engineers": "id", "tickets": "id", "visits": "id", "audit_events": "id", "notices": "id",
	} {
		out[table] = sqlRows(t, s, "SELECT * FROM "+table+" ORDER BY "+order)
	}
	return out
}

// TestCatalogImportIdempotent: importing the catalog the database holds
// changes nothing — not the catalog's own rows (ports keep their IDs,
// reception people theirs), not the connections, their ports, tickets or
// booked visits.
func TestCatalogImportIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 100})
		// Connections in every stage, one with a booked visit (which names a
		// reception person of the rota).
		var conns []*models.Connection
		for _, st := range stages {
			conns = append(conns, f.walkTo(t, f.acme, f.application(t, "import "+st.Name), st))
		}
		// Construction visits of visit scheduled, on site, Pending Confirmation,
		// Enabled, Terminating, Terminated and Enabled again; the removal
		// visit of Terminated.
		wantEqual(t, "booked visits", sqlCount(t, f.s, "SELECT COUNT(*) FROM visits"), 8)
		before := dbSnapshot(t, f.s)
		for round := range 2 {
			rep, err := f.s.ImportCatalog(ctx, sampleCatalog(t))
			if err != nil {
				t.Fatalf("import %d: %v", round+2, err)
			}
			if rep.PortsAdded != 0 || rep.PortsRemoved != 0 {
				t.Fatalf("import %d: %+v", round+2, rep)
			}
			after := dbSnapshot(t, f.s)
			for table := range before {
				wantEqual(t, table+" after import", after[table], before[table])
			}
		}
		// The connections carry on.
		for _, c := range conns {
			if c.Status == models.StatusApproved {
				if _, err := f.s.Pay(ctx, f.acme, c.ID); err != nil {
					t.Fatalf("pay after import: %v", err)
				}
			}
		}
		checkPortsConsistent(t, f.s)
	})
}

// TestCatalogImportRefusesPortsInUse: a catalog that drops a port a
// connection holds, or the device it is on, is refused as a whole, the
// error naming the port and the connection; nothing changes. Dropping only
// free ports removes them, and the full catalog brings them back.
func TestCatalogImportRefusesPortsInUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c := f.walkTo(t, f.acme, f.application(t, "held"), stageNamed(t, "Connecting/provider notified"))
		dev, port := c.DeviceID, c.PortName
		before := dbSnapshot(t, f.s)

		refused := func(what string, cat *models.Catalog) {
			t.Helper()
			_, err := f.s.ImportCatalog(ctx, cat)
			var inUse *models.PortsInUseError
			if !errors.As(err, &inUse) {
				t.Fatalf("%s: import: %v, want a PortsInUseError", what, err)
			}
			want := dev + " " + port + " held by " + *c.PhysicalConnectionID + " (" + models.ApplicationRef(c.ID) + "), Connecting"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not name %q", what, err, want)
			}
			after := dbSnapshot(t, f.s)
			for table := range before {
				wantEqual(t, what+": "+table+" after the refused import", after[table], before[table])
			}
		}
		// The held port dropped.
		cat := sampleCatalog(t)
		cat.Ports = slices.DeleteFunc(cat.Ports, func(p models.Port) bool { return p.DeviceID == dev && p.Name == port })
		refused("port dropped", cat)
		// Its device dropped.
		cat = sampleCatalog(t)
		cat.Devices = slices.DeleteFunc(cat.Devices, func(d models.Device) bool { return d.ID == dev })
		cat.Ports = slices.DeleteFunc(cat.Ports, func(p models.Port) bool { return p.DeviceID == dev })
		refused("device dropped", cat)

		// Free ports of the device dropped: removed; the held one stays.
		cat = sampleCatalog(t)
		var dropped int
		cat.Ports = slices.DeleteFunc(cat.Ports, func(p models.Port) bool {
			if p.DeviceID == dev && p.Name != port {
				dropped++
				return true
			}
			return false
		})
		rep, err := f.s.ImportCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "ports removed", rep.PortsRemoved, dropped)
		wantEqual(t, "ports of the device", sqlRows(t, f.s, "SELECT name, state FROM ports WHERE device_id = ?", dev), [][]string{{port, "allocated"}})
		rep, err = f.s.ImportCatalog(ctx, sampleCatalog(t))
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "ports added back", rep.PortsAdded, dropped)
		wantEqual(t, "allocated ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'allocated'"), 1)
		checkPortsConsistent(t, f.s)
	})
}

// TestCatalogImportRota: reception people keep their IDs across imports
// (visits name them); one dropped from the catalog is removed, unless a
// booked visit names them: then they stay and are reported.
func TestCatalogImportRota(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c := f.walkTo(t, f.acme, f.application(t, "visited"), stageNamed(t, "Connecting/visit scheduled"))
		rota := func() map[string][]string {
			out := map[string][]string{}
			for _, r := range sqlRows(t, f.s, "SELECT name, id, phone FROM reception_people WHERE access_point_id = ?", c.AccessPointID) {
				out[r[0]] = r[1:]
			}
			return out
		}
		before := rota()
		visitor := sqlRows(t, f.s, "SELECT r.name FROM visits v JOIN reception_people r ON r.id = v.reception_person_id WHERE v.connection_id = ?", c.ID)[0][0]

		cat := sampleCatalog(t)
		var others []string
		var kept models.ReceptionPerson
		cat.Reception = slices.DeleteFunc(cat.Reception, func(r models.ReceptionPerson) bool {
			if r.AccessPointID != c.AccessPointID {
				return false
			}
			if r.Name != visitor {
				others = append(others, r.Name)
			} else {
				kept = r
			}
			return true
		})
		cat.Reception = append(cat.Reception, models.ReceptionPerson{AccessPointID: c.AccessPointID, Name: "Qian Bo", Phone: "+86 133 0000 0699"})
		rep, err := f.s.ImportCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "reception kept", rep.ReceptionKept, []string{c.AccessPointID + " " + visitor})
		after := rota()
		wantEqual(t, "visitor's row", after[visitor], before[visitor])
		for _, name := range others {
			if _, ok := after[name]; ok {
				t.Fatalf("%s was dropped from the catalog but stays", name)
			}
		}
		if _, ok := after["Qian Bo"]; !ok || len(after) != 2 {
			t.Fatalf("rota after import: %v", after)
		}

		// Back in the catalog with a new phone: the same row, updated.
		kept.Phone = "+86 133 0000 0000"
		cat.Reception = append(cat.Reception, kept)
		if rep, err = f.s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "reception kept", len(rep.ReceptionKept), 0)
		wantEqual(t, "visitor's row", rota()[visitor], []string{before[visitor][0], "+86 133 0000 0000"})
		if _, err := f.do(providerOf(c), c.ID, models.ActionCompleteConstruction); err != nil {
			t.Fatalf("complete after import: %v", err)
		}
	})
}
