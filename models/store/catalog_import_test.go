package store_test

import (
	"context"
	"slices"
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
		// Construction visits of visit scheduled, Pending Confirmation,
		// Enabled, Terminating, Terminated and Enabled again; the removal
		// visit of Terminated.
		wantEqual(t, "booked visits", sqlCount(t, f.s, "SELECT COUNT(*) FROM visits"), 7)
		before := dbSnapshot(t, f.s)
		for round := range 2 {
			rep, err := f.s.ImportCatalog(ctx, sampleCatalog(t))
			if err != nil {
				t.Fatalf("import %d: %v", round+2, err)
			}
			if rep.PortsAdded != 0 || rep.PortsRemoved != 0 || len(rep.PortsKept) != 0 {
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

// TestCatalogImportKeepsAllocatedPorts: a catalog that drops ports removes
// the free ones and keeps (and reports) those connections hold; the
// connections are untouched. A device dropped from the catalog takes its
// free ports with it.
func TestCatalogImportKeepsAllocatedPorts(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c := f.walkTo(t, f.acme, f.application(t, "kept"), stageNamed(t, "Connecting/provider notified"))
		apID, dev, port := c.AccessPointID, c.DeviceID, c.PortName
		connsBefore := sqlRows(t, f.s, "SELECT * FROM connections ORDER BY id")

		// Drop every port of the connection's device but one free one, and
		// change that one's state.
		cat := sampleCatalog(t)
		var keep models.Port
		var dropped int
		cat.Ports = slices.DeleteFunc(cat.Ports, func(p models.Port) bool {
			if p.DeviceID != dev {
				return false
			}
			if keep.Name == "" && p.Name != port && p.PortType == c.PortType {
				keep = p
				return false
			}
			if p.Name != port {
				dropped++
			}
			return true
		})
		for i := range cat.Ports {
			if cat.Ports[i].DeviceID == dev && cat.Ports[i].Name == keep.Name {
				cat.Ports[i].State = models.PortDown
			}
		}
		rep, err := f.s.ImportCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "ports kept", rep.PortsKept, []string{dev + " " + port})
		wantEqual(t, "ports removed", rep.PortsRemoved, dropped)
		wantEqual(t, "ports added", rep.PortsAdded, 0)
		wantEqual(t, "connections after import", sqlRows(t, f.s, "SELECT * FROM connections ORDER BY id"), connsBefore)
		wantEqual(t, "ports of the device", sortRows(sqlRows(t, f.s, "SELECT name, state FROM ports WHERE device_id = ?", dev)),
			sortRows([][]string{{port, "allocated"}, {keep.Name, "down"}}))
		checkPortsConsistent(t, f.s)

		// Importing the full catalog again brings the dropped ports back, free.
		rep, err = f.s.ImportCatalog(ctx, sampleCatalog(t))
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "ports added back", rep.PortsAdded, dropped)
		wantEqual(t, "ports kept", len(rep.PortsKept), 0)
		wantEqual(t, "allocated ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE state = 'allocated'"), 1)
		wantEqual(t, "connections after import", sqlRows(t, f.s, "SELECT * FROM connections ORDER BY id"), connsBefore)

		// A catalog without the device: its free ports go, its allocated
		// one stays; nothing is allocated on it any more.
		cat = sampleCatalog(t)
		cat.Devices = slices.DeleteFunc(cat.Devices, func(d models.Device) bool { return d.ID == dev })
		cat.Ports = slices.DeleteFunc(cat.Ports, func(p models.Port) bool { return p.DeviceID == dev })
		rep, err = f.s.ImportCatalog(ctx, cat)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "ports kept of the dropped device", rep.PortsKept, []string{dev + " " + port})
		wantEqual(t, "free ports of the dropped device", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE device_id = ? AND state <> 'allocated'", dev), 0)
		for i := range 3 {
			p := f.walkTo(t, f.other, f.application(t, "after the device went"), stageNamed(t, "Connecting"))
			if p.DeviceID == dev || p.AccessPointID != apID {
				t.Fatalf("payment %d allocated on %s at %s", i, p.DeviceID, p.AccessPointID)
			}
		}
		wantEqual(t, "connections holding ports", sqlCount(t, f.s, "SELECT COUNT(*) FROM connections WHERE port_id IS NOT NULL"), 4)
		checkPortsConsistent(t, f.s)
	})
}

// sortRows sorts rows by their columns, in Go's string order (the
// databases' collations differ).
func sortRows(rows [][]string) [][]string {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
	return rows
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
