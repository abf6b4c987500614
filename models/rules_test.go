package models_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

func ptr[T any](v T) *T { return &v }

// hangzhou is an open access point offering 1000Base-LX and 10GBase-LR to
// China Telecom and China Unicom.
func hangzhou() *models.AccessPoint {
	return &models.AccessPoint{
		ID: "ap-cn-hangzhou-yh-b", RegionID: "cn-hangzhou", Name: "Hangzhou-Yuhang-B", Status: models.APRecommended,
		Providers: []models.AccessPointProvider{{AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj"}, {AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "cu-zj"}},
		PortTypes: []models.PortOffer{
			{PortType: models.Port1000BaseLX, MinMbps: 50, MaxMbps: 1000},
			{PortType: models.Port10GBaseLR, MinMbps: 1000, MaxMbps: 10000},
		},
	}
}

func providers() map[string]models.Provider {
	return map[string]models.Provider{
		"ct-zj": {ID: "ct-zj", Kind: models.ProviderCT, Name: "China Telecom Zhejiang"},
		"cu-zj": {ID: "cu-zj", Kind: models.ProviderCU, Name: "China Unicom Zhejiang"},
		"cm-zj": {ID: "cm-zj", Kind: models.ProviderCM, Name: "China Mobile Zhejiang"},
	}
}

func validApplication() models.Application {
	return models.Application{
		Name: "office-to-cloud", AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj",
		PortType: models.Port1000BaseLX, BandwidthMbps: 200, Location: "Floor 3, 1 Example Road, Hangzhou",
	}
}

func validContext() models.ApplyContext {
	return models.ApplyContext{AccountID: 7, AccessPoint: hangzhou(), Providers: providers(), Open: 1, MaxOpen: models.DefaultMaxOpen}
}

func TestValidApplicationPasses(t *testing.T) {
	if errs := validApplication().Validate(validContext()); len(errs) != 0 {
		t.Fatalf("valid application refused: %v", errs)
	}
	// A redundant partner of the same account in the same region with a port.
	a, c := validApplication(), validContext()
	a.RedundantID = ptr(int64(3))
	for _, st := range []models.Status{models.StatusConnecting, models.StatusPendingConfirmation, models.StatusEnabled} {
		c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: st, PhysicalConnectionID: ptr("pc-abc12345")}
		c.RedundantRegion = "cn-hangzhou"
		if errs := a.Validate(c); len(errs) != 0 {
			t.Errorf("redundant partner in %s refused: %v", st, errs)
		}
	}
}

func TestValidateRules(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(a *models.Application, c *models.ApplyContext)
		field string
		rule  string
		msg   []string // substrings of the message
	}{
		{"name of 1 character", func(a *models.Application, _ *models.ApplyContext) { a.Name = "名" },
			models.FieldName, "name-length", []string{"2 to 128 characters", "this one has 1"}},
		{"name of spaces", func(a *models.Application, _ *models.ApplyContext) { a.Name = "   " },
			models.FieldName, "name-length", []string{"this one has 0"}},
		{"name of 129 multibyte characters", func(a *models.Application, _ *models.ApplyContext) { a.Name = strings.Repeat("线", 129) },
			models.FieldName, "name-length", []string{"this one has 129"}},
		{"location missing", func(a *models.Application, _ *models.ApplyContext) { a.Location = " " },
			models.FieldLocation, "location-required", []string{"location of your local IDC"}},
		{"location too long", func(a *models.Application, _ *models.ApplyContext) { a.Location = strings.Repeat("楼", 257) },
			models.FieldLocation, "location-length", []string{"256 characters"}},
		{"unknown access point", func(_ *models.Application, c *models.ApplyContext) { c.AccessPoint = nil },
			models.FieldAccessPoint, "access-point-unknown", []string{"Choose an access point"}},
		{"access point full", func(_ *models.Application, c *models.ApplyContext) { c.AccessPoint.Status = models.APFull },
			models.FieldAccessPoint, "access-point-closed", []string{"Hangzhou-Yuhang-B is full and takes no new applications"}},
		{"access point disabled", func(_ *models.Application, c *models.ApplyContext) { c.AccessPoint.Status = models.APDisabled },
			models.FieldAccessPoint, "access-point-closed", []string{"Hangzhou-Yuhang-B is disabled and takes no new applications"}},
		{"provider not allowed", func(a *models.Application, _ *models.ApplyContext) { a.ProviderID = "cm-zj" },
			models.FieldProvider, "provider-not-allowed", []string{"China Mobile Zhejiang is not allowed at Hangzhou-Yuhang-B",
				"Allowed service providers: China Telecom Zhejiang, China Unicom Zhejiang."}},
		{"provider missing", func(a *models.Application, _ *models.ApplyContext) { a.ProviderID = "" },
			models.FieldProvider, "provider-not-allowed", []string{"(none) is not allowed"}},
		{"port type not offered", func(a *models.Application, _ *models.ApplyContext) {
			a.PortType = models.Port40GBaseLR
			a.BandwidthMbps = 5000
		},
			models.FieldPortType, "port-type-not-offered", []string{"40GBase-LR is not offered at Hangzhou-Yuhang-B", "Offered port types: 1000Base-LX, 10GBase-LR."}},
		{"port type missing", func(a *models.Application, _ *models.ApplyContext) { a.PortType = "" },
			models.FieldPortType, "port-type-required", []string{"Choose a port type"}},
		{"bandwidth below the offer", func(a *models.Application, _ *models.ApplyContext) {
			a.PortType = models.Port10GBaseLR
			a.BandwidthMbps = 500
		},
			models.FieldBandwidth, "bandwidth-range", []string{"10GBase-LR at Hangzhou-Yuhang-B carries 1000 to 10000 Mbps"}},
		{"bandwidth above the offer", func(_ *models.Application, c *models.ApplyContext) { c.AccessPoint.PortTypes[0].MaxMbps = 100 },
			models.FieldBandwidth, "bandwidth-range", []string{"1000Base-LX at Hangzhou-Yuhang-B carries 50 to 100 Mbps"}},
		{"bandwidth below 50", func(a *models.Application, _ *models.ApplyContext) { a.BandwidthMbps = 10 },
			models.FieldBandwidth, "bandwidth-range", []string{"carries 50 to 1000 Mbps"}},
		{"bandwidth below 50, port type not offered", func(a *models.Application, _ *models.ApplyContext) {
			a.PortType = models.Port100GBaseLR
			a.BandwidthMbps = 10
		},
			models.FieldBandwidth, "bandwidth-limits", []string{"from 50 to 10000 Mbps"}},
		{"bandwidth above 10000", func(a *models.Application, _ *models.ApplyContext) {
			a.PortType = models.Port10GBaseLR
			a.BandwidthMbps = 20000
		},
			models.FieldBandwidth, "bandwidth-range", []string{"carries 1000 to 10000 Mbps"}},
		{"bandwidth above the port type", func(a *models.Application, c *models.ApplyContext) {
			c.AccessPoint.PortTypes[0].MaxMbps = 10000
			a.BandwidthMbps = 2000
		}, models.FieldBandwidth, "bandwidth-port-capacity", []string{"1000Base-LX carries at most 1000 Mbps"}},
		{"redundancy of another account", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 8, Status: models.StatusConnecting}
			c.RedundantRegion = "cn-hangzhou"
		}, models.FieldRedundancy, "redundancy-unknown", []string{"must be one of your own connections"}},
		{"redundancy not found", func(a *models.Application, _ *models.ApplyContext) { a.RedundantID = ptr(int64(3)) },
			models.FieldRedundancy, "redundancy-unknown", []string{"must be one of your own connections"}},
		{"redundancy in another region", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: models.StatusEnabled, PhysicalConnectionID: ptr("pc-abc12345")}
			c.RedundantRegion = "cn-shanghai"
		}, models.FieldRedundancy, "redundancy-region", []string{"pc-abc12345 is in region cn-shanghai; choose one in cn-hangzhou"}},
		{"redundancy Applying has no port yet", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: models.StatusApplying}
			c.RedundantRegion = "cn-hangzhou"
		}, models.FieldRedundancy, "redundancy-no-port", []string{"#3 is Applying; it must already hold a port (Connecting or later)"}},
		{"redundancy Approved has no port yet", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: models.StatusApproved}
			c.RedundantRegion = "cn-hangzhou"
		}, models.FieldRedundancy, "redundancy-no-port", []string{"#3 is Approved"}},
		{"redundancy Canceled", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: models.StatusCanceled, PhysicalConnectionID: ptr("pc-abc12345")}
			c.RedundantRegion = "cn-hangzhou"
		}, models.FieldRedundancy, "redundancy-no-port", []string{"pc-abc12345 is Canceled"}},
		{"redundancy already paired", func(a *models.Application, c *models.ApplyContext) {
			a.RedundantID = ptr(int64(3))
			c.Redundant = &models.Connection{ID: 3, AccountID: 7, Status: models.StatusConnecting, PhysicalConnectionID: ptr("pc-abc12345")}
			c.RedundantRegion = "cn-hangzhou"
			c.RedundantPaired = true
		}, models.FieldRedundancy, "redundancy-paired", []string{"pc-abc12345 is already the redundant pair of another connection"}},
		{"open limit", func(_ *models.Application, c *models.ApplyContext) { c.Open = 5 },
			"", "open-limit", []string{"already has 5 connections short of Enabled (the limit is 5)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, c := validApplication(), validContext()
			tc.edit(&a, &c)
			errs := a.Validate(c)
			for _, e := range errs {
				if e.Rule != tc.rule {
					continue
				}
				if e.Field != tc.field {
					t.Errorf("rule %s names field %q, want %q", e.Rule, e.Field, tc.field)
				}
				for _, m := range tc.msg {
					if !strings.Contains(e.Message, m) {
						t.Errorf("message %q lacks %q", e.Message, m)
					}
				}
				if tc.field != "" && !strings.HasPrefix(e.Error(), tc.field+": ") {
					t.Errorf("Error() does not name the field: %q", e.Error())
				}
				return
			}
			t.Errorf("rule %s not reported; got %v", tc.rule, errs)
		})
	}
}

func TestNameLengthBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"a", false}, {"ab", true}, {"名", false}, {"名字", true},
		{strings.Repeat("a", 128), true}, {strings.Repeat("a", 129), false},
		{strings.Repeat("专", 128), true}, {strings.Repeat("专", 129), false},
		{" " + strings.Repeat("a", 128) + " ", true}, // surrounding spaces do not count
	} {
		a := validApplication()
		a.Name = tc.name
		var got bool = true
		for _, e := range a.Validate(validContext()) {
			if e.Rule == "name-length" {
				got = false
			}
		}
		if got != tc.ok {
			t.Errorf("name of %d runes: ok %v, want %v", len([]rune(tc.name)), got, tc.ok)
		}
	}
}

func TestOpenLimit(t *testing.T) {
	for _, tc := range []struct {
		open, max int
		refused   bool
	}{{4, 5, false}, {5, 5, true}, {6, 5, true}, {50, 0, false}} {
		c := validContext()
		c.Open, c.MaxOpen = tc.open, tc.max
		refused := false
		for _, e := range validApplication().Validate(c) {
			refused = refused || e.Rule == "open-limit"
		}
		if refused != tc.refused {
			t.Errorf("open %d of %d: refused %v, want %v", tc.open, tc.max, refused, tc.refused)
		}
	}
}

func TestValidateReportsEveryBrokenRule(t *testing.T) {
	a := models.Application{Name: "x", ProviderID: "cm-zj", PortType: models.Port40GBaseLR, BandwidthMbps: 20}
	c := validContext()
	c.AccessPoint.Status = models.APFull
	c.Open = 5
	var rules []string
	for _, e := range a.Validate(c) {
		rules = append(rules, e.Rule)
	}
	want := "name-length location-required access-point-closed provider-not-allowed port-type-not-offered bandwidth-limits open-limit"
	if got := strings.Join(rules, " "); got != want {
		t.Errorf("rules:\n got %s\nwant %s", got, want)
	}
	byField := a.Validate(c).ByField()
	if !strings.Contains(byField[models.FieldBandwidth], "50 to 10000") {
		t.Errorf("ByField: %v", byField)
	}
}

func TestParsePortType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want models.PortType
	}{
		{"1000Base-LX", models.Port1000BaseLX}, {"1000base-lx", models.Port1000BaseLX}, {" 10GBase-LR ", models.Port10GBaseLR},
		{"100GBase-LR", models.Port100GBaseLR}, {"40gbase-lr", models.Port40GBaseLR}, {"100Base-T", models.Port100BaseT},
		{"1000 Base-T", models.Port1000BaseT}, {"10gbase-t", models.Port10GBaseT},
	} {
		got, err := models.ParsePortType(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParsePortType(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, name string }{
		{"SDH 155M CPOS", "SDH 155M CPOS"}, {"sdh 155m cpos", "sdh 155m cpos"}, {"SDH_155M_CPOS", "SDH_155M_CPOS"},
		{"CPOS", "CPOS"}, {"V.35", "V.35"}, {"v.35", "v.35"}, {"G.703", "G.703"}, {" g.703 ", "g.703"},
	} {
		_, err := models.ParsePortType(tc.in)
		var re *models.RuleError
		if !errors.As(err, &re) {
			t.Fatalf("ParsePortType(%q): %v, want a RuleError", tc.in, err)
		}
		if re.Field != models.FieldPortType || re.Rule != "unsupported-interface" ||
			!strings.HasPrefix(re.Message, tc.name+" is not supported: physical connections do not support SDH 155M CPOS, V.35 or G.703 interfaces.") ||
			!strings.Contains(re.Message, "Choose one of 100Base-T, 1000Base-T, 1000Base-LX, 10GBase-T, 10GBase-LR, 40GBase-LR, 100GBase-LR.") {
			t.Errorf("ParsePortType(%q): %+v", tc.in, re)
		}
	}
	for _, in := range []string{"", "E1", "2.5GBase-T", "1000Base-SX"} {
		_, err := models.ParsePortType(in)
		var re *models.RuleError
		if !errors.As(err, &re) || re.Rule != "unknown-port-type" || !strings.Contains(re.Message, "is not a port type") {
			t.Errorf("ParsePortType(%q): %v", in, err)
		}
	}
}

func TestCapacityMbps(t *testing.T) {
	for p, want := range map[models.PortType]int{
		models.Port100BaseT: 100, models.Port1000BaseT: 1000, models.Port1000BaseLX: 1000, models.Port10GBaseT: 10000,
		models.Port10GBaseLR: 10000, models.Port40GBaseLR: 10000, models.Port100GBaseLR: 10000,
	} {
		if got := p.CapacityMbps(); got != want {
			t.Errorf("%s: %d, want %d", p, got, want)
		}
	}
}

func TestParseBandwidth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"200", 200}, {" 200 ", 200}, {"200 Mbps", 200}, {"200mbps", 200}, {"200M", 200}, {"200 m", 200},
		{"1 Gbps", 1000}, {"10G", 10000}, {"2gbps", 2000}, {"50", 50}, {"10000", 10000},
	} {
		got, err := models.ParseBandwidth(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "abc", "0", "-5", "1.5 Gbps", "200 kbps", "Mbps", "1e3",
		"1494186269970473681g", // 1494186269970473681 * 1000 wraps to 104 in int64
		"99999999999999999999", // does not fit an int
	} {
		n, err := models.ParseBandwidth(in)
		var re *models.RuleError
		if !errors.As(err, &re) || re.Field != models.FieldBandwidth || re.Rule != "bandwidth-number" ||
			!strings.Contains(re.Message, "whole number of Mbps from 50 to 10000") {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want a bandwidth-number error", in, n, err)
		}
	}
}

func TestNewPhysicalConnectionID(t *testing.T) {
	format := regexp.MustCompile(`^pc-[0-9a-z]+$`)
	seen := make(map[string]bool, 100_000)
	for range 100_000 {
		id := models.NewPhysicalConnectionID()
		if !format.MatchString(id) || len(id) != 3+26 {
			t.Fatalf("bad id %q", id)
		}
		if !models.IsPhysicalConnectionID(id) {
			t.Fatalf("IsPhysicalConnectionID(%q) = false", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "pc-", "pc-ABCDEFGH", "pc-abc", "xx-abcdefgh", "pc-abcdefgh-", "pc-abcdefgh\n"} {
		if models.IsPhysicalConnectionID(bad) {
			t.Errorf("IsPhysicalConnectionID(%q) = true", bad)
		}
	}
}

func TestMaskID(t *testing.T) {
	for in, want := range map[string]string{
		"110101199003071234": "**************1234",
		"E12345678":          "*****5678",
		"12345":              "*2345",
		"1234":               "****",
		"12":                 "**",
		"":                   "",
		"护照号码AB12":           "****AB12",
	} {
		if got := models.MaskID(in); got != want {
			t.Errorf("MaskID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestApplicationRef(t *testing.T) {
	if got := models.ApplicationRef(42); got != "#42" {
		t.Errorf("ApplicationRef(42) = %q", got)
	}
	c := models.Connection{ID: 42}
	if c.DisplayID() != "#42" {
		t.Errorf("DisplayID before payment: %q", c.DisplayID())
	}
	c.PhysicalConnectionID = ptr("pc-abc12345")
	if c.DisplayID() != "pc-abc12345" {
		t.Errorf("DisplayID after payment: %q", c.DisplayID())
	}
}

func TestAccessPointHelpers(t *testing.T) {
	ap := hangzhou()
	if !ap.Allows("ct-zj") || ap.Allows("cm-zj") {
		t.Error("Allows")
	}
	if o, ok := ap.Offer(models.Port10GBaseLR); !ok || o.MinMbps != 1000 {
		t.Errorf("Offer: %+v %v", o, ok)
	}
	if _, ok := ap.Offer(models.Port40GBaseLR); ok {
		t.Error("Offer of a type not offered")
	}
	ap.PortTypes = append([]models.PortOffer{{PortType: models.Port100GBaseLR}}, ap.PortTypes...)
	if got := ap.OfferedTypes(); len(got) != 3 || got[0] != models.Port1000BaseLX || got[2] != models.Port100GBaseLR {
		t.Errorf("OfferedTypes is not in PortTypes order: %v", got)
	}
}
