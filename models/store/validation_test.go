package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// Sample access points the validation tests use.
const (
	valAPXiaoshan = "ap-cn-hangzhou-xs-a" // hot; CT and CU Zhejiang; 100Base-T 50-100, 1000Base-LX
	valAPYuhang   = "ap-cn-hangzhou-yh-b" // recommended; 10GBase-LR 1000-10000
	valAPBinjiang = "ap-cn-hangzhou-bj-c" // full
	valAPBaoshan  = "ap-cn-shanghai-bs-c" // disabled
	valAPJinqiao  = "ap-cn-shanghai-jq-a" // recommended, Shanghai
)

// xiaoshan is a valid application at Hangzhou-Xiaoshan-A.
func xiaoshan(name string) models.Application {
	return models.Application{Name: name, AccessPointID: valAPXiaoshan, ProviderID: "ct-zj", PortType: models.Port100BaseT,
		BandwidthMbps: 100, Location: "Cage 12, Binjiang IDC"}
}

// refusedApply applies app as actor, expects rule to be broken with its
// field and a message containing each of want, and checks that nothing
// was written.
func (f *fixture) refusedApply(t *testing.T, actor models.Actor, app models.Application, field, rule string, want ...string) {
	t.Helper()
	conns, notices := sqlCount(t, f.s, "SELECT COUNT(*) FROM connections"), sqlCount(t, f.s, "SELECT COUNT(*) FROM notices")
	audit := sqlCount(t, f.s, "SELECT COUNT(*) FROM audit_events")
	c, err := f.s.Apply(context.Background(), actor, app, "CAPPLY")
	if err == nil {
		t.Fatalf("apply %+v: accepted (connection %d), want rule %s broken", app, c.ID, rule)
	}
	var errs models.RuleErrors
	if !errors.As(err, &errs) {
		t.Fatalf("apply: %T %v, want models.RuleErrors", err, err)
	}
	e := ruleIn(t, err, rule)
	if e.Field != field {
		t.Fatalf("rule %s: field %q, want %q", rule, e.Field, field)
	}
	for _, w := range want {
		if !strings.Contains(e.Message, w) {
			t.Fatalf("rule %s: message %q lacks %q", rule, e.Message, w)
		}
	}
	if field != "" && !strings.HasPrefix(e.Error(), field+": ") {
		t.Fatalf("rule %s: error %q does not name the field", rule, e.Error())
	}
	if by := errs.ByField(); !strings.Contains(by[field], e.Message) {
		t.Fatalf("rule %s: ByField()[%q] = %q", rule, field, by[field])
	}
	wantEqual(t, "connections after a refused application", sqlCount(t, f.s, "SELECT COUNT(*) FROM connections"), conns)
	wantEqual(t, "notices after a refused application", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices"), notices)
	wantEqual(t, "audit events after a refused application", sqlCount(t, f.s, "SELECT COUNT(*) FROM audit_events"), audit)
}

// TestApplyRules checks each rule of the apply form through Store.Apply,
// with the field it names and its message, and that a refused
// application writes nothing.
func TestApplyRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		with := func(name string, mod func(a *models.Application)) models.Application {
			a := xiaoshan(name)
			mod(&a)
			return a
		}
		t.Run("name length", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				n    string
			}{{"", "0"}, {"x", "1"}, {"  y  ", "1"}, {strings.Repeat("n", 129), "129"}, {strings.Repeat("线", 129), "129"}} {
				f.refusedApply(t, f.acme, with(tc.name, func(*models.Application) {}), models.FieldName, "name-length",
					"2 to 128 characters", "(this one has "+tc.n+")")
			}
			for _, ok := range []string{"ab", strings.Repeat("n", 128), strings.Repeat("线", 128)} {
				c, err := f.s.Apply(ctx, f.acme, xiaoshan(ok), "CAPPLY")
				if err != nil {
					t.Fatalf("name of %d characters: %v", len([]rune(ok)), err)
				}
				if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancel}); err != nil {
					t.Fatal(err)
				}
			}
		})
		t.Run("location", func(t *testing.T) {
			f.refusedApply(t, f.acme, with("no location", func(a *models.Application) { a.Location = "  " }), models.FieldLocation, "location-required")
		})
		t.Run("unsupported port types", func(t *testing.T) {
			for _, in := range []string{"SDH 155M CPOS", "sdh 155m cpos", "V.35", "v.35", "V35", "G.703", " G.703 ", "G703", "CPOS"} {
				_, err := models.ParsePortType(in)
				var re *models.RuleError
				if !errors.As(err, &re) || re.Field != models.FieldPortType || re.Rule != "unsupported-interface" ||
					!strings.Contains(re.Message, strings.TrimSpace(in)+" is not supported") ||
					!strings.Contains(re.Message, "SDH 155M CPOS, V.35 or G.703") {
					t.Fatalf("ParsePortType(%q) = %v", in, err)
				}
			}
			for _, in := range []string{"10gbase-lr", "10GBase-LR", "100 Base-T"} {
				if _, err := models.ParsePortType(in); err != nil {
					t.Fatalf("ParsePortType(%q): %v", in, err)
				}
			}
			// Past the parser, the store still refuses them: no access
			// point offers them.
			for _, pt := range models.UnsupportedPortTypes {
				f.refusedApply(t, f.acme, with("legacy", func(a *models.Application) { a.PortType = models.PortType(pt) }),
					models.FieldPortType, "port-type-not-offered", pt+" is not offered at Hangzhou-Xiaoshan-A")
			}
		})
		t.Run("provider not allowed", func(t *testing.T) {
			f.refusedApply(t, f.acme, with("mobile", func(a *models.Application) { a.ProviderID = "cm-zj" }),
				models.FieldProvider, "provider-not-allowed",
				"China Mobile Zhejiang is not allowed at Hangzhou-Xiaoshan-A", "Allowed service providers: ",
				"China Telecom Zhejiang", "China Unicom Zhejiang")
			f.refusedApply(t, f.acme, with("nobody", func(a *models.Application) { a.ProviderID = "" }),
				models.FieldProvider, "provider-not-allowed", "(none) is not allowed", "China Telecom Zhejiang")
		})
		t.Run("port type not offered", func(t *testing.T) {
			f.refusedApply(t, f.acme, with("10G", func(a *models.Application) { a.PortType = models.Port10GBaseLR; a.BandwidthMbps = 5000 }),
				models.FieldPortType, "port-type-not-offered",
				"10GBase-LR is not offered at Hangzhou-Xiaoshan-A. Offered port types: 100Base-T, 1000Base-LX.")
			f.refusedApply(t, f.acme, with("none", func(a *models.Application) { a.PortType = "" }),
				models.FieldPortType, "port-type-required")
		})
		t.Run("bandwidth range", func(t *testing.T) {
			f.refusedApply(t, f.acme, with("fast", func(a *models.Application) { a.BandwidthMbps = 200 }),
				models.FieldBandwidth, "bandwidth-range", "100Base-T at Hangzhou-Xiaoshan-A carries 50 to 100 Mbps")
			// One bandwidth message at a time: the access point's range wins.
			_, err := f.s.Apply(ctx, f.acme, with("fast", func(a *models.Application) { a.BandwidthMbps = 200 }), "CAPPLY")
			if by := err.(models.RuleErrors).ByField(); strings.Count(by[models.FieldBandwidth], "Mbps") != 1 {
				t.Fatalf("bandwidth messages: %q", by[models.FieldBandwidth])
			}
			f.refusedApply(t, f.acme, with("tiny", func(a *models.Application) { a.BandwidthMbps = 10 }),
				models.FieldBandwidth, "bandwidth-range", "100Base-T at Hangzhou-Xiaoshan-A carries 50 to 100 Mbps")
			f.refusedApply(t, f.acme, with("slow 10G", func(a *models.Application) {
				a.AccessPointID, a.PortType, a.BandwidthMbps = valAPYuhang, models.Port10GBaseLR, 500
			}), models.FieldBandwidth, "bandwidth-range", "10GBase-LR at Hangzhou-Yuhang-B carries 1000 to 10000 Mbps")
			f.refusedApply(t, f.acme, with("huge 10G", func(a *models.Application) {
				a.AccessPointID, a.PortType, a.BandwidthMbps = valAPYuhang, models.Port10GBaseLR, 20000
			}), models.FieldBandwidth, "bandwidth-range", "10GBase-LR at Hangzhou-Yuhang-B carries 1000 to 10000 Mbps")
			// Without an offer to take the range from, the product's limits
			// and the port type's capacity apply.
			f.refusedApply(t, f.acme, with("huge", func(a *models.Application) { a.PortType, a.BandwidthMbps = models.Port10GBaseLR, 20000 }),
				models.FieldBandwidth, "bandwidth-limits", "from 50 to 10000 Mbps")
			f.refusedApply(t, f.acme, with("fast 100M", func(a *models.Application) { a.AccessPointID, a.BandwidthMbps = valAPYuhang, 200 }),
				models.FieldBandwidth, "bandwidth-port-capacity", "100Base-T carries at most 100 Mbps")
		})
		t.Run("access point closed or unknown", func(t *testing.T) {
			f.refusedApply(t, f.acme, with("full", func(a *models.Application) {
				a.AccessPointID, a.ProviderID, a.PortType, a.BandwidthMbps = valAPBinjiang, "ct-zj", models.Port1000BaseLX, 500
			}), models.FieldAccessPoint, "access-point-closed", "Hangzhou-Binjiang-C is full and takes no new applications")
			f.refusedApply(t, f.acme, with("disabled", func(a *models.Application) {
				a.AccessPointID, a.ProviderID, a.PortType, a.BandwidthMbps = valAPBaoshan, "ct-sh", models.Port1000BaseLX, 500
			}), models.FieldAccessPoint, "access-point-closed", "Shanghai-Baoshan-C is disabled and takes no new applications")
			f.refusedApply(t, f.acme, with("nowhere", func(a *models.Application) { a.AccessPointID = "ap-nowhere" }),
				models.FieldAccessPoint, "access-point-unknown", "Choose an access point")
		})
		t.Run("every broken rule at once", func(t *testing.T) {
			_, err := f.s.Apply(ctx, f.acme, models.Application{Name: "x", AccessPointID: valAPXiaoshan, ProviderID: "cm-zj",
				PortType: models.Port10GBaseLR, BandwidthMbps: 5}, "CAPPLY")
			for _, rule := range []string{"name-length", "location-required", "provider-not-allowed", "port-type-not-offered", "bandwidth-limits"} {
				ruleIn(t, err, rule)
			}
		})
		t.Run("only customers apply", func(t *testing.T) {
			for _, actor := range []models.Actor{f.staff, models.SystemActor(), {UserID: "UPROV", Role: models.RoleProvider, ProviderID: "ct-zj"},
				{UserID: "ULOST", Role: models.RoleCustomer}} {
				if _, err := f.s.Apply(ctx, actor, xiaoshan("staff line"), "CAPPLY"); !errors.Is(err, models.ErrNoAccount) {
					t.Fatalf("apply as %s: %v", actor.Role, err)
				}
			}
		})
	})
}

// TestApplyRedundancy checks the redundancy rules: the partner must be the
// customer's own, in the same region, hold a port already, and not be
// paired; a canceled partner frees its target again.
func TestApplyRedundancy(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000})
		f.addAPs(t, apSpec{ID: "ap-test-red", Devices: 2, Ports: 10})
		paid := func(actor models.Actor, app models.Application) *models.Connection {
			t.Helper()
			c, err := f.s.Pay(ctx, actor, f.approved(t, actor, app).ID)
			if err != nil {
				t.Fatalf("pay: %v", err)
			}
			return c
		}
		naming := func(name string, target int64) models.Application {
			a := appAt(name, "ap-test-red")
			a.RedundantID = &target
			return a
		}
		primary := paid(f.acme, appAt("primary", "ap-test-red"))

		t.Run("other account", func(t *testing.T) {
			theirs := paid(f.other, appAt("globex secret", "ap-test-red"))
			f.refusedApply(t, f.acme, naming("steal", theirs.ID), models.FieldRedundancy, "redundancy-unknown",
				"must be one of your own connections")
			_, err := f.s.Apply(ctx, f.acme, naming("steal", theirs.ID), "CAPPLY")
			if msg := err.Error(); strings.Contains(msg, *theirs.PhysicalConnectionID) || strings.Contains(msg, "globex") {
				t.Fatalf("refusal leaks the other account's connection: %q", msg)
			}
			f.refusedApply(t, f.acme, naming("ghost", 999999), models.FieldRedundancy, "redundancy-unknown",
				"must be one of your own connections")
		})
		t.Run("other region", func(t *testing.T) {
			shanghai := paid(f.acme, models.Application{Name: "shanghai", AccessPointID: valAPJinqiao, ProviderID: "ct-sh",
				PortType: models.Port1000BaseLX, BandwidthMbps: 500, Location: "Pudong"})
			f.refusedApply(t, f.acme, naming("cross-region", shanghai.ID), models.FieldRedundancy, "redundancy-region",
				*shanghai.PhysicalConnectionID+" is in region cn-shanghai", "choose one in cn-hangzhou")
		})
		t.Run("no port yet", func(t *testing.T) {
			applying, err := f.s.Apply(ctx, f.acme, appAt("applying", "ap-test-red"), "CAPPLY")
			if err != nil {
				t.Fatal(err)
			}
			f.refusedApply(t, f.acme, naming("on applying", applying.ID), models.FieldRedundancy, "redundancy-no-port",
				models.ApplicationRef(applying.ID)+" is Applying", "must already hold a port (Connecting or later)")
			approved := f.approved(t, f.acme, appAt("approved", "ap-test-red"))
			f.refusedApply(t, f.acme, naming("on approved", approved.ID), models.FieldRedundancy, "redundancy-no-port", "is Approved")
			canceled, err := f.s.Act(ctx, f.acme, approved.ID, models.ActInput{Action: models.ActionCancel})
			if err != nil {
				t.Fatal(err)
			}
			f.refusedApply(t, f.acme, naming("on canceled", canceled.ID), models.FieldRedundancy, "redundancy-no-port", "is Canceled")
		})
		t.Run("already paired", func(t *testing.T) {
			second, err := f.s.Apply(ctx, f.acme, naming("second", primary.ID), "CAPPLY")
			if err != nil {
				t.Fatalf("first partner of the primary: %v", err)
			}
			f.refusedApply(t, f.acme, naming("third", primary.ID), models.FieldRedundancy, "redundancy-paired",
				*primary.PhysicalConnectionID+" is already the redundant pair of another connection")
			// A connection that names a partner is paired too.
			second = f.get(t, second.ID)
			if _, err := f.s.Act(ctx, f.staff, second.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
				t.Fatal(err)
			}
			if second, err = f.s.Pay(ctx, f.acme, second.ID); err != nil {
				t.Fatal(err)
			}
			f.refusedApply(t, f.acme, naming("fourth", second.ID), models.FieldRedundancy, "redundancy-paired")
		})
		t.Run("canceled partner frees the target", func(t *testing.T) {
			target := paid(f.acme, appAt("target", "ap-test-red"))
			partner, err := f.s.Apply(ctx, f.acme, naming("partner", target.ID), "CAPPLY")
			if err != nil {
				t.Fatal(err)
			}
			f.refusedApply(t, f.acme, naming("rival", target.ID), models.FieldRedundancy, "redundancy-paired")
			if _, err := f.s.Act(ctx, f.acme, partner.ID, models.ActInput{Action: models.ActionCancel, Reason: "wrong port type"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.Apply(ctx, f.acme, naming("rival", target.ID), "CAPPLY"); err != nil {
				t.Fatalf("after the partner was canceled: %v", err)
			}
		})
	})
}

// TestApplyOpenLimit: at most MaxOpen connections short of Enabled per
// account (5 by default); ended ones do not count; concurrent applications
// cannot pass the limit together.
func TestApplyOpenLimit(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-limit", Devices: 2, Ports: 10})
		var open []*models.Connection
		for i := range models.DefaultMaxOpen {
			c, err := f.s.Apply(ctx, f.acme, appAt("line "+string(rune('A'+i)), "ap-test-limit"), "CAPPLY")
			if err != nil {
				t.Fatalf("application %d: %v", i+1, err)
			}
			open = append(open, c)
		}
		f.refusedApply(t, f.acme, appAt("sixth", "ap-test-limit"), "", "open-limit",
			"already has 5 connections short of Enabled (the limit is 5)", "Complete or cancel one")
		// The other account has its own limit.
		if _, err := f.s.Apply(ctx, f.other, appAt("globex line", "ap-test-limit"), "CAPPLY"); err != nil {
			t.Fatalf("other account: %v", err)
		}
		// Every status short of Enabled counts; ended and Enabled ones do not.
		pending := append(connecting[:2:2], models.ActionNotifyProvider, models.ActionSubmitSurvey, models.ActionSubmitTicket,
			models.ActionScheduleVisit, models.ActionCompleteConstruction)
		f.advance(t, f.acme, open[0], models.ActionApprove)
		f.advance(t, f.acme, open[1], connecting...)
		f.advance(t, f.acme, open[2], pending...)
		f.refusedApply(t, f.acme, appAt("sixth", "ap-test-limit"), "", "open-limit", "already has 5 connections")
		for _, end := range []struct {
			c *models.Connection
			a models.Action
		}{{open[3], models.ActionReject}, {open[4], models.ActionCancel}, {open[2], models.ActionConfirm}} {
			f.advance(t, f.acme, end.c, end.a)
			if _, err := f.s.Apply(ctx, f.acme, appAt("after "+string(end.a), "ap-test-limit"), "CAPPLY"); err != nil {
				t.Fatalf("after %s: %v", end.a, err)
			}
			f.refusedApply(t, f.acme, appAt("one too many", "ap-test-limit"), "", "open-limit", "already has 5 connections")
		}
	})
}

// TestApplyOpenLimitConfigured: Config.MaxOpen sets the limit.
func TestApplyOpenLimitConfigured(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixtureConfig(t, backend, store.Config{MaxOpen: 2})
		f.addAPs(t, apSpec{ID: "ap-test-limit", Devices: 1, Ports: 4})
		for i := range 2 {
			if _, err := f.s.Apply(context.Background(), f.acme, appAt("line", "ap-test-limit"), "CAPPLY"); err != nil {
				t.Fatalf("application %d: %v", i+1, err)
			}
		}
		f.refusedApply(t, f.acme, appAt("third", "ap-test-limit"), "", "open-limit", "already has 2 connections short of Enabled (the limit is 2)")
	})
}

// TestApplyOpenLimitConcurrent: ten applications of one account at once
// pass the limit of five exactly five times.
func TestApplyOpenLimitConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		f.addAPs(t, apSpec{ID: "ap-test-limit", Devices: 1, Ports: 4})
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = f.s.Apply(context.Background(), f.acme, appAt("racing line", "ap-test-limit"), "CAPPLY")
			})
		}
		close(start)
		wg.Wait()
		var ok int
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			default:
				ruleIn(t, err, "open-limit")
			}
		}
		wantEqual(t, "applications accepted", ok, models.DefaultMaxOpen)
		wantEqual(t, "connections", sqlCount(t, f.s, "SELECT COUNT(*) FROM connections WHERE account_id = ?", f.acme.AccountID), models.DefaultMaxOpen)
	})
}
