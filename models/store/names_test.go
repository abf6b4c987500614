package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

// TestChineseNamesPersist: the catalog's Chinese names are stored with the
// English ones and come back on every read people see names from — the
// connection's denormalised names, its detail, the catalog as stored, the
// booked visits and the visit notices — and a later import without them clears them.
func TestChineseNamesPersist(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{})
		c := f.walkTo(t, f.acme, f.application(t, "names"), stageNamed(t, "Connecting/ticket submitted"))
		d, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil || d.Ticket == nil {
			t.Fatalf("detail: %v (ticket %v)", err, d.Ticket)
		}
		if _, booked, err := f.s.BookVisit(ctx, d.Ticket.ID, f.clock.Now()); err != nil || !booked {
			t.Fatalf("book the visit: %v (booked %v)", err, booked)
		}
		if d.Region.NameZh == "" || d.Provider.NameZh == "" || d.AccessPoint.NameZh == "" || d.AccessPoint.LocationZh == "" ||
			d.AccessPoint.IDCNameZh == "" || d.AccessPoint.IDCAddressZh == "" {
			t.Fatalf("detail lacks Chinese names: region %+v provider %+v access point %+v", d.Region, d.Provider, d.AccessPoint)
		}
		dc := d.Connection
		wantEqual(t, "detail's access point name", dc.AccessPointNameZh, d.AccessPoint.NameZh)
		wantEqual(t, "detail's provider name", dc.ProviderNameZh, d.Provider.NameZh)
		wantEqual(t, "detail's region name", dc.RegionNameZh, d.Region.NameZh)
		list, err := f.s.List(ctx, f.acme, 50)
		if err != nil {
			t.Fatal(err)
		}
		var got *models.Connection
		for i := range list {
			if list[i].ID == c.ID {
				got = &list[i]
			}
		}
		if got == nil || got.AccessPointNameZh != d.AccessPoint.NameZh || got.ProviderNameZh != d.Provider.NameZh || got.RegionNameZh != d.Region.NameZh {
			t.Fatalf("listed connection lacks the Chinese names: %+v", got)
		}
		visits, err := f.s.BookedVisits(ctx, models.VisitQuery{AccessPointID: c.AccessPointID})
		if err != nil || len(visits) == 0 {
			t.Fatalf("booked visits: %v %v", visits, err)
		}
		v := visits[0]
		if v.AccessPointNameZh != d.AccessPoint.NameZh || v.IDCNameZh != d.AccessPoint.IDCNameZh || v.ProviderNameZh != d.Provider.NameZh {
			t.Fatalf("booked visit lacks the Chinese names: %+v", v)
		}
		notices, err := f.s.Notices(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		told := 0
		for _, n := range notices {
			if n.Kind != models.NoticeVisitScheduled {
				continue
			}
			var data store.VisitNoticeData
			if err := json.Unmarshal([]byte(n.Data), &data); err != nil {
				t.Fatal(err)
			}
			if data.VisitID == 0 {
				continue // the lifecycle's own notice, without the booking's data
			}
			if data.AccessPointZh != d.AccessPoint.NameZh || data.IDCNameZh != d.AccessPoint.IDCNameZh || data.IDCAddressZh != d.AccessPoint.IDCAddressZh || data.ProviderZh != d.Provider.NameZh {
				t.Errorf("visit_scheduled to %s lacks the Chinese names: %+v", n.Channel, data)
			}
			told++
		}
		if told == 0 {
			t.Error("no visit_scheduled notice")
		}
		cur, err := f.s.CurrentCatalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if w := catalog.MissingChinese(cur); len(w) != 0 {
			t.Fatalf("the stored catalog lost Chinese names:\n%s", strings.Join(w, "\n"))
		}

		// Import the sample without the provider's Chinese name.
		src := strings.Replace(string(catalog.Sample()), " name_zh: "+d.Provider.NameZh+",", "", 1)
		cat, err := catalog.Parse([]byte(src), "fewer.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		d2, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, "provider's Chinese name after an import without it", d2.Connection.ProviderNameZh, "")
		wantEqual(t, "access point's Chinese name after the import", d2.Connection.AccessPointNameZh, d.AccessPoint.NameZh)
	})
}
