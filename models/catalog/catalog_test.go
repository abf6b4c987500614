package catalog

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

func TestSampleParses(t *testing.T) {
	c, err := Parse(Sample(), "sample.yaml")
	if err != nil {
		t.Fatalf("the sample catalog does not parse:\n%v", err)
	}
	if got := len(c.Regions); got != 4 {
		t.Errorf("regions: got %d, want 4", got)
	}
	statuses := map[models.AccessPointStatus]int{}
	perRegion := map[string]int{}
	for _, ap := range c.AccessPoints {
		statuses[ap.Status]++
		perRegion[ap.RegionID]++
	}
	for _, st := range []models.AccessPointStatus{models.APRecommended, models.APHot, models.APFull, models.APDisabled} {
		if statuses[st] == 0 {
			t.Errorf("no access point is %s", st)
		}
	}
	for _, r := range c.Regions {
		if n := perRegion[r.ID]; n < 2 || n > 3 {
			t.Errorf("region %s has %d access points, want 2 or 3", r.ID, n)
		}
	}
	kinds := map[models.ProviderKind]bool{}
	for _, p := range c.Providers {
		kinds[p.Kind] = true
	}
	for _, k := range models.ProviderKinds {
		if !kinds[k] {
			t.Errorf("no provider of kind %s", k)
		}
	}
	// Every open access point has free ports of every type it offers, on two
	// devices where it has two (for redundant pairs), and a reception rota.
	free := map[string]map[models.PortType]int{}
	for _, p := range c.Ports {
		if p.State != models.PortFree && p.State != models.PortDown {
			t.Errorf("port %s/%s: state %q", p.DeviceID, p.Name, p.State)
		}
		if p.State == models.PortFree {
			if free[p.AccessPointID] == nil {
				free[p.AccessPointID] = map[models.PortType]int{}
			}
			free[p.AccessPointID][p.PortType]++
		}
	}
	reception := map[string]int{}
	for _, r := range c.Reception {
		reception[r.AccessPointID]++
	}
	for _, ap := range c.AccessPoints {
		if !ap.Status.Open() {
			continue
		}
		for _, o := range ap.PortTypes {
			if free[ap.ID][o.PortType] < 8 {
				t.Errorf("%s: only %d free %s ports", ap.ID, free[ap.ID][o.PortType], o.PortType)
			}
		}
		if reception[ap.ID] == 0 {
			t.Errorf("%s: no reception rota", ap.ID)
		}
	}
	// Double 11 lock-down at Hangzhou.
	var lock []string
	for _, d := range c.CalendarDays {
		if d.Kind == models.DayLockDown && d.AccessPointID == "ap-cn-hangzhou-yh-b" {
			if d.RegionID != "cn-hangzhou" {
				t.Errorf("lock-down day %s: region %q", d.Date, d.RegionID)
			}
			lock = append(lock, d.Date)
		}
	}
	if got := strings.Join(lock, ","); got != "2026-11-09,2026-11-10,2026-11-11,2026-11-12" {
		t.Errorf("Hangzhou-Yuhang-B lock-down days: %s", got)
	}
}

// TestSampleCalendars checks the sample's calendars against the official
// 2026 schedules through the calendar the scheduler uses.
func TestSampleCalendars(t *testing.T) {
	c, err := Parse(Sample(), "sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cals := map[string]*models.Calendar{}
	for _, r := range c.Regions {
		var days []models.CalendarDay
		for _, d := range c.CalendarDays {
			if d.RegionID == r.ID {
				days = append(days, d)
			}
		}
		cal, err := models.NewCalendar(r, days)
		if err != nil {
			t.Fatalf("region %s: %v", r.ID, err)
		}
		cals[r.ID] = cal
	}
	// Holidays and make-up days of the State Council's 2026 notice.
	cnHolidays := [][2]string{{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"}, {"2026-10-01", "2026-10-07"}}
	cnWorkdays := map[string]bool{"2026-01-04": true, "2026-02-14": true, "2026-02-28": true, "2026-05-09": true, "2026-09-20": true, "2026-10-10": true}
	holiday := map[string]bool{}
	for _, h := range cnHolidays {
		from, _ := models.ParseDate(h[0])
		to, _ := models.ParseDate(h[1])
		for d := from; !to.Before(d); d = d.AddDays(1) {
			holiday[d.String()] = true
		}
	}
	for _, region := range []string{"cn-hangzhou", "cn-shanghai", "cn-beijing"} {
		cal := cals[region]
		workdays := 0
		for d := (models.Date{Year: 2026, Month: 1, Day: 1}); d.Year == 2026; d = d.AddDays(1) {
			want := cnWorkdays[d.String()] || (!holiday[d.String()] && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday)
			if got := cal.IsWorkday(d); got != want {
				t.Errorf("%s %s (%s): workday %v, want %v", region, d, d.Weekday(), got, want)
			}
			if want {
				workdays++
			}
		}
		// 261 weekdays - 19 holidays on weekdays + 6 make-up days.
		if workdays != 248 {
			t.Errorf("%s: %d workdays in 2026, want 248", region, workdays)
		}
	}
	sg := cals["ap-southeast-1"]
	for _, d := range []string{"2026-01-01", "2026-02-17", "2026-02-18", "2026-04-03", "2026-05-01", "2026-05-27", "2026-06-01", "2026-08-10", "2026-11-09", "2026-12-25"} {
		date, _ := models.ParseDate(d)
		if sg.IsWorkday(date) {
			t.Errorf("Singapore %s should be a public holiday", d)
		}
	}
	if !sg.IsWorkday(models.Date{Year: 2026, Month: 10, Day: 1}) {
		t.Errorf("Singapore 2026-10-01 (China's National Day) should be a workday")
	}
}

func TestDeploySampleIsTheEmbeddedSample(t *testing.T) {
	deployed, err := os.ReadFile(filepath.Join("..", "..", "deploy", "catalog.sample.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(deployed, Sample()) {
		t.Fatal("deploy/catalog.sample.yaml differs from models/catalog/sample.yaml: copy one onto the other")
	}
}

func TestSampleReturnsACopy(t *testing.T) {
	a := Sample()
	a[0] = 'X'
	if Sample()[0] == 'X' {
		t.Fatal("Sample returns shared memory")
	}
}

// base is a small valid catalog the rule tests break one line at a time.
const base = `regions:
  - id: r1
    name: Region One
    time_zone: Asia/Shanghai
    weekend: [Sat, Sun]
    holidays:
      - {date: 2026-10-01, name: National Day}
    workdays:
      - {date: 2026-10-10, name: Make-up}
providers:
  - {id: p1, kind: CT, name: Provider One, slack_channel: C0123456789, contacts: NOC}
  - {id: p2, kind: equinix, name: Provider Two}
access_points:
  - id: ap1
    region: r1
    name: AP One
    location: Somewhere
    idc: {name: IDC One, address: 1 Road}
    status: recommended
    providers: [p1, p2]
    daily_visit_capacity: 2
    visit_window: "09:30-12:00"
    lockdowns:
      - {from: 2026-11-09, to: 2026-11-12, name: Double 11}
    port_types:
      - {type: 1000Base-LX, min_mbps: 50, max_mbps: 1000, price: 3000.00, currency: CNY}
      - {type: 10gbase-lr, min_mbps: 1000, price: 12000.5, currency: CNY}
    devices:
      - id: dev1
        ports:
          - "Gi1/0/1-4: 1000Base-LX"
          - {name: Te1/1/1, type: 10GBase-LR}
          - {name: Te1/1/2, type: 10GBase-LR, state: down}
    reception:
      - {name: Person, phone: "+86 1", slack_user: U0123456789, weekdays: [Mon, friday]}
      - {name: Other Person, phone: "+86 2"}
`

func TestBaseParsesIntoTheFlatCatalog(t *testing.T) {
	c, err := Parse([]byte(base), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Regions[0]; r != (models.Region{ID: "r1", Name: "Region One", TimeZone: "Asia/Shanghai", Weekend: "Sat,Sun"}) {
		t.Errorf("region: %+v", r)
	}
	wantDays := []models.CalendarDay{
		{RegionID: "r1", Date: "2026-10-01", Kind: models.DayHoliday, Name: "National Day"},
		{RegionID: "r1", Date: "2026-10-10", Kind: models.DayWorkday, Name: "Make-up"},
		{RegionID: "r1", Date: "2026-11-09", AccessPointID: "ap1", Kind: models.DayLockDown, Name: "Double 11"},
		{RegionID: "r1", Date: "2026-11-10", AccessPointID: "ap1", Kind: models.DayLockDown, Name: "Double 11"},
		{RegionID: "r1", Date: "2026-11-11", AccessPointID: "ap1", Kind: models.DayLockDown, Name: "Double 11"},
		{RegionID: "r1", Date: "2026-11-12", AccessPointID: "ap1", Kind: models.DayLockDown, Name: "Double 11"},
	}
	if len(c.CalendarDays) != len(wantDays) {
		t.Fatalf("calendar days: got %+v", c.CalendarDays)
	}
	for i := range wantDays {
		if c.CalendarDays[i] != wantDays[i] {
			t.Errorf("day %d: got %+v, want %+v", i, c.CalendarDays[i], wantDays[i])
		}
	}
	if p := c.Providers[1]; p.Kind != models.ProviderEquinix || p.Name != "Provider Two" {
		t.Errorf("provider kind is not canonical: %+v", p)
	}
	ap := c.AccessPoints[0]
	if ap.Status != models.APRecommended || ap.DailyVisitCapacity != 2 || ap.VisitWindow != "09:30-12:00" || ap.LowWater != models.DefaultLowWater ||
		ap.IDCName != "IDC One" || ap.IDCAddress != "1 Road" || ap.RegionID != "r1" || ap.Location != "Somewhere" {
		t.Errorf("access point: %+v", ap)
	}
	if len(ap.Providers) != 2 || ap.Providers[1] != (models.AccessPointProvider{AccessPointID: "ap1", ProviderID: "p2"}) {
		t.Errorf("providers: %+v", ap.Providers)
	}
	wantOffers := []models.PortOffer{
		{AccessPointID: "ap1", PortType: models.Port1000BaseLX, MinMbps: 50, MaxMbps: 1000, PriceCents: 300000, Currency: "CNY"},
		{AccessPointID: "ap1", PortType: models.Port10GBaseLR, MinMbps: 1000, MaxMbps: 10000, PriceCents: 1200050, Currency: "CNY"},
	}
	for i, o := range wantOffers {
		if ap.PortTypes[i] != o {
			t.Errorf("offer %d: got %+v, want %+v", i, ap.PortTypes[i], o)
		}
	}
	if d := c.Devices[0]; d != (models.Device{ID: "dev1", AccessPointID: "ap1", Name: "dev1"}) {
		t.Errorf("device: %+v", d)
	}
	var ports []string
	for _, p := range c.Ports {
		if p.AccessPointID != "ap1" || p.DeviceID != "dev1" || p.ID != 0 {
			t.Errorf("port: %+v", p)
		}
		ports = append(ports, p.Name+"="+string(p.PortType)+"/"+string(p.State))
	}
	want := "Gi1/0/1=1000Base-LX/free Gi1/0/2=1000Base-LX/free Gi1/0/3=1000Base-LX/free Gi1/0/4=1000Base-LX/free " +
		"Te1/1/1=10GBase-LR/free Te1/1/2=10GBase-LR/down"
	if got := strings.Join(ports, " "); got != want {
		t.Errorf("ports:\n got %s\nwant %s", got, want)
	}
	wantRec := []models.ReceptionPerson{
		{AccessPointID: "ap1", Name: "Person", Phone: "+86 1", SlackUserID: "U0123456789", Weekdays: "Mon,Fri"},
		{AccessPointID: "ap1", Name: "Other Person", Phone: "+86 2"},
	}
	for i, r := range wantRec {
		if c.Reception[i] != r {
			t.Errorf("reception %d: got %+v, want %+v", i, c.Reception[i], r)
		}
	}
}

// broken has many problems, each on a known line.
const broken = `regions:
  - id: r1
    name: Region One
    time_zone: Mars/Olympus
    weekend: [Sat, Sun]
providers:
  - {id: p1, kind: CT, name: Provider One}
  - {id: p2, kind: Verizon, name: Provider Two}
access_points:
  - id: ap1
    region: r1
    name: AP One
    location: Somewhere
    idc: {name: IDC One, address: 1 Road}
    status: recommended
    providers: [p1, p9]
    daily_visit_capacity: 0
    visit_window: "12:00-09:00"
    port_types:
      - {type: 1000Base-LX, price: 3000.00, currency: CNY}
      - {type: SDH 155M CPOS, price: 1.00, currency: CNY}
      - {type: 10GBase-LR, min_mbps: 20, price: 1.234, currency: CNY}
    devices:
      - id: dev1
        ports: ["Gi1/0/1-4: 1000Base-LX", "Gi1/0/4: 1000Base-LX", "Hu1/0/1: 100GBase-LR"]
    reception:
      - {name: Person, phone: "1", weekdays: [Mon, Fry]}
    colour: blue
`

func TestBrokenFileReportsEveryErrorWithItsLine(t *testing.T) {
	_, err := Parse([]byte(broken), "broken.yaml")
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want Errors, got %T %v", err, err)
	}
	want := []string{
		"4 regions[0].time_zone",
		"8 providers[1].kind",
		"16 access_points[0].providers[1]",
		"17 access_points[0].daily_visit_capacity",
		"18 access_points[0].visit_window",
		"21 access_points[0].port_types[1].type",
		"22 access_points[0].port_types[2].min_mbps",
		"22 access_points[0].port_types[2].price",
		"22 access_points[0].port_types[2].type",
		"25 access_points[0].devices[0].ports[1]",
		"25 access_points[0].devices[0].ports[2]",
		"27 access_points[0].reception[0].weekdays[1]",
		"28 access_points[0].colour",
	}
	var got []string
	for _, e := range errs {
		if e.File != "broken.yaml" {
			t.Errorf("file %q", e.File)
		}
		got = append(got, strings.Join([]string{strconv.Itoa(e.Line), e.Path}, " "))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\n\ngot positions:\n%s\n\nwant:\n%s", err, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	msg := err.Error()
	for _, s := range []string{
		`broken.yaml:21: access_points[0].port_types[1].type: SDH 155M CPOS is not supported`,
		`broken.yaml:28: access_points[0].colour: unknown key "colour"`,
		`broken.yaml:8: providers[1].kind: "Verizon" is not a provider kind; use one of CT, CU, CM, CO, Equinix, Other`,
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("the report lacks %q:\n%s", s, msg)
		}
	}
}

// TestRules breaks base in one place per rule and checks the report: its
// path, its line (where the needle is) and its message.
func TestRules(t *testing.T) {
	cases := []struct {
		name, old, new string
		path, msg      string
		needle         string // text on the line the error must point at; new when empty
	}{
		{name: "unknown key", old: "    name: Region One", new: "    nmae: Region One",
			path: "regions[0].nmae", msg: `unknown key "nmae" (did you mean "name"?)`},
		{name: "unknown top-level key", old: "providers:\n", new: "provider:\n  - {id: x}\nproviders:\n",
			path: "provider", msg: `unknown key "provider" (did you mean "providers"?)`, needle: "provider:"},
		{name: "duplicate key", old: "    name: Region One\n", new: "    name: Region One\n    name: Region Two\n",
			path: "regions[0].name", msg: `duplicate key "name" (first at line 3)`, needle: "Region Two"},
		{name: "merge key", old: "    name: Region One\n", new: "    name: Region One\n    <<: {x: 1}\n",
			path: "regions[0].<<", msg: "merge keys (<<) are not supported", needle: "<<"},
		{name: "empty id", old: "  - id: dev1", new: `  - id: ""`,
			path: "access_points[0].devices[0].id", msg: "required, and empty"},
		{name: "missing id", old: "{id: p2, kind: equinix", new: "{kind: equinix",
			path: "providers[1].id", msg: "required, and missing"},
		{name: "bad id", old: "  - id: dev1", new: "  - id: Dev 1",
			path: "access_points[0].devices[0].id", msg: `"Dev 1" is not a valid id`},
		{name: "duplicate id", old: "{id: p2, kind", new: "{id: p1, kind",
			path: "providers[1].id", msg: `duplicate provider id "p1" (first at line 11)`, needle: "Provider Two"},
		{name: "time zone", old: "Asia/Shanghai", new: "Asia/Shanghia",
			path: "regions[0].time_zone", msg: `"Asia/Shanghia" is not a time zone`},
		{name: "time zone Local", old: "Asia/Shanghai", new: "Local",
			path: "regions[0].time_zone", msg: "Local depends on the server", needle: "time_zone: Local"},
		{name: "weekend day", old: "[Sat, Sun]", new: "[Sat, Sunday, Funday]",
			path: "regions[0].weekend[2]", msg: `"Funday" is not a day of the week`},
		{name: "weekend prefix is not a day", old: "[Sat, Sun]", new: "[Sat, Sunny]",
			path: "regions[0].weekend[1]", msg: `"Sunny" is not a day of the week`},
		{name: "weekend twice", old: "[Sat, Sun]", new: "[Sat, saturday]",
			path: "regions[0].weekend[1]", msg: "Saturday is listed twice"},
		{name: "weekend empty", old: "[Sat, Sun]", new: "[]",
			path: "regions[0].weekend", msg: "list at least one day", needle: "weekend: []"},
		{name: "weekend every day", old: "[Sat, Sun]", new: "[Mon, Tue, Wed, Thu, Fri, Sat, Sun]",
			path: "regions[0].weekend", msg: "a region needs workdays"},
		{name: "invalid date", old: "{date: 2026-10-01", new: "{date: 2026-02-30",
			path: "regions[0].holidays[0].date", msg: `"2026-02-30" is not a valid date (want YYYY-MM-DD`},
		{name: "date and range", old: "{date: 2026-10-01,", new: "{date: 2026-10-01, to: 2026-10-02,",
			path: "regions[0].holidays[0]", msg: "give either date, or from and to, not both"},
		{name: "no date", old: "{date: 2026-10-01, name", new: "{name",
			path: "regions[0].holidays[0]", msg: "give date, or from and to"},
		{name: "from after to", old: "{from: 2026-11-09, to: 2026-11-12", new: "{from: 2026-11-12, to: 2026-11-09",
			path: "access_points[0].lockdowns[0].to", msg: "2026-11-09 is before from 2026-11-12"},
		{name: "range too long", old: "to: 2026-11-12", new: "to: 2028-11-12",
			path: "access_points[0].lockdowns[0].to", msg: "at most 366 are allowed"},
		{name: "holiday and workday on one date", old: "{date: 2026-10-10, name: Make-up}", new: "{date: 2026-10-01, name: Make-up}",
			path: "regions[0].workdays[0]", msg: "2026-10-01 is already listed at line 7"},
		{name: "make-up workday on a weekday", old: "{date: 2026-10-10, name: Make-up}", new: "{date: 2026-10-09, name: Make-up}",
			path: "regions[0].workdays[0]", msg: "2026-10-09 is a Friday, already a workday"},
		{name: "holiday name", old: "{date: 2026-10-01, name: National Day}", new: "{date: 2026-10-01}",
			path: "regions[0].holidays[0].name", msg: "required, and missing"},
		{name: "provider kind", old: "kind: CT", new: "kind: CN",
			path: "providers[0].kind", msg: `"CN" is not a provider kind; use one of CT, CU, CM, CO, Equinix, Other`},
		{name: "slack channel", old: "C0123456789", new: "general",
			path: "providers[0].slack_channel", msg: `"general" is not a Slack channel ID`},
		{name: "access point region", old: "    region: r1", new: "    region: r2",
			path: "access_points[0].region", msg: `no region has the id "r2" (regions: r1)`},
		{name: "region without access point", old: "    region: r1", new: "    region: r2",
			path: "regions", msg: "region r1 has no access point", needle: "- id: r1"},
		{name: "access point provider", old: "[p1, p2]", new: "[p1, p3]",
			path: "access_points[0].providers[1]", msg: `no provider has the id "p3" (providers: p1, p2)`},
		{name: "access point provider twice", old: "[p1, p2]", new: "[p1, p2, p1]",
			path: "access_points[0].providers[2]", msg: "provider p1 is already listed"},
		{name: "no providers", old: "[p1, p2]", new: "[]",
			path: "access_points[0].providers", msg: "list at least one allowed service provider id"},
		{name: "status", old: "status: recommended", new: "status: open",
			path: "access_points[0].status", msg: `"open" is not an access point status; use recommended, hot, full or disabled`},
		{name: "idc missing", old: "    idc: {name: IDC One, address: 1 Road}\n", new: "",
			path: "access_points[0].idc", msg: "required, and missing", needle: "- id: ap1"},
		{name: "unsupported port type SDH", old: "{type: 1000Base-LX,", new: "{type: SDH 155M CPOS,",
			path: "access_points[0].port_types[0].type", msg: "SDH 155M CPOS is not supported: physical connections do not support SDH 155M CPOS, V.35 or G.703"},
		{name: "unsupported port type V.35", old: "{type: 1000Base-LX,", new: "{type: V.35,",
			path: "access_points[0].port_types[0].type", msg: "V.35 is not supported"},
		{name: "unsupported port type G.703", old: "{type: 1000Base-LX,", new: `{type: "G.703",`,
			path: "access_points[0].port_types[0].type", msg: "G.703 is not supported"},
		{name: "unknown port type", old: "{type: 1000Base-LX,", new: "{type: 2.5GBase-T,",
			path: "access_points[0].port_types[0].type", msg: `"2.5GBase-T" is not a port type. Choose one of 100Base-T`},
		{name: "port type twice", old: "{type: 10gbase-lr,", new: "{type: 1000Base-LX,",
			path: "access_points[0].port_types[1].type", msg: "1000Base-LX is already offered at line 26", needle: "price: 12000.5"},
		{name: "40G only where listed", old: "{name: Te1/1/1, type: 10GBase-LR}", new: "{name: Fo1/2/1, type: 40GBase-LR}",
			path: "access_points[0].devices[0].ports[1]", msg: "40GBase-LR is not offered at ap1 (its port_types: 1000Base-LX, 10GBase-LR)"},
		{name: "offered type without a free port", old: "{name: Te1/1/1, type: 10GBase-LR}", new: "{name: Gi1/0/9, type: 1000Base-LX}",
			path: "access_points[0].port_types[1].type", msg: "no device there has a 10GBase-LR port", needle: "{type: 10gbase-lr"},
		{name: "min below 50", old: "min_mbps: 50,", new: "min_mbps: 20,",
			path: "access_points[0].port_types[0].min_mbps", msg: "20 is out of range: 1000Base-LX carries 50 to 1000 Mbps"},
		{name: "max above the port capacity", old: "max_mbps: 1000,", new: "max_mbps: 2000,",
			path: "access_points[0].port_types[0].max_mbps", msg: "2000 is out of range: 1000Base-LX carries 50 to 1000 Mbps"},
		{name: "max above 10000", old: "min_mbps: 1000, price", new: "min_mbps: 1000, max_mbps: 40000, price",
			path: "access_points[0].port_types[1].max_mbps", msg: "40000 is out of range: 10GBase-LR carries 50 to 10000 Mbps"},
		{name: "min above max", old: "min_mbps: 50, max_mbps: 1000,", new: "min_mbps: 800, max_mbps: 500,",
			path: "access_points[0].port_types[0].max_mbps", msg: "500 is less than min_mbps 800"},
		{name: "bandwidth not a number", old: "min_mbps: 50,", new: "min_mbps: 50M,",
			path: "access_points[0].port_types[0].min_mbps", msg: `"50M" is not a whole number`},
		{name: "negative price", old: "price: 3000.00", new: "price: -1",
			path: "access_points[0].port_types[0].price", msg: "-1 is negative: a price is 0 or more"},
		{name: "price with 3 decimals", old: "price: 3000.00", new: "price: 3000.001",
			path: "access_points[0].port_types[0].price", msg: "3000.001 has 3 decimals: a price has at most 2"},
		{name: "price not a number", old: "price: 3000.00", new: `price: "3,000"`,
			path: "access_points[0].port_types[0].price", msg: `"3,000" is not a price`},
		{name: "price missing", old: "price: 3000.00, ", new: "",
			path: "access_points[0].port_types[0].price", msg: "required, and missing", needle: "{type: 1000Base-LX"},
		{name: "currency", old: "price: 3000.00, currency: CNY", new: "price: 3000.00, currency: yuan",
			path: "access_points[0].port_types[0].currency", msg: `"yuan" is not a currency code`},
		{name: "no port types", old: "    port_types:\n", new: "    port_types: []\n    x_port_types:\n",
			path: "access_points[0].port_types", msg: "list at least one port type offered", needle: "port_types: []"},
		{name: "port name twice", old: `          - "Gi1/0/1-4: 1000Base-LX"` + "\n", new: `          - "Gi1/0/1-4: 1000Base-LX"` + "\n" + `          - "Gi1/0/4: 1000Base-LX"` + "\n",
			path: "access_points[0].devices[0].ports[1]", msg: "port Gi1/0/4 is already listed on device dev1 at line 31", needle: `"Gi1/0/4: 1000Base-LX"`},
		{name: "port range downwards", old: "Gi1/0/1-4:", new: "Gi1/0/4-1:",
			path: "access_points[0].devices[0].ports[0]", msg: "the range 4-1 must go up"},
		{name: "port range too long", old: "Gi1/0/1-4:", new: "Gi1/0/1-5000:",
			path: "access_points[0].devices[0].ports[0]", msg: "the range has 5000 ports; at most 1024"},
		{name: "port without a type", old: `"Gi1/0/1-4: 1000Base-LX"`, new: `"Gi1/0/1-4"`,
			path: "access_points[0].devices[0].ports[0]", msg: `want "NAME: TYPE"`},
		{name: "port unquoted", old: `- "Gi1/0/1-4: 1000Base-LX"`, new: `- Gi1/0/1-4: 1000Base-LX`,
			path: "access_points[0].devices[0].ports[0]", msg: `quote it: "Gi1/0/1-4: 1000Base-LX"`},
		{name: "port of an unsupported type", old: `"Gi1/0/1-4: 1000Base-LX"`, new: `"Se1/0/1-4: V.35"`,
			path: "access_points[0].devices[0].ports[0]", msg: "V.35 is not supported"},
		{name: "port state", old: "state: down", new: "state: allocated",
			path: "access_points[0].devices[0].ports[2].state", msg: `"allocated" is not a port state here: use free (the default) or down`},
		{name: "port key typo", old: "{name: Te1/1/2, type: 10GBase-LR, state: down}", new: "{name: Te1/1/2, type: 10GBase-LR, sate: down}",
			path: "access_points[0].devices[0].ports[2].sate", msg: `unknown key "sate" (did you mean "state"?)`},
		{name: "device id twice", old: "    reception:\n", new: "      - {id: dev1, ports: [\"X1: 1000Base-LX\"]}\n    reception:\n",
			path: "access_points[0].devices[1].id", msg: `duplicate device id "dev1" (first at line 29)`, needle: "{id: dev1, ports"},
		{name: "capacity", old: "daily_visit_capacity: 2", new: "daily_visit_capacity: 0",
			path: "access_points[0].daily_visit_capacity", msg: "0 is too small: the IDC must receive at least 1 visit a day"},
		{name: "low water negative", old: "    daily_visit_capacity: 2\n", new: "    daily_visit_capacity: 2\n    low_water: -1\n",
			path: "access_points[0].low_water", msg: "-1 is out of range: staff are alerted when the free ports of a type fall to this number, 0 to 1024", needle: "low_water: -1"},
		{name: "low water not a number", old: "    daily_visit_capacity: 2\n", new: "    daily_visit_capacity: 2\n    low_water: few\n",
			path: "access_points[0].low_water", msg: `"few" is not a whole number`, needle: "low_water: few"},
		{name: "capacity missing", old: "    daily_visit_capacity: 2\n", new: "",
			path: "access_points[0].daily_visit_capacity", msg: "required, and missing", needle: "- id: ap1"},
		{name: "visit window backwards", old: `"09:30-12:00"`, new: `"12:00-09:30"`,
			path: "access_points[0].visit_window", msg: `"12:00-09:30" is not a visit window: want HH:MM-HH:MM with the start before the end`},
		{name: "visit window hour", old: `"09:30-12:00"`, new: `"09:30-24:30"`,
			path: "access_points[0].visit_window", msg: "is not a visit window"},
		{name: "visit window shape", old: `"09:30-12:00"`, new: `"9:30 to 12"`,
			path: "access_points[0].visit_window", msg: "is not a visit window"},
		{name: "reception weekday", old: "[Mon, friday]", new: "[Mon, Fry]",
			path: "access_points[0].reception[0].weekdays[1]", msg: `"Fry" is not a day of the week`},
		{name: "reception slack user", old: "slack_user: U0123456789", new: "slack_user: bob",
			path: "access_points[0].reception[0].slack_user", msg: `"bob" is not a Slack user ID`},
		{name: "reception phone", old: `{name: Other Person, phone: "+86 2"}`, new: `{name: Other Person}`,
			path: "access_points[0].reception[1].phone", msg: "required, and missing"},
		{name: "open access point without reception", old: "    reception:\n      - {name: Person, phone: \"+86 1\", slack_user: U0123456789, weekdays: [Mon, friday]}\n      - {name: Other Person, phone: \"+86 2\"}\n", new: "",
			path: "access_points[0].reception", msg: "needs at least one reception person", needle: "- id: ap1"},
		{name: "version", old: "regions:\n", new: "version: 2\nregions:\n",
			path: "version", msg: "version 2 is not supported", needle: "version: 2"},
		{name: "a list where a mapping belongs", old: "    idc: {name: IDC One, address: 1 Road}", new: "    idc: [IDC One, 1 Road]",
			path: "access_points[0].idc", msg: "want a mapping with keys name, address, name_zh, address_zh; got a list"},
		{name: "a value where a list belongs", old: "[p1, p2]", new: "p1",
			path: "access_points[0].providers", msg: `want a list; got "p1"`, needle: "providers: p1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("base has no %q", tc.old)
			}
			text := strings.Replace(base, tc.old, tc.new, 1)
			needle := tc.needle
			if needle == "" {
				needle = strings.TrimSpace(strings.SplitN(tc.new, "\n", 2)[0])
			}
			line := lineOf(text, needle)
			if line == 0 {
				t.Fatalf("needle %q not in the text", needle)
			}
			_, err := Parse([]byte(text), "c.yaml")
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			for _, e := range errs {
				if e.Path == tc.path && strings.Contains(e.Message, tc.msg) {
					if e.Line != line {
						t.Errorf("line %d, want %d: %v", e.Line, line, e)
					}
					return
				}
			}
			t.Errorf("no error %s: ...%s...; got:\n%v", tc.path, tc.msg, err)
		})
	}
}

// lineOf returns the 1-based line of the first occurrence of needle.
func lineOf(text, needle string) int {
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	return 0
}

func TestFileLevelProblems(t *testing.T) {
	cases := []struct{ name, text, msg string }{
		{"empty", "", "the catalog is empty"},
		{"only a comment", "# nothing\n", "the catalog is empty"},
		{"null", "~\n", "the catalog is empty"},
		{"a list", "- a\n- b\n", "want a mapping with keys version, regions, providers, access_points"},
		{"empty lists", "regions: []\nproviders: []\naccess_points: []\n", "list at least one region"},
		{"syntax", "regions:\n  - id: r1\n   name: x\n  bad: [\n", "YAML syntax"},
		{"tab", "regions:\n\t- id: r1\n", "YAML syntax"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.text), "c.yaml")
			if c != nil || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, %v; want an error with %q", c, err, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "c.yaml") {
				t.Errorf("the message does not start with the file name: %v", err)
			}
		})
	}
}

func TestSyntaxErrorHasItsLine(t *testing.T) {
	_, err := Parse([]byte("regions:\n  - id: r1\n    name: [x\nproviders: []\n"), "c.yaml")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) == 0 || errs[0].Line == 0 {
		t.Fatalf("want a located syntax error, got %#v", err)
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	// How long refusing takes is BenchmarkParseAliasBomb's; a bomb that
	// expanded would not finish within go test's -timeout.
	if _, err := Parse(aliasBomb(), "bomb.yaml"); err == nil {
		t.Fatal("an alias bomb parsed")
	}
}

func TestAliasesAreFollowed(t *testing.T) {
	text := strings.Replace(base, "    holidays:\n", "    holidays: &h\n", 1)
	text = strings.Replace(text, "providers:\n", "  - {id: r2, name: Two, time_zone: UTC, holidays: *h}\nproviders:\n", 1)
	text += "  - {id: ap2, region: r2, name: AP Two, location: X, idc: {name: I, address: A}, status: disabled, providers: [p1], daily_visit_capacity: 1, port_types: [{type: 100Base-T, price: 1, currency: USD}]}\n"
	c, err := Parse([]byte(text), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var r2 []string
	for _, d := range c.CalendarDays {
		if d.RegionID == "r2" {
			r2 = append(r2, d.Date+" "+string(d.Kind))
		}
	}
	if strings.Join(r2, ",") != "2026-10-01 holiday" {
		t.Errorf("r2 days: %v", r2)
	}
	if c.AccessPoints[1].VisitWindow != defaultVisitWindow || c.AccessPoints[1].PortTypes[0].MaxMbps != 100 || c.AccessPoints[1].PortTypes[0].PriceCents != 100 {
		t.Errorf("defaults: %+v", c.AccessPoints[1])
	}
}

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in    string
		cents int64
		bad   string
	}{
		{"0", 0, ""}, {"3000", 300000, ""}, {"3000.5", 300050, ""}, {"3000.05", 300005, ""}, {"0.10", 10, ""},
		{"19.99", 1999, ""}, {"4.35", 435, ""}, // 4.35 is 434.99999... in float64
		{"999999999999999.99", 99999999999999999, ""},
		{"-0.01", 0, "negative"}, {"1.234", 0, "3 decimals"}, {"1e3", 0, "not a price"}, {".5", 0, "not a price"},
		{"1,000", 0, "not a price"}, {"NaN", 0, "not a price"}, {"1.", 0, "not a price"}, {"1000000000000000", 0, "not a price"},
	}
	for _, tc := range cases {
		cents, msg := parsePrice(tc.in)
		if tc.bad == "" && (msg != "" || cents != tc.cents) {
			t.Errorf("parsePrice(%q) = %d, %q; want %d", tc.in, cents, msg, tc.cents)
		}
		if tc.bad != "" && !strings.Contains(msg, tc.bad) {
			t.Errorf("parsePrice(%q) = %q; want a message with %q", tc.in, msg, tc.bad)
		}
	}
}

func TestExpand(t *testing.T) {
	cases := []struct{ in, want string }{
		{"GigabitEthernet1/0/1-3", "GigabitEthernet1/0/1 GigabitEthernet1/0/2 GigabitEthernet1/0/3"},
		{"Eth1/08-10", "Eth1/08 Eth1/09 Eth1/10"},
		{"ge-0/0/0-1", "ge-0/0/0 ge-0/0/1"},
		{"TenGigE1/1/1", "TenGigE1/1/1"},
		{"port-a", "port-a"},
		{"Eth7-7", "Eth7"},
	}
	for _, tc := range cases {
		got, msg := expand(tc.in)
		if msg != "" || strings.Join(got, " ") != tc.want {
			t.Errorf("expand(%q) = %v %q; want %s", tc.in, got, msg, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(good, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(good); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.HasPrefix(err.Error(), bad+":4: regions[0].time_zone") {
		t.Errorf("Load(bad): %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "load catalog") {
		t.Errorf("Load(missing): %v", err)
	}
}

func TestErrorFormat(t *testing.T) {
	e := Error{File: "c.yaml", Line: 42, Path: "access_points[3].port_types[1].type", Message: "bad"}
	if got := e.Error(); got != "c.yaml:42: access_points[3].port_types[1].type: bad" {
		t.Errorf("got %q", got)
	}
	if got := (Error{File: "c.yaml", Message: "empty"}).Error(); got != "c.yaml: empty" {
		t.Errorf("got %q", got)
	}
	if got := (Errors{e, e}).Error(); strings.Count(got, "\n") != 1 {
		t.Errorf("got %q", got)
	}
}

// TestFormatExampleParses keeps the example of FORMAT.md honest.
func TestFormatExampleParses(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "### Example\n\n```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("FORMAT.md has no example")
	}
	if _, err := Parse([]byte(example), "FORMAT.md example"); err != nil {
		t.Fatal(err)
	}
}
