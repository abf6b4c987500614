package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

func TestHomeShowsConnectionsWithTimeline(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		c := e.applyDirect(acme, goodApplication("Home line"))
		e.exec(fmt.Sprintf("UPDATE connections SET status = 'Approved', amount_cents = 250000, currency = 'CNY' WHERE id = %d", c.ID))
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex line"))

		v := e.openHome(customerUser)
		if v["type"] != "home" {
			t.Errorf("view type %v", v["type"])
		}
		got := viewText(v)
		for _, want := range []string{"leaseline · ACME", "Home line", "● Applying", "◉ *Approved*", "○ Connecting", "○ Enabled", "waiting on the *customer* to pay", "Pay for Connection (CNY 2,500.00)", "Apply for New Interface", "Details"} {
			if !strings.Contains(got, want) {
				t.Errorf("home lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Globex") {
			t.Error("home shows another tenant's connection")
		}
		assertLimits(t, "home", blocksJSON(v), 100)

		// Refresh republishes.
		e.press(customerUser, "", "ll_home", "")
		e.settle()
		if n := len(e.slack.Calls("views.publish")); n != 2 {
			t.Errorf("%d publishes after refresh", n)
		}
	})
}

func TestHomeForStaffShowsTheQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Needs review"))
		v := e.openHome(staffUser)
		got := viewText(v)
		for _, want := range []string{"leaseline · staff", "Waiting on staff", "Needs review", "Approve", "Reject", "waiting on the *staff* to review"} {
			if !strings.Contains(got, want) {
				t.Errorf("staff home lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Apply for New Interface") {
			t.Error("staff home offers to apply")
		}
	})
}

func TestHomeForUnlinkedUserSaysHowToGetLinked(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		got := viewText(e.openHome("ULOST1"))
		// In Home there is no channel to link: it says what to do from here.
		if !strings.Contains(got, "not a user of a customer account") || !strings.Contains(got, "panel in your company's channel") ||
			strings.Contains(got, "link this channel") || strings.Contains(got, "/leaseline link") {
			t.Errorf("home of an unlinked user:\n%s", got)
		}
	})
}

func TestBlockKitLimitsWithManyConnections(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		e.manyConnections(acme, 120, models.StatusApplying)

		// List: pages of a message's 50 blocks, with a way to the next.
		e.command(customerUser, customerChan, "list")
		rs := e.responses()
		raw := rs[len(rs)-1].Param("blocks")
		assertLimits(t, "list page 1", raw, 50)
		if !strings.Contains(raw, "Next page") || !strings.Contains(raw, "Line 119") || strings.Contains(raw, "Line 099") {
			t.Errorf("page 1 is not the 20 newest with a next page")
		}
		e.press(customerUser, customerChan, "ll_list", "6")
		rs = e.responses()
		raw = rs[len(rs)-1].Param("blocks")
		assertLimits(t, "list page 6", raw, 50)
		if !strings.Contains(raw, "Line 000") || strings.Contains(raw, "Next page") || !strings.Contains(raw, "Previous page") {
			t.Errorf("last page: %s", blocksText(raw))
		}

		// App Home: 100 blocks at most, saying that more exist.
		v := e.openHome(customerUser)
		assertLimits(t, "home", blocksJSON(v), 100)
		if !strings.Contains(viewText(v), "/leaseline list") {
			t.Error("home does not say where the rest is")
		}
		// Staff's queue holds all 120.
		v = e.openHome(staffUser)
		assertLimits(t, "staff home", blocksJSON(v), 100)

		// Show of one with a long audit trail still fits.
		rows, _ := e.store.List(t.Context(), acme, 1)
		e.command(customerUser, customerChan, fmt.Sprintf("show #%d", rows[0].ID))
		rs = e.responses()
		assertLimits(t, "show", rs[len(rs)-1].Param("blocks"), 50)
	})
}
