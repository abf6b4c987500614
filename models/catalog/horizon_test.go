package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
)

func sampleCatalog(t *testing.T) *models.Catalog {
	t.Helper()
	c, err := catalog.Parse(catalog.Sample(), "sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestKnownUntil: a region's known_until is read, checked as a date, and
// makes the calendar refuse to vouch for later days.
func TestKnownUntil(t *testing.T) {
	c := sampleCatalog(t)
	if c.Regions[0].KnownUntil != "2026-12-31" {
		t.Fatalf("known_until %q", c.Regions[0].KnownUntil)
	}
	cal, err := models.NewCalendar(c.Regions[0], c.CalendarDays)
	if err != nil {
		t.Fatal(err)
	}
	if !cal.Known(models.Date{Year: 2026, Month: 12, Day: 31}) || cal.Known(models.Date{Year: 2027, Month: 1, Day: 1}) {
		t.Fatalf("Known around the horizon %s is wrong", cal.KnownUntil)
	}
	bad := strings.Replace(string(catalog.Sample()), "    known_until: 2026-12-31", "    known_until: end of 2026", 1)
	_, err = catalog.Parse([]byte(bad), "bad.yaml")
	if err == nil || !strings.Contains(err.Error(), `regions[0].known_until: "end of 2026" is not a valid date`) {
		t.Fatalf("bad known_until: %v", err)
	}
	open, err := models.NewCalendar(models.Region{ID: "r", TimeZone: "UTC"}, nil)
	if err != nil || !open.Known(models.Date{Year: 2999, Month: 1, Day: 1}) {
		t.Fatalf("a calendar without known_until refuses a date (%v)", err)
	}
}

// TestHorizonWarnings: catalog check warns under 90 days, and past the
// horizon, and when a region states none.
func TestHorizonWarnings(t *testing.T) {
	c := sampleCatalog(t)
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 4, 0, 0, 0, time.UTC) }
	if w := catalog.Warnings(c, at(2026, 9, 1)); len(w) != 0 {
		t.Fatalf("121 days ahead: %v", w)
	}
	w := catalog.Warnings(c, at(2026, 10, 10))
	if len(w) != len(c.Regions) || !strings.Contains(w[0], "region cn-hangzhou: its calendar ends on 2026-12-31, in 82 days") {
		t.Fatalf("82 days ahead: %v", w)
	}
	if w := catalog.Warnings(c, at(2027, 1, 5)); !strings.Contains(w[0], "ended on 2026-12-31 (5 days ago)") {
		t.Fatalf("past the horizon: %v", w)
	}
	c.Regions[0].KnownUntil = ""
	if w := catalog.Warnings(c, at(2026, 9, 1)); len(w) != 1 || !strings.Contains(w[0], "states no known_until") {
		t.Fatalf("no known_until: %v", w)
	}
}

// TestIsExample: the sample says on its first line that it is an example.
func TestIsExample(t *testing.T) {
	if !catalog.IsExample(catalog.Sample()) {
		t.Fatal("the sample does not say it is an example")
	}
	if catalog.IsExample([]byte("# ACME's catalog\nversion: 1\n# an example of a comment\n")) {
		t.Fatal("a catalog mentioning an example after its first line counts as one")
	}
}

// TestDiff: what an import would change, by kind.
func TestDiff(t *testing.T) {
	cur, next := sampleCatalog(t), sampleCatalog(t)
	if d := catalog.Diff(cur, next); len(d) != 0 {
		t.Fatalf("same catalog: %v", d)
	}
	next.AccessPoints[0].PortTypes[0].PriceCents += 100
	removed := next.Ports[0]
	next.Ports = next.Ports[1:]
	next.Providers = append(next.Providers, models.Provider{ID: "new-isp"})
	next.AccessPoints[1].LowWater = 5
	d := strings.Join(catalog.Diff(cur, next), "\n")
	ap, o := cur.AccessPoints[0], cur.AccessPoints[0].PortTypes[0]
	for _, want := range []string{
		"+ provider new-isp",
		"- port " + removed.DeviceID + " " + removed.Name,
		"~ offer " + ap.ID + " " + string(o.PortType) + ": " + models.FormatMoney(o.PriceCents, o.Currency),
		"~ access point " + cur.AccessPoints[1].ID + " low_water: 2 -> 5",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}
