package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// lowAP is a generated access point with 2 devices of 3 ports and a
// low-water mark of 2.
func lowAP(id string) *models.Catalog {
	cat := generatedCatalog(apSpec{ID: id, Devices: 2, Ports: 3})
	cat.AccessPoints[0].LowWater = 2
	return cat
}

// lowAlerts lists the low_ports notices recorded, oldest first.
func lowAlerts(t *testing.T, s *store.Store) []models.LowPortsNoticeData {
	t.Helper()
	var out []models.LowPortsNoticeData
	for _, r := range sqlRows(t, s, "SELECT channel, data FROM notices WHERE kind = ? ORDER BY id", string(models.NoticeLowPorts)) {
		if r[0] != staffChannel {
			t.Errorf("low-ports alert to %s, want the staff channel", r[0])
		}
		var d models.LowPortsNoticeData
		if err := json.Unmarshal([]byte(r[1]), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestInventory: ports in total, in use and free per access point and type,
// free per device; a port given back (its row free again, whoever frees it)
// counts free at once.
func TestInventory(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		if _, err := f.s.ImportCatalog(ctx, lowAP("ap-inv")); err != nil {
			t.Fatal(err)
		}
		c := f.walkTo(t, f.acme, appAt("one", "ap-inv"), stageNamed(t, "Connecting"))
		sqlExec(t, f.s, "UPDATE ports SET state = 'down' WHERE device_id = 'ap-inv-asw-002' AND name = 'TenGigE1/0/3'")
		stock, err := f.s.Inventory(ctx, "ap-inv")
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "stock", stock, []models.PortStock{{
			AccessPointID: "ap-inv", PortType: testPortType, Total: 6, InUse: 1, Free: 4, Down: 1,
			FreeByDevice: []models.DeviceFree{{DeviceID: "ap-inv-asw-001", Free: 2}, {DeviceID: "ap-inv-asw-002", Free: 2}},
		}})
		all, err := f.s.Inventory(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 10 {
			t.Errorf("all access points: %d port types, want the sample's and ap-inv's", len(all))
		}

		// The port given back as the allocator would take it.
		sqlExec(t, f.s, "UPDATE ports SET state = 'free', connection_id = NULL WHERE id = ?", *c.PortID)
		stock, _ = f.s.Inventory(ctx, "ap-inv")
		wantEqual(t, "free after the port is given back", stock[0].Free, 5)
		wantEqual(t, "in use after the port is given back", stock[0].InUse, 0)
	})
}

// TestPortsMetric: leaseline_ports{access_point,port_type,state} is read
// from the database at scrape time.
func TestPortsMetric(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		reg := prometheus.NewRegistry()
		f := newFixtureConfig(t, backend, store.Config{Registerer: reg})
		if _, err := f.s.ImportCatalog(ctx, lowAP("ap-inv")); err != nil {
			t.Fatal(err)
		}
		f.walkTo(t, f.acme, appAt("one", "ap-inv"), stageNamed(t, "Connecting"))
		gather := func() map[string]float64 {
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]float64{}
			for _, mf := range mfs {
				if mf.GetName() != "leaseline_ports" {
					continue
				}
				for _, m := range mf.GetMetric() {
					var ap, state string
					for _, l := range m.GetLabel() {
						switch l.GetName() {
						case "access_point":
							ap = l.GetValue()
						case "state":
							state = l.GetValue()
						}
					}
					if ap == "ap-inv" {
						out[state] = m.GetGauge().GetValue()
					}
				}
			}
			return out
		}
		wantEqual(t, "ap-inv ports", gather(), map[string]float64{"in_use": 1, "free": 5})
		marks := `
# HELP leaseline_ports_low_water The catalog's low-water mark of each access point taking applications: staff are alerted when the free ports of a type fall to it.
# TYPE leaseline_ports_low_water gauge
leaseline_ports_low_water{access_point="ap-cn-beijing-yz-a"} 2
leaseline_ports_low_water{access_point="ap-cn-hangzhou-xs-a"} 2
leaseline_ports_low_water{access_point="ap-cn-hangzhou-yh-b"} 2
leaseline_ports_low_water{access_point="ap-cn-shanghai-jq-a"} 2
leaseline_ports_low_water{access_point="ap-cn-shanghai-pd-b"} 2
leaseline_ports_low_water{access_point="ap-inv"} 2
leaseline_ports_low_water{access_point="ap-sg-jurong-a"} 2
leaseline_ports_low_water{access_point="ap-sg-taiseng-b"} 2
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(marks), "leaseline_ports_low_water"); err != nil {
			t.Errorf("low-water marks of the open access points: %v", err)
		}
		if n, err := testutil.GatherAndCount(reg, "leaseline_ports"); err != nil || n < 20 {
			t.Errorf("leaseline_ports series: %d, %v", n, err)
		}
		f.walkTo(t, f.other, appAt("two", "ap-inv"), stageNamed(t, "Connecting"))
		wantEqual(t, "ap-inv ports after another payment", gather(), map[string]float64{"in_use": 2, "free": 4})
	})
}

// TestLowWater: when the free ports of a type fall to the mark staff get
// one alert in the staff channel; it is not repeated while the count stays
// at or below the mark, and comes again after the count rose above it
// (ports added) and fell again. Payments landing at once alert once.
func TestLowWater(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 100})
		if _, err := f.s.ImportCatalog(ctx, lowAP("ap-low")); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "alerts at import (6 free)", len(lowAlerts(t, f.s)), 0)
		for i := range 3 {
			f.walkTo(t, f.acme, appAt("a"+string(rune('0'+i)), "ap-low"), stageNamed(t, "Connecting"))
		}
		wantEqual(t, "alerts with 3 free", len(lowAlerts(t, f.s)), 0)
		f.walkTo(t, f.acme, appAt("fourth", "ap-low"), stageNamed(t, "Connecting"))
		wantEqual(t, "alerts with 2 free", lowAlerts(t, f.s), []models.LowPortsNoticeData{
			{AccessPointID: "ap-low", AccessPoint: "Test-ap-low", PortType: testPortType, Free: 2, InUse: 4, LowWater: 2}})
		f.walkTo(t, f.other, appAt("fifth", "ap-low"), stageNamed(t, "Connecting"))
		wantEqual(t, "alerts with 1 free", len(lowAlerts(t, f.s)), 1)
		// Importing the same catalog changes no count: no alert.
		if _, err := f.s.ImportCatalog(ctx, lowAP("ap-low")); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "alerts after the same import", len(lowAlerts(t, f.s)), 1)

		// Ports added: 4 free, above the mark; then payments bring it to 2
		// at once, from several connections of the pool: one alert.
		bigger := generatedCatalog(apSpec{ID: "ap-low", Devices: 3, Ports: 3})
		bigger.AccessPoints[0].LowWater = 2
		if _, err := f.s.ImportCatalog(ctx, bigger); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "alerts with 4 free", len(lowAlerts(t, f.s)), 1)
		var approved []*models.Connection
		for _, name := range []string{"sixth", "seventh"} {
			approved = append(approved, f.walkTo(t, f.acme, appAt(name, "ap-low"), stageNamed(t, "Approved")))
		}
		var wg sync.WaitGroup
		for _, c := range approved {
			wg.Go(func() {
				if _, err := f.s.Pay(ctx, f.acme, c.ID); err != nil {
					t.Errorf("pay %d: %v", c.ID, err)
				}
			})
		}
		wg.Wait()
		alerts := lowAlerts(t, f.s)
		wantEqual(t, "alerts after falling again", len(alerts), 2)
		wantEqual(t, "free told", alerts[1].Free, 2)
	})
}

// TestNoPortLeft: an access point where no port of any type it offers is
// free shows as full, and an application there is refused; it reopens when
// a port is given back or added, without the catalog's status changing.
func TestNoPortLeft(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		if _, err := f.s.ImportCatalog(ctx, generatedCatalog(apSpec{ID: "ap-one", Devices: 1, Ports: 1})); err != nil {
			t.Fatal(err)
		}
		status := func() (models.AccessPointStatus, bool) {
			t.Helper()
			aps, err := f.s.AccessPoints(ctx, testRegion)
			if err != nil {
				t.Fatal(err)
			}
			ap, err := f.s.AccessPoint(ctx, "ap-one")
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range aps {
				if a.ID == "ap-one" && (a.Status != ap.Status || a.NoFreePort != ap.NoFreePort) {
					t.Errorf("AccessPoints says %s, AccessPoint %s", a.Status, ap.Status)
				}
			}
			return ap.Status, ap.NoFreePort
		}
		st, full := status()
		wantEqual(t, "with a free port", st, models.APRecommended)
		wantEqual(t, "with a free port: full for want of ports", full, false)

		c := f.walkTo(t, f.acme, appAt("takes the port", "ap-one"), stageNamed(t, "Connecting"))
		st, full = status()
		wantEqual(t, "with no free port", st, models.APFull)
		wantEqual(t, "full for want of ports", full, true)
		_, err := f.s.Apply(ctx, f.other, appAt("too late", "ap-one"), "CAPPLY")
		ruleIn(t, err, "access-point-closed")
		wantEqual(t, "catalog status", sqlRows(t, f.s, "SELECT status FROM access_points WHERE id = 'ap-one'"), [][]string{{"recommended"}})

		// Given back (as the allocator would take it): open again.
		sqlExec(t, f.s, "UPDATE ports SET state = 'free', connection_id = NULL WHERE id = ?", *c.PortID)
		st, _ = status()
		wantEqual(t, "after the port is given back", st, models.APRecommended)
		sqlExec(t, f.s, "UPDATE ports SET state = 'allocated', connection_id = ? WHERE id = ?", c.ID, *c.PortID)
		st, _ = status()
		wantEqual(t, "taken again", st, models.APFull)

		// A port added by the catalog: open again.
		if _, err := f.s.ImportCatalog(ctx, generatedCatalog(apSpec{ID: "ap-one", Devices: 1, Ports: 2})); err != nil {
			t.Fatal(err)
		}
		st, _ = status()
		wantEqual(t, "after a port is added", st, models.APRecommended)
		if _, err := f.s.Apply(ctx, f.other, appAt("now there is room", "ap-one"), "CAPPLY"); err != nil {
			t.Fatalf("apply after a port was added: %v", err)
		}
	})
}

// TestListLeavesOutLongEnded: connections that ended (Rejected, Canceled)
// more than 30 days ago leave List but stay in ListAll and Find.
func TestListLeavesOutLongEnded(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		rejected := f.walkTo(t, f.acme, f.application(t, "rejected"), stageNamed(t, "Rejected"))
		canceled := f.walkTo(t, f.acme, f.application(t, "canceled"), stageNamed(t, "Canceled while Applying"))
		open := f.walkTo(t, f.acme, f.application(t, "open"), stageNamed(t, "Applying"))
		ids := func(conns []models.Connection, err error) []int64 {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, c := range conns {
				out = append(out, c.ID)
			}
			return out
		}
		all := []int64{open.ID, canceled.ID, rejected.ID}
		f.clock.Add(models.EndedListedFor - time.Minute)
		wantEqual(t, "list within 30 days", ids(f.s.List(ctx, f.acme, 0)), all)
		f.clock.Add(2 * time.Minute)
		wantEqual(t, "list after 30 days", ids(f.s.List(ctx, f.acme, 0)), []int64{open.ID})
		wantEqual(t, "staff list after 30 days", ids(f.s.List(ctx, f.staff, 0)), []int64{open.ID})
		wantEqual(t, "list --all", ids(f.s.ListAll(ctx, f.acme, 0)), all)
		if _, err := f.s.Find(ctx, f.acme, models.ApplicationRef(rejected.ID)); err != nil {
			t.Errorf("find an old rejected connection: %v", err)
		}
		if _, err := f.s.Detail(ctx, f.acme, canceled.ID); errors.Is(err, models.ErrNotFound) || err != nil {
			t.Errorf("detail of an old canceled connection: %v", err)
		}
	})
}
