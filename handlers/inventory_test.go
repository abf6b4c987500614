package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// tinyAP is an access point in Hangzhou with one device of n 1000Base-T
// ports and a low-water mark of 1.
func tinyAP(n int) *models.Catalog {
	const id, dev = "ap-cn-hangzhou-tiny", "hz-tiny-asw-01"
	cat := &models.Catalog{
		AccessPoints: []models.AccessPoint{{
			ID: id, RegionID: "cn-hangzhou", Name: "Hangzhou-Tiny", Location: "Tiny district", IDCName: "Tiny IDC", IDCAddress: "1 Tiny Road",
			Status: models.APRecommended, DailyVisitCapacity: 2, VisitWindow: "09:30-12:00", LowWater: 1,
			Providers: []models.AccessPointProvider{{ProviderID: "ct-zj"}},
			PortTypes: []models.PortOffer{{PortType: models.Port1000BaseT, MinMbps: 50, MaxMbps: 1000, PriceCents: 2500_00, Currency: "CNY"}},
		}},
		Devices:   []models.Device{{ID: dev, AccessPointID: id, Name: dev}},
		Reception: []models.ReceptionPerson{{AccessPointID: id, Name: "Tiny Reception", Phone: "+86 138 0000 7777"}},
	}
	for i := range n {
		cat.Ports = append(cat.Ports, models.Port{DeviceID: dev, Name: fmt.Sprintf("Gi1/0/%d", i+1), AccessPointID: id, PortType: models.Port1000BaseT, State: models.PortFree})
	}
	return cat
}

// payThroughSlack approves c (store) and pays it with the Pay for
// Connection button of the approved notice and the pay form.
func payThroughSlack(e *env, k *courier, c *models.Connection) {
	e.t.Helper()
	_, err := e.store.Act(context.Background(), jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
	jStep(e, "approve", err)
	k.deliver()
	e.pressOn(customerUser, k.one(c.ID, models.NoticeApproved, customerChan), "Pay for Connection")
	jAckView(e.t, e.jSubmitView(customerUser, e.jOpened(), nil))
	if got := jConn(e, c.ID).Connection.Status; got != models.StatusConnecting {
		e.t.Fatalf("after paying: %s", got)
	}
}

// `/leaseline ports [access-point]` (staff only) and the staff App Home
// show, per access point and port type, total, in use, free and free per
// device; a payment moves a port from free to in use.
func TestPortsCommandAndStaffHome(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		k := newCourier(e)
		e.command(staffUser, staffChannel, "ports Hangzhou-Yuhang-B")
		got := e.lastResponse()
		for _, want := range []string{
			"Hangzhou-Yuhang-B", "`1000Base-T` total 48 · in use 0 · *free 48*", "`1000Base-LX` total 48 · in use 0 · *free 47* · down 1",
			"free per device: hz-yh-b-asw-01 24, hz-yh-b-asw-02 24", "free per device: hz-yh-b-asw-01 24, hz-yh-b-asw-02 23",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("ports Hangzhou-Yuhang-B lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Xiaoshan") {
			t.Errorf("ports of one access point shows others:\n%s", got)
		}

		payThroughSlack(e, k, jApply(e, "Yuhang line", "Room 1"))
		e.command(staffUser, staffChannel, "ports ap-cn-hangzhou-yh-b")
		if got := e.lastResponse(); !strings.Contains(got, "`1000Base-T` total 48 · in use 1 · *free 47*") {
			t.Errorf("after a payment:\n%s", got)
		}
		e.command(staffUser, staffChannel, "ports")
		if got := e.lastResponse(); !strings.Contains(got, "Hangzhou-Xiaoshan-A") || !strings.Contains(got, "Singapore") && !strings.Contains(got, "Jurong") {
			t.Errorf("ports of every access point:\n%s", got)
		}
		home := viewText(e.openHome(staffUser))
		for _, want := range []string{"*Ports*", "Hangzhou-Yuhang-B", "`1000Base-T` total 48 · in use 1 · *free 47*", "Hangzhou-Xiaoshan-A"} {
			if !strings.Contains(home, want) {
				t.Errorf("staff home lacks %q:\n%s", want, home)
			}
		}
		assertLimits(t, "staff home", blocksJSON(e.openHome(staffUser)), 100)

		e.command(staffUser, staffChannel, "ports nowhere")
		if got := e.lastResponse(); !strings.Contains(got, "is not an access point") {
			t.Errorf("unknown access point:\n%s", got)
		}
		e.command(customerUser, customerChan, "ports")
		if got := e.lastResponse(); strings.Contains(got, "total") || !strings.Contains(strings.ToLower(got), "staff") {
			t.Errorf("a customer ran ports:\n%s", got)
		}
		if home := viewText(e.openHome(customerUser)); strings.Contains(home, "*Ports*") {
			t.Errorf("customer home shows the ports:\n%s", home)
		}
	})
}

// When the free ports of a type fall to the access point's low-water mark
// staff get one alert in the staff channel; further payments do not repeat
// it. When no port is left the access point shows full in access-points
// and the apply form, and reopens when a port is added.
func TestLowPortsAlertAndFullThroughSlack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.store.ImportCatalog(ctx, tinyAP(3)); err != nil {
			t.Fatal(err)
		}
		k := newCourier(e)
		tiny := func(name string) *models.Connection {
			app := goodApplication(name)
			app.AccessPointID = "ap-cn-hangzhou-tiny"
			return e.applyDirect(jCustomer(e), app)
		}
		lowAlerts := func() []posted {
			k.deliver()
			var out []posted
			for _, p := range k.sent {
				if p.notice.Kind == models.NoticeLowPorts {
					out = append(out, p)
				}
			}
			return out
		}
		payThroughSlack(e, k, tiny("first"))
		if n := len(lowAlerts()); n != 0 {
			t.Fatalf("%d low-ports alerts with 2 free", n)
		}
		payThroughSlack(e, k, tiny("second"))
		alerts := lowAlerts()
		if len(alerts) != 1 || alerts[0].channel != staffChannel {
			t.Fatalf("%d low-ports alerts with 1 free, want 1 to the staff channel", len(alerts))
		}
		text := blocksText(alerts[0].blocks)
		for _, want := range []string{"Ports running low", "*1* free *1000Base-T* port(s) left at Hangzhou-Tiny", "low-water mark of 1", "/leaseline ports ap-cn-hangzhou-tiny"} {
			if !strings.Contains(text, want) {
				t.Errorf("alert lacks %q:\n%s", want, text)
			}
		}

		e.command(customerUser, customerChan, "access-points cn-hangzhou")
		if got := e.lastResponse(); strings.Contains(got, "no free port") {
			t.Errorf("access-points with a free port left says full:\n%s", got)
		}
		payThroughSlack(e, k, tiny("third"))
		if n := len(lowAlerts()); n != 1 {
			t.Errorf("%d low-ports alerts after the last port went, want still 1", n)
		}
		e.command(customerUser, customerChan, "access-points cn-hangzhou")
		got := e.lastResponse()
		if !strings.Contains(got, "*Hangzhou-Tiny* `ap-cn-hangzhou-tiny` · :red_circle: full: no free port") {
			t.Errorf("access-points does not show Hangzhou-Tiny full:\n%s", got)
		}
		v := e.openApplyForm(customerUser, customerChan)
		if text := viewText(v); !strings.Contains(text, "Full, no free port: Hangzhou-Tiny") {
			t.Errorf("apply form does not name the full access point:\n%s", text)
		}
		_, ap, _ := input(t, v, "Access Point")
		for _, opt := range optionValues(ap) {
			if opt == "ap-cn-hangzhou-tiny" {
				t.Errorf("the apply form offers the full access point")
			}
		}

		// A port added: open again, without the catalog's status changing.
		if _, err := e.store.ImportCatalog(ctx, tinyAP(4)); err != nil {
			t.Fatal(err)
		}
		e.command(customerUser, customerChan, "access-points cn-hangzhou")
		if got := e.lastResponse(); !strings.Contains(got, "*Hangzhou-Tiny* `ap-cn-hangzhou-tiny` · :large_green_circle: recommended") {
			t.Errorf("access-points after a port was added:\n%s", got)
		}
		_, ap, _ = input(t, e.openApplyForm(customerUser, customerChan), "Access Point")
		found := false
		for _, opt := range optionValues(ap) {
			found = found || opt == "ap-cn-hangzhou-tiny"
		}
		if !found {
			t.Errorf("the apply form does not offer the reopened access point")
		}
		if n := len(lowAlerts()); n != 1 {
			t.Errorf("%d low-ports alerts with 1 free after the port was added, want still 1 (never above the mark)", n)
		}
	})
}

// Connections that ended more than 30 days ago leave `list` and App Home;
// `list --all` and `show` still have them.
func TestListAllShowsLongEnded(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		old := jApply(e, "Rejected long ago", "Room 9")
		_, err := e.store.Act(ctx, jStaff, old.ID, models.ActInput{Action: models.ActionReject, Reason: "no capacity"})
		jStep(e, "reject", err)
		e.clock.Add(31 * 24 * time.Hour)
		jApply(e, "Applying now", "Room 10")
		ref := models.ApplicationRef(old.ID)

		e.command(customerUser, customerChan, "list")
		got := e.lastResponse()
		if strings.Contains(got, "Rejected long ago") || !strings.Contains(got, "Applying now") || !strings.Contains(got, "/leaseline list --all") {
			t.Errorf("list:\n%s", got)
		}
		if home := viewText(e.openHome(customerUser)); strings.Contains(home, "Rejected long ago") || !strings.Contains(home, "Applying now") {
			t.Errorf("home:\n%s", home)
		}
		e.command(customerUser, customerChan, "list --all")
		if got := e.lastResponse(); !strings.Contains(got, "Rejected long ago") || !strings.Contains(got, "Applying now") {
			t.Errorf("list --all:\n%s", got)
		}
		e.command(customerUser, customerChan, "show "+ref)
		if got := e.lastResponse(); !strings.Contains(got, "Rejected long ago") || !strings.Contains(got, "no capacity") {
			t.Errorf("show %s:\n%s", ref, got)
		}
	})
}
